"""`ecomsheets validate`: example workbooks pass; one corrupted cell gives exactly one finding,
at that cell, with the right rule code; the JSON contract and exit codes of the command line;
files saved by LibreOffice, templates filled by openpyxl and hand-made workbooks without the
metadata sheet; the input file is never modified.

Corruptions are written with openpyxl, as a user (or a script) would: openpyxl keeps the
formulas but drops their cached values, so nothing here relies on cached results.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Border, PatternFill, Side
from openpyxl.utils import get_column_letter

from ecomsheets.compute.derived import compute_derived
from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.months import parse_month
from ecomsheets.validate import validate
from ecomsheets.validate.run import inspect_workbook
from tests import helpers
from tests.fill import fill_template, read_meta
from tests.helpers import CATALOG, MONTH, NOW, write_example
from tests.helpers import sha256 as file_hash
from tests.lo import recalc, requires_libreoffice

ROWS = 30
SEED = 11


def errors(report):
    return [f for f in report.findings if f.severity == "error"]


def warnings_(report):
    return [f for f in report.findings if f.severity == "warning"]


def brief(findings) -> list[tuple]:
    return [(f.severity, f.rule, f.sheet, f.cell, f.value) for f in findings]


def make_example(path: Path, *, rows=ROWS, seed=SEED, month=MONTH, tables=None) -> tuple[Path, dict]:
    return path, write_example(path, rows=rows, seed=seed, month=month, now=NOW, tables=tables)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, dict]:
    """A fresh example workbook (never modified: every test edits a copy)."""
    return make_example(tmp_path_factory.mktemp("example") / "example.xlsx")


# --- (a) example workbooks are clean ---------------------------------------------------------
def test_example_workbook_is_clean(example):
    path, frames = example
    report = validate(path)
    assert brief(report.findings) == []
    assert report.valid and report.errors == 0 and report.warnings == 0
    assert report.bundle == "department"
    assert report.rows_checked == sum(len(f) for f in frames.values())
    assert report.sheets_checked == len(frames) == len(CATALOG.bundle("department").tables)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10**6),
    rows=st.integers(1, 60),
    month=st.sampled_from(["2026-11", "2026-02", "2028-02", "2027-12", "2026-01"]),
)
def test_property_example_workbooks_validate_clean(tmp_path_factory, seed, rows, month):
    path, frames = make_example(
        tmp_path_factory.mktemp("prop") / "x.xlsx", rows=rows, seed=seed, month=parse_month(month)
    )
    report = validate(path)
    assert brief(report.findings) == [], (seed, rows, month)
    assert report.rows_checked == sum(len(f) for f in frames.values())


# --- (b) one corrupted cell, one finding -----------------------------------------------------
class Book:
    """An example workbook opened with openpyxl, with cells found through its _meta sheet."""

    def __init__(self, wb, frames):
        self.wb, self.frames = wb, frames
        self.meta = read_meta(wb)
        self.tables = {t["name"]: t for t in self.meta["tables"]}

    def cell(self, table: str, column: str, index: int):
        """The cell of a column on the index-th data row (0-based) of a table."""
        info = self.tables[table]
        ws = self.wb[info["sheet"]]
        return ws.cell(row=info["first_data_row"] + index, column=info["columns"].index(column) + 1)

    def sheet(self, table: str) -> str:
        return self.tables[table]["sheet"]

    def value(self, table: str, column: str, index: int):
        return self.frames[table][column].iloc[index]

    def derived(self, table: str):
        frame = self.frames[table]
        return compute_derived(frame, CATALOG.tables[table])

    def summary_cell(self, metric: str, group_index: int | None = None):
        place = self.meta["summary"]["metrics"][metric]
        ws = self.wb[self.meta["summary"]["sheet"]]
        if "cell" in place:
            return ws[place["cell"].split("!")[-1]]
        top = int(re.match(r"[A-Z]+(\d+)", place["values"])[1])
        letter = re.match(r"([A-Z]+)", place["values"])[1]
        return ws[f"{letter}{top + (group_index or 0)}"]


@dataclass
class Where:
    sheet: str
    cell: str
    expected: object = None  # the finding's `expected`, when the rule gives one


def _set(book: Book, table: str, column: str, index: int, value) -> Where:
    c = book.cell(table, column, index)
    c.value = value
    if isinstance(value, str):
        c.data_type = "s"
    return Where(book.sheet(table), c.coordinate)


def _row_with(frame: pd.DataFrame, predicate) -> int:
    """The first data row index (>= 2, not at the edge) where predicate(row) holds."""
    for i in range(2, len(frame)):
        if predicate(frame.iloc[i]):
            return i
    raise AssertionError("no suitable row in the example data")


def _row_nothing_else_checks(b: Book, table: str, key: str) -> int:
    """A data row that no other sheet's cross-sheet check reads (no after-sales row names that
    order, no stocktake row that SKU), found through the bundle's checks matching on `key`.
    A bad cell that such a check does read must still be one finding: see
    test_bad_cell_read_by_a_cross_sheet_check_is_one_finding."""
    checked = set()
    for check in CATALOG.bundle("department").checks:
        if check.source_table == table and check.table != table and check.table in b.frames:
            for local, source in check.match:
                if source == key:
                    checked |= set(b.frames[check.table][local].dropna())
    return _row_with(b.frames[table], lambda r: r[key] not in checked)


def c_type_integer(b: Book):
    return _set(b, "orders", "quantity", _row_nothing_else_checks(b, "orders", "order_id"), "三个")


def c_type_date(b: Book):
    return _set(b, "orders", "order_date", 4, "2026-11-31")


def c_type_phone(b: Book):
    return _set(b, "customers", "phone", 4, "12345")


def c_min(b: Book):
    return _set(b, "inventory", "safety_stock", 4, -1)


def c_max(b: Book):
    return _set(b, "inventory", "unit_cost", 4, 2_000_000)


def c_max_percent(b: Book):
    return _set(b, "daily_reports", "completion", 4, 1.5)


def c_enum(b: Book):
    return _set(b, "orders", "status", 4, "已发")


def c_pattern(b: Book):
    return _set(b, "logistics", "tracking_no", 4, "ab-12")


def c_unique(b: Book):
    first = b.cell("logistics", "tracking_no", 3).value
    return _set(b, "logistics", "tracking_no", 6, first)


def c_primary_key(b: Book):
    # Daily reports: date + employee is the key; nothing refers to a daily report.
    _set(b, "daily_reports", "employee_id", 6, b.cell("daily_reports", "employee_id", 3).value)
    return _set(b, "daily_reports", "report_date", 6, b.cell("daily_reports", "report_date", 3).value)


def c_required(b: Book):
    return _set(b, "complaints", "content", 4, None)


def c_required_enum(b: Book):
    return _set(b, "orders", "status", 4, None)


def c_reference(b: Book):
    return _set(b, "orders", "customer_id", 4, "C9999999")


def c_reference_employee(b: Book):
    # Someone whose attended days no 绩效 row compares with the 考勤 sheet's (one finding only).
    reviewed = set(b.frames["performance"]["employee_id"])
    row = _row_with(b.frames["attendance"], lambda r: r["employee_id"] not in reviewed)
    return _set(b, "attendance", "employee_id", row, "E999")


def c_reconcile(b: Book):
    current = b.value("headcount_plan", "current", 4)
    w = _set(b, "headcount_plan", "current", 4, int(current) + 1)
    w.expected = float(current)
    return w


def _stock_out_above_stock(b: Book, i: int) -> Where:
    opening, stock_in = (b.value("inventory", c, i) for c in ("opening_stock", "stock_in"))
    return _set(b, "inventory", "stock_out", i, int(opening + stock_in) + 1)


def c_row_rule_stock(b: Book):
    return _stock_out_above_stock(b, _row_nothing_else_checks(b, "inventory", "sku"))


def c_row_rule_delivered(b: Book):
    frame = b.frames["logistics"]
    i = _row_with(frame, lambda r: pd.notna(r["delivered_date"]))
    return _set(b, "logistics", "delivered_date", i, frame["ship_date"].iloc[i].to_pydatetime() - timedelta(days=1))


def c_row_rule_clock(b: Book):
    frame = b.frames["attendance"]
    i = _row_with(frame, lambda r: r["clock_in"] is not None and r["clock_in"].hour >= 1)
    clock_in = frame["clock_in"].iloc[i]
    return _set(b, "attendance", "clock_out", i, time(clock_in.hour - 1, clock_in.minute))


def c_derived_amount(b: Book):
    want = float(b.derived("orders")["amount"].iloc[4])
    w = _set(b, "orders", "amount", 4, round(want + 10, 2))
    w.expected = pytest.approx(want)
    return w


def c_derived_closing(b: Book):
    want = float(b.derived("inventory")["closing_stock"].iloc[4])
    w = _set(b, "inventory", "closing_stock", 4, want + 1)
    w.expected = pytest.approx(want)
    return w


def c_out_of_month(b: Book):
    return _set(b, "orders", "order_date", 4, datetime(2026, 10, 31))


def c_out_of_month_ship(b: Book):
    return _set(b, "logistics", "ship_date", 4, datetime(2026, 10, 31))  # before delivery: no row rule


def _sales_total(b: Book) -> float:
    return float(b.derived("orders")["amount"].sum())


def c_summary(b: Book):
    c = b.summary_cell("sales_total")
    c.value = 12345
    return Where(b.meta["summary"]["sheet"], c.coordinate, pytest.approx(round(_sales_total(b), 6)))


def c_summary_grouped(b: Book):
    # The first channel of the "sales by channel" grid (its keys are plain texts).
    place = b.meta["summary"]["metrics"]["sales_by_channel"]
    ws = b.wb[b.meta["summary"]["sheet"]]
    key = ws[place["keys"].split(":")[0]].value
    orders = b.frames["orders"].assign(amount=b.derived("orders")["amount"])
    want = float(orders.loc[orders["channel"] == key, "amount"].sum())
    c = b.summary_cell("sales_by_channel", 0)
    c.value = want + 1
    return Where(b.meta["summary"]["sheet"], c.coordinate, pytest.approx(round(want, 6)))


CORRUPTIONS = [
    ("type", c_type_integer),
    ("type", c_type_date),
    ("type", c_type_phone),
    ("min", c_min),
    ("max", c_max),
    ("max", c_max_percent),
    ("enum", c_enum),
    ("pattern", c_pattern),
    ("unique", c_unique),  # only the later row; the first one is where it points
    ("primary_key", c_primary_key),
    ("required", c_required),
    ("required", c_required_enum),
    ("reference", c_reference),
    ("reference", c_reference_employee),
    ("reconcile", c_reconcile),
    ("row_rule", c_row_rule_stock),
    ("row_rule", c_row_rule_delivered),
    ("row_rule", c_row_rule_clock),
    ("derived_mismatch", c_derived_amount),
    ("derived_mismatch", c_derived_closing),
    ("out_of_month", c_out_of_month),
    ("out_of_month", c_out_of_month_ship),
    ("summary_mismatch", c_summary),
    ("summary_mismatch", c_summary_grouped),
]


def _corrupt_id(case) -> str:
    values = case.values if hasattr(case, "values") else case
    return values[1].__name__[2:]


def corrupt(example, out: Path, edit: Callable[[Book], Where]) -> Where:
    path, frames = example
    wb = openpyxl.load_workbook(path)
    where = edit(Book(wb, frames))
    wb.save(out)
    return where


def _row_of(cell: str) -> int:
    return int(re.sub(r"\D", "", cell))


def assert_single_finding(report, rule: str, where: Where) -> None:
    found = [(f.rule, f.sheet, f.cell) for f in report.findings]
    assert found == [(rule, where.sheet, where.cell)], brief(report.findings)
    f = report.findings[0]
    assert f.severity == "error" and f.row == _row_of(where.cell)
    assert f.message and f.message_en
    if where.expected is not None:
        assert f.expected == where.expected
    assert report.errors == 1 and report.warnings == 0 and not report.valid


@pytest.mark.parametrize("rule, edit", CORRUPTIONS, ids=[_corrupt_id(c) for c in CORRUPTIONS])
def test_single_corrupted_cell_gives_one_finding_at_that_cell(example, tmp_path, rule, edit):
    out = tmp_path / "edited.xlsx"
    where = corrupt(example, out, edit)
    assert_single_finding(validate(out), rule, where)


@pytest.fixture(scope="module")
def checked_example(tmp_path_factory) -> tuple[Path, dict]:
    """Orders with after-sales rows and SKUs with a stock count: rows that cross-sheet checks
    of other sheets read (nothing else is needed for them)."""
    tables = ["employees", "customers", "inventory", "orders", "after_sales", "stocktake"]
    return make_example(tmp_path_factory.mktemp("checked") / "checked.xlsx", tables=tables)


def c_type_integer_of_an_order_line_after_sales_names(b: Book):
    named = set(b.frames["after_sales"]["order_id"])
    return _set(b, "orders", "quantity", _row_with(b.frames["orders"], lambda r: r["order_id"] in named), "三个")


def c_row_rule_stock_of_a_counted_sku(b: Book):
    counted = set(b.frames["stocktake"]["sku"])
    return _stock_out_above_stock(b, _row_with(b.frames["inventory"], lambda r: r["sku"] in counted))


@pytest.mark.parametrize(
    "rule, edit",
    [("type", c_type_integer_of_an_order_line_after_sales_names), ("row_rule", c_row_rule_stock_of_a_counted_sku)],
    ids=["type_integer", "row_rule_stock"],
)
def test_bad_cell_read_by_a_cross_sheet_check_is_one_finding(checked_example, tmp_path, rule, edit):
    """One bad cell, one finding, also when another sheet's check sums the column it is in:
    the check cannot be made for the rows that match it, as for a bad cell of its own sheet."""
    out = tmp_path / "edited.xlsx"
    where = corrupt(checked_example, out, edit)
    assert_single_finding(validate(out), rule, where)


def test_duplicate_is_reported_at_the_later_row_pointing_at_the_first(example, tmp_path):
    """Regression: the first occurrence used to be reported too ('same as row N' at row N),
    because pa.Column(unique=True) defaults to report_duplicates='all'."""
    out = tmp_path / "dup.xlsx"
    where = corrupt(example, out, c_unique)
    report = validate(out)
    later = [f for f in report.findings if f.cell == where.cell]
    assert [(f.rule, f.sheet) for f in later] == [("unique", where.sheet)]
    meta = read_meta(openpyxl.load_workbook(example[0], read_only=True))
    first_row = next(t for t in meta["tables"] if t["name"] == "logistics")["first_data_row"] + 3
    assert str(first_row) in later[0].message and str(first_row) in later[0].message_en
    assert [(f.rule, f.cell) for f in report.findings] == [("unique", where.cell)]


def test_typed_value_equal_to_the_formula_is_fine(example, tmp_path):
    out = tmp_path / "typed.xlsx"

    def edit(b: Book):
        return _set(b, "orders", "amount", 4, float(b.derived("orders")["amount"].iloc[4]))

    corrupt(example, out, edit)
    assert brief(validate(out).findings) == []


def test_date_typed_as_text_is_only_a_warning(example, tmp_path):
    out = tmp_path / "text_date.xlsx"
    where = corrupt(example, out, lambda b: _set(b, "orders", "order_date", 4, "2026/11/5"))
    report = validate(out)
    assert brief(report.findings) == [("warning", "normalized", where.sheet, where.cell, "2026/11/5")]
    assert report.valid
    assert "2026-11-05" in report.findings[0].message


def test_formula_typed_into_a_data_cell(example, tmp_path):
    """A formula with no cached value (written by openpyxl) in a data column: a warning that
    the file has no saved result for it, and the cell counts as empty (the clear cause of the
    required error)."""
    out = tmp_path / "formula.xlsx"

    def edit(b: Book):
        c = b.cell("orders", "quantity", _row_nothing_else_checks(b, "orders", "order_id"))
        c.value = "=1+1"  # a formula (openpyxl stores no cached value)
        assert c.data_type == "f"
        return Where(b.sheet("orders"), c.coordinate)

    where = corrupt(example, out, edit)
    report = validate(out)
    got = sorted((f.severity, f.rule, f.cell) for f in report.findings)
    assert ("warning", "formula_no_value", where.cell) in got
    assert all(cell == where.cell for _, _, cell in got), got
    assert {rule for _, rule, _ in got} <= {"formula_no_value", "required"}


def test_several_files_find_what_one_file_finds(example, tmp_path):
    """Several files at once scan their XML in a thread of each child instead of a process of
    its own: a formula in a data cell and a hidden row are found the same way."""
    from ecomsheets.validate.run import inspect_many

    out = tmp_path / "formula_hidden.xlsx"

    def edit(b: Book):
        c = b.cell("orders", "quantity", 4)
        c.value = "=1+1"
        b.wb[b.sheet("orders")].row_dimensions[c.row + 1].hidden = True
        return Where(b.sheet("orders"), c.coordinate)

    corrupt(example, out, edit)
    alone = validate(out)
    together = inspect_many([out, example[0]], keep="report")[0].report
    key = lambda r: sorted((f.severity, f.rule, f.cell) for f in r.findings)  # noqa: E731
    assert key(together) == key(alone)
    assert {"formula_no_value", "hidden_rows"} <= {f.rule for f in alone.findings}


# --- (c) the JSON contract, several files, exit codes ----------------------------------------
REPORT_KEYS = {"file", "bundle", "schema_version", "valid", "summary", "findings"}
SUMMARY_KEYS = {"errors", "warnings", "rows_checked", "sheets_checked", "findings_omitted"}
FINDING_KEYS = {
    "severity",
    "sheet",
    "table",
    "cell",
    "row",
    "column",
    "header",
    "value",
    "rule",
    "message",
    "message_en",
    "expected",
    "origin",
}


def run_cli(*args):
    return helpers.run_cli("validate", *args)


def check_report_shape(data: dict) -> None:
    assert set(data) == REPORT_KEYS
    assert set(data["summary"]) == SUMMARY_KEYS
    assert isinstance(data["valid"], bool)
    for key in SUMMARY_KEYS:
        assert isinstance(data["summary"][key], int)
    for f in data["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["severity"] in ("error", "warning")
        assert isinstance(f["rule"], str) and f["message"] and f["message_en"]
        assert f["row"] is None or isinstance(f["row"], int)
    assert data["summary"]["errors"] == sum(f["severity"] == "error" for f in data["findings"])
    assert data["summary"]["warnings"] == sum(f["severity"] == "warning" for f in data["findings"])
    assert data["valid"] == (data["summary"]["errors"] == 0)


@pytest.fixture(scope="module")
def bad_file(example, tmp_path_factory) -> tuple[Path, Where]:
    out = tmp_path_factory.mktemp("bad") / "bad.xlsx"
    return out, corrupt(example, out, c_type_integer)


def test_json_clean_file(example):
    path, frames = example
    result = run_cli(path, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    check_report_shape(data)
    assert data["file"] == str(path) and data["bundle"] == "department" and data["schema_version"] == 1
    assert data["valid"] is True and data["findings"] == []
    assert data["summary"] == {
        "errors": 0,
        "warnings": 0,
        "rows_checked": sum(len(f) for f in frames.values()),
        "sheets_checked": len(frames),
        "findings_omitted": 0,
    }


def test_json_file_with_an_error(bad_file):
    path, where = bad_file
    result = run_cli(path, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    check_report_shape(data)
    assert data["valid"] is False
    [f] = data["findings"]
    assert (f["rule"], f["sheet"], f["cell"], f["row"]) == ("type", where.sheet, where.cell, _row_of(where.cell))
    assert (f["table"], f["column"], f["header"], f["value"]) == ("orders", "quantity", "数量", "三个")
    assert "三个" in f["message"] and "三个" in f["message_en"]


@pytest.fixture
def unusable(tmp_path, example) -> dict[str, Path]:
    csv = tmp_path / "orders.xlsx"
    csv.write_text("订单编号,数量\nO1,2\n", encoding="utf-8")
    gbk = tmp_path / "orders_gbk.xlsx"  # Excel in China saves CSV as GBK
    gbk.write_bytes("订单编号,数量\r\nO1,2\r\n".encode("gbk"))
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    lock = tmp_path / "~$example.xlsx"
    shutil.copyfile(example[0], lock)
    return {
        "not_found": tmp_path / "missing.xlsx",
        "not_xlsx": csv,
        "not_xlsx_gbk": gbk,
        "empty_file": empty,
        "lock_file": lock,
    }


@pytest.mark.parametrize("kind", ["not_found", "not_xlsx", "not_xlsx_gbk", "empty_file", "lock_file"])
def test_unusable_file_exit_code_2(unusable, kind):
    result = run_cli(unusable[kind], "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    check_report_shape(data)
    assert data["valid"] is False and data["bundle"] is None
    assert [f["rule"] for f in data["findings"]] == [kind.removesuffix("_gbk")]
    assert data["findings"][0]["severity"] == "error"


def test_several_files_give_a_list_and_the_worst_exit_code(example, bad_file, unusable):
    files = [example[0], bad_file[0], *unusable.values()]
    result = run_cli(*files, "--format", "json")
    assert result.exit_code == 2  # an unreadable file outranks validation errors
    data = json.loads(result.stdout)
    assert isinstance(data, list) and [d["file"] for d in data] == [str(f) for f in files]
    for d in data:
        check_report_shape(d)
    assert data[0]["valid"] is True and data[0]["findings"] == []
    assert [f["rule"] for f in data[1]["findings"]] == ["type"]
    assert [d["findings"][0]["rule"] for d in data[2:]] == [k.removesuffix("_gbk") for k in unusable]

    result = run_cli(example[0], bad_file[0], "--format", "json")
    assert result.exit_code == 1
    assert [d["valid"] for d in json.loads(result.stdout)] == [True, False]

    result = run_cli(example[0], example[0], "--format", "json")
    assert result.exit_code == 0
    assert isinstance(json.loads(result.stdout), list)


def test_folder_gives_a_list_without_lock_files(example, bad_file, tmp_path):
    folder = tmp_path / "submissions"
    (folder / "shop2").mkdir(parents=True)
    shutil.copyfile(example[0], folder / "a.xlsx")
    shutil.copyfile(bad_file[0], folder / "shop2" / "b.xlsx")
    shutil.copyfile(example[0], folder / "~$a.xlsx")  # Excel/WPS lock file next to an open workbook
    (folder / "notes.txt").write_text("not a workbook", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # hidden files are skipped silently too
    result = run_cli(folder, "--format", "json")
    assert result.exit_code == 2  # a file that is not a workbook: accounted for, and unreadable
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    assert [Path(d["file"]).name for d in data] == ["a.xlsx", "notes.txt", "b.xlsx"]
    assert [d["valid"] for d in data] == [True, False, False]
    assert [f["rule"] for f in data[1]["findings"]] == ["not_xlsx"]


def test_lang_en(bad_file, unusable):
    path, _ = bad_file
    report = validate(path)
    [f] = report.findings
    en = run_cli(path, "--lang", "en")
    zh = run_cli(path)
    assert en.exit_code == zh.exit_code == 1
    assert f.message_en in en.output and f.message not in en.output
    assert f.message in zh.output and f.message_en not in zh.output
    gone = run_cli(unusable["not_found"], "--lang", "en")
    assert gone.exit_code == 2
    assert re.search(r"[\u4e00-\u9fff]", gone.output) is None, gone.output


# --- (d) saved by LibreOffice after editing --------------------------------------------------
@pytest.mark.libreoffice
@pytest.mark.slow
@requires_libreoffice
@pytest.mark.parametrize(
    "rule, edit",
    [
        ("type", c_type_integer),
        ("derived_mismatch", c_derived_amount),
        ("out_of_month", c_out_of_month),
        ("row_rule", c_row_rule_clock),
        ("summary_mismatch", c_summary),
    ],
    ids=lambda v: v.__name__[2:] if callable(v) else v,
)
def test_libreoffice_saved_file_gives_the_same_single_finding(example, tmp_path, rule, edit):
    edited = tmp_path / "edited.xlsx"
    where = corrupt(example, edited, edit)
    direct = validate(edited)
    assert_single_finding(direct, rule, where)
    saved = recalc(edited, tmp_path / "lo")
    report = validate(saved)
    assert_single_finding(report, rule, where)
    assert (report.findings[0].row, report.findings[0].value) == (direct.findings[0].row, direct.findings[0].value)
    assert report.rows_checked == direct.rows_checked


# --- (e) a template filled by openpyxl ---------------------------------------------------------
def test_template_filled_by_openpyxl_is_clean(tmp_path):
    template = generate_workbook(CATALOG, "department", tmp_path / "template.xlsx", month=MONTH, rows=45, now=NOW).path
    frames = example_frames(CATALOG, "department", MONTH, rows=30, seed=4)
    filled = fill_template(template, frames, tmp_path / "filled.xlsx")
    # The settings the department's rules leave blank (the inquiry reply limit …) are filled in
    # on the summary sheet, as the manager does; left blank they are a warning (test_schema_features).
    blank = [p for p in CATALOG.bundle("department").parameter_specs if p.value is None]
    wb = openpyxl.load_workbook(filled)
    meta = read_meta(wb)
    for p in blank:
        wb[meta["summary"]["sheet"]][meta["summary"]["params"][p.name].replace("$", "")] = p.filled_value()
    wb.save(filled)
    report = validate(filled)
    assert brief(report.findings) == []
    assert report.rows_checked == sum(len(f) for f in frames.values())


def test_blank_template_handed_back_is_not_a_pass(tmp_path):
    """A blank template handed back untouched: one no_data error, nothing else."""
    template = generate_workbook(CATALOG, "department", tmp_path / "template.xlsx", month=MONTH, rows=20, now=NOW).path
    report = validate(template)
    assert [f.rule for f in errors(report)] == ["no_data"]
    assert "空白模板" in errors(report)[0].message and not report.unreadable
    assert report.rows_checked == 0 and not report.valid


# --- (f) a hand-made workbook without the _meta sheet ----------------------------------------
ORDER_HEADERS = {  # column -> header as a person might write it (aliases, English titles)
    "status": "订单状态",
    "order_id": "订单号",
    "quantity": "Quantity",
    "order_date": "下单时间",
    "customer_id": "Customer ID",
    "channel": "平台",
    "sku": "商家编码",
    "unit_price": "单价(元)",
    "discount": "优惠",
    "amount": "总金额",
    "paid_amount": "实付金额(元)",
    "refund_amount": "退款金额",
    "province": "收货省份",
}
ORDERS = [  # Excel row -> record
    (
        5,
        dict(
            order_id="TB1001",
            quantity=2,
            order_date=datetime(2026, 11, 3),
            customer_id="C01",
            channel="淘宝",
            sku="SKU-1",
            unit_price=19.9,
            discount=0,
            amount=39.8,
            paid_amount=39.8,
            province="浙江省",
            status="已完成",
        ),
    ),
    (
        6,
        dict(
            order_id="TB1002",
            quantity=1,
            order_date=datetime(2026, 11, 4),
            customer_id="C02",
            channel="京东",
            sku="SKU-2",
            unit_price=5,
            discount=None,
            amount=5,
            paid_amount=None,
            province="北京市",
            status="待付款",
        ),
    ),
    # rows 7 and 8 blank (row 8 holds only an ideographic space in the status column)
    (
        9,
        dict(
            order_id="TB1003",
            quantity=3,
            order_date=datetime(2026, 11, 5),
            customer_id="C01",
            channel="拼多多",
            sku="SKU-1",
            unit_price=7.5,
            discount=2.5,
            amount=20,
            paid_amount=20,
            province=None,
            status="已发货",
        ),
    ),
    (
        10,
        dict(
            order_id="TB1003",
            quantity=1,
            order_date=datetime(2026, 11, 5),
            customer_id="C01",
            channel="拼多多",
            sku="SKU-2",
            unit_price=5,
            discount=0,
            amount=5,
            paid_amount=5,
            province=None,
            status="已发货",
        ),
    ),
]
HEADER_ROW = 4  # a title, a blank row and an export note above it
CUSTOMERS = [  # in the order of the customers table's columns (地址 after 城市)
    [
        "C01",
        "张三",
        "13812345678",
        "浙江省",
        "杭州",
        "文三路90号",
        "淘宝",
        "金卡",
        datetime(2025, 3, 1),
        "是",
        None,
    ],
    [
        "C02",
        "李四",
        "186****6198",
        "北京市",
        "北京",
        "建国路8号",
        "京东",
        "普通",
        datetime(2026, 11, 4),
        "否",
        "老客户",
    ],
]
INVENTORY = [
    [
        "SKU-1",
        "帆布托特包",
        "米白",
        100,
        20,
        5,
        None,
        10,
        8.5,
        None,
        None,
        datetime(2026, 10, 20),
        datetime(2026, 11, 5),
        "A-01-03",
    ],
    ["SKU-2", "陶瓷杯", "350ml", 50, 0, 2, None, 10, 2, None, None, None, None, "B-02-01"],
]


def _titles(table: str) -> list[str]:
    return [c.title for c in CATALOG.tables[table].columns]


def hand_made(
    path: Path, *, order_headers=ORDER_HEADERS, rows=ORDERS, extra_column: bool = False, drop: str | None = None
) -> dict[str, str]:
    """Write the workbook; returns column name -> letter in the 订单 sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws["A1"] = "2026年11月 订单明细"
    ws["A3"] = "导出时间：2026-12-01 10:00"
    columns = [c for c in order_headers if c != drop]
    if extra_column:
        columns.insert(3, "__extra__")
    letters = {}
    for ci, name in enumerate(columns, start=1):
        ws.cell(HEADER_ROW, ci, "买家留言" if name == "__extra__" else order_headers[name])
        letters[name] = get_column_letter(ci)
    for excel_row, record in rows:
        for ci, name in enumerate(columns, start=1):
            if name == "__extra__":
                ws.cell(excel_row, ci, "请尽快发货")
            elif record.get(name) is not None:
                ws.cell(excel_row, ci, record[name])
    ws.cell(8, columns.index("status") + 1, "\u3000")
    # Trailing formatted, empty rows (as left by copying a formatted block).
    fill, thin = PatternFill("solid", fgColor="FFFFF2CC"), Side(style="thin")
    for r in range(11, 60):
        for ci in range(1, len(columns) + 1):
            c = ws.cell(r, ci)
            c.fill, c.border, c.number_format = fill, Border(bottom=thin), "@"
    customers = wb.create_sheet("客户")
    customers.append(_titles("customers"))
    for rec in CUSTOMERS:
        customers.append(rec)
    inventory = wb.create_sheet("库存")
    inventory.append(_titles("inventory"))
    for rec in INVENTORY:
        inventory.append(rec)
    wb.save(path)
    return letters


