"""The used-range guard counts rows that hold content: a sheet as LibreOffice saves it after a
row was deleted (an empty `<row r="1048576"/>` and a dimension reaching the last row) is read
normally, while content on the last row is still refused, naming the option that raises the
limit (issue 11, item 1)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from ecomsheets.read.guard import Limits, check_file
from tests.helpers import CATALOG, cli, edit_part, sheet_part


def _rewrite(src: Path, dst: Path, part: str, edit) -> Path:
    return edit_part(src, dst, part, lambda data: edit(data.decode("utf-8")).encode("utf-8"))


@pytest.fixture(scope="module")
def example(example_workbook) -> Path:
    return example_workbook(rows=30, seed=4, now=datetime(2026, 11, 1))


def _orders_part(path: Path) -> str:
    return sheet_part(path, "订单")


def _libreoffice_after_delete(text: str) -> str:
    text = re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:L1048576"/>', text)
    return text.replace(
        "</sheetData>",
        '<row r="1048576" spans="1:12" customFormat="false" ht="12.8" '
        'hidden="false" customHeight="false" outlineLevel="0" collapsed="false"/>'
        "</sheetData>",
        1,
    )


def test_empty_last_row_as_libreoffice_writes_it_is_read(example, tmp_path):
    part = _orders_part(example)
    path = _rewrite(example, tmp_path / "lo_saved.xlsx", part, _libreoffice_after_delete)
    assert check_file(path) is None
    result = cli("validate", path)
    assert result.exit_code == 0, result.output
    assert "✓" in result.output and "使用范围过大" not in result.output


def test_styled_only_cells_far_below_cost_nothing(example, tmp_path):
    part = _orders_part(example)

    def styled(text: str) -> str:
        text = re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:L1048576"/>', text)
        return text.replace(
            "</sheetData>", '<row r="1048576"><c r="C1048576" s="1"/><c r="D1048576" s="1"/></row></sheetData>', 1
        )

    assert check_file(_rewrite(example, tmp_path / "styled.xlsx", part, styled)) is None


def test_content_on_the_last_row_is_refused_and_names_the_option(example, tmp_path):
    part = _orders_part(example)

    def content(text: str) -> str:
        text = re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:L1048576"/>', text)
        return text.replace(
            "</sheetData>",
            '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>T99</t></is></c></row></sheetData>',
            1,
        )

    path = _rewrite(example, tmp_path / "last_row.xlsx", part, content)
    refusal = check_file(path)
    assert refusal is not None and refusal.rule == "dimension"
    assert refusal.message == (
        "工作表“订单”的使用范围过大（N1048576），超过上限 1,048,575 行（确有这么多行时，可用 --max-rows 调高上限）"
    )
    assert check_file(path, Limits(max_rows=1_048_576)) is None


# --- the extent the reader would allocate, measured from the cells --------------------------


def _sheet(xml: str) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    zf = zipfile.ZipFile(buf)
    return zf, zf.getinfo("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    "xml, corner, cells",
    [
        # as Excel and LibreOffice write it
        (
            '<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="C1" s="2"/></row>'
            '<row r="3"><c r="B3" t="s"><v>0</v></c></row><row r="1048576"/></sheetData></worksheet>',
            "B3",
            6,
        ),
        # no r= anywhere: positions follow the order of rows and cells
        (
            "<worksheet><sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row><c/><c/><c><v>3</v></c></row>"
            "</sheetData></worksheet>",
            "C2",
            6,
        ),
        # single quotes and a namespace prefix, as some .NET writers produce
        (
            "<x:worksheet><x:sheetData><x:row r='2'><x:c r='D2'><x:v>1</x:v></x:c></x:row>"
            "<x:row r='7'><x:c r='AB7'><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>",
            "AB7",
            6 * 25,
        ),
        # a styled cell with an empty element is no content
        (
            '<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="ZZ9" s="1"></c></row></sheetData>'
            "</worksheet>",
            "A1",
            1,
        ),
    ],
)
def test_exact_extent_follows_the_cells_the_reader_keeps(xml, corner, cells):
    from ecomsheets.read import extent

    found = extent.exact(*_sheet(xml))
    assert (found.corner, found.cells) == (corner, cells)
    near = extent.bound(*_sheet(xml))
    # the fast bound is never smaller than the truth, or it declines (None) and the exact pass decides
    assert near is None or (near.last_row >= found.last_row and near.last_column >= found.last_column)


def test_fast_bound_sees_a_far_cell_between_near_ones():
    from ecomsheets.read import extent

    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 2000))
    xml = f'<worksheet><sheetData>{rows}<row r="5"><c r="ALL5"><v>1</v></c></row></sheetData></worksheet>'
    near = extent.bound(*_sheet(xml))
    assert near is not None and near.last_column == 1000


# --- a flood of one finding in one sheet is listed in part and counted in full ----------------


def test_three_hundred_stray_headers_are_counted_not_all_listed(example, tmp_path):
    from xlsxwriter.utility import xl_col_to_name

    from ecomsheets.findings import LIST_PER_SHEET
    from ecomsheets.report.html import render_html
    from ecomsheets.validate import validate

    stray = range(30, 330)  # columns AE… on the header row, each with a title nobody knows

    def headers(text: str) -> str:
        cells = "".join(f'<c r="{xl_col_to_name(c)}2" t="inlineStr"><is><t>备注{c}</t></is></c>' for c in stray)
        return re.sub(
            r'(<row r="2"[^>]*>.*?)</row>', lambda m: m.group(1) + cells + "</row>", text, count=1, flags=re.S
        )

    path = _rewrite(example, tmp_path / "stray.xlsx", _orders_part(example), headers)
    report = validate(path, catalog=CATALOG)
    unknown = [f for f in report.findings if f.rule == "column_unknown"]
    assert report.valid and report.warnings == 300
    assert len(unknown) == LIST_PER_SHEET and report.omitted == 300 - LIST_PER_SHEET
    assert [f.cell for f in unknown][:2] == ["AE2", "AF2"]  # the first ones, in column order

    out = cli("validate", path).output
    listed = re.findall(r"订单!([A-Z]+)2 无法识别的列", out)
    assert listed[:3] == ["AE", "AF", "AG"] and "300 个提醒" in out  # by column, not as text (AE, AAA…)
    page = render_html([report], "zh")
    assert f"提醒 · 未识别的列 · 订单：{300 - LIST_PER_SHEET} 条" in page
    assert page.count("无法识别的列“备注") == LIST_PER_SHEET
