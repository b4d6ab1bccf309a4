"""Total rows (issue 10, item 4): staff add a 合计 / 总计 / 小计 row below their orders, often
with SUM formulas. Such a row is skipped with one warning naming it, gives no other finding,
and is never counted: every figure equals a pandas computation of the data rows alone.

The workbooks are made as staff make them: a generated template filled through openpyxl, a
total row typed below (a label and SUM formulas, or the sums typed as numbers), subtotals
after each group, an ERP export with a `合计:` line, and a LibreOffice round trip so that the
SUM cells hold saved values as they do after Excel or WPS saved the file.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.read.totals import find_total_rows, is_label, is_total_formula
from ecomsheets.summarize.consolidate import consolidate
from ecomsheets.validate.run import inspect_workbook
from tests.fill import fill_template, read_meta, to_cell
from tests.helpers import CATALOG, MONTH, NOW, cli
from tests.lo import recalc, requires_libreoffice

ORDER_COUNT = 30
# The sheets staff total here (订单, 库存) and those they reference: total rows are found sheet by
# sheet, and the figures checked are theirs, so the other tables of the department are left out.
TABLES = [
    name
    for name in CATALOG.bundles["department"].tables
    if name == "orders" or name in {c.ref_table for c in CATALOG.tables["orders"].columns if c.references}
]
SUMMED = ("quantity", "discount", "amount", "paid_amount")  # the columns staff total


# --- what the figures must be: the data rows alone, computed by pandas ------------------------
def expected_figures(orders: pd.DataFrame) -> dict[str, float]:
    amount = (orders["quantity"] * orders["unit_price"] - orders["discount"].fillna(0)).round(2)
    return {
        "order_count": float(orders["order_id"].nunique()),
        "sales_total": float(amount.sum()),
        "paid_total": float(orders["paid_amount"].sum()),
        "units_sold": float(orders["quantity"].sum()),
    }


def figures(insp) -> dict[str, float]:
    return {
        m.name: m.value
        for m in insp.metrics
        if m.group is None and m.name in ("order_count", "sales_total", "paid_total", "units_sold")
    }


def assert_figures(insp, orders: pd.DataFrame) -> None:
    got, want = figures(insp), expected_figures(orders)
    assert got == pytest.approx(want, abs=1e-6), (got, want)


def errors(report):
    return [f for f in report.findings if f.severity == "error"]


def totals(report):
    return [f for f in report.findings if f.rule == "total_row"]


def brief(findings) -> list[tuple]:
    return [(f.severity, f.rule, f.sheet, f.cell, f.value) for f in findings]


# --- the workbook as staff fill it --------------------------------------------------------------
@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> tuple[Path, dict]:
    """A template filled with 30 orders through openpyxl, and the settings the template leaves
    for the manager filled in on its summary sheet, as the manager does (never modified: tests
    edit copies)."""
    folder = tmp_path_factory.mktemp("totals")
    template = generate_workbook(
        CATALOG, "department", folder / "template.xlsx", month=MONTH, rows=60, now=NOW, tables=TABLES
    ).path
    frames = example_frames(CATALOG, "department", MONTH, rows=ORDER_COUNT, seed=4, tables=TABLES)
    path = fill_template(template, frames, folder / "filled.xlsx")
    wb = openpyxl.load_workbook(path)
    summary = read_meta(wb)["summary"]
    for spec in CATALOG.bundles["department"].parameter_specs:
        if spec.value is None:  # left blank for the manager (咨询首次回复时限 …)
            wb[summary["sheet"]][summary["params"][spec.name].replace("$", "")].value = spec.example
    wb.save(path)
    return path, frames


class Sheet:
    """One table's sheet of a workbook opened with openpyxl, its cells found through _meta."""

    def __init__(self, wb, table: str):
        info = next(t for t in read_meta(wb)["tables"] if t["name"] == table)
        self.ws = wb[info["sheet"]]
        self.name = info["sheet"]
        self.columns = info["columns"]
        self.first = info["first_data_row"]

    def letter(self, column: str) -> str:
        return get_column_letter(self.columns.index(column) + 1)

    def set(self, row: int, column: str, value) -> None:
        cell = self.ws[f"{self.letter(column)}{row}"]
        cell.value = to_cell(value)
        if isinstance(cell.value, str) and not cell.value.startswith("="):
            cell.data_type = "s"

    def total_row(
        self, row: int, label: str | None, first: int, last: int, columns=SUMMED, values: dict | None = None
    ) -> None:
        """A total row: a label in the first column, SUM formulas (or the sums typed as numbers)."""
        if label is not None:
            self.ws.cell(row, 1, label).data_type = "s"
        for column in columns:
            letter = self.letter(column)
            self.set(row, column, values[column] if values else f"=SUM({letter}{first}:{letter}{last})")


