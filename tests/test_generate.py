"""`ecomsheets generate`: read the generated workbooks back with openpyxl and check them
against the schema catalogue, a golden snapshot, the command line and atomic writing.

The golden snapshot is tests/golden/department_2026-12.json. To remake it after an intended
change: `ECOMSHEETS_UPDATE_GOLDEN=1 python -m pytest -q tests/test_generate.py -k golden`,
review the diff, then run the tests again without the variable.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
import yaml
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.utils import get_column_letter

import ecomsheets.generate.workbook as workbook_module
from ecomsheets import messages
from ecomsheets.compute.derived import excel_formula
from ecomsheets.errors import UsageError
from ecomsheets.generate import generate_workbook
from ecomsheets.months import parse_month
from ecomsheets.resources import builtin_dir
from ecomsheets.schema import describe as prompts
from ecomsheets.schema import load_catalog
from ecomsheets.schema.model import ColumnSpec, TableSpec
from ecomsheets.xlsx.layout import TableLayout
from tests.helpers import cli

ROWS = 20
NOW = datetime(2026, 12, 1, 9, 0)
MONTH = "2026-12"
MAX_ROW = 1048576
FORMULA_ROWS = 2 * ROWS  # a blank template's derived formulas reach twice its rows (layout.FORMULA_GROWTH)
GROWTH = 10  # uniqueness checks and reference dropdowns reach ten times its rows (layout.GROWTH)
GOLDEN = Path(__file__).parent / "golden" / "department_2026-12.json"
UPDATE_ENV = "ECOMSHEETS_UPDATE_GOLDEN"

# What every column type must look like in the sheet (literal, so a change is noticed).
TYPE_FORMATS = {
    "string": "@",
    "text": "@",
    "phone": "@",
    "enum": "@",
    "bool": "@",
    "integer": "#,##0",
    "decimal": "#,##0.00",
    "money": '"¥"#,##0.00',
    "percent": "0.00%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "time": "hh:mm",
}
TYPE_VALIDATIONS = {
    "integer": "whole",
    "decimal": "decimal",
    "money": "decimal",
    "percent": "decimal",
    "date": "date",
    "datetime": "date",
    "time": "time",
    "enum": "list",
    "bool": "list",
    "phone": "textLength",
}
HEADER_BG, DERIVED_HEADER_BG, DERIVED_BG, STAR_COLOR = "FF1F4E78", "FF5B6770", "FFEDEFF1", "FFFF8080"
CJK = re.compile(r"[\u4e00-\u9fff]")
SCHEMAS = builtin_dir("schemas")
LISTS_RANGE = re.compile(r"^'_lists'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$")


def raw_yaml(relative: str) -> dict:
    """A schema file as plain YAML: the declarations read without the package's loader, so that
    expectations derived from them are an independent account of the catalogue."""
    return yaml.safe_load((SCHEMAS / relative).read_text(encoding="utf-8"))


def reach(t) -> int:
    """The last row a table's uniqueness check and the dropdowns listing its keys reach: its
    first data row plus GROWTH times the template's rows, less one."""
    return t.first_data_row + GROWTH * ROWS - 1


def excel_serial(d: date | datetime) -> float:
    dt = d if isinstance(d, datetime) else datetime.combine(d, time())
    return (dt - datetime(1899, 12, 30)).total_seconds() / 86400


def generate(path: Path, **kw):
    kw.setdefault("month", parse_month(MONTH))
    kw.setdefault("rows", ROWS)
    kw.setdefault("now", NOW)
    return generate_workbook(load_catalog(), "department", path, **kw)


def letters(table) -> dict[str, str]:
    return {c.name: get_column_letter(i + 1) for i, c in enumerate(table.columns)}


def column_format(ws, index: int) -> str:
    """The number format of a column's default style (xlsxwriter pre-formats whole columns)."""
    for dim in ws.column_dimensions.values():
        if dim.min and dim.min <= index <= dim.max:
            return dim.number_format
    raise AssertionError(f"{ws.title}: no column style covers column {index}")


def effective_format(ws, row: int, index: int) -> str:
    cell = ws.cell(row, index)
    return cell.number_format if cell.has_style else column_format(ws, index)


def validations(ws) -> dict[str, object]:
    """Data validations by the column letter they cover (each covers exactly one column)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        ref = str(dv.sqref)
        letter = re.match(r"[A-Z]+", ref).group(0)
        assert letter not in out, f"{ws.title}: two validations on column {letter}"
        out[letter] = dv
    return out


def read_meta_raw(wb) -> dict[str, str]:
    """The _meta sheet as written: key -> the JSON text in column B (every value, strings too)."""
    ws = wb["_meta"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("key", "value")
    out = {}
    for k, v in rows[1:]:
        assert isinstance(k, str) and k not in out, k
        assert isinstance(v, str), (k, v)  # JSON text, never a number or a bare cell value
        out[k] = v
    return out


def read_meta(wb) -> dict[str, object]:
    """The _meta sheet decoded: every value in column B goes through json.loads."""
    return {k: json.loads(v) for k, v in read_meta_raw(wb).items()}


def cell_strings(ws) -> list[str]:
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v not in (None, "")]


def dot_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------------------------
# Fixtures: each workbook is generated and read once per module.


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def bundle(catalog):
    return catalog.bundle("department")


@pytest.fixture(scope="module")
def tables(catalog, bundle):
    return [catalog.tables[n] for n in bundle.tables]


@pytest.fixture(scope="module")
def raw_bundle():
    return raw_yaml("workbooks/department.yaml")


@pytest.fixture(scope="module")
def raw_tables(raw_bundle):
    """Each table of the bundle as its YAML file declares it, by table name."""
    by_name = {}
    for path in sorted((SCHEMAS / "tables").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        by_name[doc["name"]] = doc
    return {name: by_name[name] for name in raw_bundle["tables"]}


@pytest.fixture(scope="module")
def channels():
    """The channels, as schemas/reference/channels.yaml lists them (an item is a value or a mapping)."""
    items = raw_yaml("reference/channels.yaml")["items"]
    return [item["value"] if isinstance(item, dict) else item for item in items]


def raw_parameters(raw_bundle: dict, raw_tables: dict) -> dict[str, dict]:
    """The parameters as the YAML files declare them: the bundle's own, then each table's in the
    bundle's table order (a name already declared is the same setting, listed once)."""
    out = dict(raw_bundle.get("parameters") or {})
    for name in raw_bundle["tables"]:
        for key, spec in (raw_tables[name].get("parameters") or {}).items():
            out.setdefault(key, spec)
    return out


def header_row(raw: dict) -> int:
    """Where a table's header sits, from its YAML: under the banner (row 1) and the rows of its
    form block (a note, then one row per sheet-level field)."""
    form = raw.get("form") or {}
    return 2 + (1 if form.get("note") else 0) + len(form.get("fields", []))


@pytest.fixture(scope="module")
def dept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dept")
    path = folder / "department.xlsx"
    result = generate(path)
    return path, result


@pytest.fixture(scope="module")
def wb(dept):
    return openpyxl.load_workbook(dept[0])


@pytest.fixture(scope="module")
def wb_rich(dept):
    return openpyxl.load_workbook(dept[0], rich_text=True)


@pytest.fixture(scope="module")
def meta(wb):
    return read_meta(wb)


@pytest.fixture(scope="module")
def summary_meta(meta):
    return meta["summary"]


@pytest.fixture(scope="module")
def en_wb(tmp_path_factory):
    path = tmp_path_factory.mktemp("en") / "department_en.xlsx"
    generate(path, lang="en", rows=5)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def subset_wb(tmp_path_factory):
    path = tmp_path_factory.mktemp("subset") / "orders_customers.xlsx"
    generate(path, tables=["orders", "customers"], rows=5)
    return openpyxl.load_workbook(path)


# --------------------------------------------------------------------------------------------
# Sheets


def test_sheet_order_names_and_visibility(wb, dept, tables, raw_bundle, raw_tables):
    expected = ["说明", "汇总"] + [t.sheet for t in tables] + ["_lists", "_meta"]
    assert wb.sheetnames == expected
    assert dept[1].sheets == expected
    # The sheets are named and ordered as the YAML files declare them (read without our loader).
    sheets = [t.sheet for t in tables]
    assert sheets == [raw_tables[n]["sheet"] for n in raw_bundle["tables"]]
    assert len(set(sheets)) == len(sheets)
    # The first ten tables keep their names and their order among the others.
    first_ten = ["员工", "定岗定编", "客户", "库存", "订单", "销售", "物流", "投诉", "日报", "考勤"]
    assert [s for s in sheets if s in first_ten] == first_ten
    for ws in wb.worksheets:
        want = "hidden" if ws.title.startswith("_") else "visible"
        assert ws.sheet_state == want, ws.title
    assert wb.active.title == "说明"


