"""The security list of issue 17 at the HTTP level, against the real `ecomsheets serve`: nothing
of one team's is readable with another's token, manager routes refuse everyone else, forms and
cookie-signed API calls need their CSRF token, text from files comes back escaped, hostile and
oversized uploads are refused with the server still answering, uploaded names are only names,
20 uploads at once each get their own result, sign-in is rate-limited, no redirect leaves the
site, and text from a file is never written back as a live formula."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import re
import struct
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import httpx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from ecomsheets.serve.app import PASSWORD_ENV, create_app, ensure_manager
from tests import serving
from tests.helpers import CATALOG, cli, write_example

pytestmark = pytest.mark.slow

CHINESE = re.compile(r"[\u4e00-\u9fff]")
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>")


# --- the server, links and workbooks -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving.running(tmp_path_factory.mktemp("serve-security") / "data") as started:
        yield started


@pytest.fixture(scope="module")
def manager(server) -> str:
    return serving.manager_for(server)


def make_link(server, manager: str, name: str, bundle: str = "department") -> dict:
    status, link = serving.call(server.url + "/api/links", "POST", {"name": name, "bundle": bundle}, token=manager)
    assert status == 201, link
    return link


def _column(ws, header: str) -> str:
    for cell in ws[2]:
        if str(cell.value or "").rstrip("*") == header:
            return cell.column_letter
    raise AssertionError(f"no column {header} in {ws.title}")


def orders_book(path: Path, seed: int, broken: int = 0, edit=None) -> Path:
    """A department workbook of 10 orders only (valid as made); `broken` prices made text."""
    write_example(path, rows=10, seed=seed, tables=["orders"])
    if broken or edit:
        wb = openpyxl.load_workbook(path)
        ws = wb["订单"]
        price = _column(ws, "单价")
        for i in range(broken):
            ws[f"{price}{3 + i}"] = f"价格{seed}-{i}"
        if edit:
            edit(wb)
        wb.save(path)
    return path


def validate_cli(*paths: Path) -> list[dict]:
    result = cli("validate", *paths, "--format", "json")
    assert result.exit_code in (0, 1) and result.stdout.strip(), (result.exit_code, result.output)
    document = json.loads(result.stdout)
    return document if isinstance(document, list) else [document]


def page(client_or_url, path: str = "", **kw) -> tuple[int, str]:
    if isinstance(client_or_url, str):
        status, body = serving.call(client_or_url + path, **kw)
        return status, body.decode() if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False)
    response = client_or_url.get(path, **kw)
    return response.status_code, response.text


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(r'data-csrf="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def signed_in(server) -> httpx.Client:
    """A browser-like client signed in as the manager through the page's form."""
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=120)
    form = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_of(form.text), "password": serving.PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/manage", response.text
    return client


# --- another team's things -------------------------------------------------------------------------------


