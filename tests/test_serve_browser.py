"""`ecomsheets serve` end to end in a real browser: Debian's Chromium driven by Playwright (never a
downloaded browser). A manager signs in, sets the month and makes the links on the page; a shop
downloads its template, hands in a workbook with mistakes, reads the findings, downloads the
annotated copy, fixes and is accepted; a team hands in by drag and drop; the manager watches the
status change, builds the month's summary and downloads it. Every figure is compared with the CLI
(`validate --format json`, `consolidate --format json`) run on the same files, and the browser's
console must stay free of errors (a CSP violation or a script error fails the test).

The screenshots in the README are taken by these tests: they go to a temporary folder, or to
the folder ECOMSHEETS_SCREENSHOTS names (`ECOMSHEETS_SCREENSHOTS=docs/screenshots` remakes the
README's), so that a test run leaves the tree as it found it."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests import serving

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    pytest.skip("the playwright package is not installed", allow_module_level=True)

import openpyxl  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(os.environ.get("ECOMSHEETS_SCREENSHOTS") or tempfile.mkdtemp(prefix="ecomsheets-shots-"))
MONTH = "2026-11"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
WAIT = 60_000  # ms: a check or a summary on a slow, busy machine

# The page's progress texts as they change (a MutationObserver reports them to the test), so the
# progress shown before the page moves on can be asserted however fast the server is.
OBSERVE_PROGRESS = """
document.addEventListener("DOMContentLoaded", function () {
  ["progress-text", "summary-text"].forEach(function (id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    new MutationObserver(function () {
      var box = el.closest(".progress");
      window.ecomsheetsProgress(id, el.textContent, !!box && !box.hidden);
    }).observe(el, { childList: true, characterData: true, subtree: true });
  });
});
"""

# Drop a file on the upload form as a person does from the file manager: a DataTransfer holding it.
DROP_FILE = """
([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name,
    { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
  return dt;
}
"""


# The page's text without the language switch (which names the other language in it) and what else
# the selector given names (what comes from people's files).
CHROME = """
(more) => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll("#lang-switch" + (more ? ", " + more : "")).forEach(el => el.remove());
  return body.innerText;
}
"""


# --- the files, and what the CLI says of them --------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ecomsheets", *args], capture_output=True, text=True, encoding="utf-8", timeout=300
    )


def cli_json(*args: str) -> dict:
    done = cli(*args, "--format", "json")
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


def load(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def example(bundle: str, path: Path, seed: int) -> Path:
    done = cli("example", bundle, "-o", str(path), "--month", MONTH, "--seed", str(seed))
    assert done.returncode == 0, done.stderr
    return path


def broken(source: Path, path: Path, cells: dict[str, object]) -> Path:
    """A copy of `source` with the given cells ("订单!D17") overwritten."""
    wb = load(source)
    for where, value in cells.items():
        sheet, cell = where.split("!")
        wb[sheet][cell] = value
    wb.save(path)
    return path


# Broken on purpose: a bad channel, a text for a price, a bad order status; a bad complaint type.
SHOP_BROKEN = {"订单!D17": "火星", "订单!G20": "六十五元", "订单!L23": "不知道", "投诉!C9": "外星人"}
TEAM_BROKEN = {"投诉!C9": "外星人", "咨询!A12": None}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-files")
    good = example("department", folder / "店铺1_11月.xlsx", 1)
    bad = broken(good, folder / "店铺1_11月_有错.xlsx", SHOP_BROKEN)
    team = example("customer_service", folder / "客服售后_11月.xlsx", 3)
    team_bad = broken(team, folder / "客服售后_11月_有错.xlsx", TEAM_BROKEN)
    english = broken(team, folder / "cs-november.xlsx", TEAM_BROKEN)
    out = {
        "good": good,
        "bad": bad,
        "team_bad": team_bad,
        "english": english,
        "bad_doc": cli_json("validate", str(bad)),
        "good_doc": cli_json("validate", str(good)),
        "team_bad_doc": cli_json("validate", str(team_bad)),
        "summary_doc": cli_json(
            "consolidate", str(good), "-o", str(folder / "cli-summary.xlsx"), "--month", MONTH, "--force"
        ),
    }
    # The fixtures are what they claim to be (else every later comparison means little).
    assert out["good_doc"]["summary"]["errors"] == 0
    cells = {f"{f['sheet']}!{f['cell']}" for f in out["bad_doc"]["findings"] if f["severity"] == "error"}
    assert cells == set(SHOP_BROKEN)
    assert out["team_bad_doc"]["summary"]["errors"] == len(TEAM_BROKEN)
    return out


# --- the server and the browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving.running(tmp_path_factory.mktemp("browser-serve") / "data") as started:
        yield started
    assert started.process.returncode is not None


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


class Watched:
    """A browser context (one person's browser) whose pages' console errors, uncaught script
    errors and progress texts are recorded."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(accept_downloads=True, locale="zh-CN", **options)
        self.errors: list[str] = []
        self.progress: list[tuple[str, str, bool]] = []
        self.context.expose_function("ecomsheetsProgress", lambda *a: self.progress.append(tuple(a)))
        self.context.add_init_script(OBSERVE_PROGRESS)
        self.context.on("page", self._watch)
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT)

    def _watch(self, page):
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text} @ {page.url}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e} @ {page.url}"))
        page.on(
            "response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.request.method} {r.url}")
        )

    def close(self):
        self.context.close()


