"""What a schema can say, beyond columns (issue 14), on a small catalogue written in the test:
a table's own parameters read by its formulas (and left blank for the manager to fill in),
WEEKDAY / ISBLANK / MOD in rules, cross-sheet checks with an operator, a fixed value, a
condition, a tolerance and a severity, and checks between two figures. Each is checked the
three ways it is used: the template's formula, example rows that satisfy it, and validation
that finds a broken cell where it is."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.months import parse_month
from ecomsheets.schema import load_catalog
from ecomsheets.validate import validate

MONTH = parse_month("2026-11")
NOW = datetime(2026, 11, 1, 9, 0)

PLANS = """
name: plans
title: 计划
sheet: 计划
example_rows: 4
primary_key: [plan_id]
columns:
  - {name: plan_id, title: 计划编号, type: string, required: true, unique: true}
  - {name: start_date, title: 开始日期, type: date, required: true, example: '46326'}
  - {name: end_date, title: 结束日期, type: date, required: true, example: 'start_date + 29'}
  - {name: budget, title: 预算, type: money, required: true, min: 0, example: '100'}
"""

SPEND = """
name: spend
title: 花费
sheet: 花费
primary_key: [day, plan_id]
parameters:
  break_minutes: {value: 60, title: 休息（分钟）, title_en: Break (minutes)}
  limit_minutes: {value: null, type: integer, title: 时限（分钟）, title_en: Limit (minutes)}
columns:
  - {name: day, title: 日期, type: date, required: true, in_month: true}
  - {name: plan_id, title: 计划编号, type: string, required: true, references: plans.plan_id}
  - {name: cost, title: 花费, type: money, required: true, min: 0, example: 'ROUND(5 + _rand * 20, 2)'}
  - {name: start, title: 开始, type: time, example: '9 / 24'}
  - {name: stop, title: 结束, type: time, example: '18 / 24'}
  - name: hours
    title: 时长
    type: decimal
    formula: ROUND((stop - start) * 24 - break_minutes / 60, 2)
  - {name: minutes, title: 用时（分钟）, type: integer, example: '5'}
  - {name: note, title: 说明, type: text}
rules:
  - name: note_when_weekend
    check: NOT(ISBLANK(note))
    when: WEEKDAY(day) >= 6
    message: 周末的记录要写说明
    columns: [note]
  - name: within_limit
    check: minutes <= limit_minutes
    severity: warning
    message: 超过时限
    columns: [minutes]
"""

INCOME = """
name: income
title: 收入
sheet: 收入
primary_key: [entry_id]
columns:
  - {name: entry_id, title: 编号, type: string, required: true, unique: true}
  - {name: kind, title: 科目, type: enum, required: true, values: [广告, 其他]}
  - {name: amount, title: 金额, type: money, required: true, min: 0}
"""

BUNDLE = """
name: mini
title: 小工作簿
tables: [plans, spend, income]
parameters:
  gap: {value: 1, title: 允许差额}
metrics:
  - {name: spend_total, title: 花费合计, agg: sum, table: spend, column: cost, format: money}
  - {name: ad_income, title: 广告收入, agg: sum, table: income, column: amount, where: kind = "广告", format: money}
checks:
  - name: spend_within_budget
    table: plans
    column: budget
    op: ">="
    agg: sum
    source_table: spend
    source_column: cost
    match: {plan_id: plan_id}
    severity: warning
    message: 花费超过了预算
  - name: day_not_before_start
    table: spend
    column: day
    op: ">="
    agg: min
    source_table: plans
    source_column: start_date
    match: {plan_id: plan_id}
    message: 日期早于计划开始
  - name: weekend_has_plan
    table: spend
    column: day
    value: 1
    op: "<="
    agg: count
    source_table: plans
    match: {plan_id: plan_id, day: start_date}
    when: WEEKDAY(day) >= 6
    message: 周末的花费只能记在计划开始的那天
  - name: income_matches_spend
    metric: ad_income
    against: spend_total
    tolerance: gap
    message: 广告收入应与花费合计一致
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    base = tmp_path_factory.mktemp("schemas")
    (base / "tables").mkdir()
    (base / "workbooks").mkdir()
    for name, text in (("plans", PLANS), ("spend", SPEND), ("income", INCOME)):
        (base / "tables" / f"{name}.yaml").write_text(text, encoding="utf-8")
    (base / "workbooks" / "mini.yaml").write_text(BUNDLE, encoding="utf-8")
    return load_catalog([base], builtin=False)


@pytest.fixture(scope="module")
def filled(catalog, tmp_path_factory) -> Path:
    frames = example_frames(catalog, "mini", MONTH, rows=30, seed=3)
    frames["income"] = frames["income"].iloc[:0]
    path = tmp_path_factory.mktemp("mini") / "filled.xlsx"
    generate_workbook(catalog, "mini", path, month=MONTH, data=frames, now=NOW)
    return path


def test_the_bundle_collects_its_tables_parameters(catalog):
    bundle = catalog.bundle("mini")
    assert [p.name for p in bundle.parameter_specs] == ["gap", "break_minutes", "limit_minutes"]
    assert bundle.parameter("limit_minutes") is None


