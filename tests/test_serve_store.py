"""The web page's record (serve.store) and the month's state built on it (serve.service): what
a link's state is, which files the summary takes, what a restart leaves, how names are kept."""

from __future__ import annotations

import re
import sqlite3

import pytest

from ecomsheets.schema import load_catalog
from ecomsheets.serve import security
from ecomsheets.serve import store as st
from ecomsheets.serve.service import Service
from ecomsheets.serve.store import Store


@pytest.fixture()
def service(tmp_path):
    svc = Service(Store(tmp_path / "data"), load_catalog())
    yield svc
    svc.close()


def _hand_in(svc: Service, link: str, name: str, content: bytes, state: str, errors: int = 0):
    temp = svc.store.temp_path()
    temp.write_bytes(content)
    sha, kept = svc.store.keep_file(temp, name)
    sub = svc.store.add_submission(link, svc.month, name, sha, kept.stat().st_size)
    svc.store.finish_submission(sub.id, state, errors, 0, 0.1, {"errors": errors}, {}, False)
    return sub


def test_files_are_kept_once_by_content_and_never_over_each_other(service):
    a = _hand_in(service, "店铺1", "订单.xlsx", b"first", st.ACCEPTED)
    b = _hand_in(service, "店铺2", "订单.xlsx", b"second", st.ACCEPTED)
    c = _hand_in(service, "店铺3", "别的名字.xlsx", b"first", st.ACCEPTED)
    assert a.sha256 != b.sha256 and a.sha256 == c.sha256
    assert service.store.file_path(a.sha256, a.file_name).read_bytes() == b"first"
    assert service.store.file_path(b.sha256, b.file_name).read_bytes() == b"second"
    assert len({a.id, b.id, c.id}) == 3
    assert not list((service.store.root / "tmp").iterdir())  # every upload moved in or dropped


def test_a_links_state_is_its_latest_hand_in_and_the_summary_takes_only_accepted_latest(service):
    for name in ("店铺1", "店铺2", "店铺3", "店铺4"):
        service.store.add_link(name, "department")
    _hand_in(service, "店铺1", "a.xlsx", b"1", st.WITH_ERRORS, errors=3)
    fixed = _hand_in(service, "店铺1", "a.xlsx", b"2", st.ACCEPTED)
    _hand_in(service, "店铺2", "b.xlsx", b"3", st.ACCEPTED)
    _hand_in(service, "店铺2", "b.xlsx", b"4", st.WITH_ERRORS, errors=1)  # broken again after passing
    _hand_in(service, "店铺3", "c.xlsx", b"5", st.REFUSED)
    states = {row["name"]: row["state"] for row in service.status(service.month)}
    assert states == {"店铺1": st.ACCEPTED, "店铺2": st.WITH_ERRORS, "店铺3": st.REFUSED, "店铺4": st.MISSING}
    # 店铺2's older accepted file is not summed behind the status's back.
    assert [s.id for s in service.accepted(service.month)] == [fixed.id]
    counts = {row["name"]: row["submissions"] for row in service.status(service.month)}
    assert counts == {"店铺1": 2, "店铺2": 2, "店铺3": 1, "店铺4": 0}


def test_a_revoked_link_opens_nothing_but_its_hand_ins_stay_in_the_status(service):
    link = service.store.add_link("店铺1", "department")
    service.store.add_link("店铺2", "department")
    _hand_in(service, "店铺1", "a.xlsx", b"1", st.ACCEPTED)
    assert service.store.revoke_link("店铺1") and service.store.revoke_link("店铺2")
    assert service.store.link_by_token(link.token) is None
    rows = service.status(service.month)
    assert [(r["name"], r["state"], bool(r["revoked"])) for r in rows] == [("店铺1", st.ACCEPTED, True)]
    again = service.store.add_link("店铺1", "department")  # made again: a new token, the old stays dead
    assert again.token != link.token and service.store.link_by_token(link.token) is None
    assert service.store.link_by_token(again.token) is not None


def test_a_restart_checks_again_what_a_stop_left_unchecked(tmp_path):
    store = Store(tmp_path / "data")
    store.add_link("店铺1", "department")
    temp = store.temp_path()
    temp.write_bytes(b"not a workbook at all")
    sha, _ = store.keep_file(temp, "a.xlsx")
    sub = store.add_submission("店铺1", "2026-11", "a.xlsx", sha, 21)
    summary = store.add_summary("2026-11", 1)
    assert store.submission(sub.id).state == st.CHECKING
    service = Service(Store(tmp_path / "data"), load_catalog())
    try:
        assert service.resume() == 1
        service.pool.shutdown(wait=True)
    finally:
        service.close()
    checked = service.store.submission(sub.id)
    assert checked.state == st.REFUSED and checked.errors == 1  # checked for real: not an Excel file
    assert service.store.summary(summary)["state"] == st.FAILED  # a summary is built again by hand