def with_total(filled, out: Path, label: str | None, *, typed: bool = False) -> tuple[Path, int]:
    path, frames = filled
    wb = openpyxl.load_workbook(path)
    sheet = Sheet(wb, "orders")
    first, last = sheet.first, sheet.first + ORDER_COUNT - 1
    orders = frames["orders"]
    sums = None
    if typed:  # pasted as values: what a SUM shows, typed as numbers
        amount = (orders["quantity"] * orders["unit_price"] - orders["discount"].fillna(0)).round(2)
        sums = {
            "quantity": orders["quantity"].sum(),
            "discount": orders["discount"].sum(),
            "amount": round(amount.sum(), 2),
            "paid_amount": round(orders["paid_amount"].sum(), 2),
        }
    sheet.total_row(last + 1, label, first, last, values=sums)
    wb.save(out)
    return out, last + 1


def assert_one_total_row(report, sheet: str, cell: str, row: int) -> None:
    assert [(f.severity, f.rule, f.sheet, f.cell, f.row) for f in totals(report)] == [
        ("warning", "total_row", sheet, cell, row)
    ], brief(report.findings)
    # Nothing else about that row: no required/pattern/formula finding, no error anywhere.
    assert [f for f in report.findings if f.row == row and f.sheet == sheet and f.rule != "total_row"] == []
    assert errors(report) == [], brief(errors(report))


# --- a label and SUM formulas, as typed in Excel ------------------------------------------------
def test_total_row_with_sum_formulas_is_skipped_with_one_warning(filled, tmp_path):
    path, row = with_total(filled, tmp_path / "sum.xlsx", "合计")
    insp = inspect_workbook(path, keep="metrics")
    assert_one_total_row(insp.report, "订单", f"A{row}", row)
    warning = totals(insp.report)[0]
    assert warning.value == "合计" and f"第 {row} 行" in warning.message and "合计行" in warning.message
    assert f"row {row}" in warning.message_en
    assert insp.report.rows_checked == sum(len(f) for f in filled[1].values())
    assert_figures(insp, filled[1]["orders"])


@pytest.mark.parametrize(
    "label", ["合计", "总计", "小计", "合计:", "合计：", "总 计", "　合　计　", "本月合计", "合计（元）", "Total"]
)
def test_total_row_typed_as_numbers_is_not_counted(filled, tmp_path, label):
    """The sums pasted as values: before, they doubled 实付金额 and 销售件数."""
    path, row = with_total(filled, tmp_path / "typed.xlsx", label, typed=True)
    insp = inspect_workbook(path, keep="metrics")
    assert_one_total_row(insp.report, "订单", f"A{row}", row)
    assert totals(insp.report)[0].value == label.strip()
    assert_figures(insp, filled[1]["orders"])


def test_sum_formulas_without_a_label(filled, tmp_path):
    """No label, no order id: the SUM formulas of the rows above make it a total row (named at
    its first formula cell), though openpyxl saved no values for them."""
    path, row = with_total(filled, tmp_path / "nolabel.xlsx", None)
    insp = inspect_workbook(path, keep="metrics")
    sheet = Sheet(openpyxl.load_workbook(path), "orders")
    assert_one_total_row(insp.report, "订单", f"{sheet.letter('quantity')}{row}", row)
    assert totals(insp.report)[0].value == f"=SUM(F{sheet.first}:F{row - 1})"
    assert_figures(insp, filled[1]["orders"])