def test_a_formula_reads_its_parameter_from_the_summary_sheet(catalog, tmp_path):
    path = tmp_path / "blank.xlsx"
    generate_workbook(catalog, "mini", path, month=MONTH, rows=3, now=NOW)
    wb = openpyxl.load_workbook(path)
    assert wb["花费"]["F3"].value == '=IF(OR(E3="",D3=""),"",ROUND((E3-D3)*24-\'汇总\'!$B$6/60,2))'
    summary = wb["汇总"]
    assert summary["B6"].value == 60 and summary["B7"].value is None  # the blank one is for the manager
    assert "请填写" in summary["C7"].value


def test_example_rows_satisfy_every_check_and_validate_clean(catalog, filled):
    report = validate(filled, catalog=catalog, month=MONTH)
    # The limit is blank: its rule is not made, and one warning says so.
    assert [(f.rule, f.severity) for f in report.findings] == [("parameter_unset", "warning")]
    assert "时限（分钟）" in report.findings[0].message


def _edit(path: Path, out: Path, sheet: str, cells: dict) -> Path:
    wb = openpyxl.load_workbook(path)
    for cell, value in cells.items():
        wb[sheet][cell] = value
    wb.save(out)
    return out


def _found(report, rule):
    return [(f.severity, f.sheet, f.cell) for f in report.findings if f.rule == rule]


def test_a_check_with_an_operator_names_its_cell_and_keeps_its_severity(catalog, filled, tmp_path):
    ws = openpyxl.load_workbook(filled)["花费"]
    plan = ws["B3"].value
    plans = openpyxl.load_workbook(filled)["计划"]
    row = next(r for r in range(3, 10) if plans[f"A{r}"].value == plan)
    edited = _edit(filled, tmp_path / "over.xlsx", "花费", {"C3": 100000})  # spend far over the plan's budget
    report = validate(edited, catalog=catalog, month=MONTH)
    assert _found(report, "reconcile") == [("warning", "计划", f"D{row}")]
    assert "花费超过了预算" in report.findings[[f.rule for f in report.findings].index("reconcile")].message


def test_a_date_before_the_plan_is_an_error_showing_the_plans_start(catalog, filled, tmp_path):
    edited = _edit(filled, tmp_path / "early.xlsx", "计划", {f"B{r}": datetime(2026, 11, 20) for r in range(3, 7)})
    report = validate(edited, catalog=catalog, month=MONTH)
    early = [f for f in report.findings if f.rule == "reconcile" and f.sheet == "花费"]
    assert early and all(f.severity == "error" and f.column == "day" for f in early)
    assert "2026-11-20" in early[0].message


def test_weekday_isblank_and_a_condition_on_the_checked_row(catalog, filled, tmp_path):
    wb = openpyxl.load_workbook(filled)
    ws = wb["花费"]
    ws["A3"] = datetime(2026, 11, 7)  # a Saturday, no note, and no plan starts that day
    ws["H3"] = None
    edited = tmp_path / "weekend.xlsx"
    wb.save(edited)
    report = validate(edited, catalog=catalog, month=MONTH)
    assert ("error", "花费", "H3") in _found(report, "row_rule")
    assert ("error", "花费", "A3") in _found(report, "reconcile")
    ws["A3"] = datetime(2026, 11, 6)  # a Friday
    wb.save(edited)
    report = validate(edited, catalog=catalog, month=MONTH)
    assert ("error", "花费", "H3") not in _found(report, "row_rule")
    assert ("error", "花费", "A3") not in _found(report, "reconcile")


def test_a_parameter_filled_in_the_file_is_the_one_used(catalog, filled, tmp_path):
    edited = _edit(filled, tmp_path / "limit.xlsx", "汇总", {"B7": 3})
    report = validate(edited, catalog=catalog, month=MONTH)
    over = _found(report, "row_rule")
    assert over and all(sev == "warning" and sheet == "花费" for sev, sheet, _ in over)
    assert not _found(report, "parameter_unset")


def test_two_figures_that_must_agree(catalog, filled, tmp_path):
    wb = openpyxl.load_workbook(filled)
    ws = wb["收入"]
    ws["A3"], ws["B3"], ws["C3"] = "R1", "广告", 1.0
    edited = tmp_path / "income.xlsx"
    wb.save(edited)
    report = validate(edited, catalog=catalog, month=MONTH)
    totals = [f for f in report.findings if f.rule == "totals"]
    assert len(totals) == 1 and totals[0].sheet == "收入" and totals[0].severity == "error"
    assert "广告收入应与花费合计一致" in totals[0].message and "允许相差 1" in totals[0].message


def test_a_text_example_expression_fills_text_and_leaves_blanks(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "workbooks").mkdir()
    (tmp_path / "tables" / "tx.yaml").write_text(
        "name: tx\ntitle: 测试\nsheet: 测试\ncolumns:\n"
        "  - {name: kind, title: 类型, type: enum, values: [甲, 其他], required: true}\n"
        '  - {name: why, title: 说明, type: string, example: \'IF(kind = "其他", "说明文字", "")\'}\n',
        encoding="utf-8",
    )
    (tmp_path / "workbooks" / "wx.yaml").write_text("name: wx\ntitle: 测\ntables: [tx]\n", encoding="utf-8")
    frame = example_frames(load_catalog([tmp_path]), "wx", MONTH, rows=40, seed=3)["tx"]
    other = frame["kind"] == "其他"
    assert other.any() and (~other).any()
    assert (frame.loc[other, "why"] == "说明文字").all()
    assert frame.loc[~other, "why"].isna().all()
