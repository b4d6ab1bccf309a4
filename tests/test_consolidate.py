"""Consolidating several shops' workbooks into the monthly summary.

Inputs are example workbooks (different seeds, so different keys, like different shops),
edited with openpyxl or built from edited example frames where a case needs it. Checked:
totals are the sum of the parts; every merged row's lineage points at its real source cell;
rows outside the month, key conflicts, identical duplicates, files with errors and unreadable
files are left out and reported; inputs are never modified; the same inputs give the same
summary workbook; the summary workbook read back with openpyxl (sheets, charts, overview,
sources, lineage columns); the JSON of `consolidate` and `summarize` on the command line.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, LineChart, PieChart

from ecomsheets.months import parse_month
from ecomsheets.summarize.consolidate import consolidate
from ecomsheets.summarize.writer import write_summary_workbook
from ecomsheets.validate.run import inspect_many
from tests.helpers import CATALOG, MONTH, NOW, run_cli, write_example
from tests.helpers import sha256 as sha

BUNDLE = CATALOG.bundles["department"]
ROWS = 40
SEEDS = (1, 2, 3)
FIRST_ROW = 3  # data starts on Excel row 3 (title on row 1, headers on row 2)

PERIODS = {"day": "（日）", "week": "（周）"}


def _metric_sheet_name(metric) -> str:
    """A grouped metric's sheet in the summary workbook: 按{column}{period}·{sheet}."""
    table = CATALOG.tables[metric.table]
    return f"按{table.column(metric.by).header('zh')}{PERIODS.get(metric.period, '')}·{table.sheet}"


# Every table of the bundle has its data sheet, every grid of grouped metrics (table, column,
# period) its metric sheet, both in bundle order: derived from the catalogue, not listed here.
DATA_SHEETS = [CATALOG.tables[name].sheet for name in BUNDLE.tables]
METRIC_SHEETS = list(dict.fromkeys(_metric_sheet_name(m) for m in BUNDLE.metrics if m.by))
LINEAGE_HEADS = ["来源文件", "来源工作表", "来源行"]
# Before the metric sheets: who handed in, the overview and the side by side (each a chart but
# the first); after the data: sources, findings and the hidden figures next month reads back.
FIRST_SHEETS = ["交表情况", "概览", "横向对比"]
LAST_SHEETS = ["来源", "问题", "_figures"]
CHARTED = {"概览", "横向对比", *METRIC_SHEETS}


# --- helpers -----------------------------------------------------------------------------------
def make_shop(path: Path, seed: int, *, month=MONTH, edit=None) -> dict:
    return write_example(path, rows=ROWS, seed=seed, month=month, now=NOW, edit=edit)


def values(metrics) -> dict:
    """{name: value} for ungrouped metrics, {name: {group: value}} for grouped ones."""
    out: dict = {}
    for m in metrics:
        if m.group is None:
            out[m.name] = m.value
        else:
            out.setdefault(m.name, {})[m.group] = m.value
    return out


def amount(line) -> float:
    """An order line's amount as the template computes it: ROUND(qty * price - discount, 2)."""
    discount = 0.0 if pd.isna(line["discount"]) else line["discount"]
    return round(line["quantity"] * line["unit_price"] - discount, 2)


