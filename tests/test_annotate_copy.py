"""The annotated copy as a patched package (issue 12, items 4 and 11): parts that do not change
are copied as they were; a formula in a data cell, or one that reaches outside the workbook,
is written as its saved result (or as text) with a note saying so; links to other workbooks
are not kept; sheet XML written in less usual ways (no r="…", a namespace prefix) is edited
in place; the work runs in a child process under the parse's limits; the copy opens in
LibreOffice. Workbooks are made by `ecomsheets example` and edited at the byte level."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ecomsheets import messages
from ecomsheets.errors import UsageError
from ecomsheets.findings import ERROR, WARNING, Finding, Report
from ecomsheets.process.isolate import ProcessLimits
from ecomsheets.read.formulas import sheet_parts
from ecomsheets.report import annotate
from ecomsheets.report.annotate import AnnotateFailed, write_annotated
from ecomsheets.validate import validate
from tests.helpers import cli_example
from tests.helpers import edit_parts as rewrite
from tests.helpers import sha256 as digest

from .lo import recalc, requires_libreoffice

RED, YELLOW = "FFC7CE", "FFEB9C"
EXTERNAL_LINK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames><sheetDataSet>'
    b'<sheetData sheetId="0"><row r="1"><cell r="A1"><v>7</v></cell></row></sheetData>'
    b"</sheetDataSet></externalBook></externalLink>"
)
EXTERNAL_LINK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/externalLinkPath" Target="file:///C:/secret/other.xlsx" TargetMode="External"/>'
    b"</Relationships>"
)


def make_example(path: Path, rows: int = 20) -> Path:
    return cli_example(path, "--rows", rows, "--seed", 3, "--tables", "orders,customers", "--force")


def set_cell(data: bytes, ref: str, element: bytes) -> bytes:
    new, n = re.subn(
        rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', lambda m: element, data, count=1, flags=re.S
    )
    assert n == 1, ref
    return new


def sub(pattern: bytes, repl: bytes, data: bytes) -> bytes:
    new, n = re.subn(pattern, lambda m: repl, data, count=1)
    assert n == 1, pattern
    return new


def formulas_in(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return [
            t
            for n in zf.namelist()
            if n.startswith("xl/worksheets/")
            for t in re.findall(rb"<(?:\w+:)?f\b[^>]*>([^<]*)</(?:\w+:)?f>", zf.read(n))
        ]


def note(code: str, **kw) -> str:
    return messages.text(code, "zh", **kw)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return make_example(tmp_path_factory.mktemp("copy") / "base.xlsx")


@pytest.fixture(scope="module")
def hostile(base) -> tuple[Path, Report]:
    """Formulas where data belongs (a web call with a saved result, DDE without one, a link to
    another workbook, a shared formula), a live formula in a computed column and on the
    instructions sheet, and a link to another workbook in the package."""
    with zipfile.ZipFile(base) as zf:
        parts = sheet_parts(zf)
    orders, intro = parts["订单"], parts["说明"]

    def edit_orders(data: bytes) -> bytes:
        data = set_cell(
            data, "J3", b'<c r="J3" s="12"><f>_xlfn.WEBSERVICE("http://example.invalid/x")</f><v>204.8</v></c>'
        )
        data = set_cell(data, "J4", b'<c r="J4" s="12"><f>cmd|\' /C calc\'!A0</f></c>')
        data = set_cell(data, "J5", b'<c r="J5" s="12"><f>[1]Sheet1!$A$1</f><v>7</v></c>')
        data = set_cell(
            data, "H7", b'<c r="H7" s="12"><f t="shared" ref="H7:H9" si="0">0*WEBSERVICE("http://x")</f><v>0</v></c>'
        )
        data = set_cell(data, "H8", b'<c r="H8" s="12"><f t="shared" si="0"/><v>0</v></c>')
        data = set_cell(data, "H9", b'<c r="H9" s="12"><f t="shared" si="0"/><v>0</v></c>')
        return set_cell(
            data,
            "I10",
            b'<c r="I10" s="13"><f>IF(OR(F10="",G10=""),"",ROUND(F10*G10-H10,2))'
            b'+0*WEBSERVICE("http://example.invalid/y")</f><v>1</v></c>',
        )

    def edit_intro(data: bytes) -> bytes:
        return sub(
            rb"</sheetData>",
            b'<row r="60"><c r="A60" t="str"><f>HYPERLINK("http://example.invalid/",'
            b'"click")</f><v>click</v></c></row></sheetData>',
            data,
        )

    def edit_workbook(data: bytes) -> bytes:
        data = sub(
            rb"</sheets>", b'</sheets><externalReferences><externalReference r:id="rId99"/></externalReferences>', data
        )
        return sub(rb"<definedNames>", b'<definedNames><definedName name="Outside">[1]Sheet1!$A$1</definedName>', data)

    def edit_rels(data: bytes) -> bytes:
        return sub(
            rb"</Relationships>",
            b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/externalLink" '
            b'Target="externalLinks/externalLink1.xml"/></Relationships>',
            data,
        )

    def edit_types(data: bytes) -> bytes:
        return sub(
            rb"</Types>",
            b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="'
            b'application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
            b"</Types>",
            data,
        )

    path = rewrite(
        base,
        base.parent / "hostile.xlsx",
        {
            orders: edit_orders,
            intro: edit_intro,
            "xl/workbook.xml": edit_workbook,
            "xl/_rels/workbook.xml.rels": edit_rels,
            "[Content_Types].xml": edit_types,
        },
        add={
            "xl/externalLinks/externalLink1.xml": EXTERNAL_LINK,
            "xl/externalLinks/_rels/externalLink1.xml.rels": EXTERNAL_LINK_RELS,
        },
    )
    return path, validate(path)


def test_formulas_in_data_cells_become_their_saved_results(hostile, tmp_path):
    path, report = hostile
    rules = {f.cell: f.rule for f in report.findings if f.sheet == "订单"}
    assert (rules["J3"], rules["J4"], rules["J5"]) == ("formula_in_data", "formula_no_value", "external_formula")
    before = digest(path)
    out = write_annotated(path, report, tmp_path / "copy.xlsx")
    assert digest(path) == before
    # Nothing in the copy reaches outside when it is calculated; the template's own formulas stay.
    texts = formulas_in(out)
    assert not [t for t in texts if re.search(rb"WEBSERVICE|HYPERLINK|\||\[\d+\]", t)], texts
    assert b'IF(OR(F3="",G3=""),"",ROUND(F3*G3-H3,2))' in texts
    assert not [t for t in texts if b'si="0"' in t]
    wb = openpyxl.load_workbook(out)
    ws = wb["订单"]
    assert (ws["J3"].value, ws["J3"].data_type) == (204.8, "n")
    assert (ws["J4"].value, ws["J4"].data_type, ws["J4"].quotePrefix) == ("=cmd|' /C calc'!A0", "s", True)
    assert (ws["J5"].value, ws["H7"].value, ws["H8"].value, ws["H9"].value) == (7, 0, 0, 0)
    assert ws["I3"].data_type == "f"
    for ref in ("J3", "J5"):
        assert note("r_formula_as_value") in ws[ref].comment.text
        assert ws[ref].fill.fgColor.rgb.endswith(YELLOW)
    assert note("r_formula_as_text") in ws["J4"].comment.text
    # A live formula in a computed column, and on a sheet nobody validates: same, with a note.
    assert ws["I10"].value == 1 and ws["I10"].fill.fgColor.rgb.endswith(YELLOW)
    assert "WEBSERVICE" in ws["I10"].comment.text
    assert "访问其他工作簿、外部程序或网络" in ws["I10"].comment.text
    intro = wb["说明"]["A60"]
    assert (intro.value, intro.data_type) == ("click", "s") and "HYPERLINK" in intro.comment.text
    # The results sheet says so too.
    rows = list(wb["校验结果"].iter_rows(values_only=True))
    problems = {r[0]: r[7] for r in rows if r[0] and str(r[0]).startswith("订单!")}
    assert problems["订单!J3"].endswith(note("r_formula_as_value"))
    assert problems["订单!J4"].endswith(note("r_formula_as_text"))
    replaced = sum(1 for r in rows if r[0] and str(r[0]).startswith("本副本中有"))
    assert replaced == 1
    assert any(r[0] == note("r_links_dropped", count=1) for r in rows)
    # No link to another workbook is kept.
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
        types = zf.read("[Content_Types].xml")
    assert not any("externalLink" in n for n in names)
    assert b"externalReference" not in book and b"Outside" not in book and b"[1]" not in book
    assert b"externalLink" not in rels and b"externalLink" not in types and b"secret" not in rels


def test_untouched_parts_are_copied_as_they_were(base, tmp_path, monkeypatch):
    monkeypatch.setattr(annotate, "SMALL_SHEET", 0)  # as for big sheets: never rewritten for their tab
    with zipfile.ZipFile(base) as zf:
        parts = sheet_parts(zf)
    report = validate(base)
    report.findings.append(Finding(ERROR, "min", "数量太小", "quantity too small", sheet="订单", cell="F4"))
    out = write_annotated(base, report, tmp_path / "copy.xlsx", isolate=False)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out) as dst:
        raw = {}
        for zf, key in ((src, "src"), (dst, "dst")):
            for name in (parts["客户"], "xl/theme/theme1.xml", "docProps/core.xml"):
                info = zf.getinfo(name)
                zf.fp.seek(info.header_offset + 26)
                n, m = int.from_bytes(zf.fp.read(2), "little"), int.from_bytes(zf.fp.read(2), "little")
                zf.fp.seek(info.header_offset + 30 + n + m)
                raw[(key, name)] = (info.CRC, zf.fp.read(info.compress_size))
        for name in (parts["客户"], "xl/theme/theme1.xml", "docProps/core.xml"):
            assert raw[("src", name)] == raw[("dst", name)], name
        assert dst.read(parts["订单"]) != src.read(parts["订单"])
    wb = openpyxl.load_workbook(out)
    assert wb["订单"]["F4"].fill.fgColor.rgb.endswith(RED)
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["校验结果"]


def test_a_column_with_more_formulas_than_listed_loses_them_all(base, tmp_path):
    """Findings past the per-kind limit are only counted: their cells are still freed of
    formulas, from the first listed row down."""
    with zipfile.ZipFile(base) as zf:
        orders = sheet_parts(zf)["订单"]

    def edit(data: bytes) -> bytes:
        for row in range(3, 13):  # 实付金额 (J) of rows 3-12, whatever its style index
            data, n = re.subn(
                rb'(<c r="J%d" s="\d+">)<v>([^<]*)</v>' % row, rb"\1<f>F%d*G%d</f><v>\2</v>" % (row, row), data, count=1
            )
            assert n == 1, row
        return data

    path = rewrite(base, tmp_path / "many.xlsx", {orders: edit})
    report = validate(path)
    listed = [f for f in report.findings if f.rule == "formula_in_data"]
    assert len(listed) == 10
    report.findings = [f for f in report.findings if f.rule != "formula_in_data" or f.cell in ("J3", "J4")]
    report.truncated["warning/formula_in_data/订单/paid_amount"] = 8
    out = write_annotated(path, report, tmp_path / "copy.xlsx")
    ws = openpyxl.load_workbook(out)["订单"]
    assert all(ws[f"J{r}"].data_type == "n" for r in range(3, 13))
    assert ws["J3"].comment is not None and ws["J12"].comment is None
    assert ws["I3"].data_type == "f"


def _plain_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["编号", "名称", "数量", "备注"])
    for r in range(2, 9):
        ws.append([f"N{r:03d}", f"名称{r}", r, None if r == 5 else "x"])
    ws["B3"].comment = openpyxl.comments.Comment("原来的批注", "王芳")
    wb.save(path)
    return path


def _report(path: Path, cells: list[tuple[str, str, str]]) -> Report:
    return Report(
        file=str(path),
        sha256=digest(path),
        findings=[Finding(sev, "type", text, "EN " + text, sheet="数据", cell=cell) for cell, sev, text in cells],
    )


def test_rows_and_cells_without_their_address(tmp_path):
    """r="…" may be left out (a row follows the previous one, a cell the previous cell)."""
    plain = _plain_book(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(plain) as zf:
        part = sheet_parts(zf)["数据"]
    path = rewrite(plain, tmp_path / "norefs.xlsx", {part: lambda d: re.sub(rb'(<(?:row|c)) r="[A-Z]*\d+"', rb"\1", d)})
    with zipfile.ZipFile(path) as zf:
        assert b' r="' not in re.sub(rb"<(?:dimension|selection|pane)[^>]*>", b"", zf.read(part))
    report = _report(path, [("B3", ERROR, "名称不对"), ("D5", WARNING, "备注为空"), ("B12", ERROR, "多出的行")])
    out = write_annotated(path, report, tmp_path / "copy.xlsx")
    original, ws = openpyxl.load_workbook(plain)["数据"], openpyxl.load_workbook(out)["数据"]
    for row in original.iter_rows():
        for c in row:
            assert ws[c.coordinate].value == c.value, c.coordinate
    fills = {
        c.coordinate: c.fill.fgColor.rgb[-6:] for row in ws.iter_rows() for c in row if c.fill.fill_type == "solid"
    }
    assert fills == {"B3": RED, "D5": YELLOW, "B12": RED}
    assert ws.dimensions == "A1:D12"
    assert "名称不对" in ws["B3"].comment.text and "原来的批注" in ws["B3"].comment.text


def test_sheet_xml_with_a_namespace_prefix(tmp_path):
    plain = _plain_book(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(plain) as zf:
        part = sheet_parts(zf)["数据"]
        rels = zf.read("xl/worksheets/_rels/sheet1.xml.rels")
    assert b"comments" in rels

    def prefixed(data: bytes) -> bytes:
        data = data.replace(
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
            b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
        )
        return re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s>/])", rb"<\1x:\2", data)

    path = rewrite(plain, tmp_path / "prefixed.xlsx", {part: prefixed})
    report = _report(path, [("C4", ERROR, "数量不对"), ("E20", WARNING, "远处的格")])
    out = write_annotated(path, report, tmp_path / "copy.xlsx")
    with zipfile.ZipFile(out) as zf:
        data = zf.read(sheet_parts(zf)["数据"])
        assert b"<x:row" in data and b"<row" not in data and b"<x:legacyDrawing" in data
    ws = openpyxl.load_workbook(out)["数据"]
    assert ws["C4"].fill.fgColor.rgb.endswith(RED) and ws["C4"].value == 4
    assert ws["E20"].fill.fgColor.rgb.endswith(YELLOW)
    assert "数量不对" in ws["C4"].comment.text and ws["B3"].comment.text == "原来的批注"


def test_made_under_the_time_and_memory_limits(tmp_path, monkeypatch):
    plain = _plain_book(tmp_path / "plain.xlsx")
    report = _report(plain, [("B3", ERROR, "名称不对")])
    monkeypatch.setattr(annotate._Copy, "write", lambda self, out: time.sleep(60))
    started = time.monotonic()
    with pytest.raises(AnnotateFailed, match="超过 1 秒"):
        write_annotated(plain, report, tmp_path / "slow.xlsx", process=ProcessLimits(seconds=1))
    assert time.monotonic() - started < 20
    limit = 2 * 2**30
    monkeypatch.setattr(annotate._Copy, "write", lambda self, out: len(bytes(limit)))
    with pytest.raises(AnnotateFailed, match="内存超过上限"):
        write_annotated(plain, report, tmp_path / "big.xlsx", process=ProcessLimits(memory_bytes=limit))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.xlsx"]  # no copy, no temporary file


def test_a_damaged_package_is_refused_in_words(tmp_path):
    plain = _plain_book(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(plain) as zf:
        part = sheet_parts(zf)["数据"]
    cases = {
        "no_workbook.xlsx": lambda: rewrite(
            plain, tmp_path / "x.xlsx", {"_rels/.rels": lambda d: d.replace(b"xl/workbook.xml", b"xl/missing.xml")}
        ),
        "no_sheetdata.xlsx": lambda: rewrite(
            plain, tmp_path / "y.xlsx", {part: lambda d: d.replace(b"sheetData", b"sheetDatum")}
        ),
    }
    for name, make in cases.items():
        path = make()
        report = _report(path, [("B3", ERROR, "名称不对")])
        with pytest.raises(AnnotateFailed) as refused:  # a ValueError: the command goes on with other files
            write_annotated(path, report, tmp_path / name)
        said = refused.value.text("zh")
        assert said.startswith("无法为这个文件生成标注副本：文件内部结构"), said
        assert "Error" not in refused.value.text("en") and not (tmp_path / name).exists()
    # Where it is written is another matter: a UsageError (exit code 2).
    with pytest.raises(UsageError):
        write_annotated(plain, _report(plain, [("B3", ERROR, "x")]), tmp_path / "nowhere" / "copy.xlsx")


@pytest.mark.libreoffice
@requires_libreoffice
def test_the_copy_opens_in_libreoffice_and_can_be_annotated_again(hostile, tmp_path):
    path, report = hostile
    out = write_annotated(path, report, tmp_path / "copy.xlsx")
    saved = recalc(out, tmp_path / "lo")
    wb = openpyxl.load_workbook(saved)
    assert wb.sheetnames[0] == "校验结果" and "订单" in wb.sheetnames
    ws = wb["订单"]
    marked = {f.cell for f in report.findings if f.sheet == "订单" and f.cell}
    for cell in marked:
        assert ws[cell].comment is not None and ws[cell].fill.fill_type == "solid", cell
    assert ws["J4"].value == "=cmd|' /C calc'!A0" and ws["J4"].data_type == "s"
    assert wb["校验结果"]["A1"].value == "数据校验结果"
    # LibreOffice saved shared strings: our sheet is still recognised, our notes replaced.
    again = Report(file=str(saved), findings=[Finding(WARNING, "min", "第二次", "second", sheet="订单", cell="F5")])
    second = openpyxl.load_workbook(write_annotated(saved, again, tmp_path / "again.xlsx"))
    assert second.sheetnames.count("校验结果") == 1 and second.sheetnames[0] == "校验结果"
    assert second["订单"]["F5"].comment.text.startswith("【提醒】第二次")
    assert second["订单"]["J3"].comment is None


@pytest.mark.slow
def test_the_copy_costs_less_than_three_validations(tmp_path):
    path = make_example(tmp_path / "big.xlsx", rows=20000)
    with zipfile.ZipFile(path) as zf:
        orders = sheet_parts(zf)["订单"]

    def corrupt(data: bytes) -> bytes:
        for k in range(100):
            data = re.sub(rb'(<c r="F%d" s="\d+">)<v>[^<]*</v>' % (3 + 150 * k), rb"\1<v>-2</v>", data, count=1)
        return data

    bad = rewrite(path, tmp_path / "bad.xlsx", {orders: corrupt})
    started = time.perf_counter()
    report = validate(bad)
    validation = time.perf_counter() - started
    assert report.errors >= 100
    started = time.perf_counter()
    write_annotated(bad, report, tmp_path / "copy.xlsx")
    copy = time.perf_counter() - started
    assert copy <= 3 * validation, (copy, validation)
