"""Issue 10, item 7: error values saved in a workbook's formula cells (#VALUE!, #DIV/0!...) are
errors at those cells, naming the cell that causes them.

The files are made as they arise: a template filled by openpyxl with text where a number
belongs (`４`, `无`) and a formula typed into a data cell, then opened, recalculated and saved
by LibreOffice, so that they hold LibreOffice's own error values."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import datetime

import openpyxl
import pytest

from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.read import scan
from ecomsheets.read.formulas import error_cells, sheet_parts
from ecomsheets.validate import validate
from tests.fill import fill_template, read_meta
from tests.helpers import CATALOG, MONTH, cli_example
from tests.lo import recalc, requires_libreoffice

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def brief(findings) -> list[tuple]:
    return [(f.severity, f.rule, f.sheet, f.cell) for f in findings]


# --- the XML scan -----------------------------------------------------------------------------
def _sheet(rows: list[str]) -> bytes:
    body = "".join(f'<row r="{i + 1}">{c}</row>' for i, c in enumerate(rows))
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


ERROR_ROWS = [
    '<c r="A{r}"><v>1</v></c><c r="I{r}" s="29" t="e"><f aca="false">IF(F{r}="","",F{r}*G{r})</f><v>#VALUE!</v></c>',
    '<c r="B{r}" t="e"><v>#N/A</v></c>',  # an error typed or pasted as a value: no formula
    '<c s="2" t="e" r="AB{r}"><f t="shared" si="0"/><v>#DIV/0!</v></c>',  # another attribute order, shared copy
    '<c r="C{r}" t="e"/><c r="D{r}"><f>1/0</f><v>5</v></c>',  # no saved value; a formula that is fine
    '<c r="E{r}" t="s"><v>3</v></c>',  # text: not an error even if the text reads "#VALUE!"
]


def _scan(xml: bytes, monkeypatch, chunk=None) -> scan.SheetScan:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    if chunk:
        monkeypatch.setattr(scan, "CHUNK", chunk)
    with zipfile.ZipFile(buf) as zf:
        return scan.scan_sheet(zf, "xl/worksheets/sheet1.xml", 10**9)


def test_scan_finds_every_error_cell_in_the_same_pass_as_formulas(monkeypatch):
    rows = ["".join(c.format(r=r) for c in ERROR_ROWS) for r in range(1, 301)]
    xml = _sheet(rows)
    want = {}
    for r in range(1, 301):
        want[(r, "I")] = ("#VALUE!", True)
        want[(r, "B")] = ("#N/A", False)
        want[(r, "AB")] = ("#DIV/0!", True)
    for chunk in (None, 997, 61):  # also cut into pieces smaller than a cell
        got = _scan(xml, monkeypatch, chunk)
        assert got.errors == want, chunk
        assert got.formula_counts["I"] == 300 and got.formula_counts["D"] == 300
    # The same cells through the helper for a caller holding only the XML.
    assert error_cells(xml) == want
    # Carried to the reader: a data sheet's formulas and the summary's formula cells.
    got = _scan(xml, monkeypatch)
    assert got.data_formulas({"I"}).errors == want
    cells = scan.keep_all(got)
    assert cells.errors["I7"] == ("#VALUE!", True) and "I7" in cells and cells.texts["D3"] == "1/0"


def test_the_fast_reader_returns_error_cells_as_blanks(tmp_path):
    """Why the scan is needed: fastexcel (calamine) gives None for an error cell with
    dtypes="string", like an empty cell."""
    import fastexcel
    import xlsxwriter

    path = tmp_path / "e.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_string(0, 0, "x")
    ws.write_formula(1, 0, "=1/0", None, "#DIV/0!")
    ws.write_string(2, 0, "#VALUE!")  # a text that looks like one
    wb.close()
    column = fastexcel.read_excel(str(path)).load_sheet("S", header_row=None, dtypes="string").to_arrow().column(0)
    assert column.to_pylist() == ["x", None, "#VALUE!"]
    with zipfile.ZipFile(path) as zf:
        assert error_cells(zf.read(sheet_parts(zf)["S"])) == {(2, "A"): ("#DIV/0!", True)}


# --- files saved by LibreOffice ---------------------------------------------------------------
def with_references(*names: str) -> list[str]:
    """The tables `names` and every table their columns reference, in catalogue order."""
    need, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in need:
            need.add(name)
            todo += [c.ref_table for c in CATALOG.table(name).columns if c.references]
    return [t for t in CATALOG.bundle("department").tables if t in need]


# The errors are made in 订单 and 库存; the workbook holds those and the sheets they reference
# (the department's other sheets neither feed nor read the cells involved, and would only make
# the LibreOffice round trip slower).
TABLES = with_references("orders", "inventory")


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """A filled template with 数量 "４" (full-width: read with a warning, #VALUE! in the sheet),
    本月入库 "无" (not a number: a type error) and 优惠金额 =1/0, recalculated by LibreOffice."""
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    tmp = tmp_path_factory.mktemp("errors")
    template = generate_workbook(
        CATALOG, "department", tmp / "template.xlsx", month=MONTH, rows=20, now=datetime(2026, 11, 1, 9), tables=TABLES
    ).path
    frames = example_frames(CATALOG, "department", MONTH, rows=10, seed=11, tables=TABLES)
    orders, inventory = frames["orders"], frames["inventory"]
    orders["quantity"] = orders["quantity"].astype(object)
    q = int(orders["quantity"].iloc[4])
    orders.iloc[4, orders.columns.get_loc("quantity")] = chr(0xFF10 + q)  # 4 -> ４, same number
    inventory["stock_in"] = inventory["stock_in"].astype(object)
    inventory.iloc[2, inventory.columns.get_loc("stock_in")] = "无"
    filled = fill_template(template, frames, tmp / "filled.xlsx")
    wb = openpyxl.load_workbook(filled)
    wb["订单"]["H9"] = "=1/0"  # a formula typed into a data cell, failing
    wb.save(filled)
    saved = recalc(filled, tmp / "lo")
    return saved, frames, read_meta(openpyxl.load_workbook(saved))


@requires_libreoffice
@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_saved_the_error_values(broken):
    saved, _, _ = broken
    wb = openpyxl.load_workbook(saved, data_only=True)
    assert wb["订单"]["I7"].value == "#VALUE!" and wb["订单"]["I9"].value == "#DIV/0!"
    assert wb["库存"]["G5"].value == "#VALUE!"  # 期末库存 from 本月入库 "无"


@requires_libreoffice
@pytest.mark.libreoffice
@pytest.mark.slow
def test_error_values_are_errors_at_their_cells(broken):
    saved, frames, meta = broken
    report = validate(saved)
    metrics = meta["summary"]["metrics"]
    cell = lambda name: metrics[name]["cell"].split("!")[1]  # noqa: E731
    orders = frames["orders"]
    row = orders.iloc[4]
    shown, formulas = (openpyxl.load_workbook(saved, data_only=d)["汇总"] for d in (True, False))

    def grid_cell(name, key):
        place = metrics[name]
        keys = shown[place["keys"]]
        for (k,), (v,) in zip(keys, formulas[place["values"]]):
            value = k.value.date().isoformat() if isinstance(k.value, datetime) else k.value
            if value == key:
                return v.coordinate
        raise AssertionError((name, key))

    totals = {(t["table"], t["column"]): t["cell"] for t in meta["summary"]["totals"]}
    units = cell("units_sold")
    want = {
        ("error", "type", "库存", "E5"),  # 本月入库 "无": its #VALUE! cells are not repeated
        ("warning", "normalized", "订单", "F7"),  # 数量 "４": read as 4 with a warning...
        ("error", "formula_error", "订单", "I7"),  # ...but the sheet shows #VALUE! in 订单金额
        ("error", "formula_error", "订单", "H9"),  # =1/0 typed into 优惠金额
        # 汇总: every figure over 订单金额 (and 优惠金额) that shows an error.
        ("error", "formula_error", "汇总", totals[("orders", "discount")]),
        ("error", "formula_error", "汇总", totals[("orders", "amount")]),
        ("error", "formula_error", "汇总", cell("sales_total")),
        ("error", "formula_error", "汇总", grid_cell("sales_by_channel", row["channel"])),
        ("error", "formula_error", "汇总", grid_cell("sales_by_day", row["order_date"].date().isoformat())),
        ("error", "formula_error", "汇总", grid_cell("sales_by_province", row["province"])),
        # SUM leaves the text "４" out: 销售件数 is short by 4.
        ("error", "summary_mismatch", "汇总", units),
    }
    assert set(brief(report.findings)) == want, sorted(set(brief(report.findings)) ^ want)
    assert len(report.findings) == len(want)
    by_cell = {(f.sheet, f.cell): f for f in report.findings}
    amount = by_cell[("订单", "I7")]
    assert amount.value == "#VALUE!"
    typed = row["quantity"]  # the full-width digit typed in place of the quantity
    assert (
        f"F7（数量）“{typed}”不是数字" in amount.message
        and f'F7 (Quantity) "{typed}" is not a number' in amount.message_en
    )
    assert by_cell[("订单", "H9")].value == "#DIV/0!"
    sales = by_cell[("汇总", cell("sales_total"))]
    assert sales.value == "#VALUE!" and "“订单”表中 I7、I9 显示错误值" in sales.message
    channel = by_cell[("汇总", grid_cell("sales_by_channel", row["channel"]))]
    assert "I7 显示错误值" in channel.message  # only its own channel's rows
    mismatch = by_cell[("汇总", units)]
    want_units = float(orders["quantity"].map(lambda v: ord(v) - 0xFF10 if isinstance(v, str) else v).sum())
    q = ord(row["quantity"]) - 0xFF10
    assert mismatch.expected == want_units and mismatch.value == f"{want_units - q:,.0f}"
    assert f"F7“{typed}”" in mismatch.message
    assert report.errors == len(want) - 1 and not report.valid


def test_error_value_typed_as_a_value_and_summary_error_without_cause(tmp_path):
    """An error value pasted into a data cell (no formula) and a 汇总 formula whose own
    reference is broken (#REF!): errors at those cells, edited into the XML of an example."""
    path = cli_example(  # the example command's writer
        tmp_path / "e.xlsx", "--month", "2026-11", "--rows", 20, "--tables", ",".join(TABLES)
    )
    assert validate(path).errors == 0
    meta = read_meta(openpyxl.load_workbook(path))
    sales = meta["summary"]["metrics"]["sales_total"]["cell"].split("!")[1]
    out = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        parts = sheet_parts(zin)
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == parts["订单"]:
                # 实付金额 of the third order: an error value as the cell's content.
                start = data.index(b'<c r="J5"')
                end = data.index(b"</c>", start) + 4
                data = data[:start] + b'<c r="J5" t="e"><v>#N/A</v></c>' + data[end:]
            if item.filename == parts["汇总"]:
                start = data.index(f'<c r="{sales}"'.encode())
                end = data.index(b"</c>", start) + 4
                data = data[:start] + f'<c r="{sales}" t="e"><f>SUM(#REF!)</f><v>#REF!</v></c>'.encode() + data[end:]
            zout.writestr(item, data)
    report = validate(out)
    found = {(f.rule, f.sheet, f.cell): f for f in report.findings if f.severity == "error"}
    assert set(found) == {("error_value", "订单", "J5"), ("formula_error", "汇总", sales)}, brief(report.findings)
    assert found[("error_value", "订单", "J5")].value == "#N/A"
    ref = found[("formula_error", "汇总", sales)]
    assert ref.value == "#REF!" and "已被删除" in ref.message and "销售额" in ref.message
