"""One month handed in as one file per team: the five team workbooks of the department
(`ecomsheets example <team> --month 2026-11 --rows 60`: the same seed gives exactly the
department example's rows, split by team) consolidate into the department's summary.

Checked against the department example of the same seed, and against figures computed with
pandas from the sheets read back with openpyxl: every figure and every table's row count equal
the department's; a team missing or a file with errors is in the status and its tables are out
of the figures; references and checks between two teams' files are checked at consolidation
with the right file and cell; a file of another family is left out.
"""

from __future__ import annotations

import functools
import math
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.months import parse_month
from ecomsheets.schema import load_catalog
from ecomsheets.summarize.consolidate import SOURCE_FILE, SOURCE_ROW, consolidate
from ecomsheets.summarize.status import MISSING, REFUSED, SUBMITTED, UNEXPECTED, WITH_ERRORS
from ecomsheets.validate.context import shown_number
from ecomsheets.validate.run import inspect_many
from tests.helpers import CATALOG, cli

FAMILY = CATALOG.bundles["department"]
ROSTER = {e.name: e.bundle for e in FAMILY.roster}
TEAM_OF = {t: name for name, bundle in ROSTER.items() for t in CATALOG.bundles[bundle].tables}


@dataclass
class Month:
    folder: Path  # the five team files, named as the roster names the teams
    department: Path  # the department example of the same seed

    def team(self, name: str) -> Path:
        return self.folder / f"{name}.xlsx"


def make_month(root: Path) -> Month:
    """The five team files and the department file of one month (same seed, 60 rows)."""
    (root / "teams").mkdir(parents=True)
    for name, bundle in ROSTER.items():
        result = cli("example", bundle, "--month", "2026-11", "--rows", 60, "-o", root / "teams" / f"{name}.xlsx")
        assert result.exit_code == 0, result.output
    result = cli("example", "department", "--month", "2026-11", "--rows", 60, "-o", root / "department.xlsx")
    assert result.exit_code == 0, result.output
    return Month(root / "teams", root / "department.xlsx")


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Month:
    return make_month(tmp_path_factory.mktemp("month"))


