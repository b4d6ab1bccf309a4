"""Issue 10, item 6: a template keeps working when staff add rows below its pre-formatted ones,
and `validate` reports every figure the 汇总 sheet shows (typed, or a formula's saved result)
that disagrees with the rows, at its cell, with both values and the likely cause.

Filled the way it happens: openpyxl writes the rows into a generated template, LibreOffice
recalculates and saves it (as a person's spreadsheet program would); the figures are checked
against pandas computations of the same rows written out here, not with ecomsheets' own."""

from __future__ import annotations

import math
import re
import zipfile
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.cell_range import MultiCellRange

from ecomsheets.compute.derived import compute_derived
from ecomsheets.compute.metrics import evaluate_metrics
from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.read.formulas import sheet_parts
from ecomsheets.validate import validate
from tests.fill import fill_template, read_meta
from tests.helpers import CATALOG, MONTH, cli_example
from tests.lo import recalc, requires_libreoffice

NOW = datetime(2026, 11, 1, 9)
BUNDLE = CATALOG.bundle("department")
# The settings a template leaves to the manager (value: null, e.g. the inquiry reply limit), as
# the manager fills them in on 汇总: the catalogue's example values.
SETTINGS = {p.name: p.example for p in BUNDLE.parameter_specs if p.value is None}


def fill_settings(wb) -> None:
    """Type SETTINGS into their cells on 汇总 (an openpyxl workbook of a generated template)."""
    meta = read_meta(wb)
    for name, value in SETTINGS.items():
        wb[meta["summary"]["sheet"]][meta["summary"]["params"][name].replace("$", "")] = value


def close(a, b) -> bool:
    if a in (None, "") or b is None:
        return a in (None, "") and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def frames_with(orders: int, seed: int) -> dict:
    return example_frames(
        CATALOG,
        "department",
        MONTH,
        rows={
            "orders": orders,
            "logistics": 30,
            "complaints": 30,
            "product_sales": 40,
            "daily_reports": 30,
            "attendance": 30,
        },
        seed=seed,
    )


def by_pandas(orders: pd.DataFrame) -> dict:
    """The order figures of 汇总, computed here with plain pandas."""
    discount = orders["discount"].fillna(0.0)
    amount = (orders["quantity"] * orders["unit_price"] - discount).round(2)
    out = {
        "order_count": float(orders["order_id"].nunique()),
        "sales_total": float(amount.sum()),
        "paid_total": float(orders["paid_amount"].sum()),
        "units_sold": float(orders["quantity"].sum()),
        "records": float(orders["order_id"].notna().sum()),
        "discount_total": float(discount.sum()),
    }
    out["avg_order_value"] = out["sales_total"] / out["order_count"]
    out["by_channel"] = amount.groupby(orders["channel"]).sum().to_dict()
    return out


def summary_value(wb, meta, name):
    return wb[meta["summary"]["sheet"]][meta["summary"]["metrics"][name]["cell"].split("!")[1]].value


def column_of(dv) -> str:
    return re.match(r"[A-Z]+", str(dv.sqref)).group(0)


def total_cell(meta, table, column):
    return next(t["cell"] for t in meta["summary"]["totals"] if (t["table"], t["column"]) == (table, column))


def grid(ws, place) -> dict:
    keys = [c.value for (c,) in ws[place["keys"]]]
    values = [c.value for (c,) in ws[place["values"]]]
    return {
        (k.date().isoformat() if isinstance(k, datetime) else k): (v, c)
        for k, v, c in zip(keys, values, [c.coordinate for (c,) in ws[place["values"]]])
        if k not in (None, "")
    }


# --- the template ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("grow") / "template.xlsx"
    generate_workbook(CATALOG, "department", path, month=MONTH, rows=500, now=NOW)
    return path