def test_table_headers_are_the_column_titles(wb, wb_rich, tables, raw_tables):
    for t in tables:
        ws, rich = wb[t.sheet], wb_rich[t.sheet]
        hr = t.header_row
        assert hr == header_row(raw_tables[t.name]), t.name  # row 2, or under a form block
        plain = [c.value for c in ws[hr]]
        assert plain == [c.title + ("*" if c.required and not c.derived else "") for c in t.columns], t.name
        for i, col in enumerate(t.columns, start=1):
            value = rich.cell(hr, i).value
            if col.required and not col.derived:
                # The star is a separate red run of a rich string: [title, TextBlock('*')].
                assert isinstance(value, CellRichText), (t.name, col.name)
                parts = list(value)
                assert [str(p) for p in parts] == [col.title, "*"]
                assert isinstance(parts[1], TextBlock)
                assert parts[1].font.color.rgb == STAR_COLOR
                assert parts[1].font.b
            else:
                assert value == col.title, (t.name, col.name)
            fill = ws.cell(hr, i).fill.fgColor.rgb
            assert fill == (DERIVED_HEADER_BG if col.derived else HEADER_BG), (t.name, col.name)
        # Nothing else on the header row, no data typed in.
        assert ws.cell(hr, len(t.columns) + 1).value is None


def test_banner_freeze_autofilter_print(wb, tables, raw_tables):
    for t in tables:
        ws = wb[t.sheet]
        hr = t.header_row
        assert hr == header_row(raw_tables[t.name]), t.name
        last_col = get_column_letter(len(t.columns))
        last_row = t.first_data_row + FORMULA_ROWS - 1  # the filter takes the rows the formulas reach
        assert ws.freeze_panes == f"A{t.first_data_row}" == f"A{hr + 1}", t.name
        assert ws.auto_filter.ref == f"A{hr}:{last_col}{last_row}", t.name
        # The banner spans the table; a form's note does too, and each of its fields has its
        # label in A and one merged value cell from B to the last column.
        merged = [f"A1:{last_col}1"]
        form = raw_tables[t.name].get("form") or {}
        row = 2
        if form.get("note"):
            merged.append(f"A{row}:{last_col}{row}")
            row += 1
        for _ in form.get("fields", []):
            merged.append(f"B{row}:{last_col}{row}")
            row += 1
        assert row == hr, t.name
        assert sorted(str(r) for r in ws.merged_cells.ranges) == sorted(merged), t.name
        banner = ws["A1"].value
        assert banner.startswith(f"{t.title}　2026年12月")
        assert "带 * 的列必填" in banner
        assert ws.print_title_rows == f"${hr}:${hr}", t.name
        assert ws.page_setup.orientation == "landscape"


def test_headcount_form_block(wb, en_wb, tables, raw_tables, tmp_path):
    """定岗定编 as the department's form: the note on who fills in what (row 2), the two fields
    filled once for the whole department (rows 3 and 4: the label in A, one merged value cell
    B:I), the table's header on row 5, and the 编制/审核/批准 sign-off line in the footer of every
    printed page. Both languages."""
    t = next(t for t in tables if t.name == "headcount_plan")
    form = raw_tables["headcount_plan"]["form"]
    assert (t.header_row, t.first_data_row) == (5, 6)
    last = get_column_letter(len(t.columns))
    assert last == "I"
    cases = [
        (
            wb["定岗定编"],
            "zh",
            "岗位编号、岗位类别、岗位名称、现有人数由人力资源部填写，其余由本部门填写。",
            ["部门职责描述", "部门工作目标"],
            ("编制：________", "审核：________", "批准：________"),
        ),
        (
            en_wb["Headcount plan"],
            "en",
            "HR fills in position ID, type, name and current headcount; the department fills in the rest.",
            ["The department's duties", "The department's goals"],
            ("Prepared by: ________", "Reviewed by: ________", "Approved by: ________"),
        ),
    ]
    for ws, lang, note, fields, signoff in cases:
        en = lang == "en"
        # The YAML's words, in the workbook's language (read without our loader).
        assert note == form["note_en" if en else "note"]
        assert fields == [f["title_en" if en else "title"] for f in form["fields"]]
        assert list(signoff) == [
            messages.text("wb_signoff", lang, title=s["title_en" if en else "title"]) for s in form["signoff"]
        ]
        merged = {str(r) for r in ws.merged_cells.ranges}
        # Row 2: the note across the table's width, nothing else on the row.
        assert ws["A2"].value == note, lang
        assert f"A2:{last}2" in merged, lang
        # Rows 3 and 4: a bold label in A and an empty, bordered value cell merged from B to I,
        # left for the department to fill in.
        for row, label in zip((3, 4), fields):
            assert ws[f"A{row}"].value == label, (lang, row)
            assert ws[f"A{row}"].font.b, (lang, row)
            assert f"B{row}:{last}{row}" in merged, (lang, row)
            assert f"A{row}:{last}{row}" not in merged, (lang, row)
            value = ws[f"B{row}"]
            assert value.value is None and value.border.left.style == "thin", (lang, row)
            assert value.alignment.wrap_text, (lang, row)
            assert all(ws.cell(row, c).value is None for c in range(2, len(t.columns) + 1)), (lang, row)
        # The form block takes rows 2–4: the banner's merge plus these three, nothing more.
        assert merged == {f"A1:{last}1", f"A2:{last}2", f"B3:{last}3", f"B4:{last}4"}, lang
        # Row 5: the header; the rows start on row 6 (derived 增减人数 = 编制人数 - 现有人数).
        # Nothing after the last title (read without creating cells: the workbooks are shared).
        header = list(next(ws.iter_rows(min_row=5, max_row=5, values_only=True)))
        while header and header[-1] is None:
            header.pop()
        assert header == [c.header(lang) + ("*" if c.required and not c.derived else "") for c in t.columns], lang
        assert ws["A5"].value == ("Position ID*" if en else "岗位编号*")
        assert ws["F6"].value == '=IF(OR(E6="",D6=""),"",E6-D6)', lang
        assert (ws.freeze_panes, ws.print_title_rows) == ("A6", "$5:$5"), lang
        # The sign-off line at the foot of every printed page: left, centre and right.
        footer = ws.oddFooter
        assert (footer.left.text, footer.center.text, footer.right.text) == signoff, lang
        assert not ws.HeaderFooter.differentOddEven and not ws.HeaderFooter.differentFirst, lang
    # The command line's --lang en gives the same form, on its own too (--tables).
    out = tmp_path / "headcount_en.xlsx"
    result = _run(["generate", "department", "-o", out, "--lang", "en", "--tables", "headcount_plan", "--rows", "3"])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["Headcount plan"]
    note, fields, signoff = cases[1][2:]
    assert [ws["A2"].value, ws["A3"].value, ws["A4"].value] == [note, *fields]
    assert ws["A5"].value == "Position ID*" and ws["F6"].value == '=IF(OR(E6="",D6=""),"",E6-D6)'
    assert (ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text) == signoff
    # Only the form has a sign-off line or rows above its header.
    for t in tables:
        if t.name == "headcount_plan":
            continue
        for ws in (wb[t.sheet], en_wb[t.sheet_en]):
            f = ws.oddFooter
            assert (f.left.text, f.center.text, f.right.text) == (None, None, None), ws.title
            assert t.header_row == 2 and ws["A2"].value is not None, ws.title


def test_column_number_formats(wb, tables):
    for t in tables:
        ws = wb[t.sheet]
        for i, col in enumerate(t.columns, start=1):
            want = TYPE_FORMATS[col.type]
            assert col.coltype.num_format == want, col.type
            assert column_format(ws, i) == want, (t.name, col.name)
            assert effective_format(ws, t.first_data_row, i) == want, (t.name, col.name)
    orders = wb["订单"]
    assert column_format(orders, 7) == '"¥"#,##0.00'  # 单价
    assert column_format(orders, 2) == "yyyy-mm-dd"  # 下单日期
    assert column_format(wb["投诉"], 5) == "yyyy-mm-dd hh:mm"  # 接收时间
    assert column_format(wb["考勤"], 3) == "hh:mm"  # 上班打卡
    assert column_format(wb["日报"], 4) == "0.00%"  # 完成度