def findings(result, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


def merged_places(result, table: str) -> set[tuple[str, str, int]]:
    frame = result.tables[table]
    return set(zip(frame["_source_file"], frame["_source_sheet"], frame["_source_row"].astype(int)))


def cell_values(path: Path) -> dict:
    """Every sheet's cell values and charts, as openpyxl reads them back."""
    wb = openpyxl.load_workbook(path)
    out = {
        ws.title: ([list(r) for r in ws.iter_rows(values_only=True)], [type(c).__name__ for c in ws._charts])
        for ws in wb.worksheets
    }
    wb.close()
    return out


def overview(book) -> dict:
    """{metric title: value} from the overview sheet (titles in A, values in B, from row 7)."""
    ws = (book if isinstance(book, openpyxl.Workbook) else openpyxl.load_workbook(book))["概览"]
    assert (ws["A6"].value, ws["B6"].value) == ("指标", "数值")
    return {
        ws.cell(r, 1).value: ws.cell(r, 2).value
        for r in range(7, ws.max_row + 1)
        if ws.cell(r, 1).value and ws.cell(r, 1).value != "其他指标"  # the headline first, then the others
    }


def inspect(paths, month=None) -> list:
    """What `consolidate` reads of each file (in this process: the child process that reads
    each file for the command line is exercised by the CLI tests below)."""
    return inspect_many(paths, catalog=CATALOG, month=month, isolate=False)


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("consolidate")


@pytest.fixture(scope="module")
def shops(base) -> SimpleNamespace:
    """Three clean example workbooks (never modified: edits go to copies)."""
    folder = base / "shops"
    folder.mkdir()
    paths, frames = [], []
    for seed in SEEDS:
        path = folder / f"shop{seed}.xlsx"
        frames.append(make_shop(path, seed))
        paths.append(path)
    return SimpleNamespace(paths=paths, frames=frames, hashes=[sha(p) for p in paths])


@pytest.fixture(scope="module")
def clean(shops, base) -> SimpleNamespace:
    inspections = inspect(shops.paths)
    result = consolidate(inspections, CATALOG, month=MONTH)
    out = base / "summary_clean.xlsx"
    write_summary_workbook(result, CATALOG, out, inputs=tuple(shops.paths))
    parts = [values(i.metrics) for i in inspections]
    return SimpleNamespace(
        inspections=inspections,
        result=result,
        path=out,
        parts=parts,
        merged=values(result.metrics),
        wb=openpyxl.load_workbook(out),
    )


@pytest.fixture(scope="module")
def source_books(shops) -> dict:
    """The three inputs as openpyxl reads them."""
    return {str(p): openpyxl.load_workbook(p) for p in shops.paths}


# --- clean inputs: sum of the parts --------------------------------------------------------------
def test_clean_inputs_are_all_taken(clean, shops):
    assert [i.report.errors for i in clean.inspections] == [0, 0, 0]
    assert clean.result.findings == []
    assert [s.status for s in clean.result.sources] == ["taken"] * 3
    assert [s.path for s in clean.result.sources] == [str(p) for p in shops.paths]
    assert all(v == 0 for v in clean.result.left_out.values())
    for name in BUNDLE.tables:
        assert len(clean.result.tables[name]) == sum(len(f[name]) for f in shops.frames)


def test_parts_are_what_the_example_rows_give(clean, shops):
    """Each file's own figures, recomputed by hand from the rows written into it."""
    for part, frames in zip(clean.parts, shops.frames):
        orders = frames["orders"]
        assert part["sales_total"] == pytest.approx(sum(amount(r) for _, r in orders.iterrows()))
        assert part["paid_total"] == pytest.approx(orders["paid_amount"].sum())
        assert part["order_count"] == orders["order_id"].nunique()
        assert part["units_sold"] == orders["quantity"].sum()


@pytest.mark.parametrize(
    "name",
    [
        "sales_total",
        "order_count",
        "paid_total",
        "units_sold",
        "complaint_count",
        "delivered_count",
        "stock_value_total",
        "headcount_current_total",
    ],
)
def test_total_is_the_sum_of_the_parts(clean, name):
    assert clean.merged[name] == pytest.approx(sum(p[name] for p in clean.parts))
    assert clean.merged[name] > 0


@pytest.mark.parametrize(
    "name", ["sales_by_channel", "sales_by_day", "complaints_by_type", "shipments_by_courier", "sales_by_province"]
)
def test_grouped_total_is_the_sum_of_the_parts_per_group(clean, name):
    merged = clean.merged[name]
    assert list(merged) == list(clean.parts[0][name])  # the same fixed grid
    for group, value in merged.items():
        assert value == pytest.approx(sum(p[name][group] for p in clean.parts)), group
    assert sum(merged.values()) > 0


def test_grouped_by_master_rows_is_the_union_of_the_parts(clean):
    merged = clean.merged["reports_by_employee"]
    assert list(merged) == [k for p in clean.parts for k in p["reports_by_employee"]]  # employees of every shop
    for part in clean.parts:
        for group, value in part["reports_by_employee"].items():
            assert merged[group] == value


def test_ratios_are_recomputed_not_added(clean):
    m = clean.merged
    assert m["avg_order_value"] == pytest.approx(m["sales_total"] / m["order_count"])
    assert m["on_time_rate"] == pytest.approx(m["on_time_count"] / m["delivered_count"])
    assert m["resolution_rate"] == pytest.approx(m["resolved_count"] / m["complaint_count"])


# --- lineage -----------------------------------------------------------------------------------
def _header_columns(ws) -> dict[str, int]:
    return {str(c.value).rstrip("*"): c.column for c in ws[2] if c.value is not None}


@pytest.mark.parametrize(
    "table, columns",
    [
        ("orders", ["order_id", "order_date", "customer_id", "channel", "sku", "quantity", "unit_price", "status"]),
        ("complaints", ["complaint_id", "type", "received_time", "status"]),
    ],
)
def test_lineage_points_at_the_source_cell_of_every_row(clean, shops, source_books, table, columns):
    frame = clean.result.tables[table]
    spec = CATALOG.tables[table]
    assert len(frame) == ROWS * len(SEEDS)
    for _, row in frame.iterrows():
        ws = source_books[row["_source_file"]][row["_source_sheet"]]
        assert row["_source_sheet"] == spec.sheet
        heads = _header_columns(ws)
        for name in columns:
            source = ws.cell(int(row["_source_row"]), heads[spec.column(name).title]).value
            want = row[name]
            if isinstance(source, datetime):
                assert pd.Timestamp(source) == pd.Timestamp(want), (row["_source_row"], name)
            elif isinstance(source, (int, float)):
                assert float(source) == pytest.approx(float(want)), (row["_source_row"], name)
            else:
                assert source == want, (row["_source_row"], name)
    # Each source row is taken once, and every data row of each file is taken.
    places = merged_places(clean.result, table)
    assert len(places) == len(frame)
    assert {(f, r) for f, _, r in places} == {
        (str(p), r) for p in shops.paths for r in range(FIRST_ROW, FIRST_ROW + ROWS)
    }


def test_data_sheets_carry_the_lineage_of_each_row(clean):
    wb = clean.wb
    for name in BUNDLE.tables:
        spec = CATALOG.tables[name]
        frame = clean.result.tables[name]
        ws = wb[spec.sheet]
        rows = list(ws.iter_rows(values_only=True))
        heads = list(rows[0])
        assert heads[-3:] == LINEAGE_HEADS
        assert len(rows) == len(frame) + 1
        key = heads.index(spec.column(spec.primary_key[0]).title)
        for written, (_, merged) in zip(rows[1:], frame.iterrows()):
            assert list(written[-3:]) == [
                Path(merged["_source_file"]).name,
                merged["_source_sheet"],
                int(merged["_source_row"]),
            ]
            want = merged[spec.primary_key[0]]
            got = written[key]
            assert (pd.Timestamp(got) == pd.Timestamp(want)) if isinstance(got, datetime) else got == want


# --- the summary workbook read back --------------------------------------------------------------
def test_summary_workbook_sheets(clean):
    wb = clean.wb
    assert wb.sheetnames == [*FIRST_SHEETS, *METRIC_SHEETS, *DATA_SHEETS, *LAST_SHEETS]
    for ws in wb.worksheets:
        assert len(ws._charts) == (1 if ws.title in CHARTED else 0), ws.title
    assert isinstance(wb["按下单日期（日）·订单"]._charts[0], LineChart)
    assert isinstance(wb["按投诉类型·投诉"]._charts[0], (PieChart, BarChart))
    assert isinstance(wb["按渠道·订单"]._charts[0], (PieChart, BarChart))
    assert isinstance(wb["按快递公司·物流"]._charts[0], BarChart)
    for name in DATA_SHEETS:
        assert [c.value for c in wb[name][1]][-3:] == LINEAGE_HEADS


def test_metric_sheets_hold_every_group(clean):
    wb = clean.wb
    titles = {m.title: m.name for m in BUNDLE.metrics}
    total = 0
    for sheet in METRIC_SHEETS:
        rows = list(wb[sheet].iter_rows(values_only=True))
        heads = rows[0]
        first = clean.merged[titles[heads[1]]]
        keys = [r[0] for r in rows[1:]]
        assert sorted(keys) == sorted(first), sheet  # every group of the grid, once
        if len(first) > 60 and "（日）" not in sheet and "（周）" not in sheet:
            # long lists (SKUs, staff) are ranked by the first figure, largest first
            values = [first[k] or 0 for k in keys]
            assert values == sorted(values, reverse=True), sheet
        else:
            assert keys == list(first), sheet  # the grid's own order (values, days, master rows)
        for j, title in enumerate(heads[1:], start=1):
            grid = clean.merged[titles[title]]
            for r in rows[1:]:
                assert r[j] == pytest.approx(grid[r[0]]), (sheet, title, r[0])
            total += 1
    assert total == sum(1 for m in BUNDLE.metrics if m.by)  # every grouped metric has its column
    days = [r[0] for r in wb["按下单日期（日）·订单"].iter_rows(min_row=2, values_only=True)]
    assert days == [f"2026-11-{d:02d}" for d in range(1, 31)]


def test_overview_numbers_are_the_recomputed_metrics(clean):
    shown = overview(clean.wb)
    ungrouped = [m for m in clean.result.metrics if m.group is None]
    assert sorted(shown) == sorted(m.title for m in ungrouped)
    for m in ungrouped:
        assert shown[m.title] == pytest.approx(m.value), m.name
    assert shown["销售额"] == pytest.approx(sum(p["sales_total"] for p in clean.parts))
    assert shown["订单数"] == ROWS * len(SEEDS)


def test_sources_sheet_lists_every_file(clean, shops):
    rows = list(clean.wb["来源"].iter_rows(values_only=True))
    assert list(rows[0]) == ["文件", "SHA-256", "读取行数", "计入行数", "错误", "提醒", "状态"]
    assert len(rows) == 1 + len(shops.paths)
    for row, path, insp in zip(rows[1:], shops.paths, clean.inspections):
        taken = sum(int((f["_source_file"] == str(path)).sum()) for f in clean.result.tables.values())
        report = insp.report
        assert row == (str(path), sha(path), report.rows_checked, taken, report.errors, report.warnings, "已计入")
        assert report.errors == 0
        assert row[2] == sum(len(f) for f in shops.frames[shops.paths.index(path)].values())
    assert list(clean.wb["问题"].iter_rows(values_only=True)) == [("级别", "文件", "位置", "问题")]


def test_same_inputs_same_summary_workbook(clean, shops, base):
    again = consolidate(inspect(shops.paths), CATALOG, month=MONTH)
    out = base / "summary_again.xlsx"
    write_summary_workbook(again, CATALOG, out, inputs=tuple(shops.paths))
    first, second = cell_values(clean.path), cell_values(out)
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], name
    assert sum(len(charts) for _, charts in first.values()) == len(CHARTED)