def copy_month(month: Month, dest: Path, *, without=(), edit=None) -> list[Path]:
    """The team files copied to `dest` (some left out); edit {team: fn(workbook)} changes a
    copy with openpyxl. Returns the files."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for name in ROSTER:
        if name in without:
            continue
        target = dest / f"{name}.xlsx"
        shutil.copy(month.team(name), target)
        if edit and name in edit:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl on print areas it cannot parse
                wb = openpyxl.load_workbook(target)
            edit[name](wb)
            wb.save(target)
        out.append(target)
    return out


def sheet_rows(path: Path, table_name: str) -> pd.DataFrame:
    """A table's data rows as written in the file (openpyxl; headers without the * mark):
    rows with any value that is not a formula."""
    table = CATALOG.tables[table_name]
    rows = _sheets(path)[table.sheet][table.header_row - 1 :]
    heads = [str(h).rstrip("*") if h is not None else "" for h in rows[0]]
    data = [r for r in rows[1:] if any(v is not None and not str(v).startswith("=") for v in r)]
    return pd.DataFrame(data, columns=heads)


@functools.cache
def _sheets(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's rows of a file, read once (the files are not changed once written)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def run(files, catalog=CATALOG, **kw):
    return consolidate(inspect_many(files, catalog=catalog, keep="tables"), catalog, **kw)


def figures(result) -> dict:
    return {(m.name, m.group): m.value for m in result.metrics}


def same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-6))


def metric_tables(name: str) -> set[str]:
    """The tables a metric needs (its own, the one its groups refer to, those of the figures
    it is computed from)."""
    m = next(x for x in FAMILY.metrics if x.name == name)
    if m.expr:
        return set().union(*(metric_tables(n) for n in _names(m.expr_ast)))
    out = {m.table}
    if m.by and CATALOG.tables[m.table].column(m.by).references:
        out.add(CATALOG.tables[m.table].column(m.by).ref_table)
    return out


def _names(node) -> set[str]:
    from ecomsheets.schema import expr

    return set(expr.names(node))


def by_team(result) -> dict:
    return {h.team: h for h in result.status}


@pytest.fixture(scope="module")
def department(month):
    return run([month.department])


# --- the whole month -----------------------------------------------------------------------------
def test_five_team_files_give_the_department_figures(month, department):
    files = sorted(month.folder.glob("*.xlsx"))
    result = run(files)
    assert result.bundle.name == "department" and result.complete
    assert [f for f in result.findings if f.severity == "error"] == []
    assert not [f for f in result.findings if f.rule in ("reference", "reconcile", "totals", "reference_absent")]
    ours, theirs = figures(result), figures(department)
    assert set(ours) == set(theirs) and len(ours) > 100
    assert [k for k in theirs if not same(ours[k], theirs[k])] == []
    for name in FAMILY.tables:
        in_team = sheet_rows(month.team(TEAM_OF[name]), name)
        in_department = sheet_rows(month.department, name)
        assert len(result.tables[name]) == len(in_team) == len(in_department), name
    # Figures computed with pandas from the sheets themselves.
    orders = sheet_rows(month.team("运营推广"), "orders")
    assert ours[("order_count", None)] == orders["订单编号"].nunique()
    assert ours[("units_sold", None)] == orders["数量"].sum()
    assert same(ours[("paid_total", None)], float(orders["实付金额"].sum()))
    # Status: every team handed in, with the rows of its own tables.
    status = by_team(result)
    assert list(status) == list(ROSTER)
    for name, bundle in ROSTER.items():
        h = status[name]
        assert (h.state, h.bundle, h.files, h.errors) == (SUBMITTED, bundle, [f"{name}.xlsx"], 0)
        assert h.rows == sum(len(sheet_rows(month.team(name), t)) for t in CATALOG.bundles[bundle].tables)


def test_a_team_missing_and_a_file_with_errors(month, department, tmp_path):
    def bad_subject(wb):
        wb["收支"]["D3"] = "很多"  # not one of the ledger's subjects

    files = copy_month(month, tmp_path, without=["客服售后"], edit={"财务行政": bad_subject})
    result = run(files)
    status = by_team(result)
    assert status["客服售后"].state == MISSING and status["客服售后"].files == []
    finance = status["财务行政"]
    assert (finance.state, finance.errors, finance.rows) == (WITH_ERRORS, 1, 0)
    assert [status[t].state for t in ("运营推广", "仓储物流", "部门管理")] == [SUBMITTED] * 3
    assert not result.complete
    # Neither team's tables are in the month; the others are whole.
    absent = set(CATALOG.bundles["customer_service"].tables) | set(CATALOG.bundles["finance_admin"].tables)
    assert set(result.tables) == set(FAMILY.tables) - absent
    assert not any((f[SOURCE_FILE].str.endswith("财务行政.xlsx")).any() for f in result.tables.values())
    for name in result.tables:
        assert len(result.tables[name]) == len(sheet_rows(month.department, name)), name
    # Figures of the tables present are the department's; those of absent tables are absent
    # (unknown this month), not zeros.
    ours, theirs = figures(result), figures(department)
    for (name, group), value in theirs.items():
        if metric_tables(name) & absent:
            assert (name, group) not in ours, name
        else:
            assert same(ours[(name, group)], value), (name, group)
    orders = sheet_rows(month.team("运营推广"), "orders")
    assert ours[("sales_total", None)] is not None and ("refund_total", None) not in ours
    assert same(ours[("paid_total", None)], float(orders["实付金额"].sum()))
    # 运营推广's file checked its 客户编号 against its own copy of 客户 (example files carry the
    # master lists, as `generate --masters` makes them): nothing is left unchecked.
    assert not [f for f in result.findings if f.rule == "reference_absent"]
    left_out = [f for f in result.findings if f.rule == "left_out_file"]
    assert [f.file for f in left_out] == [str(tmp_path / "财务行政.xlsx")]
    # Made without the copies (generate without --masters), references to a sheet no file
    # gives: one warning per column, naming the missing team.
    bare = tmp_path / "bare" / "运营推广.xlsx"
    bare.parent.mkdir()
    frames = example_frames(CATALOG, "operations", parse_month("2026-11"), rows=60, seed=1)
    generate_workbook(CATALOG, "operations", bare, month=parse_month("2026-11"), data=frames)
    result = run([bare if f.name == "运营推广.xlsx" else f for f in files])
    unchecked = {(f.table, f.column): f for f in result.findings if f.rule == "reference_absent"}
    assert ("orders", "customer_id") in unchecked
    f = unchecked[("orders", "customer_id")]
    assert f.severity == "warning" and f.file == "运营推广.xlsx" and f.sheet == "订单"
    assert f"{orders['客户编号'].notna().sum()} 个值" in f.message and "客服售后未交" in f.message
    for table, column in unchecked:
        assert CATALOG.tables[table].column(column).ref_table in absent


def test_include_invalid_takes_the_good_rows_of_a_file_with_errors(month, tmp_path):
    def bad_subject(wb):
        wb["收支"]["D3"] = "很多"

    files = copy_month(month, tmp_path, edit={"财务行政": bad_subject})
    result = run(files, include_invalid=True)
    finance = by_team(result)["财务行政"]
    expected = sum(len(sheet_rows(month.team("财务行政"), t)) for t in CATALOG.bundles["finance_admin"].tables)
    assert (finance.state, finance.rows) == (WITH_ERRORS, expected - 1)
    taken = result.tables["finance"]
    assert 3 not in set(taken.loc[taken[SOURCE_FILE].str.endswith("财务行政.xlsx"), SOURCE_ROW])


def test_references_and_checks_between_two_teams_files(month, department, tmp_path):
    def after_sales(wb):
        ws = wb["售后"]
        assert ws["B2"].value.startswith("订单编号") and ws["E2"].value.startswith("数量")
        ws["B3"] = "O9999999"  # an order nobody has
        ws["E4"] = 999  # more than that order's quantity

    files = copy_month(month, tmp_path, edit={"客服售后": after_sales})
    service = tmp_path / "客服售后.xlsx"
    # Alone, the file cannot check either: its orders are in another team's file.
    (alone,) = inspect_many([service], catalog=CATALOG, keep="report")
    assert alone.report.errors == 0
    result = run(files)
    refs = [f for f in result.findings if f.rule == "reference"]
    assert [(Path(f.file).name, f.sheet, f.cell, f.severity, f.value) for f in refs] == [
        ("客服售后.xlsx", "售后", "B3", "error", "O9999999")
    ]
    assert "订单" in refs[0].message
    checks = [f for f in result.findings if f.rule == "reconcile"]
    assert [(Path(f.file).name, f.sheet, f.cell, f.severity) for f in checks] == [
        ("客服售后.xlsx", "售后", "E4", "error")
    ]
    # Both rows are left out, nothing else.
    rows = sheet_rows(month.team("客服售后"), "after_sales")
    merged = result.tables["after_sales"]
    assert len(merged) == len(rows) - 2
    assert not set(merged.loc[merged[SOURCE_FILE] == str(service), SOURCE_ROW]) & {3, 4}
    refunds = pd.to_numeric(rows["退款金额"], errors="coerce").fillna(0)
    ours, theirs = figures(result), figures(department)
    assert same(ours[("refund_total", None)], theirs[("refund_total", None)] - float(refunds.iloc[:2].sum()))
    assert ours[("after_sales_count", None)] == theirs[("after_sales_count", None)] - 2
    h = by_team(result)["客服售后"]
    assert (h.state, h.errors) == (WITH_ERRORS, 2)
    assert result.left_out["references"] == 1 and result.left_out["cross_checks"] == 1
    source = next(s for s in result.sources if s.path == str(service))
    assert source.status == "partly" and source.month_errors == 2


def test_totals_checked_across_files(month, tmp_path):
    ledger = sheet_rows(month.team("财务行政"), "finance")
    first = ledger.index[ledger["科目"] == "销售收入"][0]
    row = first + CATALOG.tables["finance"].first_data_row

    def more_income(wb):
        ws = wb["收支"]
        assert ws[f"E{CATALOG.tables['finance'].header_row}"].value.startswith("金额")
        ws[f"E{row}"] = ws[f"E{row}"].value + 100_000

    files = copy_month(month, tmp_path, edit={"财务行政": more_income})
    result = run(files)
    totals = [f for f in result.findings if f.rule == "totals"]
    assert len(totals) == 1 and totals[0].severity == "warning"
    assert (totals[0].file, totals[0].sheet) == ("财务行政.xlsx", "收支")
    income = float(ledger.loc[ledger["科目"] == "销售收入", "金额"].sum()) + 100_000
    paid = float(sheet_rows(month.team("运营推广"), "orders")["实付金额"].sum())
    assert shown_number(abs(income - paid)) in totals[0].message
    # A warning: nothing is left out, the team handed in.
    assert by_team(result)["财务行政"].state == SUBMITTED


def test_checks_within_one_file_are_not_reported_again(month, tmp_path):
    copy = tmp_path / "department.xlsx"
    shutil.copy(month.department, copy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(copy)
    wb["售后"]["B3"] = "O9999999"
    wb.save(copy)
    (insp,) = inspect_many([copy], catalog=CATALOG, keep="tables")
    assert [(f.rule, f.sheet, f.cell) for f in insp.report.findings if f.severity == "error"] == [
        ("reference", "售后", "B3")
    ]
    result = consolidate([insp], CATALOG, include_invalid=True)
    assert not [f for f in result.findings if f.rule in ("reference", "reconcile", "totals", "reference_absent")]
    assert result.left_out["row_errors"] == 1 and "references" not in result.left_out


def test_a_file_of_another_family_is_left_out(month, department, tmp_path):
    schemas = tmp_path / "schemas"
    (schemas / "workbooks").mkdir(parents=True)
    (schemas / "workbooks" / "mini.yaml").write_text(
        "name: mini_shop\ntitle: 小店月报\ntitle_en: Small shop monthly\nversion: 1\ntables: [inquiries]\n",
        encoding="utf-8",
    )
    files = copy_month(month, tmp_path / "month")
    other = tmp_path / "month" / "小店.xlsx"
    made = cli("example", "mini_shop", "--schemas", schemas, "--month", "2026-11", "--rows", 20, "-o", other)
    assert made.exit_code == 0, made.output
    catalog = load_catalog([schemas])
    result = run([*files, other], catalog=catalog)
    assert result.bundle.name == "department"
    (left,) = [f for f in result.findings if f.rule == "left_out_family"]
    assert left.file == str(other) and "小店月报" in left.message and "电商部月度工作簿" in left.message
    source = next(s for s in result.sources if s.path == str(other))
    assert (source.status, source.rows_taken, source.bundle) == ("other_family", 0, "mini_shop")
    shop = by_team(result)["小店"]
    assert (shop.state, shop.bundle, shop.files) == (UNEXPECTED, "mini_shop", ["小店.xlsx"])
    assert shop.reason == left.message
    assert [h.state for h in result.status if h.team in ROSTER] == [SUBMITTED] * 5
    ours, theirs = figures(result), figures(department)
    assert [k for k in theirs if not same(ours.get(k), theirs[k])] == []


def test_a_refused_file_is_named_in_the_status(month, tmp_path):
    files = copy_month(month, tmp_path, without=["仓储物流"])
    broken = tmp_path / "仓储物流.xlsx"
    broken.write_text("订单,数量\n", encoding="utf-8")
    result = run([*files, broken])
    h = by_team(result)["仓储物流"]
    assert (h.state, h.files, h.rows) == (REFUSED, ["仓储物流.xlsx"], 0)
    assert h.reason and h.reason == next(f.message for f in result.findings if f.rule == "left_out_unreadable")
    unchecked = [f for f in result.findings if f.rule == "reference_absent"]
    assert unchecked and all("仓储物流的文件被退回" in f.message for f in unchecked)


def test_an_order_line_left_out_does_not_make_its_after_sales_wrong(month, tmp_path):
    """With --include-invalid, an order line with a bad cell is left out; the after-sales rows
    of that order (another team's file) are not judged by what is left of the order, and the
    ledger's sales income is not held against a paid total missing that line."""
    orders = sheet_rows(month.team("运营推广"), "orders")
    after = sheet_rows(month.team("客服售后"), "after_sales")
    order_id = next(o for o in after["订单编号"] if o in set(orders["订单编号"]))
    line = orders.index[orders["订单编号"] == order_id][0] + CATALOG.tables["orders"].first_data_row
    quantity = chr(ord("A") + list(orders.columns).index("数量"))

    def bad_quantity(wb):
        wb["订单"][f"{quantity}{line}"] = "三件"

    files = copy_month(month, tmp_path, edit={"运营推广": bad_quantity})
    result = run(files, include_invalid=True)
    assert by_team(result)["运营推广"].state == WITH_ERRORS
    # (the example's orders have one line each: the order is not in the month's rows at all)
    assert order_id not in set(result.tables["orders"]["order_id"])
    service = [f for f in result.findings if Path(f.file).name == "客服售后.xlsx"]
    assert not [f for f in service if f.rule in ("reconcile", "reference")], [f.message for f in service]
    assert not [f for f in result.findings if f.rule == "totals"]
    assert by_team(result)["客服售后"].state == SUBMITTED


def test_headline_figures_stay_on_the_overview_when_their_team_is_missing(month, tmp_path):
    from ecomsheets.summarize.writer import write_summary_workbook

    files = copy_month(month, tmp_path, without=["运营推广"])
    result = run(files)
    out = tmp_path / "summary.xlsx"
    write_summary_workbook(result, CATALOG, out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(out, read_only=True)
    rows = [r for r in wb["概览"].iter_rows(values_only=True) if r and r[0]]
    labels = {r[0]: r[1] for r in rows}
    titles = {m.name: m.title for m in FAMILY.metrics}
    for name in FAMILY.headline:
        assert titles[name] in labels, name
    assert labels[titles["sales_total"]] == "本月无数据（相关表格未交或未计入）"
    assert labels[titles["complaint_count"]] == len(sheet_rows(month.team("客服售后"), "complaints"))
    heads = next(wb["横向对比"].iter_rows(values_only=True))
    assert [titles[n] for n in FAMILY.headline] == [h for h in heads if h in titles.values()]
    wb.close()


def test_last_months_file_beside_this_months_is_named_not_counted(month, tmp_path):
    files = copy_month(month, tmp_path)
    old = tmp_path / "财务行政_10月.xlsx"
    result = cli("example", "finance_admin", "--month", "2026-10", "--rows", 20, "-o", old)
    assert result.exit_code == 0, result.output
    status = by_team(run([*files, old], month="2026-11"))
    finance = status["财务行政"]
    assert (finance.state, finance.errors) == (SUBMITTED, 0)
    assert finance.files == ["财务行政.xlsx", "财务行政_10月.xlsx"]
    assert finance.reason.startswith("财务行政_10月.xlsx：") and "2026-10" in finance.reason