HAND_MADE_TABLES = {"orders", "customers", "inventory"}
MISSING_SHEETS = set(CATALOG.bundle("department").tables) - HAND_MADE_TABLES


def test_hand_made_rows_fill_their_tables_columns():
    """The records above are written by position under the tables' own titles: they must
    have one value per column (a column added to a table shifts every later one)."""
    assert {len(rec) for rec in CUSTOMERS} == {len(CATALOG.tables["customers"].columns)}
    assert {len(rec) for rec in INVENTORY} == {len(CATALOG.tables["inventory"].columns)}


def test_hand_made_workbook_without_meta(tmp_path):
    path = tmp_path / "hand.xlsx"
    hand_made(path)
    report = validate(path, month="2026-11")
    assert report.bundle == "department"
    assert errors(report) == [], brief(report.findings)
    assert {f.rule for f in report.findings} == {"sheet_missing"}, brief(report.findings)
    assert {f.table for f in report.findings} == MISSING_SHEETS
    assert all(f.severity == "warning" for f in report.findings)
    # 4 orders (not the blank, space-only and formatted rows), 2 customers, 2 SKUs.
    assert report.rows_checked == 4 + 2 + 2
    assert report.sheets_checked == 3


def test_hand_made_workbook_errors_are_at_their_real_rows(tmp_path):
    rows = [(r, dict(rec)) for r, rec in ORDERS]
    rows[2][1]["quantity"] = "三"  # Excel row 9, after the blank rows
    rows[3][1]["customer_id"] = "C99"  # Excel row 10
    rows[0][1]["order_date"] = datetime(2026, 10, 30)  # Excel row 5
    path = tmp_path / "hand_errors.xlsx"
    letters = hand_made(path, rows=rows)
    report = validate(path, month="2026-11")
    got = sorted((f.rule, f.sheet, f.cell, f.row) for f in errors(report))
    assert got == sorted(
        [
            ("type", "订单", f"{letters['quantity']}9", 9),
            ("reference", "订单", f"{letters['customer_id']}10", 10),
            ("out_of_month", "订单", f"{letters['order_date']}5", 5),
        ]
    ), brief(report.findings)