# --- rows outside the month --------------------------------------------------------------------
@pytest.fixture(scope="module")
def october_row(shops, base) -> SimpleNamespace:
    """shop1 with the date of its first order (订单!B3) moved to October."""
    folder = base / "october_row"
    folder.mkdir()
    path = folder / "shop1_oct.xlsx"
    shutil.copy(shops.paths[0], path)
    wb = openpyxl.load_workbook(path)
    ws = wb["订单"]
    assert _header_columns(ws)["下单日期"] == 2
    ws["B3"].value = datetime(2026, 10, 15)
    wb.save(path)
    (insp,) = inspect([path], month=MONTH)  # as `consolidate --month 2026-11` does
    return SimpleNamespace(path=path, insp=insp)


def test_row_outside_the_month_is_left_out_and_counted(clean, october_row):
    result = consolidate([october_row.insp, *clean.inspections[1:]], CATALOG, month=MONTH)
    assert findings(result, "left_out_file") == []
    (month,) = findings(result, "left_out_month")
    assert (month.file, month.sheet, month.table) == (str(october_row.path), "订单", "orders")
    assert month.message == "订单管理表：1 行不在 2026-11 内，未计入"
    assert result.left_out["out_of_month"] == 1
    assert (str(october_row.path), "订单", 3) not in merged_places(result, "orders")
    assert values(result.metrics)["order_count"] == sum(p["order_count"] for p in clean.parts) - 1