def test_summarize_json_and_consolidate_leave_the_total_out(filled, tmp_path):
    path, row = with_total(filled, tmp_path / "cli.xlsx", "合计:", typed=True)
    result = cli("summarize", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    got = {m["name"]: m["value"] for m in data["metrics"] if m["name"] in expected_figures(filled[1]["orders"])}
    assert got == pytest.approx(expected_figures(filled[1]["orders"]), abs=1e-6)
    merged = consolidate([inspect_workbook(path, keep="metrics")], CATALOG, month=MONTH)
    assert len(merged.tables["orders"]) == ORDER_COUNT
    assert {m.name: m.value for m in merged.metrics if m.group is None}["sales_total"] == pytest.approx(
        expected_figures(filled[1]["orders"])["sales_total"], abs=1e-6
    )


# --- subtotals after each group, and a grand total --------------------------------------------
def test_subtotal_after_each_group_and_a_grand_total(filled, tmp_path):
    path, frames = filled
    orders = frames["orders"].sort_values("channel", kind="stable").reset_index(drop=True)
    wb = openpyxl.load_workbook(path)
    sheet = Sheet(wb, "orders")
    written = [c for c in sheet.columns if c in orders]
    row, subtotal_rows, first = sheet.first, [], sheet.first
    for channel, group in orders.groupby("channel", sort=False):
        for _, record in group.iterrows():
            for column in written:
                sheet.set(row, column, record[column])
            row += 1
        for column in written:  # the row that becomes the subtotal: clear what fill_template wrote
            sheet.set(row, column, None)
        sheet.total_row(row, f"{channel} 小计", first, row - 1)
        subtotal_rows.append(row)
        row += 1
        first = row
    sheet.total_row(row, "总计", sheet.first, row - 1)  # sums the subtotals too
    wb.save(tmp_path / "groups.xlsx")
    insp = inspect_workbook(tmp_path / "groups.xlsx", keep="metrics")
    assert [(f.cell, f.row) for f in totals(insp.report)] == [(f"A{r}", r) for r in [*subtotal_rows, row]]
    assert errors(insp.report) == [], brief(errors(insp.report))
    assert {f.rule for f in insp.report.findings} == {"total_row"}, brief(insp.report.findings)
    assert_figures(insp, orders)


# --- an order that merely mentions a total is an order ----------------------------------------
def test_an_order_whose_note_says_total_is_kept(filled, tmp_path):
    path, frames = filled
    wb = openpyxl.load_workbook(path)
    sheet = Sheet(wb, "orders")
    note = len(sheet.columns) + 1
    sheet.ws.cell(sheet.first - 1, note, "备注")
    sheet.ws.cell(sheet.first + 4, note, "合计")  # a real order, its note says 合计
    wb.save(tmp_path / "note.xlsx")
    insp = inspect_workbook(tmp_path / "note.xlsx", keep="metrics")
    assert totals(insp.report) == []
    assert errors(insp.report) == [], brief(errors(insp.report))
    assert_figures(insp, frames["orders"])


def test_only_rows_without_a_record_key_are_totals():
    table = CATALOG.tables["orders"]
    raw = pd.DataFrame(
        {
            "order_id": ["TB1001", None, "小计", "TB1002"],
            "sku": ["S1", None, "S1", "S2"],
            "customer_id": ["小计", None, None, "C1"],
            "quantity": ["2", "9", "3", "1"],
        },
        index=[3, 4, 5, 6],
        dtype="string",
    )
    letters = {"order_id": "A", "customer_id": "C", "sku": "E", "quantity": "F"}
    labels = {3: ("C", "小计"), 4: ("A", "合计"), 5: ("A", "小计")}
    found = find_total_rows(table, raw, letters, labels, {(6, "F"): "SUM(F3:F5)", (4, "F"): "SUM(F3:F3)"}, 2)
    # Row 3 has an order id: a record, whatever its customer cell says. Row 4 is keyless with a
    # label; row 5's label stands in the order id itself. Row 6 has a key: its formula is data.
    assert [(t.row, t.cell, t.shown) for t in found] == [(4, "A4", "合计"), (5, "A5", "小计")]


@pytest.mark.parametrize(
    "text, label",
    [
        ("合计", True),
        ("总计", True),
        ("小计", True),
        ("合计:", True),
        ("合计：", True),
        ("总 计", True),
        ("\u3000合\u3000计", True),
        ("淘宝小计", True),
        ("11月合计", True),
        ("合计(元)", True),
        ("合计金额", True),
        ("合计：30单", True),
        ("共计", True),
        ("汇总", True),
        ("Total", True),
        ("Grand total", True),
        ("Subtotal:", True),
        ("TB1001", False),
        ("计划", False),
        ("统计", False),
        ("会计", False),
        ("小计划", False),
        ("已计入合计请核对", False),
        ("total cost", False),
        ("", False),
        (None, False),
    ],
)
def test_labels(text, label):
    assert is_label(text) is label


@pytest.mark.parametrize(
    "formula, row, total",
    [
        ("SUM(F3:F32)", 33, True),
        ("SUBTOTAL(9,$F$3:$F$32)", 33, True),
        ("_xlfn.SUM(F3:F3)", 4, True),
        ("SUM(F3:H3)", 3, False),
        ("SUM(F3:F40)", 33, False),
        ('IF(F3="","",ROUND(F3*G3-H3,2))', 3, False),
        ("AVERAGE(F3:F32)", 33, False),
        ("", 33, False),
    ],
)
def test_total_formulas(formula, row, total):
    assert is_total_formula(formula, row) is total


# --- an ERP export: title rows, a 序号 column, a 合计: line ------------------------------------
def test_erp_export_with_a_total_line_in_a_column_it_does_not_know(tmp_path):
    """旺店通-style: the label stands in 序号, a column the orders table does not have."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws["A1"] = "订单明细（2026-11）"
    headers = [
        "序号",
        "线上订单号",
        "下单时间",
        "客户编号",
        "店铺渠道",
        "商家编码",
        "购买数量",
        "单价(元)",
        "优惠",
        "总金额",
        "实付金额(元)",
        "订单状态",
    ]
    for ci, h in enumerate(headers, start=1):
        ws.cell(3, ci, h)
    rng = np.random.default_rng(7)
    records = []
    for i in range(12):
        qty, price, disc = int(rng.integers(1, 5)), float(rng.integers(10, 300)) - 0.1, float(rng.integers(0, 5))
        amount = round(qty * price - disc, 2)
        records.append(
            [
                i + 1,
                f"JD{90000 + i}",
                datetime(2026, 11, 1 + i),
                f"C{i % 3:02d}",
                "京东",
                f"SKU-{i % 4}",
                qty,
                price,
                disc,
                amount,
                amount,
                "已完成",
            ]
        )
    for r, rec in enumerate(records, start=4):
        for ci, v in enumerate(rec, start=1):
            ws.cell(r, ci, v)
    total = 4 + len(records)
    frame = pd.DataFrame(records, columns=headers)
    ws.cell(total, 1, "合计:")
    for name in ("购买数量", "优惠", "总金额", "实付金额(元)"):
        ws.cell(total, headers.index(name) + 1, float(frame[name].sum()))
    wb.save(tmp_path / "erp.xlsx")
    insp = inspect_workbook(tmp_path / "erp.xlsx", month="2026-11", keep="metrics")
    assert [(f.sheet, f.cell, f.row, f.value) for f in totals(insp.report)] == [("订单", f"A{total}", total, "合计:")]
    assert [f for f in insp.report.findings if f.row == total and f.rule != "total_row"] == []
    orders = frame.rename(
        columns={
            "线上订单号": "order_id",
            "购买数量": "quantity",
            "单价(元)": "unit_price",
            "优惠": "discount",
            "实付金额(元)": "paid_amount",
        }
    )
    assert_figures(insp, orders)


# --- after a real spreadsheet program saved it: the SUM cells hold values ----------------------
@pytest.fixture(scope="module")
def recalculated(filled, tmp_path_factory) -> tuple[Path, dict]:
    """Orders with a 合计 row of SUM formulas, and inventory with a label-less SUM row, opened
    and saved by LibreOffice (every formula recalculated, values saved)."""
    path, frames = filled
    folder = tmp_path_factory.mktemp("lo_totals")
    wb = openpyxl.load_workbook(path)
    orders = Sheet(wb, "orders")
    last = orders.first + ORDER_COUNT - 1
    orders.total_row(last + 1, "合计", orders.first, last)
    inventory = Sheet(wb, "inventory")
    last_sku = inventory.first + len(frames["inventory"]) - 1
    inventory.total_row(
        last_sku + 1,
        None,
        inventory.first,
        last_sku,
        columns=("opening_stock", "stock_in", "stock_out", "closing_stock", "stock_value"),
    )
    wb.save(folder / "totals.xlsx")
    return recalc(folder / "totals.xlsx", folder / "out"), frames


@pytest.mark.libreoffice
@requires_libreoffice
def test_libreoffice_saved_total_rows(recalculated):
    path, frames = recalculated
    check = openpyxl.load_workbook(path, data_only=True)
    orders, inventory = Sheet(check, "orders"), Sheet(check, "inventory")
    total, total_sku = orders.first + ORDER_COUNT, inventory.first + len(frames["inventory"])
    saved = orders.ws[f"{orders.letter('paid_amount')}{total}"].value
    assert saved == pytest.approx(frames["orders"]["paid_amount"].sum(), abs=0.01)  # a value now, not a formula
    insp = inspect_workbook(path, keep="metrics")
    report = insp.report
    assert sorted((f.sheet, f.cell, f.row) for f in totals(report)) == sorted(
        [
            (orders.name, f"A{total}", total),
            (inventory.name, f"{inventory.letter('opening_stock')}{total_sku}", total_sku),
        ]
    )
    # The file's own 汇总 sheet sums whole columns, 合计 row included: that is the file's figure,
    # compared elsewhere (issue 10 item 6). No finding on the tables' rows.
    table_findings = [f for f in report.findings if f.sheet in (orders.name, inventory.name)]
    assert {f.rule for f in table_findings} == {"total_row"}, brief(table_findings)
    assert [f for f in errors(report) if f.sheet != "汇总"] == [], brief(errors(report))
    assert report.rows_checked == sum(len(f) for f in frames.values())
    assert_figures(insp, frames["orders"])
    inv = frames["inventory"]
    closing = inv["opening_stock"] + inv["stock_in"] - inv["stock_out"].fillna(0)
    stock_value = (closing * inv["unit_cost"]).round(2).sum()
    got = {m.name: m.value for m in insp.metrics if m.group is None}
    assert got["stock_value_total"] == pytest.approx(stock_value, abs=1e-6)