def test_another_staff_token_reads_nothing_of_a_submission(server, manager, tmp_path):
    a = make_link(server, manager, "甲店")
    b = make_link(server, manager, "乙店")
    secret = "甲店的机密值"

    def edit(wb):
        wb["订单"][f"{_column(wb['订单'], '渠道')}5"] = secret

    path = orders_book(tmp_path / "a.xlsx", seed=11, broken=1, edit=edit)
    status, body = serving.upload(server.url + "/api/validate", path, "甲店私密文件.xlsx", token=a["token"])
    assert status == 200 and body["status"] == "with_errors"
    sid = body["submission_id"]
    sha = hashlib.sha256(path.read_bytes()).hexdigest()

    # Its owner and the manager see it all.
    for token in (a["token"], manager):
        status, record = serving.call(server.url + f"/api/submissions/{sid}", token=token)
        assert status == 200 and record["sha256"] == sha and record["file"] == "甲店私密文件.xlsx"
        assert serving.call(server.url + f"/api/submissions/{sid}/file", token=token) == (200, path.read_bytes())
        assert serving.call(server.url + f"/api/submissions/{sid}/annotated", token=token)[0] == 200
    status, html = page(server.url, f"/s/{a['token']}/submissions/{sid}")
    assert status == 200 and secret in html and "甲店私密文件.xlsx" in html

    # The other team's token: 403 everywhere, and not a word of the file.
    for path_part in (f"/api/submissions/{sid}", f"/api/submissions/{sid}/annotated", f"/api/submissions/{sid}/file"):
        status, refused = serving.call(server.url + path_part, token=b["token"])
        assert status == 403, path_part
        assert isinstance(refused, dict) and CHINESE.search(refused["error"])
        text = json.dumps(refused, ensure_ascii=False)
        assert secret not in text and "甲店私密文件" not in text and sha not in text
    for path_part in (f"/s/{b['token']}/submissions/{sid}", f"/s/{b['token']}/submissions/{sid}/annotated"):
        status, html = page(server.url, path_part)
        assert status == 403, path_part
        assert secret not in html and "甲店私密文件" not in html and sha not in html and "PK\x03\x04" not in html
    status, theirs = serving.call(server.url + "/api/submissions", token=b["token"])
    assert status == 200 and sid not in [s["id"] for s in theirs]
    status, html = page(server.url, f"/s/{b['token']}")
    assert status == 200 and "甲店私密文件" not in html
    # A link's token is not the manager's: no other team's list through ?month= either.
    status, theirs = serving.call(server.url + "/api/submissions?month=2026-11", token=b["token"])
    assert sid not in [s["id"] for s in theirs]
    # Nor can a team hand in as another: the form's `link` field is the manager's alone.
    status, body = serving.upload(
        server.url + "/api/validate", path, "冒名.xlsx", token=b["token"], fields={"link": "甲店"}
    )
    assert status == 200 and body["status"] == "with_errors"
    status, record = serving.call(server.url + f"/api/submissions/{body['submission_id']}", token=b["token"])
    assert status == 200 and record["link"] == "乙店"
    assert body["submission_id"] not in [
        s["id"] for s in serving.call(server.url + "/api/submissions", token=a["token"])[1]
    ]


# --- the manager's routes --------------------------------------------------------------------------------------

MANAGER_API = [
    ("GET", "/api/status"),
    ("GET", "/api/links"),
    ("POST", "/api/links"),
    ("DELETE", "/api/links/" + quote("甲店")),
    ("PUT", "/api/month"),
    ("POST", "/api/consolidate?month=2026-11"),
    ("GET", "/api/summaries"),
    ("GET", "/api/summaries/1"),
    ("GET", "/api/summaries/1/file"),
    ("GET", "/api/annotated.zip"),
]
MANAGER_PAGES = ["/manage", "/manage/links", "/manage/submissions/1", "/manage/annotated.zip", "/manage/summaries/1"]
MANAGER_FORMS = ["/manage/month", "/manage/links", "/manage/links/revoke", "/manage/consolidate"]


def test_manager_routes_refuse_everyone_else(server, manager):
    staff = make_link(server, manager, "丙店")
    body = {"name": "偷偷加的", "bundle": "department", "month": "2030-01"}
    for method, path in MANAGER_API:
        for token, expected in ((None, 401), ("not-a-token", 401), (staff["token"], 403)):
            status, answer = serving.call(server.url + path, method, body if method != "GET" else None, token=token)
            assert status == expected, (method, path, token, answer)
            assert isinstance(answer, dict) and CHINESE.search(answer["error"]), (method, path)
    # Nothing of it happened.
    status, links = serving.call(server.url + "/api/links", token=manager)
    assert "偷偷加的" not in [x["name"] for x in links]
    assert "丙店" in [x["name"] for x in links if not x["revoked"]]
    assert serving.call(server.url + "/api/month", token=manager) == (200, {"month": "2026-11"})
    assert serving.call(server.url + "/api/summaries", token=manager) == (200, [])

    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=60) as anonymous:
        for headers in ({}, {"Authorization": f"Bearer {staff['token']}"}, {"Authorization": f"Bearer {manager}"}):
            for path in MANAGER_PAGES:
                response = anonymous.get(path, headers=headers)
                assert response.status_code == 303 and response.headers["location"] == "/login", (path, headers)
            for path in MANAGER_FORMS:
                response = anonymous.post(path, data={"name": "偷偷加的", "bundle": "department"}, headers=headers)
                assert response.status_code in (303, 403), (path, response.status_code)
                if response.status_code == 303:
                    assert response.headers["location"] == "/login"
    status, links = serving.call(server.url + "/api/links", token=manager)
    assert "偷偷加的" not in [x["name"] for x in links]