@pytest.fixture
def people(browser):
    made: list[Watched] = []

    def person(**options) -> Watched:
        made.append(Watched(browser, **options))
        return made[-1]

    yield person
    for w in made:
        w.close()
    errors = [e for w in made for e in w.errors]
    assert not errors, "the browser's console reported errors:\n" + "\n".join(errors)


@pytest.fixture(scope="module")
def manager_token(server):
    return serving.manager_for(server, MONTH)


def api_link(server, token: str, name: str, bundle: str) -> str:
    status, body = serving.call(server.url + "/api/links", "POST", {"name": name, "bundle": bundle}, token=token)
    assert status == 201, body
    return body["url"]


# --- reading the pages ------------------------------------------------------------------------------


def download(page, click: str, folder: Path):
    with page.expect_download() as info:
        page.click(click)
    got = info.value
    assert got.failure() is None
    path = folder / got.suggested_filename
    got.save_as(path)
    return got.suggested_filename, path


def upload_and_wait(page, path: Path):
    """Choose a file in the page's file input and hand it in; back when the findings are shown."""
    page.set_input_files("#file-input", str(path))
    page.click("#upload-button")
    settle(page)


def settle(page):
    page.wait_for_url(re.compile(r"/submissions/\d+$"))
    expect(page.locator("#submission-state")).not_to_have_class(re.compile(r"\bchecking\b"), timeout=WAIT)


def shown_findings(page) -> dict[str, list[dict]]:
    """The findings on a submission page, by the sheet heading they are listed under."""
    return page.evaluate(
        """() => {
      const out = {};
      let heading = null;
      document.querySelectorAll("section.file .body > h3, section.file .body > table.findings").forEach(el => {
        if (el.tagName === "H3") {
          heading = el.firstChild.textContent.trim();
          out[heading] = [];
          return;
        }
        el.querySelectorAll("tbody tr").forEach(tr => {
          const td = tr.querySelectorAll("td");
          out[heading].push({severity: tr.className, where: td[1].textContent.trim(),
                             value: td[3].textContent.trim(), message: td[4].firstChild.textContent.trim()});
        });
      });
      return out;
    }"""
    )


def check_findings(page, document: dict, lang: str = "zh"):
    """The page lists every finding of `validate --format json`, each under its sheet, with its
    cell and its message, and the counts of the document."""
    shown = shown_findings(page)
    by_sheet = Counter(f["sheet"] for f in document["findings"])
    assert sum(len(rows) for rows in shown.values()) == len(document["findings"]), shown
    assert len(shown) == len(by_sheet), (shown.keys(), by_sheet)
    for heading, rows in shown.items():
        sheets = [s for s in by_sheet if s and s in heading]
        assert len(sheets) == 1, (heading, by_sheet)
        sheet = sheets[0]
        assert len(rows) == by_sheet[sheet], (heading, rows)
        expected = [f for f in document["findings"] if f["sheet"] == sheet]
        for f in expected:
            key = "message_en" if lang == "en" else "message"
            matches = [r for r in rows if r["message"] == f[key]]
            assert matches, (f, rows)
            if f["cell"]:
                assert any(f["cell"] in r["where"] for r in matches), (f, matches)
                if lang == "zh":
                    assert CJK.search(f[key]), f
    stats = page.locator("section.file .stats .stat .n").all_inner_texts()
    assert int(stats[0]) == document["summary"]["errors"]
    assert int(stats[1]) == document["summary"]["warnings"]
    assert int(stats[2]) == document["summary"]["rows_checked"]