def test_validations_follow_column_types(wb, tables, raw_tables):
    month = parse_month(MONTH)
    by_name = {t.name: t for t in tables}
    unique_validated = set()
    for t in tables:
        ws = wb[t.sheet]
        dvs = validations(ws)
        assert len(dvs) == len(t.columns), t.name
        for col_name, letter in letters(t).items():
            col = t.column(col_name)
            dv = dvs[letter]
            where = (t.name, col.name)
            # Every row of the sheet: rows added below the pre-formatted ones are checked too.
            assert str(dv.sqref) == f"{letter}{t.first_data_row}:{letter}{MAX_ROW}", where
            assert dv.allow_blank, where
            # Input prompt in Chinese, titled with the column title.
            assert dv.showInputMessage and dv.promptTitle == col.title[:32], where
            assert dv.prompt and CJK.search(dv.prompt), where
            if col.derived:
                assert (dv.type, dv.formula1) == ("custom", "FALSE"), where
            elif col.references:
                ref = by_name[col.ref_table]
                rl = letters(ref)[col.ref_column]
                assert dv.type == "list", where
                assert dv.formula1 == f"'{ref.sheet}'!${rl}${ref.first_data_row}:${rl}${reach(ref)}", where
            elif col.unique or t.primary_key == (col.name,):
                # A unique single key refuses a value already used in the column (exact text match).
                top, bottom = t.first_data_row, reach(t)
                test = f"SUMPRODUCT(--(${letter}${top}:${letter}${bottom}={letter}{top}))<=1"
                if col.max_length:
                    test = f"AND({test},LEN({letter}{top})<={col.max_length})"
                assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("custom", None, test, None), where
                assert dv.error == messages.text("desc_unique_alert") == "这一列不能重复，这个值上面已经有了。", where
                assert "不可重复" in dv.prompt, where
                unique_validated.add((t.name, col.name))
            elif col.type in ("string", "text"):
                if col.max_length:
                    assert (dv.type, dv.operator, dv.formula1) == (
                        "textLength",
                        "lessThanOrEqual",
                        str(col.max_length),
                    ), where
                else:
                    assert dv.type is None, where  # prompt only ("any value")
            else:
                assert dv.type == TYPE_VALIDATIONS[col.type], where
            if dv.type is None:
                assert not dv.error, where
                continue
            # Anything that can be refused says why, in Chinese, and stops the entry.
            assert dv.showErrorMessage, where
            assert dv.errorStyle in (None, "stop"), where
            assert dv.errorTitle == col.title[:32], where
            assert dv.error and CJK.search(dv.error), where
            if dv.type in ("whole", "decimal"):
                assert dv.operator in (None, "between"), where
                if col.min is not None:
                    assert float(dv.formula1) == col.min, where
                if col.max is not None:
                    assert float(dv.formula2) == col.max, where
            if dv.type == "date":
                if col.in_month:
                    lo, hi = month.start, month.end
                else:
                    lo, hi = date(2000, 1, 1), date(2099, 12, 31)
                assert float(dv.formula1) == excel_serial(lo), where
                assert excel_serial(hi) <= float(dv.formula2) < excel_serial(hi) + 1, where
                if col.in_month:
                    assert "2026-12-01 至 2026-12-31" in dv.prompt and "2026-12-01 至 2026-12-31" in dv.error
            if dv.type == "time":
                assert float(dv.formula1) == 0 and 0.9999 < float(dv.formula2) < 1, where
            if col.type == "percent" and col.min is not None and col.max is not None:
                # Percent bounds are described as percentages, not fractions.
                span = f"{col.min:.0%} 到 {col.max:.0%} 之间"
                assert span in dv.prompt and span in dv.error, where
    # Exactly the columns the YAML files declare unique (or as the whole key), unless they are
    # computed or pick from another sheet's keys: read without our loader.
    declared = {
        (name, c["name"])
        for name, raw in raw_tables.items()
        for c in raw["columns"]
        if (c.get("unique") or raw.get("primary_key") == [c["name"]]) and "formula" not in c and "references" not in c
    }
    assert unique_validated == declared
    assert unique_validated >= {
        ("employees", "employee_id"),
        ("headcount_plan", "position_id"),
        ("headcount_plan", "position_name"),
        ("customers", "customer_id"),
        ("inventory", "sku"),
        ("logistics", "tracking_no"),
        ("complaints", "complaint_id"),
    }
    # A few literal spot checks.
    orders = validations(wb["订单"])
    assert (orders["F"].type, orders["F"].formula1, orders["F"].formula2) == ("whole", "1", "100000")
    assert orders["F"].error == "请输入整数，1 到 100,000 之间"
    assert orders["B"].formula1 == "46357"  # 2026-12-01
    assert int(float(orders["B"].formula2)) == 46387  # 2026-12-31
    assert orders["I"].error == "这一列由公式自动计算，请不要手工填写。"
    # 是否会员 (found by name: 地址 was added after 城市, so the later columns moved right).
    assert validations(wb["客户"])[letters(by_name["customers"])["is_member"]].formula1 == '"是,否"'
    phone = validations(wb["员工"])["G"]
    assert (phone.type, phone.operator, phone.formula1) == ("textLength", "equal", "11")
    # Unique single keys: a custom formula (with the length limit when there is one).
    assert (validations(wb["客户"])["A"].type, validations(wb["客户"])["A"].formula1) == (
        "custom",
        "SUMPRODUCT(--($A$3:$A$202=A3))<=1",
    )
    assert validations(wb["物流"])["C"].formula1 == "SUMPRODUCT(--($C$3:$C$202=C3))<=1"  # 快递单号
    assert validations(wb["库存"])["A"].formula1 == "AND(SUMPRODUCT(--($A$3:$A$202=A3))<=1,LEN(A3)<=40)"
    # 定岗定编's rows start under its form block (header on row 5): its check starts on row 6.
    assert validations(wb["定岗定编"])["C"].formula1 == "AND(SUMPRODUCT(--($C$6:$C$205=C6))<=1,LEN(C6)<=30)"
    assert str(validations(wb["订单"])["F"].sqref) == "F3:F1048576"
    assert validations(wb["客户"])["A"].error == "这一列不能重复，这个值上面已经有了。"
    # 订单编号 is only part of a composite key (订单编号 + SKU): no uniqueness check of its own.
    assert validations(wb["订单"])["A"].type is None
    # A reference column keeps its dropdown even if it is the key (物流.订单编号 is not unique anyway).
    assert validations(wb["物流"])["A"].type == "list"
    # Percent bounds read as percentages.
    completion = validations(wb["日报"])["D"]
    assert (completion.type, completion.formula1, completion.formula2) == ("decimal", "0", "1")
    assert completion.prompt.endswith("百分比（如 85%）；选填；0% 到 100% 之间")
    assert completion.error == "请输入百分比（如 85%），0% 到 100% 之间"


def test_enum_lists_point_at_the_lists_sheet(wb, tables, channels):
    lists = wb["_lists"]
    seen = set()
    for t in tables:
        dvs = validations(wb[t.sheet])
        for col_name, letter in letters(t).items():
            col = t.column(col_name)
            if col.type != "enum" or col.derived:
                continue
            dv = dvs[letter]
            m = LISTS_RANGE.match(dv.formula1)
            assert m, (t.name, col.name, dv.formula1)
            c1, r1, c2, r2 = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
            assert c1 == c2 and r1 == 1 and r2 == len(col.values), (t.name, col.name)
            values = [lists[f"{c1}{r}"].value for r in range(r1, r2 + 1)]
            assert values == list(col.values), (t.name, col.name)
            assert lists[f"{c1}{r2 + 1}"].value is None
            seen.add(dv.formula1)
    # Identical value lists share one range (channels, provinces are used by several tables).
    assert len(seen) == lists.max_column
    # The channels are schemas/reference/channels.yaml's, in its order, and nothing after them.
    listed = validations(wb["订单"])["D"].formula1
    col = LISTS_RANGE.match(listed).group(1)
    assert [lists[f"{col}{r}"].value for r in range(1, len(channels) + 2)] == channels + [None]
    assert channels[-1] == "其他" and {"一号店", "微信公众号", "分销", "团购"} <= set(channels)
    customers = next(t for t in tables if t.name == "customers")
    assert validations(wb["客户"])[letters(customers)["channel"]].formula1 == listed  # 来源渠道


def test_reference_columns_list_the_referenced_key_range(wb):
    # Ten times the template's rows: customers added below the pre-formatted rows are offered too.
    assert validations(wb["订单"])["C"].formula1 == "'客户'!$A$3:$A$202"  # 客户编号
    assert validations(wb["订单"])["E"].formula1 == "'库存'!$A$3:$A$202"  # 商品SKU
    # 岗位 -> 岗位名称: 定岗定编's rows start on row 6, under its form block; as far down again.
    assert validations(wb["员工"])["C"].formula1 == "'定岗定编'!$C$6:$C$205"
    assert validations(wb["物流"])["H"].formula1 == "'员工'!$A$3:$A$202"  # 发货人
    assert validations(wb["物流"])["A"].formula1 == "'订单'!$A$3:$A$202"  # 订单编号


# --------------------------------------------------------------------------------------------
# Derived columns