def test_row_outside_the_month_with_include_invalid_leaves_out_only_that_row(clean, october_row, shops):
    result = consolidate([october_row.insp, *clean.inspections[1:]], CATALOG, month=MONTH, include_invalid=True)
    places = merged_places(result, "orders")
    assert (str(october_row.path), "订单", 3) not in places
    assert {(str(october_row.path), "订单", r) for r in range(4, FIRST_ROW + ROWS)} <= places
    got = values(result.metrics)
    first = shops.frames[0]["orders"].iloc[0]
    assert got["order_count"] == sum(p["order_count"] for p in clean.parts) - 1
    assert got["sales_total"] == pytest.approx(sum(p["sales_total"] for p in clean.parts) - amount(first))
    assert sum(result.left_out.values()) == 1


def test_file_of_another_month_contributes_nothing(clean, shops, base):
    """A shop sends last month's workbook: none of it is taken, not even its undated tables
    (employees, customers, inventory), and the file is listed as left out with its month."""
    path = base / "october_file" / "shop4_2026-10.xlsx"
    path.parent.mkdir()
    make_shop(path, 4, month=parse_month("2026-10"))
    (insp,) = inspect([path])  # each file checked against its own month
    assert insp.report.errors == 0
    result = consolidate([*clean.inspections, insp], CATALOG)  # the month most files are for
    assert str(result.month) == "2026-11"
    (left,) = findings(result, "left_out_other_month")
    assert left.file == str(path) and left.severity == "error"
    assert left.message == "这个文件是 2026-10 的，不是 2026-11 的，整份未计入（请确认是否交错了文件）"
    assert result.left_out["other_month"] == insp.report.rows_checked
    got = values(result.metrics)
    for name, want in clean.merged.items():  # every figure, master tables' ones included
        if isinstance(want, dict):
            assert got[name] == pytest.approx(want), name
        elif want is None:
            assert got[name] is None, name
        else:
            assert got[name] == pytest.approx(want, nan_ok=True), name
    (source,) = [s for s in result.sources if s.path == str(path)]
    assert (source.status, source.rows_taken) == ("other_month", 0)
    assert not result.complete


def test_file_without_metadata_all_dated_rows_elsewhere_contributes_nothing(clean, base):
    """Without its metadata sheet, a file whose every dated row is in October is October's."""
    path = base / "october_nometa" / "shop5.xlsx"
    path.parent.mkdir()
    make_shop(path, 5, month=parse_month("2026-10"))
    wb = openpyxl.load_workbook(path)
    del wb["_meta"]
    wb.save(path)
    (insp,) = inspect([path], month=MONTH)
    assert insp.report.meta_month is None
    result = consolidate([*clean.inspections, insp], CATALOG, month=MONTH, include_invalid=True)
    (left,) = findings(result, "left_out_other_month")
    assert "2026-10" in left.message
    assert [s.status for s in result.sources if s.path == str(path)] == ["other_month"]
    assert values(result.metrics)["stock_value_total"] == pytest.approx(clean.merged["stock_value_total"])


# --- keys found in several files ---------------------------------------------------------------
@pytest.fixture(scope="module")
def keyed(shops, clean, base) -> SimpleNamespace:
    """shop2 also holds one of shop1's order lines with another quantity (a conflict); shop3
    holds an exact copy of another of shop1's lines, with its customer and SKU rows (duplicates).

    Both lines are of SKUs shop1 received none of this month (库存 本月入库 0): a SKU row copied
    into another shop's file must still reconcile with that file's purchases (none of that SKU),
    so that each edited file is valid on its own."""
    a = shops.frames[0]
    unreceived = set(a["inventory"].loc[a["inventory"]["stock_in"] == 0, "sku"])
    lines = a["orders"][a["orders"]["sku"].isin(unreceived)]
    first_pos = a["orders"].index.get_loc(lines.index[0])  # its Excel row: FIRST_ROW + first_pos
    first = lines.iloc[0]
    # A single-line order: copied whole, it is a duplicate (an order partly copied is a conflict).
    other = next(
        i
        for i, r in lines.iterrows()
        if r["sku"] != first["sku"]
        and r["customer_id"] != first["customer_id"]
        and (a["orders"]["order_id"] == r["order_id"]).sum() == 1
    )
    copied = a["orders"].loc[other]

    def rows_of(table, column, key):
        return a[table][a[table][column] == key]

    def add_conflict(frames):
        line = (
            a["orders"]
            .iloc[[first_pos]]
            .assign(quantity=first["quantity"] + 1, customer_id=frames["customers"]["customer_id"].iloc[0])
        )
        frames["orders"] = pd.concat([frames["orders"], line], ignore_index=True)
        frames["inventory"] = pd.concat(
            [frames["inventory"], rows_of("inventory", "sku", first["sku"])], ignore_index=True
        )

    def add_duplicate(frames):
        frames["orders"] = pd.concat([frames["orders"], a["orders"].loc[[other]]], ignore_index=True)
        frames["customers"] = pd.concat(
            [frames["customers"], rows_of("customers", "customer_id", copied["customer_id"])], ignore_index=True
        )
        frames["inventory"] = pd.concat(
            [frames["inventory"], rows_of("inventory", "sku", copied["sku"])], ignore_index=True
        )

    folder = base / "keyed"
    folder.mkdir()
    b_path, c_path = folder / "shop2_conflict.xlsx", folder / "shop3_duplicate.xlsx"
    b = make_shop(b_path, 2, edit=add_conflict)
    c = make_shop(c_path, 3, edit=add_duplicate)
    inspections = inspect([b_path, c_path])
    result = consolidate([clean.inspections[0], *inspections], CATALOG, month=MONTH)
    first_lines = a["orders"][a["orders"]["order_id"] == first["order_id"]]
    return SimpleNamespace(
        result=result,
        inspections=inspections,
        a=shops.paths[0],
        b=b_path,
        c=c_path,
        first=first,
        first_row=FIRST_ROW + first_pos,
        first_lines=first_lines,
        copied=copied,
        b_frames=b,
        c_frames=c,
        parts=[clean.parts[0], *(values(i.metrics) for i in inspections)],
    )