def status_of(page, team: str) -> tuple[str, str]:
    row = page.locator(f'#status-table tr[data-team="{team}"]')
    state = row.locator(".state")
    return state.get_attribute("class").split()[-1], state.inner_text().strip()


def number(shown: str) -> float:
    """A figure as the page shows it (¥1,234.5) as a number."""
    return float(re.sub(r"[¥,\s]", "", shown))


def no_horizontal_overflow(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"{page.url}: the page is {width}px wide on a 390px screen"


# --- the month, as people do it -----------------------------------------------------------------------


def test_a_month_in_the_browser(server, files, people, tmp_path):
    # The manager signs in, sets the month and makes the two links on the page.
    boss = people()
    page = boss.page
    page.goto(server.url + "/")
    page.wait_for_url("**/login")
    page.fill("#password", serving.PASSWORD)
    page.click("#login-button")
    page.wait_for_url("**/manage")
    page.fill("#month", MONTH)
    page.click(".month-form button[type=submit]")
    page.wait_for_url("**/manage")
    expect(page.locator("h1")).to_contain_text(MONTH)
    token = server.manager_token()
    assert serving.call(server.url + "/api/month", token=token) == (200, {"month": MONTH})

    page.click("#links-nav")
    page.fill("#link-name", "店铺1")
    page.select_option("#link-bundle", "department")
    page.click("#make-link")
    expect(page.locator('tr[data-name="店铺1"]')).to_have_class(re.compile("made"))
    page.locator("form.inline button", has_text="客服售后").click()  # the roster's one-click link
    shop_url = page.locator('tr[data-name="店铺1"] input.link-url').input_value()
    team_url = page.locator('tr[data-name="客服售后"] input.link-url').input_value()
    status, links = serving.call(server.url + "/api/links", token=token)
    assert status == 200
    assert {(x["name"], x["bundle"], x["url"]) for x in links} >= {
        ("店铺1", "department", shop_url),
        ("客服售后", "customer_service", team_url),
    }
    assert shop_url.startswith(server.url + "/s/") and team_url.startswith(server.url + "/s/")

    page.goto(server.url + "/manage")
    assert status_of(page, "店铺1") == ("missing", "未交")
    assert status_of(page, "客服售后") == ("missing", "未交")

    # 1. The shop opens its link and downloads this month's template of its workbook.
    shop = people()
    staff = shop.page
    staff.goto(shop_url)
    expect(staff.locator("h1")).to_contain_text(MONTH)
    name, template = download(staff, "#template-link", tmp_path)
    assert name.endswith(".xlsx") and MONTH in name
    sheets = load(template).sheetnames
    tables = [s for s in load(files["good"]).sheetnames if not s.startswith("_")]
    assert [s for s in sheets if not s.startswith("_")] == tables
    assert {"订单", "库存", "投诉", "考勤"} <= set(sheets)

    # 2. It hands in a workbook with mistakes through the file picker: progress, then the findings.
    upload_and_wait(staff, files["bad"])
    texts = [t for who, t, shown in shop.progress if who == "progress-text" and shown]
    assert any(t.startswith("正在上传") and t.endswith("%") for t in texts), shop.progress
    assert any(t.startswith("正在检查") for t in texts), shop.progress
    expect(staff.locator("#submission-state")).to_have_text("有错误")
    errors = files["bad_doc"]["summary"]["errors"]
    expect(staff.locator("#errors-note")).to_contain_text(f"{errors} 处错误")
    check_findings(staff, files["bad_doc"])
    shown = shown_findings(staff)
    for where in SHOP_BROKEN:  # each broken cell, under its sheet, in Chinese
        sheet, cell = where.split("!")
        (heading,) = [h for h in shown if sheet in h]
        assert any(cell in r["where"] and CJK.search(r["message"]) for r in shown[heading]), (where, shown[heading])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    staff.screenshot(path=str(SCREENSHOTS / "serve-team-findings.png"), full_page=True)

    # The manager's status shows it at once (after a reload).
    page.reload()
    assert status_of(page, "店铺1") == ("with_errors", "有错误")
    assert page.locator('#status-table tr[data-team="店铺1"] td.num').first.inner_text() == str(errors)

    # 3. The annotated copy: a comment on every broken cell, none on the cells around them.
    name, annotated = download(staff, "#annotated-link", tmp_path)
    assert name == f"{files['bad'].stem}_校验.xlsx"
    wb = load(annotated)
    for where in SHOP_BROKEN:
        sheet, cell = where.split("!")
        assert wb[sheet][cell].comment is not None, where
        assert wb[sheet][cell].comment.text.strip()
    assert wb["订单"]["D18"].comment is None and wb["订单"]["G21"].comment is None

    # 4. It fixes the file, hands it in again and is accepted; its list shows both hand-ins.
    staff.click("#upload-again")
    upload_and_wait(staff, files["good"])
    expect(staff.locator("#submission-state")).to_have_text("已通过")
    expect(staff.locator("#accepted-note")).to_be_visible()
    check_findings(staff, files["good_doc"])
    staff.goto(shop_url)
    rows = staff.locator("#my-submissions tbody tr")
    expect(rows).to_have_count(2)
    assert rows.nth(0).locator(".state").inner_text() == "已通过"
    assert files["good"].name in rows.nth(0).inner_text()
    assert rows.nth(1).locator(".state").inner_text() == "有错误"
    assert files["bad"].name in rows.nth(1).inner_text()
    assert rows.nth(1).locator("td.num").first.inner_text() == str(errors)

    page.reload()
    assert status_of(page, "店铺1") == ("accepted", "已通过")
    assert status_of(page, "客服售后") == ("missing", "未交")

    # 6. The team hands in by dropping its file on the page (a drop event with a DataTransfer).
    team = people()
    member = team.page
    member.goto(team_url)
    data = files["team_bad"].read_bytes()
    transfer = member.evaluate_handle(DROP_FILE, [files["team_bad"].name, base64.b64encode(data).decode()])
    member.dispatch_event("#upload-form", "dragenter", {"dataTransfer": transfer})
    expect(member.locator("#upload-form")).to_have_class(re.compile(r"\bover\b"))
    member.dispatch_event("#upload-form", "drop", {"dataTransfer": transfer})
    settle(member)
    expect(member.locator("#submission-state")).to_have_text("有错误")
    expect(member.locator("h1.file-name")).to_have_text(files["team_bad"].name)
    check_findings(member, files["team_bad_doc"])

    # 5. The manager sees the month: the shop accepted, the team with errors.
    page.reload()
    assert status_of(page, "店铺1") == ("accepted", "已通过")
    assert status_of(page, "客服售后") == ("with_errors", "有错误")
    expect(page.locator("#status-counts")).to_contain_text("已通过 1")
    page.screenshot(path=str(SCREENSHOTS / "serve-manager-status.png"), full_page=True)

    # The manager opens the team's findings from the status table, and goes back.
    page.locator('#status-table tr[data-team="客服售后"] td.name a').click()
    page.wait_for_url(re.compile(r"/manage/submissions/\d+$"))
    expect(page.locator("#submission-state")).to_have_text("有错误")
    check_findings(page, files["team_bad_doc"])
    _, copy = download(page, "#annotated-link", tmp_path)
    assert load(copy)["投诉"]["C9"].comment is not None
    assert page.locator("#upload-again").count() == 0  # the manager hands in nothing here
    page.goto(server.url + "/manage")

    # Every team's latest annotated copy, in one zip.
    _, archive = download(page, "#zip-link", tmp_path)
    with zipfile.ZipFile(archive) as zf:
        (name,) = zf.namelist()  # the shop's latest file has nothing to annotate
        assert name == f"客服售后/{files['team_bad'].stem}_校验.xlsx", name
        zf.extract(name, tmp_path / "zip")
    wb = load(tmp_path / "zip" / name)
    for where in TEAM_BROKEN:
        sheet, cell = where.split("!")
        assert wb[sheet][cell].comment is not None, where

    # The summary: built in the background with progress shown, then downloaded.
    page.click("#consolidate-button")
    page.wait_for_url(re.compile(r"/manage/summaries/\d+$"))
    texts = [t for who, t, shown in boss.progress if who == "summary-text" and shown]
    assert any(t.startswith("正在汇总") for t in texts), boss.progress
    _, workbook = download(page, "#summary-download", tmp_path)
    overview = load(workbook)["概览"]
    figures = {}
    for title, value in overview.iter_rows(min_col=1, max_col=2, values_only=True):
        if isinstance(title, str) and isinstance(value, (int, float)):
            figures[title] = value
    expected = {m["title"]: m["value"] for m in files["summary_doc"]["metrics"] if m["group"] is None}
    assert {"订单数", "销售额"} <= set(figures)
    for title, value in figures.items():
        assert value == pytest.approx(expected[title], rel=1e-5, abs=1e-6), title  # the JSON keeps 6 decimals
    shown_metrics = dict(
        (r.locator("td").nth(0).inner_text(), r.locator("td").nth(1).inner_text())
        for r in page.locator("#summary-metrics tbody tr").all()
    )
    assert number(shown_metrics["订单数"]) == expected["订单数"]
    assert number(shown_metrics["销售额"]) == pytest.approx(expected["销售额"])
    assert server.alive()


def test_english_switch(server, files, people, manager_token):
    url = api_link(server, manager_token, "cs-team-en", "customer_service")
    person = people()
    page = person.page
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.click("#lang-switch")
    page.wait_for_url(url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-switch")).to_have_text("中文")  # the way back names its language in it
    text = page.evaluate(CHROME)
    assert not CJK.findall(text), (CJK.findall(text), text)
    assert "Download the template" in text

    upload_and_wait(page, files["english"])
    expect(page.locator("#submission-state")).to_have_text("With errors")
    check_findings(page, cli_json("validate", str(files["english"]), "--lang", "en"), lang="en")
    # The page's own words: everything but what comes from the file (sheet names, columns, values, messages quoting them).
    chrome = page.evaluate(CHROME, "table.findings tbody, section.file h3")
    assert not CJK.findall(chrome), (CJK.findall(chrome), chrome)
    for heading in page.locator("section.file h3").all_inner_texts():
        assert not CJK.search(re.sub(r"(咨询|投诉|售后|评价|客户反馈)", "", heading)), heading

    # The manager's pages in English too (a browser of its own: the language is a cookie).
    boss = people()
    page = boss.page
    page.goto(server.url + "/login")
    page.click("#lang-switch")
    page.wait_for_url("**/login")
    text = page.evaluate(CHROME)
    assert "Sign in" in text and not CJK.findall(text), text
    page.fill("#password", serving.PASSWORD)
    page.click("#login-button")
    page.wait_for_url("**/manage")
    expect(page.locator('#status-table tr[data-team="cs-team-en"] .state')).to_have_text("With errors")
    # Names of links and files are people's words, not the page's.
    text = page.evaluate(CHROME, "td.name, #all-submissions tbody td:nth-child(2)")
    assert not CJK.findall(text), (CJK.findall(text), text)


def test_phone_screen(server, files, people, manager_token):
    url = api_link(server, manager_token, "店铺2", "department")
    person = people(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = person.page
    page.goto(url)
    no_horizontal_overflow(page)
    for target in ("#template-link", "#file-input", "#upload-button"):
        box = page.locator(target).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (target, box)
    upload_and_wait(page, files["bad"])
    expect(page.locator("#submission-state")).to_have_text("有错误")
    check_findings(page, files["bad_doc"])
    no_horizontal_overflow(page)
    box = page.locator("#annotated-link").bounding_box()
    assert box and box["x"] + box["width"] <= 390, box
    page.screenshot(path=str(SCREENSHOTS / "serve-team-phone.png"), full_page=True)
    page.goto(url)
    expect(page.locator("#my-submissions tbody tr")).to_have_count(1)
    no_horizontal_overflow(page)

    # The manager's status on a phone too.
    boss = people(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).page
    boss.goto(server.url + "/login")
    no_horizontal_overflow(boss)
    boss.fill("#password", serving.PASSWORD)
    boss.click("#login-button")
    boss.wait_for_url("**/manage")
    expect(boss.locator('#status-table tr[data-team="店铺2"] .state')).to_have_text("有错误")
    no_horizontal_overflow(boss)


def test_annotated_copy_download_name(server, files, people, manager_token, tmp_path):
    url = api_link(server, manager_token, "客服二组", "customer_service")
    page = people().page
    page.goto(url)
    upload_and_wait(page, files["team_bad"])
    name, path = download(page, "#annotated-link", tmp_path)
    assert load(path)["投诉"]["C9"].comment is not None
    assert name == f"{files['team_bad'].stem}_校验.xlsx"


def test_pages_work_without_javascript(server, files, people, manager_token):
    """The plain forms: the upload posts the page's form (with its CSRF token) and the findings
    page refreshes itself until the check is done."""
    url = api_link(server, manager_token, "无脚本店铺", "department")
    page = people(java_script_enabled=False).page
    page.goto(url)
    page.set_input_files("#file-input", str(files["bad"]))
    page.click("#upload-button")
    page.wait_for_url(re.compile(r"/submissions/\d+$"))
    expect(page.locator("#submission-state")).to_have_text("有错误", timeout=WAIT)
    check_findings(page, files["bad_doc"])
    status, mine = serving.call(server.url + "/api/submissions", token=url.rsplit("/", 1)[1])
    assert status == 200 and [(s["file"], s["status"]) for s in mine] == [(files["bad"].name, "with_errors")]


def test_hostile_file_name_and_revoked_link(server, files, people, manager_token):
    """A file name that is markup is shown as text (no script runs); a revoked link stops working."""
    url = api_link(server, manager_token, "撤销测试", "customer_service")
    person = people()
    page = person.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hostile = "<img src=x onerror=alert(1)><svg onload=alert(2)>.xlsx"
    page.goto(url)
    page.set_input_files(
        "#file-input",
        {"name": hostile, "mimeType": "application/octet-stream", "buffer": files["team_bad"].read_bytes()},
    )
    page.click("#upload-button")
    settle(page)
    # Kept as the server names it (it may drop characters such as < and >), shown as that text.
    status, (record,) = serving.call(server.url + "/api/submissions", token=url.rsplit("/", 1)[1])
    assert status == 200 and "onerror=alert(1)" in record["file"], record
    expect(page.locator("h1.file-name")).to_have_text(record["file"])
    assert page.locator("main img, main svg").count() == 0
    page.goto(url)
    expect(page.locator("#my-submissions td.name a")).to_have_text(record["file"])
    assert page.locator("main img, main svg").count() == 0
    assert not dialogs

    # The manager revokes the link on the links page (the page asks first).
    boss = people().page
    boss.goto(server.url + "/login")
    boss.fill("#password", serving.PASSWORD)
    boss.click("#login-button")
    boss.wait_for_url("**/manage")
    expect(boss.locator('#status-table tr[data-team="撤销测试"] td.name a')).to_have_text(record["file"])
    boss.goto(server.url + "/manage/links")
    asked: list[str] = []
    boss.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    boss.locator('tr[data-name="撤销测试"] form.revoke-form button').click()
    boss.wait_for_load_state()
    expect(boss.locator('tr[data-name="撤销测试"]')).to_contain_text("链接已停用")
    assert asked and "撤销测试" in asked[0]
    response = page.goto(url)
    assert response is not None and response.status == 404
    # That refusal was the point; the console's note of it is not an error of the page.
    assert any(url in e for e in person.errors)
    person.errors[:] = [e for e in person.errors if url not in e]


def test_a_file_that_is_no_workbook(server, people, manager_token, tmp_path):
    """Bytes that are no workbook, under an .xlsx name: handed in, refused with a reason, and the
    page says so (no endless waiting, no script error)."""
    url = api_link(server, manager_token, "乱码店铺", "department")
    junk = tmp_path / "坏文件.xlsx"
    junk.write_bytes(b"this is not a workbook\n" * 200)
    page = people().page
    page.goto(url)
    upload_and_wait(page, junk)
    expect(page.locator("#submission-state")).to_have_text("无法读取")
    text = page.locator("main").inner_text()
    assert "坏文件.xlsx" in text
    status, (record,) = serving.call(server.url + "/api/submissions", token=url.rsplit("/", 1)[1])
    assert status == 200 and record["status"] == "refused", record
    assert page.locator("#upload-again").is_visible()