# --- CSRF and cookies ------------------------------------------------------------------------------------------


def test_forms_and_cookie_api_calls_need_the_csrf_token(server, manager, tmp_path):
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=60) as client:
        form = client.get("/login")
        token = csrf_of(form.text)
        csrf_cookie = form.headers["set-cookie"]
        # Lax on purpose (a page opened from a chat app keeps its cookie); the signature protects.
        assert "httponly" in csrf_cookie.lower() and "samesite=lax" in csrf_cookie.lower()
        response = client.post("/login", data={"password": serving.PASSWORD})
        assert response.status_code == 403 and "ecomsheets_session" not in response.headers.get("set-cookie", "")
        assert CHINESE.search(response.text)
        response = client.post("/login", data={"password": serving.PASSWORD, "csrf_token": "0" * 64})
        assert response.status_code == 403
        # A token of another browser (another CSRF cookie) does not do either.
        with httpx.Client(base_url=server.url, timeout=60) as other:
            foreign = csrf_of(other.get("/login").text)
        assert foreign != token
        response = client.post("/login", data={"password": serving.PASSWORD, "csrf_token": foreign})
        assert response.status_code == 403

        response = client.post("/login", data={"password": serving.PASSWORD, "csrf_token": token})
        assert response.status_code == 303
        session = [c for c in response.headers.get_list("set-cookie") if c.startswith("ecomsheets_session=")]
        assert len(session) == 1
        flags = [f.strip().lower() for f in session[0].split(";")]
        assert "httponly" in flags and "samesite=strict" in flags
        assert client.get("/manage").status_code == 200

        # The manager's forms without their token: refused, nothing done.
        assert client.post("/manage/month", data={"month": "2030-01"}).status_code == 403
        assert client.post("/manage/links", data={"name": "无令牌", "bundle": "department"}).status_code == 403
        assert client.post("/manage/links/revoke", data={"name": "丁店"}).status_code == 403
        assert client.post("/manage/consolidate", data={"month": "2026-11"}).status_code == 403
        assert client.post("/logout").status_code == 403
        assert client.get("/manage").status_code == 200  # still signed in
        assert serving.call(server.url + "/api/month", token=manager)[1] == {"month": "2026-11"}

        # The API with the session cookie: an unsafe call needs X-CSRF-Token.
        manage = client.get("/manage").text
        header_token = csrf_of(manage.split("<body", 1)[1])
        response = client.post("/api/links", json={"name": "无令牌", "bundle": "department"})
        assert response.status_code == 403 and CHINESE.search(response.json()["error"])
        response = client.put("/api/month", json={"month": "2030-01"})
        assert response.status_code == 403
        assert client.get("/api/links").status_code == 200  # reading needs no token
        status, links = serving.call(server.url + "/api/links", token=manager)
        assert "无令牌" not in [x["name"] for x in links]
        response = client.post(
            "/api/links", json={"name": "有令牌", "bundle": "department"}, headers={"X-CSRF-Token": header_token}
        )
        assert response.status_code == 201 and response.json()["name"] == "有令牌"
        response = client.post("/manage/month", data={"month": "2026-11", "csrf_token": header_token})
        assert response.status_code == 303

        # A team's upload form without its token: refused, nothing recorded.
        staff = make_link(server, manager, "丁店")
        book = orders_book(tmp_path / "d.xlsx", seed=12)
        status, body = serving.upload(server.url + f"/s/{staff['token']}/upload", book, "d.xlsx")
        assert status == 403
        assert serving.call(server.url + "/api/submissions", token=staff["token"]) == (200, [])
        with httpx.Client(base_url=server.url, follow_redirects=False, timeout=120) as browser:
            team_token = csrf_of(browser.get(f"/s/{staff['token']}").text)
            files = {"file": ("d.xlsx", book.read_bytes(), "application/octet-stream")}
            response = browser.post(f"/s/{staff['token']}/upload", files=files, data={"csrf_token": team_token})
            assert response.status_code == 303 and f"/s/{staff['token']}/submissions/" in response.headers["location"]
        assert len(serving.call(server.url + "/api/submissions", token=staff["token"])[1]) == 1

        # Signing out with the token ends the session.
        response = client.post("/logout", data={"csrf_token": header_token})
        assert response.status_code == 303
        response = client.get("/manage")
        assert response.status_code == 303 and response.headers["location"] == "/login"