def test_template_reaches_below_its_rows(template):
    wb = openpyxl.load_workbook(template)
    meta = read_meta(wb)
    orders = next(t for t in meta["tables"] if t["name"] == "orders")
    assert (orders["rows"], orders["formula_last_row"]) == (500, 1002)
    ws = wb["订单"]
    # Derived formulas: the 500 rows and as many again.
    assert ws["I602"].value == '=IF(OR(F602="",G602=""),"",ROUND(F602*G602-H602,2))'
    assert ws["I1002"].value.startswith("=IF(OR(F1002") and ws["I1003"].value is None
    # Checks and prompts: every row of the sheet; uniqueness and dropdowns of other sheets' keys:
    # ten times the rows.
    for dv in ws.data_validations.dataValidation:
        assert f"{column_of(dv)}602" in dv.sqref and str(dv.sqref).endswith("1048576"), dv.sqref
    assert {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"} >= {
        "'客户'!$A$3:$A$5002",
        "'库存'!$A$3:$A$5002",
    }
    assert wb["客户"].data_validations.dataValidation[0].formula1 == "SUMPRODUCT(--($A$3:$A$5002=A3))<=1"
    # Summary: whole columns, and the distinct count down to the last filled order id.
    summary = wb["汇总"]
    count = summary_value(wb, meta, "order_count")
    assert "'订单'!$A$3:INDEX('订单'!$A$3:$A$1048576," in count and "$A$502" not in count
    assert summary_value(wb, meta, "sales_total") == "=SUM('订单'!$I$3:$I$1048576)"
    # Grids over a master table list its rows as far as its formulas reach.
    place = meta["summary"]["metrics"]["stock_value_by_sku"]
    first, last = (int(re.sub(r"\D", "", c)) for c in place["keys"].split(":"))
    assert (
        last - first + 1 == 1000
        and summary[place["keys"].split(":")[1]].value == "=IF('库存'!$A$1002=\"\",\"\",'库存'!$A$1002)"
    )


def test_openpyxl_filled_past_the_rows_has_no_false_errors(template, tmp_path):
    """openpyxl saves no results for the formulas: nothing to compare, nothing reported."""
    frames = frames_with(600, seed=5)
    filled = fill_template(template, frames, tmp_path / "filled.xlsx")
    report = validate(filled)
    assert [(f.rule, f.cell) for f in report.findings if f.severity == "error"] == []
    assert report.rows_checked == sum(len(f) for f in frames.values())


