"""The HTTP API of `ecomsheets serve` (issue 17), against the real command on a free port: signing
in, links, the team's template, hand-ins checked exactly as `ecomsheets validate --format json`
checks them, the record of submissions, annotated copies, the month's summary exactly as
`ecomsheets consolidate --format json` builds it, the month's status and the OpenAPI document."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest

from ecomsheets.generate import generate_workbook
from tests import serving
from tests.helpers import CATALOG, MONTH, cli

pytestmark = pytest.mark.slow

CHINESE = re.compile(r"[\u4e00-\u9fff]")


# --- the server and the workbooks ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving.running(tmp_path_factory.mktemp("serve-api") / "data") as started:
        yield started


@pytest.fixture(scope="module")
def manager(server) -> str:
    return serving.manager_for(server)


def _example(path: Path, bundle: str, seed: int, rows: int = 10) -> Path:
    """`ecomsheets example BUNDLE` (with its copies of the master lists: no finding at all)."""
    result = cli("example", bundle, "-o", path, "--month", "2026-11", "--seed", seed, "--rows", rows)
    assert result.exit_code == 0, result.output
    return path


def _column(ws, header: str) -> str:
    """The column letter of a table sheet's header (row 2; required ones end with *)."""
    for cell in ws[2]:
        if str(cell.value or "").rstrip("*") == header:
            return cell.column_letter
    raise AssertionError(f"no column {header} in {ws.title}")


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """ops_ok / cs_ok: team workbooks that validate clean; ops_bad: ops_ok with three broken
    cells on 订单 (a text price, an unknown channel, an unknown province)."""
    folder = tmp_path_factory.mktemp("books")
    out = {
        "ops_ok": _example(folder / "ops_ok.xlsx", "operations", seed=1),
        "cs_ok": _example(folder / "cs_ok.xlsx", "customer_service", seed=2),
        "ops_other": _example(folder / "ops_other.xlsx", "operations", seed=5),
    }
    bad = folder / "ops_bad.xlsx"
    shutil.copy(out["ops_ok"], bad)
    wb = openpyxl.load_workbook(bad)
    ws = wb["订单"]
    ws[f"{_column(ws, '单价')}3"] = "abc"
    ws[f"{_column(ws, '渠道')}4"] = "不存在的渠道"
    ws[f"{_column(ws, '收货省份')}6"] = "火星"
    wb.save(bad)
    out["ops_bad"] = bad
    return out


UPLOADED: dict[str, Path] = {}  # sha256 -> the local file handed in (for the CLI's side)


def hand_in(server, token: str, path: Path, name: str | None = None, wait: bool = True):
    url = server.url + "/api/validate" + ("" if wait else "?wait=false")
    status, body = serving.upload(url, path, name or path.name, token=token)
    UPLOADED[hashlib.sha256(path.read_bytes()).hexdigest()] = path
    return status, body


def make_link(server, manager: str, name: str, bundle: str) -> dict:
    status, link = serving.call(server.url + "/api/links", "POST", {"name": name, "bundle": bundle}, token=manager)
    assert status == 201, link
    return link


def cli_json(*args):
    result = cli(*args, "--format", "json")
    assert result.exit_code in (0, 1) and result.stdout.strip(), (result.exit_code, result.output, result.exception)
    return json.loads(result.stdout)


def without_files(document):
    """The document without its "file" entries (the CLI says the path it was given, the server
    the name handed in) and without timings."""
    if isinstance(document, dict):
        return {k: without_files(v) for k, v in document.items() if k not in ("file", "seconds", "elapsed")}
    if isinstance(document, list):
        return [without_files(v) for v in document]
    return document


# --- signing in ----------------------------------------------------------------------------------------


def test_sign_in_gives_a_bearer_token_that_signing_out_ends(server, manager):
    status, body = serving.call(server.url + "/api/login", "POST", {"password": "not the password"})
    assert status == 401 and "token" not in body
    assert CHINESE.search(body["error"]) and body["error_en"]
    status, body = serving.call(server.url + "/api/login", "POST", [serving.PASSWORD])
    assert status == 400 and "token" not in body

    status, body = serving.call(server.url + "/api/login", "POST", {"password": serving.PASSWORD})
    assert status == 200 and len(body["token"]) >= 32
    token = body["token"]
    assert token != manager
    assert serving.call(server.url + "/api/links", token=token)[0] == 200
    assert serving.call(server.url + "/api/links")[0] == 401
    assert serving.call(server.url + "/api/links", token=token + "x")[0] == 401

    assert serving.call(server.url + "/api/logout", "POST", token=token) == (200, {"ok": True})
    status, body = serving.call(server.url + "/api/links", token=token)
    assert status == 401 and CHINESE.search(body["error"])
    # Another session is not touched by this one's sign-out.
    assert serving.call(server.url + "/api/links", token=manager)[0] == 200