def test_derived_columns_hold_their_formula_on_every_row(wb, tables, raw_tables, summary_meta):
    found = 0
    seen = set()
    summary = summary_meta["sheet"]
    params = summary_meta["params"]  # a formula reads a parameter from its cell on the summary sheet
    for t in tables:
        ws = wb[t.sheet]
        lt = letters(t)
        for i, col in enumerate(t.columns, start=1):
            if not col.derived:
                continue
            # The pre-formatted rows and as many again below them (room for added rows).
            seen.add((t.name, col.name))
            for r in range(t.first_data_row, t.first_data_row + FORMULA_ROWS):
                want = excel_formula(t, col, lambda n: f"{lt[n]}{r}" if n in lt else f"'{summary}'!{params[n]}")
                cell = ws.cell(r, i)
                assert cell.value == want, (t.name, col.name, r)
                assert cell.number_format == TYPE_FORMATS[col.type]
                assert cell.fill.fgColor.rgb == DERIVED_BG
                found += 1
            # Nothing below them.
            assert ws.cell(t.first_data_row + FORMULA_ROWS, i).value is None
        # Non-derived columns stay empty.
        for i, col in enumerate(t.columns, start=1):
            if not col.derived:
                assert all(ws.cell(r, i).value is None for r in range(t.first_data_row, t.first_data_row + ROWS))
    # Every column the YAML files give a formula, and only they (read without our loader).
    declared = {(name, c["name"]) for name, raw in raw_tables.items() for c in raw["columns"] if "formula" in c}
    assert seen == declared
    assert found == len(declared) * FORMULA_ROWS
    assert seen >= {
        ("headcount_plan", "change"),
        ("inventory", "closing_stock"),
        ("inventory", "stock_value"),
        ("inventory", "below_safety"),
        ("orders", "amount"),
        ("logistics", "transit_days"),
        ("complaints", "response_minutes"),
        ("attendance", "work_hours"),
    }


def test_derived_formula_literals(wb, summary_meta):
    """Literal texts, so a regression in the formula builder itself is caught."""
    assert wb["订单"]["I3"].value == '=IF(OR(F3="",G3=""),"",ROUND(F3*G3-H3,2))'
    assert wb["订单"]["I22"].value == '=IF(OR(F22="",G22=""),"",ROUND(F22*G22-H22,2))'
    assert wb["库存"]["G3"].value == '=IF(AND(D3="",E3="",F3=""),"",D3+E3-F3)'
    assert wb["库存"]["J3"].value == '=IF(G3="","",ROUND(G3*I3,2))'
    assert wb["库存"]["K3"].value == '=IF(G3="","",IF(G3<H3,1,0))'
    assert wb["物流"]["F3"].value == '=IF(OR(E3="",D3=""),"",E3-D3)'
    assert wb["投诉"]["G3"].value == '=IF(OR(F3="",E3=""),"",ROUND((F3-E3)*1440,0))'
    # 工作时长 deducts the part of the lunch break (午休开始 B7, 午休结束 B8 on 汇总) between the punches.
    assert (summary_meta["params"]["lunch_start"], summary_meta["params"]["lunch_end"]) == ("$B$7", "$B$8")
    assert wb["考勤"]["E3"].value == (
        '=IF(OR(D3="",C3=""),"",ROUND((D3-C3-MAX(0,MIN(D3,\'汇总\'!$B$8)-MAX(C3,\'汇总\'!$B$7)))*24,2))'
    )
    # 定岗定编's first data row is 6, under its form block.
    assert wb["定岗定编"]["F6"].value == '=IF(OR(E6="",D6=""),"",E6-D6)'
    assert wb["定岗定编"]["F5"].value == "增减人数"


# --------------------------------------------------------------------------------------------
# Summary sheet


def _find_row(ws, label: str) -> int:
    rows = [c.row for c in ws["A"] if c.value == label]
    assert len(rows) == 1, f"{label!r} found {len(rows)} times in column A"
    return rows[0]


def test_summary_parameters(wb, bundle, summary_meta, raw_bundle, raw_tables):
    ws = wb["汇总"]
    assert ws["A1"].value == "电商部月度工作簿 · 汇总　2026年12月"
    params = summary_meta["params"]
    specs = {p.name: p for p in bundle.parameter_specs}
    assert list(specs) == [k for k, _ in bundle.parameters]
    assert list(params) == ["month"] + [k for k, _ in bundle.parameters]
    month = ws[params["month"].replace("$", "")]
    assert month.value == datetime(2026, 12, 1)
    assert month.number_format == "yyyy-mm"
    assert ws.cell(month.row, 1).value == "月份（当月 1 日）"
    values = dict(bundle.parameters)
    for key, ref in params.items():
        if key == "month":
            continue
        cell = ws[ref.replace("$", "")]
        spec = specs[key]
        assert spec.value == values[key], key
        # The label is the parameter's title in the workbook language, never the raw key.
        assert spec.title and spec.title != key, key
        assert ws.cell(cell.row, 1).value == spec.title == spec.label("zh"), key
        want = values[key]
        # Only a parameter the department's rules leave blank asks the manager to fill it in.
        assert ws.cell(cell.row, 3).value == ("← 请填写本部门的规定" if want is None else None), key
        if want is None:
            # Left blank (the inquiry reply limit): an empty cell formatted as its declared type.
            assert spec.type, key
            assert cell.value is None and cell.number_format == TYPE_FORMATS[spec.type], key
        elif isinstance(want, str) and re.match(r"^\d{1,2}:\d{2}$", want):
            h, m = map(int, want.split(":"))
            assert cell.value == time(h, m) and cell.number_format == "hh:mm", key
        elif isinstance(want, bool):
            assert cell.value is want, key
        elif isinstance(want, int):
            assert cell.value == want and cell.number_format == "#,##0", key
        elif isinstance(want, float):
            assert cell.value == want and cell.number_format == "#,##0.00", key
        else:
            assert cell.value == want and cell.number_format == "@", key
        assert cell.fill.fgColor.rgb == "FFFFF2CC"  # yellow = editable
    # The labels are the titles the YAML files give, in their order (read without our loader);
    # the bundle's own parameters first, literally.
    declared = raw_parameters(raw_bundle, raw_tables)
    labels = [ws.cell(ws[params[k].replace("$", "")].row, 1).value for k in params]
    assert list(params)[1:] == list(declared)
    assert labels == ["月份（当月 1 日）"] + [d["title"] for d in declared.values()]
    assert labels[:6] == [
        "月份（当月 1 日）",
        "上班时间",
        "下班时间",
        "午休开始",
        "午休结束",
        "投诉首次响应时限（分钟）",
    ]
    assert [values[k] for k in declared] == [d["value"] for d in declared.values()]
    limit = ws[params["response_limit_minutes"].replace("$", "")]
    assert (limit.value, limit.number_format) == (30, "#,##0")
    # The inquiry reply limit is the department's own ("回复时间不得超过____分钟"): left blank.
    reply = ws[params["inquiry_reply_limit_minutes"].replace("$", "")]
    assert (reply.value, reply.number_format) == (None, "#,##0")


def test_summary_record_counts(wb, tables, raw_tables):
    ws = wb["汇总"]
    # Only columns marked `total: true` in the schema get a total line (read without our loader).
    totals = {t.name: [c.name for c in t.columns if c.total] for t in tables}
    declared = {name: [c["name"] for c in raw["columns"] if c.get("total")] for name, raw in raw_tables.items()}
    assert {k: v for k, v in totals.items() if v} == {k: v for k, v in declared.items() if v}
    assert totals["orders"] == ["discount", "amount", "paid_amount", "refund_amount"]
    assert totals["product_sales"] == ["sales_amount"]
    assert totals["inventory"] == ["stock_value"]
    expected_labels = []
    for t in tables:
        key = TableLayout(t, t.sheet, ROWS).key_column()
        kl = letters(t)[key.name]
        row = _find_row(ws, f"{t.sheet} 记录数")
        top = t.first_data_row
        assert ws.cell(row, 2).value == f"=COUNTIF('{t.sheet}'!${kl}${top}:${kl}${MAX_ROW},\"<>\")", t.name
        assert ws.cell(row, 2).number_format == "#,##0", t.name
        expected_labels.append(f"{t.sheet} 记录数")
        for col in t.columns:
            label = f"{t.sheet} {col.title}合计"
            if col.total:
                ml = letters(t)[col.name]
                row = _find_row(ws, label)
                assert ws.cell(row, 2).value == f"=SUM('{t.sheet}'!${ml}${top}:${ml}${MAX_ROW})", label
                # The column's own number format.
                assert ws.cell(row, 2).number_format == col.coltype.num_format == TYPE_FORMATS[col.type], label
                expected_labels.append(label)
            else:
                assert label not in [c.value for c in ws["A"]], label
    # The section lists exactly these lines, in order, right under its heading.
    head = _find_row(ws, "各表记录数与金额合计")
    section = [ws.cell(r, 1).value for r in range(head + 1, head + 1 + len(expected_labels) + 1)]
    assert section == expected_labels + [None]
    assert ws.cell(_find_row(ws, "订单 记录数"), 2).value == "=COUNTIF('订单'!$A$3:$A$1048576,\"<>\")"
    assert ws.cell(_find_row(ws, "物流 记录数"), 2).value == "=COUNTIF('物流'!$C$3:$C$1048576,\"<>\")"
    assert ws.cell(_find_row(ws, "定岗定编 记录数"), 2).value == "=COUNTIF('定岗定编'!$A$6:$A$1048576,\"<>\")"
    # Literal totals: money columns with total: true, and none for unit prices or costs.
    assert ws.cell(_find_row(ws, "订单 优惠金额合计"), 2).value == "=SUM('订单'!$H$3:$H$1048576)"
    assert ws.cell(_find_row(ws, "订单 订单金额合计"), 2).value == "=SUM('订单'!$I$3:$I$1048576)"
    assert ws.cell(_find_row(ws, "订单 实付金额合计"), 2).value == "=SUM('订单'!$J$3:$J$1048576)"
    assert ws.cell(_find_row(ws, "销售 销售额合计"), 2).value == "=SUM('销售'!$D$3:$D$1048576)"
    assert ws.cell(_find_row(ws, "库存 库存金额合计"), 2).value == "=SUM('库存'!$J$3:$J$1048576)"
    assert ws.cell(_find_row(ws, "库存 库存金额合计"), 2).number_format == '"¥"#,##0.00'
    labels = [c.value for c in ws["A"]]
    for gone in ("订单 单价合计", "库存 单位成本合计"):
        assert gone not in labels, gone
    assert not [v for v in labels if isinstance(v, str) and ("单价合计" in v or "单位成本合计" in v)]