def test_hand_made_workbook_unknown_column_is_a_warning(tmp_path):
    path = tmp_path / "hand_extra.xlsx"
    letters = hand_made(path, extra_column=True)
    report = validate(path, month="2026-11")
    assert errors(report) == [], brief(report.findings)
    unknown = [f for f in report.findings if f.rule == "column_unknown"]
    assert [(f.severity, f.sheet, f.cell, f.header) for f in unknown] == [
        ("warning", "订单", f"{letters['__extra__']}{HEADER_ROW}", "买家留言")
    ]
    assert {f.rule for f in report.findings} == {"sheet_missing", "column_unknown"}


def test_hand_made_workbook_missing_required_column_is_an_error(tmp_path):
    path = tmp_path / "hand_missing.xlsx"
    hand_made(path, drop="customer_id")
    report = validate(path, month="2026-11")
    missing = [f for f in report.findings if f.rule == "column_missing"]
    assert [(f.severity, f.sheet, f.column) for f in missing] == [("error", "订单", "customer_id")]
    assert not report.valid


def test_hand_made_workbook_missing_required_column_is_one_error_only(tmp_path):
    """Not also a 'required' error on every row (regression: the pandera schema used to check
    columns the sheet does not have)."""
    path = tmp_path / "hand_missing.xlsx"
    hand_made(path, drop="customer_id")
    report = validate(path, month="2026-11")
    assert [(f.rule, f.column) for f in errors(report)] == [("column_missing", "customer_id")], [
        (f.rule, f.cell, f.column) for f in errors(report)
    ]