# --- links ---------------------------------------------------------------------------------------------


def test_links_are_made_listed_and_revoked(server, manager, books):
    link = make_link(server, manager, "店铺-撤销", "operations")
    assert link["name"] == "店铺-撤销" and link["bundle"] == "operations" and not link["revoked"]
    assert len(link["token"]) >= 24
    assert link["url"] == f"{server.url}/s/{link['token']}"
    status, listed = serving.call(server.url + "/api/links", token=manager)
    assert status == 200
    mine = [x for x in listed if x["name"] == "店铺-撤销"]
    assert len(mine) == 1 and mine[0]["token"] == link["token"] and mine[0]["bundle"] == "operations"

    # The link works: its page, its (empty) record, a hand-in.
    status, page = serving.call(link["url"])
    assert status == 200 and "店铺-撤销" in page.decode()
    assert serving.call(server.url + "/api/submissions", token=link["token"]) == (200, [])
    status, checked = hand_in(server, link["token"], books["ops_ok"])
    assert status == 200 and checked["status"] == "accepted"

    # A bad name or bundle is refused, in Chinese.
    for body in ({"name": "a/b", "bundle": "operations"}, {"name": "x", "bundle": "no-such-bundle"}, {"name": ""}):
        status, refused = serving.call(server.url + "/api/links", "POST", body, token=manager)
        assert status == 400 and CHINESE.search(refused["error"]), (body, refused)

    assert serving.call(server.url + "/api/links/" + quote("店铺-撤销"), "DELETE", token=manager) == (
        200,
        {"name": "店铺-撤销", "revoked": True},
    )
    status, body = serving.call(server.url + "/api/submissions", token=link["token"])
    assert status == 401 and CHINESE.search(body["error"])
    status, body = hand_in(server, link["token"], books["ops_ok"])
    assert status == 401
    status, page = serving.call(link["url"])
    assert status == 404
    assert "这个链接无效或已停用" in page.decode() and "店铺-撤销" not in page.decode()
    status, listed = serving.call(server.url + "/api/links", token=manager)
    assert [x["revoked"] is not None for x in listed if x["name"] == "店铺-撤销"] == [True]
    # Revoking again, or a name that never had a link: 404.
    assert serving.call(server.url + "/api/links/" + quote("店铺-撤销"), "DELETE", token=manager)[0] == 404
    assert serving.call(server.url + "/api/links/" + quote("没有这个"), "DELETE", token=manager)[0] == 404


def test_making_a_link_again_replaces_its_token(server, manager):
    first = make_link(server, manager, "店铺-换新", "operations")
    second = make_link(server, manager, "店铺-换新", "operations")
    assert first["token"] != second["token"]
    assert serving.call(server.url + "/api/submissions", token=first["token"])[0] == 401
    assert serving.call(server.url + "/api/submissions", token=second["token"])[0] == 200


# --- the template --------------------------------------------------------------------------------------


def _sheets(content: bytes) -> list[str]:
    return openpyxl.load_workbook(io.BytesIO(content)).sheetnames


def test_a_staff_token_downloads_its_teams_template(server, manager, tmp_path):
    link = make_link(server, manager, "客服模板", "customer_service")
    status, content = serving.call(server.url + "/api/template", token=link["token"])
    assert status == 200 and content[:2] == b"PK"
    generate_workbook(CATALOG, "customer_service", tmp_path / "cs.xlsx", month=MONTH)
    assert _sheets(content) == openpyxl.load_workbook(tmp_path / "cs.xlsx").sheetnames
    assert "客户" in _sheets(content) and "订单" not in _sheets(content)
    # A staff token gets its own team's template whatever bundle it asks for.
    status, again = serving.call(server.url + "/api/template?bundle=warehouse", token=link["token"])
    assert status == 200 and _sheets(again) == _sheets(content)
    # The manager names the bundle.
    status, warehouse = serving.call(server.url + "/api/template?bundle=warehouse", token=manager)
    generate_workbook(CATALOG, "warehouse", tmp_path / "wh.xlsx", month=MONTH)
    assert status == 200 and _sheets(warehouse) == openpyxl.load_workbook(tmp_path / "wh.xlsx").sheetnames
    status, body = serving.call(server.url + "/api/template", token=manager)
    assert status == 400 and CHINESE.search(body["error"])
    assert serving.call(server.url + "/api/template")[0] == 401