def test_summary_ungrouped_metric_formulas(wb, bundle, tables, summary_meta):
    ws = wb["汇总"]
    by_table = {t.name: t for t in tables}
    metrics = summary_meta["metrics"]
    cells = {}
    for m in bundle.metrics:
        if m.by is not None:
            continue
        ref = metrics[m.name]["cell"]
        sheet, coord = ref.split("!")
        assert sheet == "汇总"
        cell = ws[coord]
        cells[m.name] = "$" + re.sub(r"(\d+)", r"$\1", coord)
        assert ws.cell(cell.row, 1).value == m.title, m.name
        assert ws.cell(cell.row, 3).value == m.note_text("zh") == m.note, m.name
        assert cell.number_format == TYPE_FORMATS[m.format], m.name
        f = cell.value
        assert isinstance(f, str) and f.startswith("="), m.name
        if m.expr:
            assert f.startswith("=IFERROR(") and f.endswith(',"")'), m.name
            continue
        t = by_table[m.table]
        lt = letters(t)
        top = t.first_data_row
        rng = lambda n: f"'{t.sheet}'!${lt[n]}${top}:${lt[n]}${MAX_ROW}"  # noqa: E731
        if m.agg == "sum":
            if m.where:
                assert f.startswith(f"=SUMIFS({rng(m.column)},"), m.name
            else:
                assert f == f"=SUM({rng(m.column)})", m.name
        elif m.agg == "count":
            key = TableLayout(t, t.sheet, ROWS).key_column().name
            assert f.startswith("=COUNTIFS(") and f.endswith(f'{rng(key)},"<>")'), m.name
        elif m.agg == "avg":
            if m.where:
                assert f.startswith(f"=IFERROR(AVERAGEIFS({rng(m.column)},"), m.name
            else:
                assert f == f'=IFERROR(AVERAGE({rng(m.column)}),"")', m.name
        elif m.agg == "distinct":
            # SUMPRODUCT((R<>"")*(MATCH(R&"",R&"",0)=ROW(R)-K)) over the rows down to the column's
            # last filled cell (INDEX of the whole column), however far rows were added.
            whole = rng(m.column)
            last = f'SUMPRODUCT(MAX(({whole}<>"")*ROW({whole})))'
            k = t.first_data_row - 1
            r = f"'{t.sheet}'!${lt[m.column]}${top}:INDEX({whole},MAX(1,{last}-{k}))"
            assert f == f'=SUMPRODUCT(({r}<>"")*(MATCH({r}&"",{r}&"",0)=ROW({r})-{k}))', m.name
        else:
            pytest.fail(f"unexpected aggregate {m.agg}")
    # Literal checks of each kind.
    assert ws[metrics["sales_total"]["cell"].split("!")[1]].value == "=SUM('订单'!$I$3:$I$1048576)"
    used = (
        "'订单'!$A$3:INDEX('订单'!$A$3:$A$1048576,MAX(1,SUMPRODUCT(MAX(('订单'!$A$3:$A$1048576<>\"\")"
        "*ROW('订单'!$A$3:$A$1048576)))-2))"
    )
    assert ws[metrics["order_count"]["cell"].split("!")[1]].value == (
        f'=SUMPRODUCT(({used}<>"")*(MATCH({used}&"",{used}&"",0)=ROW({used})-2))'
    )
    assert (
        ws[metrics["avg_order_value"]["cell"].split("!")[1]].value
        == f'=IFERROR({cells["sales_total"]}/{cells["order_count"]},"")'
    )
    assert (
        ws[metrics["resolution_rate"]["cell"].split("!")[1]].value
        == f'=IFERROR({cells["resolved_count"]}/{cells["complaint_count"]},"")'
    )
    assert (
        ws[metrics["skus_below_safety"]["cell"].split("!")[1]].value
        == "=COUNTIFS('库存'!$K$3:$K$1048576,\"1\",'库存'!$A$3:$A$1048576,\"<>\")"
    )
    assert ws[metrics["avg_transit_days"]["cell"].split("!")[1]].value == (
        "=IFERROR(AVERAGEIFS('物流'!$F$3:$F$1048576,'物流'!$G$3:$G$1048576,\"已签收\","
        '\'物流\'!$F$3:$F$1048576,">=0"),"")'
    )
    limit = summary_meta["params"]["response_limit_minutes"]
    assert ws[metrics["over_limit_responses"]["cell"].split("!")[1]].value == (
        f"=COUNTIFS('投诉'!$G$3:$G$1048576,\">\"&{limit},'投诉'!$A$3:$A$1048576,\"<>\")"
    )
    assert ws[metrics["on_time_rate"]["cell"].split("!")[1]].number_format == "0.00%"


def _range_cells(ws, ref: str):
    return [row[0] for row in ws[ref]]


def test_summary_grouped_metric_grids(wb, bundle, tables, summary_meta, raw_bundle, channels):
    ws = wb["汇总"]
    by_table = {t.name: t for t in tables}
    metrics = summary_meta["metrics"]
    month = summary_meta["params"]["month"]
    grouped = [m for m in bundle.metrics if m.by is not None]
    # Every metric the bundle's YAML groups, read without our loader: those with `by:`, and the
    # expressions of grouped metrics (one value per group).
    declared: set[str] = set()
    while True:
        more = {
            x["name"]
            for x in raw_bundle["metrics"]
            if "by" in x or ("expr" in x and declared & set(re.findall(r"[A-Za-z_]\w*", x["expr"])))
        }
        if more == declared:
            break
        declared = more
    assert [m.name for m in grouped] == [x["name"] for x in raw_bundle["metrics"] if x["name"] in declared]
    for m in grouped:
        info = metrics[m.name]
        t = by_table[m.table]
        by_col = t.column(m.by)
        keys, values = _range_cells(ws, info["keys"]), _range_cells(ws, info["values"])
        assert len(keys) == len(values), m.name
        assert [c.row for c in keys] == [c.row for c in values], m.name
        # Header row above the grid: the group column title and the metric's label.
        head = keys[0].row - 1
        assert ws.cell(head, 1).value == by_col.title, m.name
        assert ws.cell(head, values[0].column).value == m.title, m.name
        if m.period == "day":
            assert info["grid"] == "day" and len(keys) == 31
            for i, k in enumerate(keys):
                assert k.value == f'=IF({month}="","",IF({month}+{i}<=EOMONTH({month},0),{month}+{i},""))'
                assert k.number_format == "yyyy-mm-dd"
        elif m.period == "week":
            # Days 1–7, 8–14, 15–21, 22–28 and 29 to the month's end.
            assert info["grid"] == "week" and len(keys) == 5, m.name
            assert [k.value for k in keys] == [
                "第1周（1–7日）",
                "第2周（8–14日）",
                "第3周（15–21日）",
                "第4周（22–28日）",
                "第5周（29日–月末）",
            ], m.name
        elif by_col.values and not by_col.references:
            assert info["grid"] == "values", m.name
            assert [k.value for k in keys] == list(by_col.values), m.name
        else:
            assert info["grid"] == "rows", m.name
            src = by_table[by_col.ref_table] if by_col.references else t
            sl = letters(src)[by_col.ref_column if by_col.references else by_col.name]
            # As far as the master table's formulas reach (rows added below it are listed).
            top = src.first_data_row
            assert [k.value for k in keys] == [
                f"=IF('{src.sheet}'!${sl}${r}=\"\",\"\",'{src.sheet}'!${sl}${r})"
                for r in range(top, top + FORMULA_ROWS)
            ], m.name
        by_letter = letters(t)[m.by]
        by_rng = f"'{t.sheet}'!${by_letter}${t.first_data_row}:${by_letter}${MAX_ROW}"
        for i, (k, v) in enumerate(zip(keys, values)):
            assert isinstance(v.value, str) and v.value.startswith("="), (m.name, v.coordinate)
            assert v.number_format == TYPE_FORMATS[m.format]
            if m.expr:
                # An expression of the grid's other members, on the same row.
                named = [n for n in re.findall(r"[A-Za-z_]\w*", m.expr) if n in metrics]
                assert named, m.name
                for n in named:
                    assert metrics[n]["keys"] == info["keys"], (m.name, n)  # members of the same grid
                    assert f"{metrics[n]['values'][0]}{k.row}" in v.value, (m.name, v.coordinate)
                continue
            fn = {"sum": "SUMIFS(", "count": "COUNTIFS(", "avg": "AVERAGEIFS("}[m.agg]
            assert fn in v.value and f"{by_rng}," in v.value, (m.name, v.coordinate)
            if m.period == "week":
                hi = f"{month}+{7 * (i + 1)}" if i < 4 else f"EOMONTH({month},0)+1"
                assert f'{by_rng},">="&({month}+{7 * i}),{by_rng},"<"&({hi})' in v.value, (m.name, v.coordinate)
            else:
                assert f"$A${k.row}" in v.value, (m.name, v.coordinate)
    # sales_by_channel: every channel, a SUMIFS of the order amount per channel.
    info = metrics["sales_by_channel"]
    keys, values = _range_cells(ws, info["keys"]), _range_cells(ws, info["values"])
    assert [k.value for k in keys] == channels
    for k, v in zip(keys, values):
        assert v.value == f"=SUMIFS('订单'!$I$3:$I$1048576,'订单'!$D$3:$D$1048576,$A${k.row})"
    # Three headcount metrics share one grid (same table and group column).
    hc = [
        metrics[n]
        for n in ("headcount_current_by_position", "headcount_planned_by_position", "headcount_change_by_position")
    ]
    assert len({h["keys"] for h in hc}) == 1
    assert [h["values"][0] for h in hc] == ["B", "C", "D"]


