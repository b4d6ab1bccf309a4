// The page without reloading: upload progress, waiting for a check or a summary, drag and drop,
// copying links. Every page also works without this file (plain forms and redirects).
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf");

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, key) { return key in values ? values[key] : m; });
  }

  function poll(url, headers, done, tick) {
    var started = Date.now();
    function again() {
      fetch(url, { headers: headers, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          var state = res.body.status || res.body.state;
          if (res.ok && state === "checking") {
            tick(Math.round((Date.now() - started) / 1000), res.body);
            setTimeout(again, 400);
          } else {
            done(res);
          }
        })
        .catch(function () { setTimeout(again, 1500); });
    }
    again();
  }

  // A team's upload: the file goes up with a progress bar, then the check is waited for.
  var form = document.getElementById("upload-form");
  if (form) {
    var input = document.getElementById("file-input");
    var box = document.getElementById("upload-progress");
    var fill = document.getElementById("progress-fill");
    var text = document.getElementById("progress-text");
    var token = form.getAttribute("data-token");
    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (e) { e.preventDefault(); form.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      form.addEventListener(type, function () { form.classList.remove("over"); });
    });
    form.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", function (e) {
      if (!input.files.length || !window.XMLHttpRequest) { return; }
      e.preventDefault();
      if (input.files[0].size > Number(form.getAttribute("data-max-bytes"))) {
        box.hidden = false;
        text.textContent = form.getAttribute("data-too-large");
        text.classList.add("alert-note");
        return;
      }
      text.classList.remove("alert-note");
      var data = new FormData();
      data.append("file", input.files[0]);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/validate?wait=false");
      xhr.setRequestHeader("Authorization", "Bearer " + token);
      box.hidden = false;
      document.getElementById("upload-button").disabled = true;
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable) {
          var pct = Math.round(ev.loaded * 100 / ev.total);
          fill.style.width = pct + "%";
          text.textContent = format(form.getAttribute("data-uploading"), { pct: pct });
        }
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (xhr.status !== 202) {
          document.getElementById("upload-button").disabled = false;
          fill.style.width = "0";
          text.textContent = body.error || form.getAttribute("data-failed");
          text.classList.add("alert-note");
          return;
        }
        fill.parentNode.classList.add("busy");
        text.textContent = format(form.getAttribute("data-checking"), { seconds: 0 });
        var page = form.getAttribute("data-base") + "/submissions/" + body.submission_id;
        poll(body.url, { Authorization: "Bearer " + token },
          function () { window.location.href = page; },
          function (seconds) { text.textContent = format(form.getAttribute("data-checking"), { seconds: seconds }); });
      };
      xhr.onerror = function () {
        document.getElementById("upload-button").disabled = false;
        text.textContent = form.getAttribute("data-failed");
      };
      text.textContent = format(form.getAttribute("data-uploading"), { pct: 0 });
      xhr.send(data);
    });
  }

  // A submission still being checked: the page reloads itself when the check ends.
  if (document.querySelector("[data-poll]")) {
    var meta = document.querySelector("meta[http-equiv=refresh]");
    if (meta) { meta.parentNode.removeChild(meta); }
    var id = window.location.pathname.split("/").pop();
    var parts = window.location.pathname.split("/");
    var headers = parts[1] === "s" ? { Authorization: "Bearer " + parts[2] } : { "X-CSRF-Token": csrf };
    poll("/api/submissions/" + id, headers, function () { window.location.reload(); }, function () {});
  }

  // The manager's summary: built in the background, with files checked of all.
  var build = document.getElementById("consolidate-form");
  if (build) {
    build.addEventListener("submit", function (e) {
      e.preventDefault();
      var box = document.getElementById("summary-progress");
      var fill = document.getElementById("summary-fill");
      var text = document.getElementById("summary-text");
      document.getElementById("consolidate-button").disabled = true;
      box.hidden = false;
      var month = encodeURIComponent(build.getAttribute("data-month"));
      fetch("/api/consolidate?wait=false&month=" + month, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }
      }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) { text.textContent = res.body.error || build.getAttribute("data-failed"); return; }
          text.textContent = format(build.getAttribute("data-building"), { done: 0, total: "…" });
          poll(res.body.url, { "X-CSRF-Token": csrf }, function () {
            window.location.href = "/manage/summaries/" + res.body.summary_id;
          }, function (seconds, body) {
            var pct = body.total ? Math.round(body.done * 100 / body.total) : 0;
            fill.style.width = pct + "%";
            text.textContent = format(build.getAttribute("data-building"), { done: body.done, total: body.total });
          });
        })
        .catch(function () { text.textContent = build.getAttribute("data-failed"); });
    });
  }

  // Links: copy with one tap; revoking asks first.
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    button.addEventListener("click", function () {
      var field = button.parentNode.querySelector(".link-url");
      field.select();
      var done = function () { button.textContent = button.getAttribute("data-copied"); };
      if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(done, done); } else { document.execCommand("copy"); done(); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("form.revoke-form"), function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-back]"), function (a) {
    a.addEventListener("click", function (e) { if (window.history.length > 1) { e.preventDefault(); window.history.back(); } });
  });
}());