# --- escaping -------------------------------------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every element of a page as a browser parses it: (tag, attributes)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _no_live_payload(html: str, where: str) -> None:
    for payload in PAYLOADS:
        assert payload not in html, (where, payload)
    assert "<b>bold" not in html.lower(), where
    elements = _Elements(html).found
    assert not [t for t, _ in elements if t in ("img", "svg", "iframe", "object", "embed", "b")], where
    assert [a for t, a in elements if t == "script"] == [{"src": "/static/serve.js", "defer": None}], where
    handlers = [(t, name) for t, attrs in elements for name in attrs if name.startswith("on")]
    assert handlers == [], where


def test_text_from_files_and_names_comes_back_escaped(server, manager, tmp_path):
    # A name that could never be a folder in the zip of annotated copies is refused outright;
    # what a name may hold is escaped wherever it is shown (a quote that would end an attribute).
    status, body = serving.call(
        server.url + "/api/links", "POST", {"name": '"><img src=x onerror=alert(1)>', "bundle": "department"}, manager
    )
    assert status == 400 and body["code"] == "w_err_link_name"
    link = make_link(server, manager, "店' onmouseover='alert(1)' x='&amp;")

    def edit(wb):
        orders = wb["订单"]
        orders[f"{_column(orders, '渠道')}3"] = PAYLOADS[0]
        orders[f"{_column(orders, '单价')}4"] = PAYLOADS[1]
        orders[f"{_column(orders, '收货省份')}5"] = "<b>bold</b>"
        extra = wb.create_sheet(PAYLOADS[1])
        extra["A1"] = PAYLOADS[0]
        wb.create_sheet(PAYLOADS[2])["B2"] = PAYLOADS[2]

    book = orders_book(tmp_path / "xss.xlsx", seed=13, edit=edit)
    (expected,) = validate_cli(book)
    assert expected["summary"]["errors"] >= 3 and expected["summary"]["warnings"] >= 2
    ids = []
    for name in ("<script>alert(1)</script>.xlsx", "<img src=x onerror=alert(1)>.xlsx"):
        status, body = serving.upload(server.url + "/api/validate", book, name, token=link["token"])
        assert status == 200 and body["summary"] == expected["summary"]
        assert "<" not in body["file"] and ">" not in body["file"] and "/" not in body["file"]
        ids.append(body["submission_id"])

    pages = {f"/s/{link['token']}": page(server.url, f"/s/{link['token']}")}
    for sid in ids:
        pages[f"/s/…/submissions/{sid}"] = page(server.url, f"/s/{link['token']}/submissions/{sid}")
    client = signed_in(server)
    try:
        for path in ("/manage", "/manage/links", *(f"/manage/submissions/{sid}" for sid in ids)):
            pages[path] = page(client, path)
    finally:
        client.close()
    for where, (status, html) in pages.items():
        assert status == 200, where
        _no_live_payload(html, where)
        # The link's name, its quotes escaped (the team page names the team in its heading).
        assert "店&#39; onmouseover=&#39;alert(1)&#39; x=&#39;&amp;amp;" in html or where.startswith("/s/…"), where
    for sid in ids:
        _, html = pages[f"/s/…/submissions/{sid}"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the cell value, shown as text
        assert "&lt;svg onload=alert(1)&gt;" in html  # a sheet's name
        assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_text_from_addresses_and_forms_comes_back_escaped(server, manager):
    """Error pages that repeat what was asked (a month, a bundle, a path) escape it too."""
    pages = {"bad link": page(server.url, "/s/" + quote(PAYLOADS[0], safe=""))}
    client = signed_in(server)
    try:
        pages["month"] = page(client, "/manage", params={"month": PAYLOADS[1]})
        token = csrf_of(client.get("/manage/links").text)
        response = client.post("/manage/links", data={"csrf_token": token, "name": "某店", "bundle": PAYLOADS[0]})
        pages["bundle"] = (response.status_code, response.text)
    finally:
        client.close()
    assert [status for status, _ in pages.values()] == [404, 400, 400]
    for where, (_, html) in pages.items():
        _no_live_payload(html, where)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["bundle"][1]
    assert "某店" not in [x["name"] for x in serving.call(server.url + "/api/links", token=manager)[1]]


def test_every_response_carries_the_security_headers(server, manager):
    link = make_link(server, manager, "戊店")
    answers = [
        httpx.get(server.url + "/login"),
        httpx.get(server.url + f"/s/{link['token']}"),
        httpx.get(server.url + "/s/no-such-token"),
        httpx.get(server.url + "/api/links"),
        httpx.get(server.url + "/api/openapi.json"),
        httpx.get(server.url + "/static/serve.js"),
    ]
    for response in answers:
        headers = response.headers
        policy = {
            part.split()[0]: part.split()[1:] for part in headers["content-security-policy"].split(";") if part.strip()
        }
        scripts = policy.get("script-src", policy.get("default-src"))
        assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, policy
        assert "'unsafe-inline'" not in policy.get("default-src", [])
        assert policy["frame-ancestors"] == ["'none'"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert answers[0].status_code == 200 and answers[2].status_code == 404 and answers[3].status_code == 401


# --- hostile and oversized uploads -----------------------------------------------------------------------------


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """zlib's crc32_combine: the CRC-32 of A+B from those of A and B and B's length."""
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = [_gf2_times(odd, odd[n]) for n in range(32)]
    odd = [_gf2_times(even, even[n]) for n in range(32)]
    while length2:
        even = [_gf2_times(odd, odd[n]) for n in range(32)]
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = [_gf2_times(even, even[n]) for n in range(32)]
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
    return crc1 ^ crc2


def _zeros_part(prefix: bytes, blocks: int, block: int = 2**20) -> tuple[bytes, int, int]:
    """(raw deflate data, CRC-32, size) of `prefix` and then `blocks` MiB of "0", made in
    milliseconds: after a full flush deflate starts afresh, so every further MiB compresses to
    the same bytes."""
    chunk = b"0" * block
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix + chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert again == c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    data = head + again * (blocks - 1) + c.flush()
    crc, one, run, n = zlib.crc32(prefix), zlib.crc32(chunk), block, blocks
    while n:  # the CRC of the run of blocks, by doubling
        if n & 1:
            crc = _crc32_combine(crc, one, run)
        one, run, n = _crc32_combine(one, one, run), run * 2, n >> 1
    return data, crc, len(prefix) + blocks * block


def _zip(entries: dict[str, bytes | tuple[bytes, int, int]]) -> bytes:
    """A zip of deflated parts: bytes, or (raw deflate data, CRC-32, size) made beforehand."""
    out, central = io.BytesIO(), []
    for name, content in entries.items():
        if isinstance(content, bytes):
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            content = (c.compress(content) + c.flush(), zlib.crc32(content), len(content))
        data, crc, size = content
        raw, offset = name.encode(), out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(raw), 0))
        out.write(raw + data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    start, directory = out.tell(), b"".join(central)
    out.write(
        directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), start, 0)
    )
    return out.getvalue()