def test_edited_files_are_valid_on_their_own(keyed):
    assert [i.report.errors for i in keyed.inspections] == [0, 0]


def test_conflicting_key_is_left_out_everywhere(keyed):
    (conflict,) = findings(keyed.result, "conflict")
    assert conflict.severity == "error" and conflict.table == "orders"
    # The order id decides (the table's file_key): every line of that order, in both files.
    assert conflict.message.startswith(
        f"订单管理表 {keyed.first['order_id']} 同时出现在 shop2_conflict.xlsx、shop1.xlsx 中且内容不同"
    )  # files in path order
    b_row = FIRST_ROW + ROWS  # appended after shop2's own 40 lines
    assert f"shop1.xlsx 订单!A{keyed.first_row}" in conflict.message
    assert f"shop2_conflict.xlsx 订单!A{b_row}" in conflict.message
    places = merged_places(keyed.result, "orders")
    assert (str(keyed.a), "订单", keyed.first_row) not in places
    assert (str(keyed.b), "订单", b_row) not in places
    orders = keyed.result.tables["orders"]
    assert not (orders["order_id"] == keyed.first["order_id"]).any()
    assert keyed.result.left_out["conflicts"] == len(keyed.first_lines) + 1
    assert {s.path: s.status for s in keyed.result.sources}[str(keyed.a)] == "partly"
    assert not keyed.result.complete


def test_identical_rows_are_counted_once(keyed):
    dupes = {f.table: f for f in findings(keyed.result, "duplicate_rows")}
    assert set(dupes) == {"orders", "customers", "inventory"}
    assert (
        dupes["orders"].message == "订单管理表：1 行在几个文件中完全相同，只计一次（shop3_duplicate.xlsx = shop1.xlsx）"
    )
    assert dupes["orders"].file
    assert dupes["customers"].message.startswith(f"{CATALOG.tables['customers'].title}：1 行")
    # inventory: shop1's two SKU rows copied into shop2 and shop3.
    assert dupes["inventory"].message.startswith("产品库存管理表：2 行在几个文件中完全相同，只计一次（")
    assert keyed.result.left_out["duplicates"] == 1 + 1 + 2
    orders = keyed.result.tables["orders"]
    copies = orders[(orders["order_id"] == keyed.copied["order_id"]) & (orders["sku"] == keyed.copied["sku"])]
    assert len(copies) == 1
    for name, key, value in [
        ("customers", "customer_id", keyed.copied["customer_id"]),
        ("inventory", "sku", keyed.copied["sku"]),
        ("inventory", "sku", keyed.first["sku"]),
    ]:
        assert (keyed.result.tables[name][key] == value).sum() == 1


def test_consolidation_findings_name_the_table_in_english_too(keyed):
    dupes = {f.table: f for f in findings(keyed.result, "duplicate_rows")}
    assert dupes["orders"].message_en.startswith("Orders: 1 row was identical in several files and counted once")
    (conflict,) = findings(keyed.result, "conflict")
    assert conflict.message_en.startswith(
        f"Orders {keyed.first['order_id']} appears in shop2_conflict.xlsx, shop1.xlsx"
    )


def test_totals_after_conflicts_and_duplicates(keyed):
    got, parts, first, copied = values(keyed.result.metrics), keyed.parts, keyed.first, keyed.copied
    # The conflicting order out everywhere (shop1's lines and shop2's line with one more unit);
    # the copy counted once.
    lines = keyed.first_lines
    conflict_b = first.copy()
    conflict_b["quantity"] += 1
    assert got["sales_total"] == pytest.approx(
        sum(p["sales_total"] for p in parts)
        - sum(amount(r) for _, r in lines.iterrows())
        - amount(conflict_b)
        - amount(copied)
    )
    assert (
        got["units_sold"]
        == sum(p["units_sold"] for p in parts) - lines["quantity"].sum() - (first["quantity"] + 1) - copied["quantity"]
    )
    # Distinct order ids: the conflicting order (in two files) is gone, the copied one counts once.
    assert got["order_count"] == sum(p["order_count"] for p in parts) - 2 - 1
    # Rows taken: all read, less the conflicting lines and one copy of each of the 4 repeats.
    sources = keyed.result.sources
    assert sum(s.rows_taken for s in sources) == sum(s.rows_read for s in sources) - len(lines) - 1 - 4
    assert sum(s.rows_taken for s in sources) == sum(len(f) for f in keyed.result.tables.values())
    status = {s.path: s.status for s in sources}
    assert (status[str(keyed.a)], status[str(keyed.b)], status[str(keyed.c)]) == ("partly", "partly", "taken")


# --- files with errors -------------------------------------------------------------------------
BAD_ROW = 7  # 订单!D7: the channel of shop2's 5th order line