def test_hand_made_workbook_missing_optional_column_is_a_warning(tmp_path):
    path = tmp_path / "hand_no_province.xlsx"
    hand_made(path, drop="province")
    report = validate(path, month="2026-11")
    assert errors(report) == [], brief(report.findings)
    missing = [f for f in report.findings if f.rule == "column_missing"]
    assert [(f.severity, f.sheet, f.column) for f in missing] == [("warning", "订单", "province")]


@pytest.mark.parametrize("name", ["Orders", "订单明细导出", "Sheet1"])
def test_hand_made_orders_sheet_found_by_name_or_headers(tmp_path, name):
    path = tmp_path / "renamed.xlsx"
    hand_made(path)
    wb = openpyxl.load_workbook(path)
    wb["订单"].title = name
    wb.save(path)
    report = validate(path, month="2026-11")
    assert {f.rule for f in report.findings} == {"sheet_missing"}, brief(report.findings)
    assert "orders" not in {f.table for f in report.findings}
    assert report.rows_checked == 8


@pytest.mark.parametrize("header_row, first_column", [(1, 1), (3, 1), (1, 3), (6, 2)])
def test_hand_made_table_anywhere_on_the_sheet(tmp_path, header_row, first_column):
    """Leading empty rows and columns (nothing above the header at all): the rows found are
    still reported at their real Excel cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    names = ["order_id", "quantity", "order_date", "customer_id", "channel", "sku", "unit_price", "status"]
    for i, name in enumerate(names):
        ws.cell(header_row, first_column + i, ORDER_HEADERS[name])
    records = [dict(ORDERS[0][1]), dict(ORDERS[1][1], quantity="x")]
    for k, record in enumerate(records):  # a blank row between the two records
        for i, name in enumerate(names):
            ws.cell(header_row + 1 + 2 * k, first_column + i, record[name])
    for title, data in (("客户", CUSTOMERS), ("库存", INVENTORY)):
        other = wb.create_sheet(title)
        other.append(_titles({"客户": "customers", "库存": "inventory"}[title]))
        for rec in data:
            other.append(rec)
    path = tmp_path / "anywhere.xlsx"
    wb.save(path)
    report = validate(path, month="2026-11")
    bad_cell = f"{get_column_letter(first_column + 1)}{header_row + 3}"
    assert [(f.rule, f.sheet, f.cell, f.row) for f in errors(report)] == [("type", "订单", bad_cell, header_row + 3)]
    assert report.rows_checked == 2 + 2 + 2


def test_export_empty_text_in_a_required_column_is_required(example, tmp_path):
    out = tmp_path / "empty_name.xlsx"
    where = corrupt(example, out, lambda b: _set(b, "customers", "name", 4, '=""'))
    assert_single_finding(validate(out), "required", where)


def test_export_empty_text_in_an_optional_id_column_is_blank(example, tmp_path):
    out = tmp_path / "empty_order_id.xlsx"
    corrupt(example, out, lambda b: _set(b, "complaints", "order_id", 4, '=""'))
    assert brief(validate(out).findings) == []


def test_export_prefixed_id_is_read_with_a_warning(example, tmp_path):
    """The Taobao form ="O…" of an existing order id: read as the id, one warning."""
    out = tmp_path / "prefixed.xlsx"

    def edit(b: Book):
        order_id = b.value("orders", "order_id", 4)
        return _set(b, "orders", "order_id", 4, f'="{order_id}"')

    where = corrupt(example, out, edit)
    report = validate(out)
    assert [(f.severity, f.rule, f.cell) for f in report.findings] == [("warning", "normalized", where.cell)]


# --- (g) the input file is never modified ----------------------------------------------------
def test_validation_does_not_modify_the_file(example, bad_file, tmp_path):
    hand = tmp_path / "hand.xlsx"
    hand_made(hand)
    for path in (example[0], bad_file[0], hand):
        before, stat = file_hash(path), path.stat()
        report = validate(path)
        assert report.sha256 == before
        run_cli(path, "--format", "json")
        assert file_hash(path) == before
        assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_size == stat.st_size


# --- (h) performance smoke (not timed) -------------------------------------------------------
@pytest.mark.slow
def test_twenty_thousand_orders(tmp_path):
    frames = example_frames(CATALOG, "department", MONTH, rows={"orders": 20_000}, seed=5)
    assert len(frames["orders"]) == 20_000
    path = tmp_path / "big.xlsx"
    generate_workbook(CATALOG, "department", path, month=MONTH, data=frames, now=NOW)
    report = validate(path)
    assert brief(report.findings) == []
    assert report.rows_checked == sum(len(f) for f in frames.values())
    assert report.sheets_checked == len(frames)


def test_sheets_are_parsed_one_ahead_in_the_order_used():
    """The reader parses the sheet it needs next while it works on the current one, and holds
    no more than two parsed sheets (a workbook of many big sheets must not sit in memory whole)."""
    import threading
    from types import SimpleNamespace

    from ecomsheets.read.workbook import _Sheets

    class Reader:
        def __init__(self):
            self.loaded, self.gate = [], threading.Event()

        def load_sheet(self, name, **_):
            self.loaded.append(name)
            return SimpleNamespace(available_columns=lambda: [], to_arrow=lambda: name, visible="visible")

    reader = Reader()
    sheets = _Sheets(reader, ["a", "b", "c", "d"])
    try:
        assert sheets.get("a")[0] == "a"
        sheets.drop("a")
        assert sheets.get("b")[0] == "b"
        sheets.pool.submit(lambda: None).result()  # let the thread finish what it was given
        assert reader.loaded == ["a", "b", "c"]
        assert len(sheets.cache) <= 2
    finally:
        sheets.close()


# --- (i) attendance hours: the lunch break is the one the summary sheet sets ------------------
@pytest.fixture(scope="module")
def attendance(tmp_path_factory) -> tuple[Path, dict]:
    """Staff and their attendance (the hours need nothing else)."""
    return make_example(tmp_path_factory.mktemp("attendance") / "attendance.xlsx", tables=["employees", "attendance"])


def _nine_to_six(b: Book, lunch_end: time | None, hours: float | None = None) -> Where:
    """Punches 09:00 and 18:00 on an ordinary working day (a weekday, no leave, in the office);
    `lunch_end` typed into the summary sheet's setting as a manager does (None: left as
    shipped), `hours` typed over the 工作时长 formula. Where: that 工作时长 cell."""
    frame = b.frames["attendance"]
    i = _row_with(frame, lambda r: r["work_date"].weekday() < 5 and r["leave_type"] == "无" and r["outing"] == "无")
    _set(b, "attendance", "clock_in", i, time(9, 0))
    _set(b, "attendance", "clock_out", i, time(18, 0))
    if lunch_end is not None:
        summary = b.meta["summary"]
        b.wb[summary["sheet"]][summary["params"]["lunch_end"].replace("$", "")] = lunch_end
    cell = b.cell("attendance", "work_hours", i)
    if hours is not None:
        cell.value = hours
    return Where(b.sheet("attendance"), cell.coordinate)


BREAKS = [  # the lunch end typed on the summary sheet, as read back, the hours, a wrong typed figure
    pytest.param(None, "13:00", 8.0, 9.0, id="standard_break_12_to_13"),
    pytest.param(time(13, 30), "13:30", 7.5, 8.0, id="manager_sets_12_to_13_30"),
]


@pytest.mark.parametrize("set_lunch_end, lunch_end, hours, wrong", BREAKS)
def test_attendance_hours_nine_to_six_less_the_lunch_break(
    attendance, tmp_path, set_lunch_end, lunch_end, hours, wrong
):
    """09:00–18:00 is 8.00 hours with the standard break (12:00–13:00), 7.50 when the manager
    sets the break to end at 13:30 on the summary sheet: validation takes the file's setting."""
    out = tmp_path / "punches.xlsx"
    where = corrupt(attendance, out, lambda b: _nine_to_six(b, set_lunch_end))
    inspection = inspect_workbook(out, keep="tables")
    assert brief(inspection.report.findings) == []
    assert (inspection.ctx.params["lunch_start"], inspection.ctx.params["lunch_end"]) == ("12:00", lunch_end)
    recomputed = inspection.ctx.tables["attendance"].derived["work_hours"]
    assert recomputed.loc[_row_of(where.cell)] == hours


@pytest.mark.parametrize("set_lunch_end, lunch_end, hours, wrong", BREAKS)
def test_attendance_hours_typed_over_the_formula(attendance, tmp_path, set_lunch_end, lunch_end, hours, wrong):
    """工作时长 typed in place of its formula must be the hours less the break: 9 (the break
    counted as work) is a derived_mismatch showing 8; with the break to 13:30, 8 shows 7.5."""
    out = tmp_path / "typed_hours.xlsx"
    where = corrupt(attendance, out, lambda b: _nine_to_six(b, set_lunch_end, hours=wrong))
    where.expected = pytest.approx(hours)
    report = validate(out)
    assert_single_finding(report, "derived_mismatch", where)
    f = report.findings[0]
    assert f.value == f"{wrong:g}"
    shown = re.compile(rf"(?<![\d.]){re.escape(f'{hours:g}')}(?![\d.])")  # 8 or 7.5, not 18 or 8.5
    assert shown.search(f.message) and shown.search(f.message_en), (f.message, f.message_en)