def test_meta_summary_cells_hold_formulas(wb, summary_meta, bundle):
    ws = wb[summary_meta["sheet"]]
    assert summary_meta["sheet"] == "汇总"
    assert set(summary_meta["metrics"]) == {m.name for m in bundle.metrics}
    for name, info in summary_meta["metrics"].items():
        if "cell" in info:
            sheet, coord = info["cell"].split("!")
            assert sheet == "汇总"
            assert str(ws[coord].value).startswith("="), name
        else:
            assert info["sheet"] == "汇总"
            for c in _range_cells(ws, info["values"]):
                assert str(c.value).startswith("="), (name, c.coordinate)
            for c in _range_cells(ws, info["keys"]):
                assert c.value not in (None, ""), (name, c.coordinate)


# --------------------------------------------------------------------------------------------
# Metadata and instructions


def test_meta_sheet(wb, meta, bundle, tables):
    # Every value in column B is JSON text, strings included (a reader decodes them all alike).
    raw = read_meta_raw(wb)
    assert list(raw) == list(meta)
    for key, text in raw.items():
        assert json.dumps(json.loads(text), ensure_ascii=False) == text, key
    assert raw["format"] == '"ecomsheets/1"'
    assert raw["bundle"] == '"department"'
    assert raw["bundle_version"] == "1"
    assert raw["month"] == '"2026-12"'
    assert raw["lang"] == '"zh"'
    assert raw["rows"] == str(ROWS)
    assert raw["generated_at"] == '"2026-12-01 09:00:00"'
    assert raw["generator"].startswith('"ecomsheets ') and raw["generator"].endswith('"')
    assert raw["tables"].startswith("[{") and raw["summary"].startswith("{")
    # Decoded.
    assert meta["format"] == "ecomsheets/1"
    assert meta["bundle"] == "department"
    assert meta["bundle_version"] == bundle.version == 1
    assert meta["month"] == "2026-12"
    assert meta["lang"] == "zh"
    assert meta["rows"] == ROWS
    assert meta["generated_at"] == "2026-12-01 09:00:00"
    assert meta["generator"].startswith("ecomsheets ")
    assert meta["tables"] == [
        {
            "name": t.name,
            "version": t.version,
            "sheet": t.sheet,
            "header_row": t.header_row,
            "first_data_row": t.first_data_row,
            "columns": [c.name for c in t.columns],
            "rows": ROWS,
            "formula_last_row": t.first_data_row + FORMULA_ROWS - 1,
        }
        for t in tables
    ]
    # Where the records and column totals per sheet sit, so that validation compares them too.
    totals = meta["summary"]["totals"]
    assert {(t["table"], t["agg"]) for t in totals} >= {(t.name, "count") for t in tables}
    orders = [t for t in totals if t["table"] == "orders"]
    assert [(t["agg"], t["column"]) for t in orders] == [
        ("count", "order_id"),
        ("sum", "discount"),
        ("sum", "amount"),
        ("sum", "paid_amount"),
        ("sum", "refund_amount"),
    ]
    summary = wb["汇总"]
    for t in totals:
        assert summary.cell(_find_row(summary, "订单 记录数"), 2).value.startswith("=COUNTIF(")
        assert summary[t["cell"]].value.startswith("=COUNTIF(" if t["agg"] == "count" else "=SUM("), t
    assert list(meta) == [
        "format",
        "generator",
        "bundle",
        "bundle_version",
        "generated_at",
        "month",
        "lang",
        "rows",
        "tables",
        "summary",
    ]