# --- 600 orders in a 500-row template, recalculated by LibreOffice -----------------------------
@pytest.fixture(scope="module")
def grown(template, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grown")
    frames = frames_with(600, seed=5)
    filled = fill_template(template, frames, tmp / "filled.xlsx")
    wb = openpyxl.load_workbook(filled)
    fill_settings(wb)
    wb.save(filled)
    saved = recalc(filled, tmp / "lo")
    return frames, saved


@pytest.mark.libreoffice
@pytest.mark.slow
@requires_libreoffice
def test_600_orders_in_a_500_row_template(grown):
    frames, saved = grown
    orders = frames["orders"]
    assert len(orders) == 600
    wb = openpyxl.load_workbook(saved, data_only=True)
    meta = read_meta(wb)
    ws = wb["订单"]
    # Every order's 订单金额 was computed by LibreOffice, the 100 added ones too (rows 503-602).
    want = (orders["quantity"] * orders["unit_price"] - orders["discount"].fillna(0)).round(2)
    for i, value in enumerate(want.tolist()):
        assert close(ws.cell(3 + i, 9).value, value), f"I{3 + i}"
    # Checks still cover the added rows after LibreOffice saved the file.
    assert len(ws.data_validations.dataValidation) >= 12
    for dv in ws.data_validations.dataValidation:
        assert f"{column_of(dv)}602" in MultiCellRange(str(dv.sqref)), dv.sqref
    # 汇总 equals pandas on all 600 orders.
    expected = by_pandas(orders)
    summary = wb["汇总"]
    for name in ("order_count", "sales_total", "paid_total", "units_sold", "avg_order_value"):
        assert close(summary_value(wb, meta, name), expected[name]), name
    assert close(summary[total_cell(meta, "orders", "order_id")].value, expected["records"])
    assert close(summary[total_cell(meta, "orders", "amount")].value, expected["sales_total"])
    assert close(summary[total_cell(meta, "orders", "discount")].value, expected["discount_total"])
    channels = grid(summary, meta["summary"]["metrics"]["sales_by_channel"])
    for channel, total in expected["by_channel"].items():
        assert close(channels[channel][0], total), channel
    # ...and every other figure equals the recomputation validate uses.
    full = {n: f.assign(**compute_derived(f, CATALOG.tables[n])) for n, f in frames.items()}
    for v in evaluate_metrics(BUNDLE, CATALOG.tables, full, MONTH, params=SETTINGS):
        place = meta["summary"]["metrics"][v.name]
        got = summary[place["cell"].split("!")[1]].value if v.group is None else grid(summary, place)[v.group][0]
        assert close(got, v.value), (v.name, v.group)
    # Nothing to report.
    report = validate(saved)
    assert [(f.rule, f.sheet, f.cell) for f in report.findings] == []


# --- figures that miss rows: errors at their cells with both values ---------------------------
@pytest.fixture(scope="module")
def short(tmp_path_factory):
    """A 20-row template (formulas to row 42) with 50 orders, and its 订单数 formula replaced by
    the bounded one templates had before (rows 3-22); recalculated by LibreOffice."""
    tmp = tmp_path_factory.mktemp("short")
    path = generate_workbook(CATALOG, "department", tmp / "template.xlsx", month=MONTH, rows=20, now=NOW).path
    frames = frames_with(50, seed=9)
    filled = fill_template(path, frames, tmp / "filled.xlsx")
    wb = openpyxl.load_workbook(filled)
    meta = read_meta(wb)
    cell = meta["summary"]["metrics"]["order_count"]["cell"].split("!")[1]
    r = "'订单'!$A$3:$A$22"
    wb["汇总"][cell] = f'=SUMPRODUCT(({r}<>"")*(MATCH({r}&"",{r}&"",0)=ROW({r})-2))'
    fill_settings(wb)
    wb.save(filled)
    return frames, recalc(filled, tmp / "lo"), meta


@pytest.mark.libreoffice
@pytest.mark.slow
@requires_libreoffice
def test_figures_that_miss_added_rows_are_errors_at_their_cells(short):
    frames, saved, meta = short
    orders = frames["orders"]
    shown = openpyxl.load_workbook(saved, data_only=True)["汇总"]
    report = validate(saved)
    found = {f.cell: f for f in report.findings if f.rule == "summary_mismatch"}
    assert {f.rule for f in report.findings} == {"summary_mismatch"}, [(f.rule, f.cell) for f in report.findings]
    assert all(f.severity == "error" and f.sheet == "汇总" for f in found.values())
    place = lambda n: meta["summary"]["metrics"][n]["cell"].split("!")[1]  # noqa: E731
    expected = by_pandas(orders)
    # 订单数: the old bounded formula stops at row 22.
    count = found[place("order_count")]
    assert count.expected == expected["order_count"] == 50
    assert count.value == f"{orders['order_id'].iloc[:20].nunique():,}" == f"{shown[place('order_count')].value:,}"
    assert "第 22 行" in count.message and "30 行没有算进去" in count.message
    # 销售额 and 订单金额合计: rows 43-52 have no formula in 订单金额 (the template's end at row 42).
    amount_in_sheet = float(
        (orders["quantity"] * orders["unit_price"] - orders["discount"].fillna(0)).round(2).iloc[:40].sum()
    )
    for cell in (place("sales_total"), total_cell(meta, "orders", "amount")):
        f = found[cell]
        assert f.expected == pytest.approx(expected["sales_total"])
        assert close(shown[cell].value, amount_in_sheet)
        assert f.value == f"{amount_in_sheet:,.2f}".rstrip("0").rstrip(".")
        assert "第 43 行起的 10 行“订单金额”没有公式" in f.message and "第 42 行" in f.message
        assert "from row 43 have no formula in 'Amount'" in f.message_en
    # 客单价 divides both; the channel grid sums 订单金额 too; 实付金额 and 销售件数 are right.
    assert place("avg_order_value") in found
    channels = grid(shown, meta["summary"]["metrics"]["sales_by_channel"])
    late = set(orders["channel"].iloc[40:])
    assert {channels[c][1] for c in late} <= set(found)
    for name in ("paid_total", "units_sold"):
        assert place(name) not in found
    # Every reported figure: what the sheet shows, and what the rows give.
    full = {n: f.assign(**compute_derived(f, CATALOG.tables[n])) for n, f in frames.items()}
    values = {
        (v.name, v.group): v.value for v in evaluate_metrics(BUNDLE, CATALOG.tables, full, MONTH, params=SETTINGS)
    }
    for cell, f in found.items():
        assert f.expected is not None and f.value, cell
        if (f.column, None) in values:
            assert f.expected == pytest.approx(values[(f.column, None)])
    assert report.errors == len(found)


# --- figures saved by the writer -------------------------------------------------------------
def make_example(path):
    return cli_example(path, "--month", "2026-11", "--rows", 40, "--seed", 3)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return make_example(tmp_path_factory.mktemp("example") / "e.xlsx")


def test_example_workbook_stores_its_results_and_validates(example, tmp_path, monkeypatch):
    """`example` stores the results of its records and totals (not xlsxwriter's 0): a program
    that does not recalculate shows the right numbers, and validation has nothing to report."""
    assert validate(example).errors == 0
    wb = openpyxl.load_workbook(example, data_only=True)
    meta = read_meta(wb)
    frames = example_frames(CATALOG, "department", MONTH, rows=40, seed=3)
    expected = by_pandas(frames["orders"])
    summary = wb["汇总"]
    assert summary[total_cell(meta, "orders", "order_id")].value == len(frames["orders"]) == expected["records"]
    assert close(summary[total_cell(meta, "orders", "amount")].value, expected["sales_total"])
    assert close(summary[total_cell(meta, "orders", "paid_amount")].value, expected["paid_total"])
    # The metrics' figures too, when the writer is told to store them (see generate/cached.py).
    import ecomsheets.generate.cached as cached

    monkeypatch.setattr(cached, "STORE_FIGURES", True)
    full = make_example(tmp_path / "full.xlsx")
    assert validate(full).errors == 0
    wb = openpyxl.load_workbook(full, data_only=True)
    for name in ("order_count", "sales_total", "paid_total", "units_sold", "avg_order_value"):
        assert close(summary_value(wb, meta, name), expected[name]), name


def _edit_saved_result(path, out, cell: str, value: str) -> None:
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        part = sheet_parts(zin)["汇总"]
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                start = data.index(f'<c r="{cell}"'.encode())
                end = data.index(b"</c>", start)
                data = (
                    data[:start]
                    + re.sub(rb"<v>[^<]*</v>", f"<v>{value}</v>".encode(), data[start:end], count=1)
                    + data[end:]
                )
            zout.writestr(item, data)


def test_saved_result_that_disagrees_is_an_error_with_both_values(example, tmp_path):
    meta = read_meta(openpyxl.load_workbook(example))
    sales = meta["summary"]["metrics"]["sales_total"]["cell"].split("!")[1]
    records = total_cell(meta, "orders", "order_id")
    want = by_pandas(example_frames(CATALOG, "department", MONTH, rows=40, seed=3)["orders"])
    out = tmp_path / "edited.xlsx"
    _edit_saved_result(example, tmp_path / "one.xlsx", sales, "12345.5")
    _edit_saved_result(tmp_path / "one.xlsx", out, records, "7")
    report = validate(out)
    assert sorted((f.severity, f.rule, f.sheet, f.cell) for f in report.findings) == sorted(
        [("error", "summary_mismatch", "汇总", sales), ("error", "summary_mismatch", "汇总", records)]
    )
    by_cell = {f.cell: f for f in report.findings}
    f = by_cell[sales]
    assert (f.value, f.expected) == ("12,345.5", pytest.approx(want["sales_total"]))
    assert f.message.startswith("销售额：表格里显示 12,345.5，按明细重新计算应为 ")
    assert "重新计算" in f.message and f.message_en.startswith("销售额: the workbook shows 12,345.5; recomputed")
    g = by_cell[records]
    assert (g.value, g.expected, g.header) == ("7", want["records"], "订单 记录数")


@pytest.mark.libreoffice
@pytest.mark.slow
@requires_libreoffice
def test_example_results_are_what_libreoffice_calculates(tmp_path, monkeypatch):
    """Every result `example` stores in 汇总 (figures included) is the one a spreadsheet
    program calculates."""
    import ecomsheets.generate.cached as cached

    monkeypatch.setattr(cached, "STORE_FIGURES", True)
    example = make_example(tmp_path / "e.xlsx")
    ours = openpyxl.load_workbook(example, data_only=True)["汇总"]
    theirs = openpyxl.load_workbook(recalc(example, tmp_path / "lo"), data_only=True)["汇总"]
    formulas = openpyxl.load_workbook(example)["汇总"]
    checked = 0
    for row in formulas.iter_rows():
        for c in row:
            if not (isinstance(c.value, str) and c.value.startswith("=")):
                continue
            a, b = ours[c.coordinate].value, theirs[c.coordinate].value
            a, b = ((v - datetime(1899, 12, 30)).days if isinstance(v, datetime) else v for v in (a, b))
            if a in (None, "") or b in (None, ""):
                assert a in (None, "") and b in (None, ""), (c.coordinate, a, b)
            elif isinstance(b, str):
                assert a == b, (c.coordinate, a, b)
            else:
                assert close(a, b), (c.coordinate, a, b)
            checked += 1
    assert checked > 300