@pytest.fixture(scope="module")
def invalid(shops, clean, base) -> SimpleNamespace:
    folder = base / "invalid"
    folder.mkdir()
    path = folder / "shop2_bad.xlsx"
    shutil.copy(shops.paths[1], path)
    wb = openpyxl.load_workbook(path)
    ws = wb["订单"]
    assert _header_columns(ws)["渠道"] == 4
    ws[f"D{BAD_ROW}"].value = "火星商城"
    wb.save(path)
    (insp,) = inspect([path])
    inspections = [clean.inspections[0], insp, clean.inspections[2]]
    return SimpleNamespace(
        path=path, insp=insp, inspections=inspections, bad_line=shops.frames[1]["orders"].iloc[BAD_ROW - FIRST_ROW]
    )


def test_file_with_errors_is_left_out_by_default(invalid, clean):
    assert invalid.insp.report.errors == 1
    (bad,) = [f for f in invalid.insp.report.findings if f.severity == "error"]
    assert (bad.sheet, bad.cell, bad.row) == ("订单", f"D{BAD_ROW}", BAD_ROW)
    result = consolidate(invalid.inspections, CATALOG, month=MONTH)
    (left,) = findings(result, "left_out_file")
    assert left.file == str(invalid.path) and "1 个错误" in left.message
    source = next(s for s in result.sources if s.path == str(invalid.path))
    assert (source.status, source.rows_taken, source.errors) == ("left_out", 0, 1)
    assert result.left_out["file_errors"] == source.rows_read == invalid.insp.report.rows_checked
    assert all((f["_source_file"] != str(invalid.path)).all() for f in result.tables.values())
    got = values(result.metrics)
    for name in ("sales_total", "order_count", "paid_total"):
        assert got[name] == pytest.approx(clean.parts[0][name] + clean.parts[2][name])


def test_include_invalid_takes_the_valid_rows_only(invalid, clean):
    result = consolidate(invalid.inspections, CATALOG, month=MONTH, include_invalid=True)
    assert findings(result, "left_out_file") == []
    (rows,) = findings(result, "left_out_rows")
    assert (rows.file, rows.sheet, rows.table) == (str(invalid.path), "订单", "orders")
    assert rows.message == "订单管理表：1 行有错误，未计入"
    assert result.left_out["row_errors"] == 1
    source = next(s for s in result.sources if s.path == str(invalid.path))
    assert source.status == "partly" and source.rows_taken == source.rows_read - 1
    places = merged_places(result, "orders")
    assert (str(invalid.path), "订单", BAD_ROW) not in places
    assert {r for f, _, r in places if f == str(invalid.path)} == set(range(FIRST_ROW, FIRST_ROW + ROWS)) - {BAD_ROW}
    got = values(result.metrics)
    assert got["order_count"] == sum(p["order_count"] for p in clean.parts) - 1
    assert got["sales_total"] == pytest.approx(sum(p["sales_total"] for p in clean.parts) - amount(invalid.bad_line))
    assert got["sales_by_channel"]["淘宝"] == pytest.approx(
        sum(p["sales_by_channel"]["淘宝"] for p in clean.parts)
        - (amount(invalid.bad_line) if invalid.bad_line["channel"] == "淘宝" else 0)
    )


# --- the command line --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_runs(shops, clean, base) -> SimpleNamespace:
    """`consolidate --format json` of a folder holding the three shops and an unreadable file,
    once in full and once with --data-rows 0."""
    folder = base / "cli_in"
    folder.mkdir()
    for p in shops.paths:
        shutil.copy(p, folder / p.name)
    (folder / "broken.xlsx").write_bytes(b"this is not a workbook\n" * 20)
    before = {p.name: sha(p) for p in sorted(folder.iterdir())}
    outs, data = [], []
    for name, extra in [("full.xlsx", []), ("no_data.xlsx", ["--data-rows", "0"])]:
        out = base / name
        run = run_cli("consolidate", folder, "-o", out, "--month", "2026-11", "--format", "json", *extra)
        assert run.exit_code == 1, run.output  # a file left out (unreadable): exit code 1
        outs.append(out)
        data.append(json.loads(run.stdout))
    return SimpleNamespace(
        folder=folder, before=before, outs=outs, data=data, books=[openpyxl.load_workbook(o) for o in outs]
    )


def test_cli_consolidate_json_contract(cli_runs, clean):
    data = cli_runs.data[0]
    assert {"metrics", "sources", "findings", "left_out"} <= set(data)
    assert data["bundle"] == "department" and data["month"] == "2026-11"
    assert all(set(m) == {"name", "title", "group", "value", "declared", "cell"} for m in data["metrics"])
    got = {(m["name"], m["group"]): m["value"] for m in data["metrics"]}
    for m in clean.result.metrics:  # the same three shops consolidated through the API
        assert got[(m.name, m.group)] == (None if m.value is None else pytest.approx(m.value, abs=1e-6))
    assert len(got) == len(clean.result.metrics)
    assert all(v == 0 for v in data["left_out"].values())
    for s in data["sources"]:
        assert set(s) == {"file", "sha256", "rows_read", "rows_taken", "errors", "warnings", "status", "bundle"}