def test_sessions_keep_only_a_hash_and_expire(tmp_path):
    store = Store(tmp_path / "data")
    token, _ = store.new_session()
    assert store.session_valid(token) and not store.session_valid(token + "x")
    with sqlite3.connect(store.path) as db:
        kept = [row[0] for row in db.execute("SELECT token_hash FROM sessions")]
        assert kept == [st.hashed(token)] and token not in kept
        db.execute("UPDATE sessions SET expires = '2000-01-01T00:00:00+00:00'")
    assert not store.session_valid(token)
    fresh, _ = store.new_session()
    store.end_all_sessions()
    assert not store.session_valid(fresh)


def test_the_password_is_an_argon2_hash():
    stored = security.hash_password("正确的密码 1")
    assert stored.startswith("$argon2id$") and "正确的密码" not in stored
    assert security.password_ok(stored, "正确的密码 1")
    assert not security.password_ok(stored, "正确的密码 2")
    assert not security.password_ok("not a hash", "x")


def test_csrf_tokens_are_signed_per_browser():
    secret = b"k" * 32
    token = security.csrf_token(secret, "cookie-a")
    assert security.csrf_ok(secret, "cookie-a", token)
    assert not security.csrf_ok(secret, "cookie-b", token)
    assert not security.csrf_ok(b"j" * 32, "cookie-a", token)
    assert not security.csrf_ok(secret, None, token) and not security.csrf_ok(secret, "cookie-a", "")


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("..\\..\\Windows\\店铺.xlsx", "店铺.xlsx"),
        ("/abs/path/订单.xlsx", "订单.xlsx"),
        ("\u202eslx.exe", "slx.exe"),
        ("a\x00b.xlsx", "ab.xlsx"),
        ("...", "upload.xlsx"),
        ("", "upload.xlsx"),
        (None, "upload.xlsx"),
        ('<script>"x".xlsx', "scriptx.xlsx"),
    ],
)
def test_uploaded_names_are_only_names(raw, kept):
    assert security.upload_name(raw, "upload.xlsx") == kept


def test_a_long_name_keeps_its_extension_and_fits_a_file_system(tmp_path):
    latin = security.upload_name("a" * 300 + ".xlsx", "upload.xlsx")
    assert len(latin) == security.NAME_LIMIT and latin.endswith(".xlsx")
    chinese = security.upload_name("很" * 300 + ".xlsx", "upload.xlsx")  # 3 bytes a character
    assert chinese.endswith(".xlsx") and len(chinese.encode()) <= security.NAME_BYTES
    (tmp_path / chinese).write_bytes(b"")  # the work folder's copy is made under this name


def test_a_download_header_carries_any_name():
    header = security.attachment('店铺 "1";\r\n.xlsx')
    assert "\r" not in header and "\n" not in header
    assert "filename*=UTF-8''%E5%BA%97%E9%93%BA%20%221%22%3B%0D%0A.xlsx" in header


def test_sign_in_is_limited_per_address_counting_attempts_as_they_start():
    limit = security.RateLimit(attempts=3, seconds=60)
    marks = [limit.attempt("1.2.3.4") for _ in range(3)]  # three at once, none finished yet
    assert all(wait == 0 for wait, _ in marks)
    wait, mark = limit.attempt("1.2.3.4")  # the fourth waits, though no failure is written down
    assert 0 < wait <= 60 and mark is None
    assert limit.attempt("5.6.7.8")[0] == 0  # another address is not held up
    limit.succeeded("1.2.3.4", marks[0][1])  # a success takes its own attempt back
    assert limit.attempt("1.2.3.4")[0] == 0


def test_the_summary_reads_each_links_latest_checked_hand_in(service):
    for name in ("店铺1", "店铺2", "店铺3"):
        service.store.add_link(name, "department")
    _hand_in(service, "店铺1", "a.xlsx", b"1", st.ACCEPTED)
    bad = _hand_in(service, "店铺1", "a.xlsx", b"2", st.WITH_ERRORS, errors=2)
    good = _hand_in(service, "店铺2", "b.xlsx", b"3", st.ACCEPTED)
    refused = _hand_in(service, "店铺3", "c.xlsx", b"4", st.REFUSED)
    assert [s.id for s in service.summed(service.month)] == [bad.id, good.id, refused.id]


def test_a_link_has_at_most_a_few_files_being_checked(service, monkeypatch):
    from ecomsheets.serve import service as svc_module

    link = service.store.add_link("店铺1", "department")
    other = service.store.add_link("店铺2", "department")
    for _ in range(svc_module.LINK_QUEUE):  # checks that have not ended (none runs here)
        service.store.add_submission(link.name, service.month, "a.xlsx", "0" * 64, 1)
    temp = service.store.temp_path()
    temp.write_bytes(b"x")
    with pytest.raises(svc_module.Busy):
        service.submit(link, temp, "more.xlsx")
    assert not temp.exists()  # the refused upload is not kept
    monkeypatch.setattr(service, "_check", lambda submission, bundle: None)
    temp = service.store.temp_path()
    temp.write_bytes(b"y")
    submission, future = service.submit(other, temp, "b.xlsx")  # another team is not held up
    future.result()
    assert submission.link == "店铺2"