def zip_bomb(gib: float) -> bytes:
    """An .xlsx whose one sheet is `gib` GiB of zeros once unzipped."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet = _zeros_part(f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1"><v>'.encode(), int(gib * 1024))
    return _zip(
        {
            "[Content_Types].xml": (
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                b'<Default Extension="xml" ContentType="application/xml"/>'
                b'<Override PartName="/xl/workbook.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
            ),
            "_rels/.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ).encode(),
            "xl/workbook.xml": (
                f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                '<sheet name="订单" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
            ).encode(),
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


def test_the_zip_bomb_builder_makes_what_it_says():
    data, crc, size = _zeros_part(b"<x>", 5)
    plain = zlib.decompress(data, -15)
    assert plain == b"<x>" + b"0" * (5 * 2**20) and zlib.crc32(plain) == crc and size == len(plain)
    bomb = zip_bomb(0.01)
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert zf.testzip() is None  # every part reads back whole, its CRC right
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert sheet.startswith(b"<worksheet") and sheet.endswith(b"0" * 2**20) and len(sheet) > 10 * 2**20


@pytest.mark.parametrize("gib", [3, 0.5], ids=["3GiB-in-all", "ratio"])
def test_a_zip_bomb_is_refused_and_the_server_keeps_answering(server, manager, tmp_path, gib):
    bomb = zip_bomb(gib)
    assert len(bomb) < 4 * 2**20
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert sum(i.file_size for i in zf.infolist()) > gib * 2**30
    link = make_link(server, manager, f"炸弹{gib}")
    status, body = serving.upload(server.url + "/api/validate", bomb, "看起来正常.xlsx", token=link["token"])
    assert status == 200 and body["status"] == "refused", body
    assert [f["rule"] for f in body["findings"]] == ["zip_bomb"]
    assert CHINESE.search(body["findings"][0]["message"])
    assert server.alive()
    # Still answering, and still checking others' files.
    assert page(server.url, "/login")[0] == 200
    good = orders_book(tmp_path / "good.xlsx", seed=14)
    status, body = serving.upload(server.url + "/api/validate", good, "good.xlsx", token=link["token"])
    assert status == 200 and body["status"] == "accepted"


def _raw_upload(url: str, token: str, content: bytes, chunked: bool) -> int:
    """POST a multipart upload, with its Content-Length or with Transfer-Encoding: chunked (no
    length): its status. The server may answer and close before the whole body is sent (what it
    should do with a body over the limit): the answer is read all the same."""
    parts = urlsplit(url)
    boundary = "----chunked-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n\r\n'.encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest("POST", parts.path)
        if token:
            connection.putheader("Authorization", f"Bearer {token}")
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Transfer-Encoding" if chunked else "Content-Length", "chunked" if chunked else len(body))
        connection.endheaders()
        try:
            for start in range(0, len(body), 64 * 1024):
                piece = body[start : start + 64 * 1024]
                connection.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            if chunked:
                connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = connection.getresponse()
        answer = response.read()
        if parts.path.startswith("/api/"):
            assert "json" in response.headers.get("content-type", ""), answer[:200]
            said = json.loads(answer)["error"]
        else:  # a page's form: a page that says so
            assert "text/html" in response.headers.get("content-type", ""), answer[:200]
            said = answer.decode()
        assert CHINESE.search(said) and "1 MB" in said, said
        return response.status
    finally:
        connection.close()


def test_an_upload_over_the_limit_is_413_with_or_without_its_length(tmp_path):
    small = serving.start(tmp_path / "data", "--max-upload-mb", "1")
    try:
        token = small.manager_token()
        serving.call(small.url + "/api/month", "PUT", {"month": "2026-11"}, token=token)
        link = make_link(small, token, "大文件")
        big = orders_book(tmp_path / "ok.xlsx", seed=15).read_bytes()
        padded = big + b"\0" * (3 * 2**20)  # a zip still opens with bytes after it

        assert _raw_upload(small.url + "/api/validate", link["token"], padded, chunked=False) == 413
        assert _raw_upload(small.url + "/api/validate", link["token"], padded, chunked=True) == 413
        # Just over the limit with the file alone (the form's own bytes are allowed for).
        just_over = big + b"\0" * (2**20 - len(big) + 1)
        assert _raw_upload(small.url + "/api/validate", link["token"], just_over, chunked=False) == 413
        assert _raw_upload(small.url + "/api/validate", link["token"], just_over, chunked=True) == 413
        # The team page's form too.
        assert _raw_upload(small.url + f"/s/{link['token']}/upload", "", padded, chunked=False) == 413
        assert _raw_upload(small.url + f"/s/{link['token']}/upload", "", padded, chunked=True) == 413

        assert small.alive() and page(small.url, "/login")[0] == 200
        assert serving.call(small.url + "/api/submissions", token=link["token"]) == (200, [])
        status, body = serving.upload(small.url + "/api/validate", big, "ok.xlsx", token=link["token"])
        assert status == 200 and body["status"] == "accepted"
        assert not any((small.data / "tmp").iterdir())  # nothing of the refused uploads kept
    finally:
        serving.stop(small)


def test_folders_in_an_uploaded_name_are_dropped(server, manager, tmp_path):
    link = make_link(server, manager, "己店")
    before = {p for p in tmp_path.parent.rglob("*")}
    books = [orders_book(tmp_path / f"p{i}.xlsx", seed=20 + i) for i in range(4)]
    names = ["../../etc/passwd.xlsx", "..\\..\\x.xlsx", "/tmp/abs.xlsx", "../../etc/passwd.xlsx"]
    shown = []
    for book, name in zip(books, names):
        status, body = serving.upload(server.url + "/api/validate", book, name, token=link["token"])
        assert status == 200 and body["status"] == "accepted", body
        shown.append((body["submission_id"], body["file"]))
    assert [name for _, name in shown] == ["passwd.xlsx", "x.xlsx", "abs.xlsx", "passwd.xlsx"]
    # Two files under one name: two submissions, each its own bytes.
    for (sid, _), book in zip(shown, books):
        assert serving.call(server.url + f"/api/submissions/{sid}/file", token=link["token"]) == (
            200,
            book.read_bytes(),
        )
    assert not Path("/etc/passwd.xlsx").exists() and not Path("/tmp/abs.xlsx").exists()
    new = {p for p in tmp_path.parent.rglob("*")} - before
    data = server.data.resolve()
    outside = [p for p in new if not p.resolve().is_relative_to(data) and not p.resolve().is_relative_to(tmp_path)]
    assert outside == []
    stored = [p for p in data.rglob("*") if p.is_file()]
    assert not [p for p in stored if p.name in ("passwd.xlsx", "x.xlsx", "abs.xlsx")]
    status, html = page(server.url, f"/s/{link['token']}")
    assert status == 200 and "passwd.xlsx" in html and "x.xlsx" in html
    assert "../" not in html and "..\\" not in html and "etc/passwd" not in html


# --- many at once ------------------------------------------------------------------------------------------------


def test_twenty_uploads_at_once_each_get_their_own_result(server, manager, tmp_path):
    books = [orders_book(tmp_path / f"shop{i:02d}.xlsx", seed=100 + i, broken=i % 4) for i in range(20)]
    expected = {Path(d["file"]).name: d for d in validate_cli(*books)}
    assert {d["summary"]["errors"] for d in expected.values()} >= {0, 1, 2, 3}
    links = [make_link(server, manager, f"并发店{i:02d}") for i in range(20)]
    start = threading.Barrier(20)

    def hand_in(i: int):
        start.wait()
        return serving.upload(server.url + "/api/validate", books[i], books[i].name, token=links[i]["token"])

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(hand_in, range(20)))

    ids = set()
    for i, (status, body) in enumerate(answers):
        book = books[i]
        assert status == 200, body
        want = expected[book.name]
        assert body["file"] == book.name
        assert body["summary"] == want["summary"], book.name
        assert [(f["cell"], f["value"]) for f in body["findings"]] == [
            (f["cell"], f["value"]) for f in want["findings"]
        ]
        assert body["status"] == ("accepted" if want["summary"]["errors"] == 0 else "with_errors")
        ids.add(body["submission_id"])
        status, mine = serving.call(server.url + "/api/submissions", token=links[i]["token"])
        assert [s["id"] for s in mine] == [body["submission_id"]]
        assert mine[0]["sha256"] == hashlib.sha256(book.read_bytes()).hexdigest()
        assert mine[0]["errors"] == want["summary"]["errors"]
    assert len(ids) == 20
    assert server.alive()


# --- signing in, redirects, formulas ----------------------------------------------------------------------------


def test_sign_in_is_rate_limited_even_for_the_right_password(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, serving.PASSWORD)
    app = create_app(tmp_path / "data", CATALOG)
    ensure_manager(app.state.service.store)
    with TestClient(app) as client:
        for _ in range(4):
            assert client.post("/api/login", json={"password": "wrong"}).status_code == 401
        assert client.post("/api/login", json={"password": serving.PASSWORD}).status_code == 200  # not counted
        assert client.post("/api/login", json={"password": "wrong"}).status_code == 401
        for password in ("wrong", serving.PASSWORD):
            response = client.post("/api/login", json={"password": password})
            assert response.status_code == 429, response.text
            assert "token" not in response.json()
            assert "登录失败次数过多" in response.json()["error"]
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"csrf_token": token, "password": serving.PASSWORD})
        assert response.status_code == 429 and "登录失败次数过多" in response.text
        assert "ecomsheets_session" not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "http:x"],
)
def test_the_language_switch_never_leaves_the_site(server, target):
    response = httpx.get(server.url + "/lang/en", params={"next": target}, follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    location = response.headers["location"]
    # Where a browser goes (it drops tabs and newlines, and reads \ as /).
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    assert urlsplit(urljoin(server.url + "/lang/en", cleaned)).netloc == urlsplit(server.url).netloc, location
    assert location == "/" or not target.startswith("//")


def test_the_language_switch_goes_back_to_a_page_of_the_site(server):
    response = httpx.get(server.url + "/lang/en", params={"next": "/manage"}, follow_redirects=False)
    assert response.headers["location"] == "/manage" and "ecomsheets_lang=en" in response.headers["set-cookie"]


def test_a_formula_typed_as_text_stays_text_in_the_annotated_copy(server, manager, tmp_path):
    link = make_link(server, manager, "庚店")
    text = '=HYPERLINK("http://x","y")'

    def edit(wb):
        orders = wb["订单"]
        for column, row in (("单价", 3), ("收货省份", 4)):
            cell = orders[f"{_column(orders, column)}{row}"]
            cell.value = text
            cell.data_type = "s"  # text that starts with "=", as a person may type it after a '

    book = orders_book(tmp_path / "formula.xlsx", seed=16, edit=edit)
    status, body = serving.upload(server.url + "/api/validate", book, "formula.xlsx", token=link["token"])
    assert status == 200 and body["status"] == "with_errors"
    cells = {f["cell"] for f in body["findings"]}
    assert len(cells) >= 2
    status, content = serving.call(server.url + f"/api/submissions/{body['submission_id']}/annotated", token=manager)
    assert status == 200
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(content)
    wb = openpyxl.load_workbook(copy)
    orders = wb["订单"]
    for column, row in (("单价", 3), ("收货省份", 4)):
        cell = orders[f"{_column(orders, column)}{row}"]
        assert cell.value == text and cell.data_type == "s", (cell.coordinate, cell.value, cell.data_type)
    # Wherever the text shows in the copy (the cell, the list of findings), it is text.
    shown = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert len(shown) >= 2 and all(c.data_type == "s" for c in shown)
    with zipfile.ZipFile(copy) as zf:
        parts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert any("HYPERLINK" in part for part in parts)
    assert not any(re.search(r"<f>[^<]*HYPERLINK", part) for part in parts)