def test_cli_unreadable_file_is_reported_and_the_rest_consolidated(cli_runs):
    data = cli_runs.data[0]
    status = {Path(s["file"]).name: s["status"] for s in data["sources"]}
    assert status == {"broken.xlsx": "unreadable", "shop1.xlsx": "taken", "shop2.xlsx": "taken", "shop3.xlsx": "taken"}
    (bad,) = [f for f in data["findings"] if f["rule"] == "left_out_unreadable"]
    assert Path(bad["file"]).name == "broken.xlsx" and bad["severity"] == "error"
    assert len(data["findings"]) == 1
    for s in data["sources"]:
        if s["status"] == "taken":
            assert s["sha256"] == cli_runs.before[Path(s["file"]).name]
            assert s["rows_taken"] == s["rows_read"] > 0
        else:
            assert s["rows_taken"] == s["rows_read"] == 0
    rows = list(cli_runs.books[0]["来源"].iter_rows(min_row=2, values_only=True))
    assert [Path(r[0]).name for r in rows] == ["broken.xlsx", "shop1.xlsx", "shop2.xlsx", "shop3.xlsx"]
    assert [r[6] for r in rows] == ["无法读取", "已计入", "已计入", "已计入"]
    for r in rows[1:]:
        assert r[1] == cli_runs.before[Path(r[0]).name]
        assert r[3] == r[2] > 0
    problems = list(cli_runs.books[0]["问题"].iter_rows(min_row=2, values_only=True))
    assert [(p[0], Path(p[1]).name) for p in problems] == [("错误", "broken.xlsx")]


def test_cli_sources_give_the_sha256_of_an_unreadable_input_too(cli_runs):
    (broken,) = [s for s in cli_runs.data[0]["sources"] if Path(s["file"]).name == "broken.xlsx"]
    assert broken["sha256"] == cli_runs.before["broken.xlsx"]
    rows = list(cli_runs.books[0]["来源"].iter_rows(min_row=2, values_only=True))
    assert rows[0][1] == cli_runs.before["broken.xlsx"]


def test_cli_inputs_are_not_modified(cli_runs, shops):
    assert {p.name: sha(p) for p in sorted(cli_runs.folder.iterdir())} == cli_runs.before
    assert [sha(p) for p in shops.paths] == shops.hashes


def test_cli_data_rows_zero_writes_no_data_sheets_but_the_same_figures(cli_runs):
    full, bare = cli_runs.books
    assert full.sheetnames == [*FIRST_SHEETS, *METRIC_SHEETS, *DATA_SHEETS, *LAST_SHEETS]
    assert bare.sheetnames == [*FIRST_SHEETS, *METRIC_SHEETS, *LAST_SHEETS]
    assert cli_runs.data[1]["metrics"] == cli_runs.data[0]["metrics"]
    assert cli_runs.data[1]["sources"] == cli_runs.data[0]["sources"]
    assert overview(bare) == overview(full)
    for name in METRIC_SHEETS + ["来源", "问题"]:
        assert list(bare[name].iter_rows(values_only=True)) == list(full[name].iter_rows(values_only=True))
    assert [len(bare[n]._charts) for n in METRIC_SHEETS] == [1] * len(METRIC_SHEETS)


def test_cli_summarize_json_and_a_declared_figure(shops, clean, base):
    path = base / "typed" / "shop1_typed.xlsx"
    path.parent.mkdir()
    shutil.copy(shops.paths[0], path)
    run = run_cli("summarize", path, "--format", "json")
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert set(data) == {"file", "bundle", "metrics"}
    assert data["file"] == str(path) and data["bundle"] == "department"
    assert all(set(m) == {"name", "title", "group", "value", "declared", "cell"} for m in data["metrics"])
    records = {(m["name"], m["group"]): m for m in data["metrics"]}
    own = {(m.name, m.group): m.value for m in clean.inspections[0].metrics}
    assert set(records) == set(own)
    for k, v in own.items():
        assert records[k]["value"] == (None if v is None else pytest.approx(v, abs=1e-6)), k
    assert all(m["declared"] is None for m in data["metrics"])  # the summary sheet holds only formulas
    total, taobao = records[("sales_total", None)], records[("sales_by_channel", "淘宝")]
    assert total["title"] == "销售额" and total["cell"].startswith("汇总!")

    # A manager types figures over two of the summary's formulas.
    wb = openpyxl.load_workbook(path)
    for record, number in [(total, 12345.67), (taobao, 888.5)]:
        sheet, cell = record["cell"].split("!")
        assert sheet == "汇总" and str(wb[sheet][cell].value).startswith("=")
        wb[sheet][cell].value = number
    wb.save(path)
    run = run_cli("summarize", path, "--format", "json")
    assert run.exit_code == 0, run.output
    again = {(m["name"], m["group"]): m for m in json.loads(run.stdout)["metrics"]}
    assert again[("sales_total", None)]["declared"] == 12345.67
    assert again[("sales_by_channel", "淘宝")]["declared"] == 888.5
    assert again[("sales_total", None)]["value"] == total["value"]  # still recomputed from the rows
    assert again[("sales_by_channel", "淘宝")]["value"] == taobao["value"]
    assert [k for k, m in again.items() if m["declared"] is not None] == [
        ("sales_total", None),
        ("sales_by_channel", "淘宝"),
    ]