# --- a hand-in ---------------------------------------------------------------------------------------------


def test_validate_returns_the_clis_document_with_the_submission(server, manager, books):
    link = make_link(server, manager, "运营校验", "operations")
    for key, state in (("ops_bad", "with_errors"), ("ops_ok", "accepted")):
        status, body = hand_in(server, link["token"], books[key])
        assert status == 200, body
        expected = cli_json("validate", books[key])
        assert body["status"] == state and isinstance(body["submission_id"], int)
        assert body["file"] == books[key].name
        served = {k: v for k, v in body.items() if k not in ("submission_id", "status")}
        assert without_files(served) == without_files(expected)
    assert expected["summary"]["errors"] == 0
    bad = cli_json("validate", books["ops_bad"])
    assert bad["summary"]["errors"] >= 3
    assert {f["cell"] for f in bad["findings"]} >= {"G3", "D4"}


def test_validate_without_waiting_answers_202_and_the_record_shows_the_check(server, manager, books):
    link = make_link(server, manager, "运营不等", "operations")
    status, body = hand_in(server, link["token"], books["ops_bad"], wait=False)
    assert status == 202 and body["status"] == "checking"
    url = server.url + f"/api/submissions/{body['submission_id']}"
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, record = serving.call(url, token=link["token"])
        assert status == 200
        seen.append(record["status"])
        if record["status"] != "checking":
            break
        time.sleep(0.1)
    assert seen[0] == "checking" and seen[-1] == "with_errors", seen
    expected = cli_json("validate", books["ops_bad"])
    assert without_files(record["document"]) == without_files(expected)
    assert record["errors"] == expected["summary"]["errors"]
    assert record["file"] == "ops_bad.xlsx" and record["link"] == "运营不等"


# --- the record ----------------------------------------------------------------------------------------------


def test_submissions_a_staff_token_sees_its_own_the_manager_all_by_month(server, manager, books):
    a = make_link(server, manager, "记录甲", "operations")
    b = make_link(server, manager, "记录乙", "operations")
    _, one = hand_in(server, a["token"], books["ops_ok"], name="甲的文件.xlsx")
    _, two = hand_in(server, b["token"], books["ops_bad"], name="乙的文件.xlsx")
    assert serving.call(server.url + "/api/month", "PUT", {"month": "2026-10"}, token=manager)[0] == 200
    try:
        _, three = hand_in(server, a["token"], books["ops_other"], name="甲的十月.xlsx")
    finally:
        assert serving.call(server.url + "/api/month", "PUT", {"month": "2026-11"}, token=manager)[0] == 200

    status, mine = serving.call(server.url + "/api/submissions", token=a["token"])
    assert status == 200
    assert [s["id"] for s in mine] == [three["submission_id"], one["submission_id"]]  # newest first
    assert {s["link"] for s in mine} == {"记录甲"}
    status, theirs = serving.call(server.url + "/api/submissions", token=b["token"])
    assert [s["id"] for s in theirs] == [two["submission_id"]]

    status, everything = serving.call(server.url + "/api/submissions", token=manager)
    assert status == 200
    ids = {s["id"] for s in everything}
    assert {one["submission_id"], two["submission_id"], three["submission_id"]} <= ids
    assert {s["link"] for s in everything} >= {"记录甲", "记录乙"}

    status, october = serving.call(server.url + "/api/submissions?month=2026-10", token=manager)
    assert [s["id"] for s in october] == [three["submission_id"]]
    status, november = serving.call(server.url + "/api/submissions?month=2026-11", token=a["token"])
    assert [s["id"] for s in november] == [one["submission_id"]]
    status, body = serving.call(server.url + "/api/submissions?month=" + quote("13月"), token=manager)
    assert status == 400 and CHINESE.search(body["error"])

    records = {s["id"]: s for s in everything}
    for sub, path, name in ((one, books["ops_ok"], "甲的文件.xlsx"), (two, books["ops_bad"], "乙的文件.xlsx")):
        record = records[sub["submission_id"]]
        assert record["file"] == name
        assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert record["size"] == path.stat().st_size
        expected = cli_json("validate", path)["summary"]
        assert (record["errors"], record["warnings"]) == (expected["errors"], expected["warnings"])
        assert record["status"] == ("accepted" if expected["errors"] == 0 else "with_errors")
        assert abs((datetime.fromisoformat(record["time"]) - datetime.now().astimezone()).total_seconds()) < 600


