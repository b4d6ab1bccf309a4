"""Words as a Chinese shop reads them (issue 11): a blank cell means the column's declared
default in rule conditions; schema text lines up by display width; figures show as people
write them."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import openpyxl
import pytest

from ecomsheets.errors import SchemaError
from ecomsheets.months import parse_month
from ecomsheets.report.findings_view import clean_text
from ecomsheets.report.schema_text import render_schema
from ecomsheets.schema import load_catalog
from ecomsheets.schema.model import text_width
from ecomsheets.validate import validate
from tests.helpers import CATALOG, MONTH


@pytest.fixture(scope="module")
def shop(example_workbook) -> Path:
    return example_workbook(rows=20, seed=5, now=datetime(2026, 11, 1))


def _late(report) -> list:
    return [
        f for f in report.findings if f.rule == "row_rule" and f.message.startswith("上班打卡") and "迟到" in f.message
    ]


@pytest.mark.parametrize("leave", ["", None, "无"])
def test_blank_leave_means_none_so_lateness_is_noted(shop, tmp_path, leave):
    wb = openpyxl.load_workbook(shop)
    ws = wb["考勤"]
    heads = {c.value.rstrip("*"): c.column_letter for c in ws[2] if c.value}
    ws[f"{heads['上班打卡']}3"].value = time(9, 20)
    ws[f"{heads['请假类型']}3"].value = leave
    path = tmp_path / "late.xlsx"
    wb.save(path)
    late = [f for f in _late(validate(path, month=MONTH)) if f.row == 3]
    assert len(late) == 1 and late[0].severity == "warning" and late[0].cell == f"{heads['上班打卡']}3"


def test_leave_taken_means_no_lateness(shop, tmp_path):
    wb = openpyxl.load_workbook(shop)
    ws = wb["考勤"]
    heads = {c.value.rstrip("*"): c.column_letter for c in ws[2] if c.value}
    ws[f"{heads['上班打卡']}3"].value = time(9, 20)
    ws[f"{heads['请假类型']}3"].value = "事假"
    path = tmp_path / "leave.xlsx"
    wb.save(path)
    assert [f for f in _late(validate(path, month=MONTH)) if f.row == 3] == []


def test_a_default_must_be_one_of_the_values(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "t.yaml").write_text(
        "name: t\ntitle: 表\nsheet: 表\ncolumns:\n"
        "  - {name: kind, title: 类型, type: enum, values: [甲, 乙], default: 丙}\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as err:
        load_catalog([tmp_path])
    assert any("“丙”不是可选的值（甲、乙）" in p.text("zh") for p in err.value.problems)


def test_schema_text_lines_up_by_display_width():
    text = render_schema(CATALOG.tables["orders"], CATALOG, "zh")
    rows = [line for line in text.splitlines() if line.startswith("  ") and not line.startswith("  paid_not")]
    # The type column starts at the same display column on every row.
    starts = set()
    for line in rows[:12]:
        name, rest = line[2:].split(" ", 1)
        title_and_type = rest.lstrip()
        head = line[: line.index(title_and_type)]
        title = title_and_type.split(" ", 1)[0]
        after = title_and_type[len(title) :]
        starts.add(text_width(head) + text_width(title) + len(after) - len(after.lstrip()))
    assert len(starts) == 1, rows[:12]
    assert "string" not in text and "文本" in text  # types in words, not internal codes


def test_counts_show_as_whole_numbers():
    assert clean_text(1.0) == "1" and clean_text(25.0) == "25" and clean_text(2.5) == "2.5"
    assert clean_text(0.1 + 0.2) == "0.3"


def test_a_file_of_another_month_is_one_finding_not_one_per_cell(shop):
    report = validate(shop, month=parse_month("2026-12"))
    errors = [f for f in report.findings if f.severity == "error"]
    assert [f.rule for f in errors] == ["wrong_month"]
    assert errors[0].message.startswith("所有日期都在 2026-11（")
    assert "月份是否选错了？" in errors[0].message
    assert not any(f.rule == "out_of_month" for f in report.findings)


def test_a_few_dates_outside_the_month_are_each_named(shop, tmp_path):
    wb = openpyxl.load_workbook(shop)
    ws = wb["订单"]
    ws["B3"].value = datetime(2026, 10, 31)
    path = tmp_path / "one_october.xlsx"
    wb.save(path)
    report = validate(path, month=MONTH)
    assert [(f.rule, f.cell) for f in report.findings if f.severity == "error"] == [("out_of_month", "B3")]


def _typed_dates(shop, tmp_path, texts: dict[str, str]) -> list:
    wb = openpyxl.load_workbook(shop)
    ws = wb["订单"]
    for cell, text in texts.items():
        ws[cell].value = text
        ws[cell].data_type = "s"
    path = tmp_path / "dates.xlsx"
    wb.save(path)
    return [f for f in validate(path, month=MONTH).findings if f.sheet == "订单" and f.cell in texts]


def test_unambiguous_day_first_and_month_first_dates_are_read_with_a_warning(shop, tmp_path):
    found = {f.cell: f for f in _typed_dates(shop, tmp_path, {"B3": "15/11/2026", "B4": "11/15/2026"})}
    assert {c: (f.rule, f.severity) for c, f in found.items()} == {
        "B3": ("normalized", "warning"),
        "B4": ("normalized", "warning"),
    }
    assert "已按“2026-11-15”读取（日/月/年 的写法）" in found["B3"].message
    assert "已按“2026-11-15”读取（月/日/年 的写法）" in found["B4"].message


def test_an_ambiguous_date_is_an_error_showing_both_readings(shop, tmp_path):
    (f,) = _typed_dates(shop, tmp_path, {"B3": "11/3/2026"})
    assert (f.rule, f.severity) == ("ambiguous_date", "error")
    assert "两种读法（2026-03-11 或 2026-11-03）" in f.message
    assert "2026-03-11 or 2026-11-03" in f.message_en


def test_bidirectional_overrides_never_reach_a_report():
    """A submitted value with U+202E would read backwards in the HTML report and the annotated
    copy's results sheet; on the console it is shown escaped (issue 12, item 10)."""
    from ecomsheets.textsafe import for_terminal
    from ecomsheets.xlsx.sanitize import clean_text as cell_text

    value = "abc\u202edef\u2066x\x1b[2J"
    assert clean_text(value) == "abcdefx[2J"
    assert cell_text(value) == "abcdefx[2J"
    assert for_terminal(value) == "abc\\u202edef\\u2066x\\x1b[2J"