# --- the merged data sheets, cell by cell ----------------------------------------------------------
def expected_cell(value, col):
    """What a data cell must hold for a merged value (None for a blank)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if col is not None and col.type in ("date", "datetime"):
        return pd.Timestamp(value).to_pydatetime()
    if col is not None and col.type == "time":
        return value  # a time of day, as openpyxl reads a time-formatted cell
    if col is not None and col.coltype.kind == "number":
        return float(value)
    return str(value)


def assert_data_sheets_match(path: Path, result, lang: str = "zh", *, digits: int | None = None) -> None:
    """Every data cell of the summary workbook at `path` holds its merged value; `digits`: the
    file was saved by a program that writes numbers with that many significant digits."""
    wb = openpyxl.load_workbook(path)
    for name, frame in result.tables.items():
        spec = CATALOG.tables[name]
        ws = wb[spec.sheet_name(lang)]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        while rows and all(v is None for v in rows[-1]):  # LibreOffice saves formatted empty rows
            rows.pop()
        assert len(rows) == len(frame), name
        columns = [c for c in spec.columns if c.name in frame]
        for i, (written, (_, merged)) in enumerate(zip(rows, frame.iterrows())):
            want = [expected_cell(merged[c.name], c) for c in columns]
            if digits is not None:
                want = [float(f"{v:.{digits}g}") if isinstance(v, float) else v for v in want]
            want += [Path(merged["_source_file"]).name, merged["_source_sheet"], int(merged["_source_row"])]
            got = [float(v) if isinstance(v, int) and j < len(columns) else v for j, v in enumerate(written)]
            assert got == want, (name, i + 2)
        for j, c in enumerate(columns):  # dates show as dates (a blank date is left blank)
            if c.type in ("date", "datetime"):
                for i in range(len(frame)):
                    if rows[i][j] is not None:
                        assert ws.cell(i + 2, j + 1).is_date, (name, c.name, i + 2)


def test_every_data_cell_equals_the_merged_value(clean):
    assert_data_sheets_match(clean.path, clean.result)


def test_data_sheet_texts_are_escaped_cleaned_and_never_formulas(shops, base):
    """Texts with XML's special characters, control characters and formula triggers come out
    as the same text (control characters removed), never as a live formula."""

    def edit(frames):
        frames["customers"].loc[0, "name"] = '=HYPERLINK("http://x","点我")'
        frames["customers"].loc[1, "name"] = "A&B <c> \"d\" 'e'"
        frames["customers"].loc[2, "name"] = "tab\there\x01\x07bell"
        frames["customers"].loc[3, "name"] = "  前后空格  "

    path = base / "texts.xlsx"
    make_shop(path, 11, edit=edit)
    result = consolidate(inspect([path]), CATALOG, month=MONTH)
    out = base / "texts_summary.xlsx"
    write_summary_workbook(result, CATALOG, out, inputs=(path,))
    assert_data_sheets_match(out, result)
    ws = openpyxl.load_workbook(out)["客户"]
    texts = {c.value for row in ws.iter_rows() for c in row}
    assert {'=HYPERLINK("http://x","点我")', "A&B <c> \"d\" 'e'", "tab\therebell", "前后空格"} <= texts
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


@pytest.mark.libreoffice
def test_libreoffice_reads_the_merged_rows(clean, tmp_path):
    """LibreOffice opens the summary workbook and sees every merged row with its values."""
    from tests.lo import recalc, requires_libreoffice

    if requires_libreoffice.args[0]:
        pytest.skip("LibreOffice is not installed")
    copy = recalc(clean.path, tmp_path)
    # LibreOffice saves numbers with 15 significant digits (预算结余 10500 - 8339.11 is
    # 2160.8899999999994 in the merged rows, as in Excel, and 2160.89 in its copy).
    assert_data_sheets_match(copy, clean.result, digits=15)


def test_data_sheet_text_cells_as_xml():
    """Control characters XML cannot hold are removed; &, < and > are escaped; blanks stay blank."""
    from ecomsheets.summarize.datasheet import DataColumn, rows_xml

    column = DataColumn(pd.Series(["a\x01b\x1f", "x<y & z>", None, "=1+1"], dtype="str"), "text")
    xml = bytes(rows_xml([column], 0, 4)).decode()
    assert xml == (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>ab</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>x&lt;y &amp; z&gt;</t></is></c></row>'
        '<row r="4"></row>'
        '<row r="5"><c r="A5" t="inlineStr"><is><t>=1+1</t></is></c></row>'
    )
    spaced = DataColumn(pd.Series([" a", "b "], dtype="str"), "text")
    assert bytes(rows_xml([spaced], 0, 2)).decode().count('<t xml:space="preserve">') == 2


def test_data_sheet_cells_read_back_as_written(tmp_path):
    """Texts Excel would otherwise change (a carriage return, a literal _x0041_, U+FFFF, more
    than 32,767 characters) and dates in a column that also holds blanks from another file
    (object dtype) come back as xlsxwriter would have written them."""
    import xlsxwriter

    from ecomsheets.summarize.datasheet import DataColumn, DataSheet, fill_data_sheets

    texts = pd.Series(["a\rb", "_x0041_", "x\uffffy", "z" * 40_000, None, "  两端空格 "], dtype=object)
    dates = pd.Series(
        [
            pd.Timestamp("2026-11-03"),
            float("nan"),
            pd.Timestamp("1900-01-01"),
            pd.Timestamp("2026-11-30 18:30"),
            None,
            None,
        ],
        dtype=object,
    )
    path = tmp_path / "rows.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("data")
    date_style = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.set_column(1, 1, 18, date_style)
    ws.write_row(0, 0, ["text", "date"])
    wb.close()
    fill_data_sheets(
        path, [DataSheet(ws.index, [DataColumn(texts, "text"), DataColumn(dates, "date", date_style)], len(texts))]
    )
    import fastexcel  # reads _xHHHH_ escapes as Excel does (openpyxl leaves them in inline strings)

    read = fastexcel.read_excel(str(path)).load_sheet("data", dtypes={"text": "string"}).to_arrow()
    # U+FFFF cannot be in XML at all: it is written as Excel's escape for it, as xlsxwriter does.
    assert read.column("text").to_pylist() == ["a\rb", "_x0041_", "x_xFFFF_y", "z" * 32_767, None, "  两端空格 "]
    got = [row[1].value for row in openpyxl.load_workbook(path)["data"].iter_rows(min_row=2)]
    assert got == [datetime(2026, 11, 3), None, datetime(1900, 1, 1), datetime(2026, 11, 30, 18, 30), None, None]