# --- the annotated copy -----------------------------------------------------------------------------------------


def test_the_annotated_copy_comments_the_bad_cells(server, manager, books):
    link = make_link(server, manager, "运营批注", "operations")
    _, body = hand_in(server, link["token"], books["ops_bad"])
    status, content = serving.call(
        server.url + f"/api/submissions/{body['submission_id']}/annotated", token=link["token"]
    )
    assert status == 200 and content[:2] == b"PK"
    assert content != books["ops_bad"].read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(content))
    bad_cells = {(f["sheet"], f["cell"]) for f in body["findings"] if f["cell"]}
    assert len(bad_cells) >= 3
    for sheet, cell in bad_cells:
        assert wb[sheet][cell].comment is not None, (sheet, cell)
        assert CHINESE.search(wb[sheet][cell].comment.text)
    commented = {
        (ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment is not None
    }
    assert commented == bad_cells
    # The manager gets the same copy.
    assert serving.call(server.url + f"/api/submissions/{body['submission_id']}/annotated", token=manager) == (
        200,
        content,
    )

    _, clean = hand_in(server, link["token"], books["ops_ok"])
    assert clean["findings"] == []
    status, body = serving.call(
        server.url + f"/api/submissions/{clean['submission_id']}/annotated", token=link["token"]
    )
    assert status == 404 and CHINESE.search(body["error"]) and body["error_en"]
    status, body = serving.call(server.url + "/api/submissions/999999/annotated", token=manager)
    assert status == 404 and CHINESE.search(body["error"])


# --- the month's status and summary ----------------------------------------------------------------------------


def test_status_says_missing_with_errors_and_accepted_per_link(server, manager, books):
    missing = make_link(server, manager, "状态-未交", "warehouse")
    errors = make_link(server, manager, "状态-有错", "operations")
    accepted = make_link(server, manager, "状态-通过", "customer_service")
    fixed = make_link(server, manager, "状态-改好", "operations")
    hand_in(server, errors["token"], books["ops_bad"])
    hand_in(server, accepted["token"], books["cs_ok"])
    hand_in(server, fixed["token"], books["ops_bad"])
    hand_in(server, fixed["token"], books["ops_ok"])
    del missing
    status, body = serving.call(server.url + "/api/status", token=manager)
    assert status == 200 and body["month"] == "2026-11"
    rows = {r["name"]: r for r in body["links"]}
    assert rows["状态-未交"]["state"] == "missing" and rows["状态-未交"]["latest"] is None
    assert rows["状态-未交"]["submissions"] == 0
    assert rows["状态-有错"]["state"] == "with_errors" and rows["状态-有错"]["latest"]["errors"] >= 3
    assert rows["状态-通过"]["state"] == "accepted" and rows["状态-通过"]["latest"]["file"] == "cs_ok.xlsx"
    assert rows["状态-改好"]["state"] == "accepted" and rows["状态-改好"]["submissions"] == 2
    status, october = serving.call(server.url + "/api/status?month=2026-10", token=manager)
    assert {r["name"]: r["state"] for r in october["links"]}["状态-通过"] == "missing"


def test_consolidate_returns_the_clis_document_and_a_download(server, manager, books, tmp_path):
    status, body = serving.call(server.url + "/api/consolidate?month=2026-09", "POST", token=manager)
    assert status == 409 and "2026-09" in body["error"] and CHINESE.search(body["error"])

    a = make_link(server, manager, "汇总运营", "operations")
    b = make_link(server, manager, "汇总客服", "customer_service")
    assert hand_in(server, a["token"], books["ops_other"])[1]["status"] == "accepted"
    assert hand_in(server, b["token"], books["cs_ok"])[1]["status"] == "accepted"
    c = make_link(server, manager, "汇总有错", "operations")
    assert hand_in(server, c["token"], books["ops_bad"])[1]["status"] == "with_errors"

    # The files the summary reads: every link's latest checked submission of the month (one with
    # errors too, so that the summary names it as left out, as the CLI does).
    status, state = serving.call(server.url + "/api/status", token=manager)
    taken = [r for r in state["links"] if r["state"] in ("accepted", "with_errors", "refused")]
    assert {r["state"] for r in taken} == {"accepted", "with_errors"}
    assert {"汇总运营", "汇总客服"} <= {r["name"] for r in taken}
    folder = tmp_path / "accepted"
    folder.mkdir()
    copies = []
    for row in taken:
        copy = folder / f"{row['name']}_{row['latest']['file']}"
        shutil.copy(UPLOADED[row["latest"]["sha256"]], copy)
        copies.append(copy)
    expected = cli_json("consolidate", *copies, "-o", tmp_path / "summary.xlsx", "--month", "2026-11", "--force")

    status, body = serving.call(server.url + "/api/consolidate?month=2026-11", "POST", token=manager)
    assert status == 200, body
    assert body["month"] == "2026-11" and body["bundle"] == expected["bundle"]
    values = lambda doc: [(m["name"], m["group"], m["value"]) for m in doc["metrics"]]  # noqa: E731
    assert values(body) == values(expected)
    assert (len(body["sources"]), len(expected["sources"])) == (len(taken), len(taken)), (body["sources"], taken)
    # Each file taken as the CLI took it (byte-identical copies named as copies, rows read and taken).
    same = lambda doc: sorted(  # noqa: E731
        tuple(sorted((k, v) for k, v in s.items() if k != "file")) for s in doc["sources"]
    )
    assert same(body) == same(expected)
    assert body["left_out"] == expected["left_out"]

    status, content = serving.call(server.url + body["download"], token=manager)
    assert status == 200 and content[:2] == b"PK"
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == openpyxl.load_workbook(tmp_path / "summary.xlsx").sheetnames
    # The summary is the manager's: a staff token may neither build nor download it.
    assert serving.call(server.url + body["download"], token=a["token"])[0] == 403
    assert serving.call(server.url + "/api/consolidate?month=2026-11", "POST", token=a["token"])[0] == 403
    status, listed = serving.call(server.url + "/api/summaries?month=2026-11", token=manager)
    assert body["summary_id"] in [s["id"] for s in listed]

    # Without waiting: 202, and the summary's record shows it being built, then the same document.
    status, started = serving.call(server.url + "/api/consolidate?month=2026-11&wait=false", "POST", token=manager)
    assert status == 202 and started["url"] == f"/api/summaries/{started['summary_id']}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, record = serving.call(server.url + started["url"], token=manager)
        assert status == 200 and record["total"] == len(taken)
        if record["state"] != "checking":
            break
        time.sleep(0.2)
    assert record["state"] == "accepted" and values(record["document"]) == values(expected)
    assert serving.call(server.url + record["download"], token=manager)[0] == 200

    # A month whose only file has errors: nothing to summarise either.
    assert serving.call(server.url + "/api/month", "PUT", {"month": "2026-08"}, token=manager)[0] == 200
    try:
        assert hand_in(server, c["token"], books["ops_bad"])[1]["status"] == "with_errors"
    finally:
        assert serving.call(server.url + "/api/month", "PUT", {"month": "2026-11"}, token=manager)[0] == 200
    status, body = serving.call(server.url + "/api/consolidate?month=2026-08", "POST", token=manager)
    assert status == 409 and "2026-08" in body["error"] and CHINESE.search(body["error"])


# --- documentation ----------------------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_endpoints(server):
    status, document = serving.call(server.url + "/api/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.")
    paths = document["paths"]
    for path, method in (
        ("/api/login", "post"),
        ("/api/logout", "post"),
        ("/api/links", "post"),
        ("/api/links", "get"),
        ("/api/links/{name}", "delete"),
        ("/api/template", "get"),
        ("/api/validate", "post"),
        ("/api/submissions", "get"),
        ("/api/submissions/{submission_id}", "get"),
        ("/api/submissions/{submission_id}/annotated", "get"),
        ("/api/consolidate", "post"),
        ("/api/status", "get"),
        ("/api/month", "put"),
    ):
        assert method in paths.get(path, {}), (path, method)
    upload = paths["/api/validate"]["post"]["requestBody"]["content"]
    assert "file" in upload["multipart/form-data"]["schema"]["properties"]
    assert not any(p.startswith(("/s/", "/manage")) for p in paths)  # the pages are not API