def test_zip_entries_are_safe_and_unique(service):
    import zipfile

    for name in ("a", ".a", "b<c>"):
        service.store.add_link(name, "department")
        sub = _hand_in(service, name, "one.xlsx", name.encode(), st.WITH_ERRORS, errors=1)
        service.store.annotated_path(sub.id).write_bytes(name.encode())
        with sqlite3.connect(service.store.path) as db:
            db.execute("UPDATE submissions SET annotated = 1 WHERE id = ?", (sub.id,))
    with zipfile.ZipFile(service.annotated_zip(service.month, "zh")) as zf:
        names = zf.namelist()
        assert len(names) == len(set(names)) == 3
        assert sorted(zf.read(n) for n in names) == [b".a", b"a", b"b<c>"]
    assert all(not any(ch in n for ch in '<>:"|?*\\') and not n.startswith(".") for n in names)


@pytest.mark.slow
def test_the_summary_names_the_links_and_who_is_missing(tmp_path, service):
    """The links are the month's roster: two links of one team bundle stay two, a shop's link is
    named (not 名单外), a link with nothing handed in is 未交 in the summary workbook."""
    import subprocess
    import sys

    import openpyxl

    made = {}
    for bundle in ("operations", "department"):
        made[bundle] = tmp_path / f"{bundle}.xlsx"
        command = [sys.executable, "-m", "ecomsheets", "example", bundle, "-o", str(made[bundle]), "--month", "2026-11"]
        subprocess.run(command, check=True, capture_output=True)
    service.store.set_setting("month", "2026-11")
    plan = {"运营组": "operations", "运营二组": "operations", "店铺1": "department", "店铺2": "department"}
    for name, bundle in plan.items():
        link = service.store.add_link(name, bundle)
        if name != "店铺2":  # 店铺2 hands in nothing
            temp = service.store.temp_path()
            temp.write_bytes(made[bundle].read_bytes())
            _, future = service.submit(link, temp, made[bundle].name)
            future.result()
    summary_id, future = service.start_summary("2026-11")
    document = future.result()
    states = {h["team"]: h["state"] for h in document["status"]}
    assert states == {"运营组": "submitted", "运营二组": "submitted", "店铺1": "submitted", "店铺2": "missing"}
    assert {s["file"] for s in document["sources"]} == {f"{n}/{made[b].name}" for n, b in plan.items() if n != "店铺2"}
    wb = openpyxl.load_workbook(service.store.summary_path(summary_id), read_only=True)
    sheet = next(ws for ws in wb.worksheets if ws.title == "交表情况")
    texts = {str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None}
    wb.close()
    assert {"运营组", "运营二组", "店铺1", "店铺2"} <= texts and "未交" in texts
    assert not any("名单外" in t for t in texts)


@pytest.mark.slow
def test_the_counts_the_manager_reads_are_the_hand_ins(tmp_path, monkeypatch):
    """The status page's count line and the summary page's "read n, counted k" line, against
    the states and sources set up here."""
    from fastapi.testclient import TestClient

    from ecomsheets.serve.app import create_app, ensure_manager

    monkeypatch.setenv("ECOMSHEETS_MANAGER_PASSWORD", "pw-for-counts")
    app = create_app(tmp_path / "data", load_catalog())
    svc = app.state.service
    ensure_manager(svc.store)
    plan = {"店铺1": st.ACCEPTED, "店铺2": st.WITH_ERRORS, "店铺3": st.REFUSED, "店铺4": None}
    for name, state in plan.items():
        svc.store.add_link(name, "department")
        if state:
            _hand_in(svc, name, f"{name}.xlsx", name.encode(), state, errors=int(state != st.ACCEPTED))
    sources = [
        {"file": "店铺1/a.xlsx", "status": "taken", "rows_taken": 10, "errors": 0},
        {"file": "店铺2/b.xlsx", "status": "left_out", "rows_taken": 0, "errors": 1},
        {"file": "店铺3/c.xlsx", "status": "unreadable", "rows_taken": 0, "errors": 1},
    ]
    summary = svc.store.add_summary(svc.month, len(sources))
    document = {"bundle": "department", "complete": False, "metrics": [], "sources": sources}
    svc.store.finish_summary(summary, st.ACCEPTED, document)
    with TestClient(app) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        assert client.post("/login", data={"password": "pw-for-counts", "csrf_token": token}).status_code == 200
        page = client.get("/manage").text
        assert "共 4 个小组/店铺：已通过 1，有错误 2，检查中 0，未交 1" in page  # 有错误: with errors + unreadable
        page = client.get(f"/manage/summaries/{summary}").text
        assert "读了 3 份文件，其中 1 份计入汇总。" in page
        assert "没有计入（未交或没有可用的文件）：店铺4" in page