def test_instructions_mention_every_sheet_and_column(wb, tables, bundle, raw_bundle, raw_tables):
    texts = cell_strings(wb["说明"])
    assert texts[0] == "电商部月度工作簿　2026年12月"
    assert "生成时间：2026-12-01 09:00:00　模板版本：department v1" in texts
    for t in tables:
        assert t.sheet in texts, t.name  # the overview table
        assert f"{t.sheet}：{t.title}" in texts, t.name  # the table's section heading
        for col in t.columns:
            assert col.title in texts, (t.name, col.name)
        for rule in t.rules:
            assert f"· {rule.message}" in texts
    # The column letters next to the titles agree with the sheet.
    ws = wb["说明"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    orders_at = next(i for i, r in enumerate(rows) if r[0] == "订单：订单管理表")
    header_at = next(i for i in range(orders_at, len(rows)) if rows[i][:2] == ["列", "列名"])
    orders = next(t for t in tables if t.name == "orders")
    lines = rows[header_at + 1 : header_at + 1 + len(orders.columns)]
    assert [(r[0], r[1]) for r in lines] == [(get_column_letter(i + 1), c.title) for i, c in enumerate(orders.columns)]
    assert lines[8][3] == "自动计算：ROUND(数量×单价-优惠金额,2)，请勿手填"
    # Percent bounds as percentages.
    reports = next(t for t in tables if t.name == "daily_reports")
    reports_at = next(i for i, r in enumerate(rows) if r[0] == f"日报：{reports.title}")
    completion = next(r for r in rows[reports_at:] if r[1] == "完成度")
    assert completion[3] == "选填；0% 到 100% 之间"
    # The sheet overview: the column count is written as a number, the rest as text.
    head = next(i for i, r in enumerate(rows) if r[:4] == ["工作表", "内容", "列数", "主键"])
    overview = rows[head + 1 : head + 1 + len(tables)]
    assert [r[0] for r in overview] == [t.sheet for t in tables]
    for r, t in zip(overview, tables):
        assert type(r[2]) is int and r[2] == len(t.columns), t.name
        assert r[3] == " + ".join(t.column(k).title for k in t.primary_key), t.name
    # The column counts, as the YAML files declare the columns (read without our loader).
    assert [r[2] for r in overview] == [len(raw_tables[n]["columns"]) for n in raw_bundle["tables"]]
    assert rows[head + 1 + len(tables)][0] is None
    # Pure-digit cells are numbers everywhere on the sheet; other table cells stay text.
    for row in ws.iter_rows():
        for c in row:
            assert not (isinstance(c.value, str) and c.value.isdigit()), c.coordinate


# --------------------------------------------------------------------------------------------
# Language and table selection


def test_english_workbook(en_wb, tables, bundle, raw_bundle, raw_tables):
    wb = en_wb
    assert wb.sheetnames == ["Instructions", "Summary"] + [t.sheet_en for t in tables] + ["_lists", "_meta"]
    # The English sheet names the YAML files declare (read without our loader), in their order.
    sheets = wb.sheetnames[2:-2]
    assert sheets == [raw_tables[n]["sheet_en"] for n in raw_bundle["tables"]]
    first_ten = [
        "Employees",
        "Headcount plan",
        "Customers",
        "Inventory",
        "Orders",
        "Product sales",
        "Logistics",
        "Complaints",
        "Daily reports",
        "Attendance",
    ]
    assert [s for s in sheets if s in first_ten] == first_ten
    for t in tables:
        ws = wb[t.sheet_en]
        assert [c.value for c in ws[t.header_row]] == [
            c.title_en + ("*" if c.required and not c.derived else "") for c in t.columns
        ], t.name
        assert ws["A1"].value.startswith(f"{t.title_en}　December 2026")
        for dv in ws.data_validations.dataValidation:
            assert not CJK.search(dv.promptTitle or ""), (t.name, dv.sqref)
    assert wb["Orders"]["I3"].value == '=IF(OR(F3="",G3=""),"",ROUND(F3*G3-H3,2))'
    assert validations(wb["Orders"])["C"].formula1 == "'Customers'!$A$3:$A$52"
    meta = read_meta(wb)
    assert meta["lang"] == "en"
    assert meta["summary"]["sheet"] == "Summary"
    assert [t["sheet"] for t in meta["tables"]] == [t.sheet_en for t in tables]
    summary = wb["Summary"]
    assert summary.cell(_find_row(summary, "Orders: records"), 2).value == "=COUNTIF('Orders'!$A$3:$A$1048576,\"<>\")"
    assert (
        summary.cell(_find_row(summary, "Product sales: total Sales amount"), 2).value
        == "=SUM('Product sales'!$D$3:$D$1048576)"
    )
    # Parameter labels are the English titles.
    params = meta["summary"]["params"]
    labels = [summary.cell(summary[params[k].replace("$", "")].row, 1).value for k in params]
    specs = {p.name: p for p in bundle.parameter_specs}
    assert labels == ["Month (its first day)"] + [specs[k].title_en for k in list(params)[1:]]
    declared = raw_parameters(raw_bundle, raw_tables)
    assert labels[1:] == [d["title_en"] for d in declared.values()]
    assert labels[1:6] == [
        "Work starts",
        "Work ends",
        "Lunch break starts",
        "Lunch break ends",
        "Complaint first-response limit (minutes)",
    ]
    # A parameter left blank asks for the department's setting in English too.
    blank = summary[params["inquiry_reply_limit_minutes"].replace("$", "")]
    assert blank.value is None
    assert summary.cell(blank.row, 3).value == "← fill in the department's own setting"
    # Unique keys explain themselves in English.
    assert validations(wb["Customers"])["A"].error == messages.text("desc_unique_alert", "en")
    assert "must be unique" in validations(wb["Customers"])["A"].prompt
    completion = validations(wb["Daily reports"])["D"]
    assert "between 0% and 100%" in completion.prompt and "between 0% and 100%" in completion.error
    texts = cell_strings(wb["Instructions"])
    for t in tables:
        assert t.sheet_en in texts
        for col in t.columns:
            assert col.title_en in texts, (t.name, col.name)


def test_table_selection(subset_wb, bundle):
    wb = subset_wb
    assert wb.sheetnames == ["说明", "汇总", "客户", "订单", "_lists", "_meta"]
    meta = read_meta(wb)
    assert [t["name"] for t in meta["tables"]] == ["customers", "orders"]
    metrics = meta["summary"]["metrics"]
    kept = {
        "order_count",
        "sales_total",
        "paid_total",
        "avg_order_value",
        "units_sold",
        "sales_by_channel",
        "sales_by_province",
        "sales_by_day",
        "order_refund_total",
        "net_sales",
    }
    assert set(metrics) == kept
    assert all(m.table in (None, "orders") for m in bundle.metrics if m.name in kept)
    # Every summary formula only reads the sheets of this workbook.
    formulas = [
        c.value for row in wb["汇总"].iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert formulas
    for f in formulas:
        for sheet in re.findall(r"'([^']+)'!", f):
            assert sheet in ("订单", "客户"), f
    labels = cell_strings(wb["汇总"])
    for gone in ("库存总金额", "投诉数", "员工 记录数", "各SKU销量"):
        assert gone not in labels
    # The dropdown of 客户编号 still lists the 客户 sheet; 商品SKU has nothing to list.
    dvs = validations(wb["订单"])
    assert dvs["C"].formula1 == "'客户'!$A$3:$A$52"
    assert dvs["E"].type is None
    texts = cell_strings(wb["说明"])
    assert "库存：产品库存管理表" not in texts and "订单：订单管理表" in texts
    # The generated rules only claim references to sheets of this workbook.
    assert dvs["C"].prompt == "文本；必填；须是“客户”表中已有的客户编号"
    assert dvs["E"].prompt == "文本；必填"
    assert not dvs["E"].error
    ws = wb["说明"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    orders_at = next(i for i, r in enumerate(rows) if r[0] == "订单：订单管理表")
    by_letter = {r[0]: r for r in rows[orders_at + 3 : orders_at + 3 + 12]}
    assert by_letter["C"][3] == "必填；须是“客户”表中已有的客户编号"
    assert by_letter["E"][1:4] == ["商品SKU", "文本", "必填"]
    for rule in [r[3] for r in rows if r[3]] + [dv.prompt for dv in dvs.values()]:
        assert "须是“库存”表中已有的商品SKU" not in rule, rule


def test_subset_workbook_notes_name_no_missing_sheet(subset_wb):
    """Neither generated rules nor column notes point users at a sheet the workbook lacks."""
    texts = cell_strings(subset_wb["说明"])
    for sheet in ("订单", "客户"):
        texts += [dv.prompt for dv in validations(subset_wb[sheet]).values()]
        texts += [dv.error for dv in validations(subset_wb[sheet]).values() if dv.error]
    assert not [s for s in texts if "“库存”" in s]
    assert [s for s in texts if "“客户”" in s]  # the sheet that is there is still named


# --------------------------------------------------------------------------------------------
# Golden snapshot


def _jsonable(v):
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    return v


def snapshot(wb) -> dict:
    out = {"sheets": [[ws.title, ws.sheet_state] for ws in wb.worksheets], "tables": {}}
    meta = read_meta(wb)
    for t in meta["tables"]:
        ws = wb[t["sheet"]]
        hr, first, n = t["header_row"], t["first_data_row"], len(t["columns"])
        out["tables"][t["sheet"]] = {
            "header": [str(ws.cell(hr, i).value) for i in range(1, n + 1)],
            "freeze_panes": ws.freeze_panes,
            "autofilter": ws.auto_filter.ref,
            "validations": [
                {
                    "sqref": str(dv.sqref),
                    "type": dv.type,
                    "operator": dv.operator,
                    "formula1": dv.formula1,
                    "formula2": dv.formula2,
                }
                for dv in ws.data_validations.dataValidation
            ],
            "first_row_formats": {
                ws.cell(first, i).coordinate: effective_format(ws, first, i) for i in range(1, n + 1)
            },
            "first_row_formulas": {
                ws.cell(first, i).coordinate: ws.cell(first, i).value
                for i in range(1, n + 1)
                if ws.cell(first, i).value is not None
            },
        }
    summary = wb[meta["summary"]["sheet"]]
    out["summary"] = {
        c.coordinate: _jsonable(c.value) for row in summary.iter_rows() for c in row if c.value is not None
    }
    out["lists"] = [[v for v in col if v is not None] for col in wb["_lists"].iter_cols(values_only=True)]
    out["meta"] = {k: v for k, v in meta.items() if k != "generator"}
    return json.loads(json.dumps(out, ensure_ascii=False))


def test_golden_snapshot(wb):
    current = snapshot(wb)
    if os.environ.get(UPDATE_ENV) == "1" or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(current, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.fail(
            f"wrote the golden snapshot {GOLDEN} from the current generator (department bundle, "
            f"month {MONTH}, rows={ROWS}, now={NOW:%Y-%m-%d %H:%M}); review it with a diff and run "
            f"the tests again without {UPDATE_ENV}=1"
        )
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert current["sheets"] == golden["sheets"]
    assert current["meta"] == golden["meta"]
    assert current["lists"] == golden["lists"]
    assert sorted(current["tables"]) == sorted(golden["tables"])
    for sheet, want in golden["tables"].items():
        for key in want:
            assert current["tables"][sheet][key] == want[key], (sheet, key)
    diff = {
        k: (current["summary"].get(k), golden["summary"].get(k))
        for k in set(current["summary"]) | set(golden["summary"])
        if current["summary"].get(k) != golden["summary"].get(k)
    }
    assert not diff, f"summary cells differ from the golden file (current, golden): {sorted(diff.items())[:10]}"


# --------------------------------------------------------------------------------------------
# Command line


def _run(args):
    result = cli(*args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_cli_generate_writes_the_file(tmp_path, tables):
    out = tmp_path / "电商部_2026-12.xlsx"
    result = _run(["generate", "department", "-o", str(out), "--month", "2026-12", "--rows", "5"])
    assert result.exit_code == 0, result.output
    # The sheets people see: 说明, 汇总 and one per table (_lists and _meta are hidden).
    assert "已生成" in result.output and f"（{len(tables) + 2} 个工作表，" in result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["说明", "汇总", "员工"]
    assert read_meta(wb)["month"] == "2026-12"
    assert read_meta_raw(wb)["month"] == '"2026-12"'
    assert dot_files(tmp_path) == []

    out_en = tmp_path / "en.xlsx"
    result = _run(
        ["generate", "department", "-o", str(out_en), "--lang", "en", "--tables", "orders, customers", "--rows", "3"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote ")
    assert openpyxl.load_workbook(out_en).sheetnames == [
        "Instructions",
        "Summary",
        "Customers",
        "Orders",
        "_lists",
        "_meta",
    ]


def test_cli_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "d.xlsx"
    assert _run(["generate", "department", "-o", str(out), "--rows", "2"]).exit_code == 0
    before = out.read_bytes()
    result = _run(["generate", "department", "-o", str(out), "--rows", "3", "--month", "2026-12"])
    assert result.exit_code == 2
    assert "文件已存在" in result.output and "--force" in result.output
    assert out.read_bytes() == before
    assert dot_files(tmp_path) == []
    # With --force it is replaced.
    result = _run(["generate", "department", "-o", str(out), "--rows", "3", "--month", "2026-12", "--force"])
    assert result.exit_code == 0
    assert out.read_bytes() != before
    wb = openpyxl.load_workbook(out)
    assert read_meta(wb)["month"] == "2026-12"
    assert read_meta_raw(wb)["month"] == '"2026-12"'


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2026-13"], "月份“2026-13”格式不对，应写成 2026-12 这样的年-月"),
        (["--tables", "nosuch"], "表“nosuch”不属于工作簿“department”"),
        (["--rows", "0"], "应在 1 到 100,000 之间，实际是 0"),
        (["--tables", " , "], "没有名为“”的表，可用：employees, headcount_plan, customers"),
        (["--tables", ""], "没有名为“”的表，可用：employees, headcount_plan, customers"),
    ],
    ids=["bad-month", "unknown-table", "bad-rows", "no-tables", "empty-tables"],
)
def test_cli_usage_errors(tmp_path, args, message):
    out = tmp_path / "d.xlsx"
    result = _run(["generate", "department", "-o", str(out)] + args)
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_unknown_bundle(tmp_path):
    out = tmp_path / "d.xlsx"
    result = _run(["generate", "nosuch", "-o", str(out)])
    assert result.exit_code == 2
    assert "没有名为“nosuch”的工作簿模板" in result.output and "department" in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_missing_folder(tmp_path):
    out = tmp_path / "no" / "such" / "folder" / "d.xlsx"
    result = _run(["generate", "department", "-o", str(out)])
    assert result.exit_code == 2
    assert "无法写入" in result.output and "目录不存在" in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_output_is_a_folder(tmp_path):
    folder = tmp_path / "out.xlsx"
    folder.mkdir()
    result = _run(["generate", "department", "-o", str(folder), "--force"])
    assert result.exit_code == 2
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert dot_files(tmp_path) == []


# --------------------------------------------------------------------------------------------
# Atomic writing


def test_api_errors_are_usage_errors(tmp_path):
    with pytest.raises(UsageError) as info:
        generate(tmp_path / "a.xlsx", tables=["orders", "nosuch"])
    assert "nosuch" in info.value.text("zh") and "nosuch" in info.value.text("en")
    with pytest.raises(UsageError):
        generate(tmp_path / "a.xlsx", rows=0)
    with pytest.raises(UsageError) as info:
        generate(tmp_path / "a.xlsx", tables=[])  # an empty selection is not "all tables"
    assert "orders" in info.value.text("zh") and "orders" in info.value.text("en")
    assert list(tmp_path.iterdir()) == []


def test_no_temp_files_after_success(tmp_path):
    result = generate(tmp_path / "a.xlsx", rows=2)
    assert result.path == tmp_path / "a.xlsx"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def test_failure_while_writing_keeps_the_old_file(tmp_path, monkeypatch):
    out = tmp_path / "a.xlsx"
    generate(out, rows=2)
    before = out.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(workbook_module, "write_meta_sheet", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        generate(out, rows=3, force=True)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]

    with pytest.raises(RuntimeError):
        generate(tmp_path / "new.xlsx", rows=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def test_output_appearing_while_writing_is_not_overwritten(tmp_path, monkeypatch):
    out = tmp_path / "a.xlsx"
    original = workbook_module.write_meta_sheet

    def racing(*args, **kwargs):
        out.write_bytes(b"someone else's file")
        return original(*args, **kwargs)

    monkeypatch.setattr(workbook_module, "write_meta_sheet", racing)
    with pytest.raises(UsageError):
        generate(out, rows=2)
    assert out.read_bytes() == b"someone else's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def test_generated_file_respects_umask(tmp_path):
    """mkstemp makes temp files private (0600); the output must get the usual 0666 & ~umask."""
    old = os.umask(0o022)
    try:
        generate(tmp_path / "a.xlsx", rows=2)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.xlsx").stat().st_mode) == 0o644


# --------------------------------------------------------------------------------------------
# Former bugs, fixed in the generator (these were strict xfails)


def test_integer_parameters_have_no_dangling_decimal_point(wb, summary_meta):
    cell = wb["汇总"][summary_meta["params"]["response_limit_minutes"].replace("$", "")]
    assert cell.value == 30
    assert cell.number_format == "#,##0"
    assert not re.search(r"\.#+$", cell.number_format), cell.number_format


def test_decimal_parameters_show_two_decimals(tmp_path, catalog, bundle):
    specs = tuple(replace(p, value=12.5) if p.name == "response_limit_minutes" else p for p in bundle.parameter_specs)
    cat = replace(
        catalog,
        bundles={
            **catalog.bundles,
            "department": replace(bundle, parameter_specs=specs, parameters=tuple((p.name, p.value) for p in specs)),
        },
    )
    generate_workbook(cat, "department", tmp_path / "a.xlsx", month=parse_month(MONTH), rows=2, now=NOW)
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    cell = wb["汇总"][read_meta(wb)["summary"]["params"]["response_limit_minutes"].replace("$", "")]
    assert (cell.value, cell.number_format) == (12.5, "#,##0.00")
    assert wb["汇总"].cell(cell.row, 1).value == "投诉首次响应时限（分钟）"


def test_english_summary_has_no_chinese_notes(en_wb, bundle, tables):
    # The values people pick from a list stay Chinese in the English workbook (its dropdowns
    # list them so), and an English note may quote them as they appear in the data
    # ("Feedback whose status is 待处理 or 处理中"); any other Chinese is an untranslated note.
    enum_values = {
        t.name: sorted({v for c in t.columns for v in c.values or ()}, key=len, reverse=True) for t in tables
    }

    def prose(text: str, table_names) -> str:
        for name in table_names:
            for v in enum_values[name]:
                text = text.replace(v, "")
        return text

    notes = [c.value for c in en_wb["Summary"]["C"] if isinstance(c.value, str) and not c.value.startswith("=")]
    assert notes and not [n for n in notes if CJK.search(prose(n, enum_values))]
    assert "Feedback whose status is 待处理 or 处理中" in notes  # quotes two values of 客户反馈's 处理状态
    # Every metric with a note carries an English one, and the English summary shows exactly those.
    noted = [m for m in bundle.metrics if m.note]
    assert noted and all(m.note_en and not CJK.search(prose(m.note_en, [m.table] if m.table else [])) for m in noted)
    assert all(m.note_text("en") == m.note_en and m.note_text("zh") == m.note for m in noted)
    ws, cells = en_wb["Summary"], read_meta(en_wb)["summary"]["metrics"]
    for m in bundle.metrics:
        if m.by is None:
            row = ws[cells[m.name]["cell"].split("!")[1]].row
            assert ws.cell(row, 3).value == m.note_en, m.name
    assert "Only delivered shipments with a delivery date are counted" in notes
    assert "Only complaints with a first-response time are counted" in notes


def test_created_property_uses_now(wb):
    assert wb.properties.created == NOW


# --------------------------------------------------------------------------------------------
# Former bugs found by these tests, fixed in the generator


def test_whole_valued_decimal_parameter_keeps_two_decimals(tmp_path, catalog, bundle):
    specs = tuple(replace(p, value=8.0) if p.name == "response_limit_minutes" else p for p in bundle.parameter_specs)
    cat = replace(
        catalog,
        bundles={
            **catalog.bundles,
            "department": replace(bundle, parameter_specs=specs, parameters=tuple((p.name, p.value) for p in specs)),
        },
    )
    generate_workbook(cat, "department", tmp_path / "a.xlsx", month=parse_month(MONTH), rows=2, now=NOW)
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    cell = wb["汇总"][read_meta(wb)["summary"]["params"]["response_limit_minutes"].replace("$", "")]
    assert cell.value == 8
    assert cell.number_format == "#,##0.00"


def test_percent_bounds_read_as_whole_percentages():
    col = ColumnSpec(name="rate", title="比例", type="percent", min=0.07, max=0.29)
    table = TableSpec(name="t", title="表", sheet="表", columns=(col,))
    assert prompts.rules(table, col, "zh", None, {"t": table}) == ["选填", "7% 到 29% 之间"]
