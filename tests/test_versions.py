"""Schemas that evolve: a workbook made from an older version of a table is validated with a
`schema_version` finding (against that version when the catalogue keeps it), and `migrate`
moves its data into the current template without losing a cell."""

from __future__ import annotations

import json
import shutil
import warnings
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.rules import Rule
from ecomsheets.schema import ColumnSpec, TableSpec, expr, load_catalog
from ecomsheets.schema.changes import Column, as_made, column_changes, rename
from ecomsheets.validate import validate
from tests.helpers import CATALOG, MONTH, cli, sha256
from tests.lo import recalc, requires_libreoffice

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "schemas" / "tables" / "history" / "customers.v1.yaml"
BUNDLE = "客服售后"  # customer service: holds 客户 (customers)


def _load(path: Path, data_only: bool = True):
    with warnings.catch_warnings():  # print areas are formulas openpyxl does not take
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, data_only=data_only)


def _meta(wb) -> dict:
    out = {}
    for key, value in wb["_meta"].iter_rows(min_row=2, values_only=True):
        if key is not None:
            out[key] = json.loads(value)
    return out


@pytest.fixture(scope="module")
def v1_schemas(tmp_path_factory) -> Path:
    """A schema folder where customers is still version 1 (no 地址 column)."""
    folder = tmp_path_factory.mktemp("v1")
    (folder / "tables").mkdir()
    shutil.copy(HISTORY, folder / "tables" / "customers.yaml")
    return folder


@pytest.fixture(scope="module")
def old_file(tmp_path_factory, v1_schemas) -> Path:
    """A filled 客服售后 workbook made when customers was version 1."""
    path = tmp_path_factory.mktemp("old") / "old.xlsx"
    result = cli("example", BUNDLE, "-o", path, "--schemas", v1_schemas, "--month", "2026-11", "--rows", 20)
    assert result.exit_code == 0, result.output
    return path


def test_history_kept_and_current_bumped():
    old, now = CATALOG.history[("customers", 1)], CATALOG.tables["customers"]
    assert (old.version, now.version) == (1, 2)
    assert "address" in now.by_name and "address" not in old.by_name
    assert CATALOG.table_version("customers", 1) is old and CATALOG.table_version("customers", 2) is now


def test_old_file_records_version_1(old_file):
    meta = _meta(_load(old_file))
    customers = next(t for t in meta["tables"] if t["name"] == "customers")
    assert customers["version"] == 1 and "address" not in customers["columns"]


def test_old_workbook_validates_with_version_finding(old_file):
    report = validate(old_file, catalog=CATALOG)
    assert report.errors == 0, [f.message for f in report.findings if f.severity == "error"]
    found = [f for f in report.findings if f.rule == Rule.SCHEMA_VERSION]
    assert len(found) == 1
    f = found[0]
    assert (f.severity, f.sheet, f.table) == ("warning", "客户", "customers")
    assert "第 1 版" in f.message and "第 2 版" in f.message and "“地址”" in f.message
    assert "已按第 1 版检查" in f.message
    assert "'Address'" in f.message_en and "version 1" in f.message_en
    assert not [f for f in report.findings if f.rule == Rule.COLUMN_MISSING and f.column == "address"]


def test_without_history_checked_against_current(old_file, tmp_path):
    catalog = load_catalog()
    catalog.history.clear()
    report = validate(old_file, catalog=catalog)
    assert report.errors == 0
    (f,) = [f for f in report.findings if f.rule == Rule.SCHEMA_VERSION]
    assert "“地址”" in f.message and "已按当前版本检查" in f.message
    assert "columns added since are not required" in f.message_en


def _set_meta(src: Path, dst: Path, edit) -> Path:
    wb = _load(src, data_only=False)
    ws = wb["_meta"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "tables":
            tables = json.loads(row[1].value)
            edit(tables)
            row[1].value = json.dumps(tables, ensure_ascii=False)
    wb.save(dst)
    return dst


def test_newer_version_warns_and_is_not_migrated(old_file, tmp_path):
    def claim_99(tables):
        next(t for t in tables if t["name"] == "customers")["version"] = 99

    path = _set_meta(old_file, tmp_path / "future.xlsx", claim_99)
    report = validate(path, catalog=CATALOG)
    (f,) = [f for f in report.findings if f.rule == Rule.SCHEMA_VERSION]
    assert f.severity == "warning" and f.sheet == "客户"
    assert "第 99 版" in f.message and "请更新 ecomsheets" in f.message
    assert "update ecomsheets" in f.message_en
    before = sha256(path)
    result = cli("migrate", path, "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2 and "更新 ecomsheets" in result.output
    assert not (tmp_path / "out.xlsx").exists() and sha256(path) == before


def test_version_without_recorded_columns(old_file, tmp_path):
    def forget(tables):
        next(t for t in tables if t["name"] == "customers").pop("columns")

    path = _set_meta(old_file, tmp_path / "nocols.xlsx", forget)
    # The kept version 1 says what changed …
    (f,) = [f for f in validate(path, catalog=CATALOG).findings if f.rule == Rule.SCHEMA_VERSION]
    assert "新增列“地址”" in f.message and "已按第 1 版检查" in f.message
    # … without it, nothing is known of the columns, and nothing is made up.
    catalog = load_catalog()
    catalog.history.clear()
    (f,) = [f for f in validate(path, catalog=catalog).findings if f.rule == Rule.SCHEMA_VERSION]
    assert "无法列出改动" in f.message and "已按当前版本检查" in f.message and "地址" not in f.message


def _old_rows(path: Path) -> dict[str, tuple[int, list[str], dict]]:
    """sheet -> (header row, headers, {(row, header): value}) of every table sheet."""
    wb = _load(path)
    meta = _meta(wb)
    out = {}
    for t in meta["tables"]:
        ws = wb[t["sheet"]]
        hr = t["header_row"]
        headers = [c.value for c in ws[hr]]
        cells = {}
        for row in ws.iter_rows(min_row=hr + 1):
            for cell in row:
                if cell.value is not None and str(cell.value).strip() and cell.column <= len(headers):
                    cells[(cell.row, headers[cell.column - 1])] = cell.value
        out[t["sheet"]] = (hr, headers, cells)
    return out


def _derived_headers() -> set[str]:
    return {c.title for t in CATALOG.tables.values() for c in t.columns if c.derived}


@pytest.fixture(scope="module")
def migrated(old_file, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("new") / "new.xlsx"
    before = sha256(old_file)
    result = cli("migrate", old_file, "-o", out)
    assert result.exit_code == 0, result.output
    assert sha256(old_file) == before  # the input is only read
    return out, result.output


def test_migrate_says_what_moved(migrated):
    _, output = migrated
    assert "客户：20 行，第 1 版 → 第 2 版；新增列“地址”" in output
    assert "咨询：20 行" in output


def test_migrated_validates_clean_and_current(migrated):
    out, _ = migrated
    report = validate(out, catalog=CATALOG)
    assert report.errors == 0, [f.message for f in report.findings if f.severity == "error"]
    assert not [f for f in report.findings if f.rule == Rule.SCHEMA_VERSION]
    meta = _meta(_load(out))
    assert next(t for t in meta["tables"] if t["name"] == "customers")["version"] == 2
    assert meta["month"] == "2026-11"


def test_migrate_loses_no_cell(old_file, migrated):
    out, _ = migrated
    old, new = _old_rows(old_file), _old_rows(out)
    formulas = _load(out, data_only=False)
    derived = _derived_headers()
    compared = 0
    for sheet, (hr, headers, cells) in old.items():
        nhr, nheaders, ncells = new[sheet]
        assert nhr == hr and set(headers) - {None} <= set(nheaders)
        for (row, header), value in cells.items():
            if header in derived:  # the new template holds the formula
                col = nheaders.index(header) + 1
                assert str(formulas[sheet].cell(row, col).value).startswith("="), (sheet, row, header)
                continue
            assert ncells.get((row, header)) == value, (sheet, row, header, value)
            compared += 1
    assert compared > 500
    # The one new column is blank in the moved rows.
    hr, headers, cells = new["客户"]
    assert "地址" in headers and not [k for k in cells if k[1] == "地址"]


def _typo_file(old_file: Path, tmp_path: Path) -> tuple[Path, dict]:
    """The old file with a number cell mistyped, a column of the staff's own and a setting
    changed by the manager; and where those are."""
    wb = _load(old_file, data_only=False)
    meta = _meta(wb)
    info = {t["name"]: t for t in meta["tables"]}
    after = wb[info["after_sales"]["sheet"]]
    hr = info["after_sales"]["header_row"]
    headers = [c.value for c in after[hr]]
    amount_col = headers.index("退款金额") + 1
    typo_row = hr + 3
    after.cell(typo_row, amount_col).value = "12O.5"  # a letter O for a zero
    customers = wb[info["customers"]["sheet"]]
    chr_ = info["customers"]["header_row"]
    extra = customers.max_column + 2  # a column of the staff's own, not in any version
    customers.cell(chr_, extra).value = "微信号"
    customers.cell(chr_ + 1, extra).value = "wx_abc"
    customers.cell(chr_ + 4, extra).value = 12345
    summary = meta["summary"]
    wb[summary["sheet"]][summary["params"]["inquiry_reply_limit_minutes"].replace("$", "")].value = 45
    src = tmp_path / "typo.xlsx"
    wb.save(src)
    return src, {"info": info, "typo": (typo_row, amount_col), "extra": extra, "chr": chr_, "meta": meta}


def test_migrate_keeps_text_and_unknown_columns(old_file, tmp_path):
    _migrate_typo_file(old_file, tmp_path)


def _migrate_typo_file(old_file: Path, tmp_path: Path) -> tuple[Path, list[tuple]]:
    """Migrate the typo file, check what it must keep; the new file and its old-data lines."""
    src, w = _typo_file(old_file, tmp_path)
    info, (typo_row, amount_col), extra, chr_ = w["info"], w["typo"], w["extra"], w["chr"]
    out = tmp_path / "typo_new.xlsx"
    result = cli("migrate", src, "-o", out)
    assert result.exit_code == 0, result.output
    assert "  售后：20 行；1 个单元格不符合本列格式，按原文保留\n" in result.output
    assert "旧版数据" in result.output
    new = _load(out)
    cell = new[info["after_sales"]["sheet"]].cell(typo_row, amount_col)
    assert cell.value == "12O.5" and cell.data_type == "s"
    letter = openpyxl.utils.get_column_letter(extra)
    lines = [tuple(r) for r in new["旧版数据"].iter_rows(values_only=True)]
    assert lines[0] == ("原位置", "原表头", "内容")
    assert (f"客户!{letter}{chr_ + 1}", "微信号", "wx_abc") in lines
    assert (f"客户!{letter}{chr_ + 4}", "微信号", 12345) in lines
    new_summary = _meta(new)["summary"]
    place = new_summary["params"]["inquiry_reply_limit_minutes"].replace("$", "")
    assert new[new_summary["sheet"]][place].value == 45  # the manager's setting, not the example's 30
    report = validate(out, catalog=CATALOG)
    typed = [f for f in report.findings if f.rule == Rule.TYPE]
    assert [(f.sheet, f.row) for f in typed] == [(info["after_sales"]["sheet"], typo_row)]
    return out, lines


def test_migrating_twice_keeps_the_old_data_sheet(old_file, v3_schemas, tmp_path):
    """A file migrated before (it has an old-data sheet) migrated again: nothing of it is lost."""
    first, lines = _migrate_typo_file(old_file, tmp_path)
    again = tmp_path / "again.xlsx"
    result = cli("migrate", first, "-o", again, "--schemas", v3_schemas)
    assert result.exit_code == 0, result.output
    now = [tuple(r) for r in _load(again)["旧版数据"].iter_rows(values_only=True)]
    assert now[: len(lines)] == lines  # the earlier lines first, as they were


def _shown(value):
    """A date or time as the old-data sheet writes it (text, as the spreadsheet showed it)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


def test_migrate_sheet_not_read_goes_aside(old_file, tmp_path):
    """A sheet whose header cannot be found is not lost: its cells go to the old-data sheet."""
    wb = _load(old_file, data_only=False)
    info = next(t for t in _meta(wb)["tables"] if t["name"] == "reviews")
    ws = wb[info["sheet"]]
    for cell in ws[info["header_row"]]:
        if cell.value:
            cell.value = f"x{cell.column}"
    src = tmp_path / "garbled.xlsx"
    wb.save(src)
    out = tmp_path / "garbled_new.xlsx"
    result = cli("migrate", src, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"{info['sheet']}：旧文件里没有读到这张表" in result.output
    old = _load(src)[info["sheet"]]
    expected = {
        (f"{info['sheet']}!{c.coordinate}", _shown(c.value))
        for row in old.iter_rows()
        for c in row
        if c.value is not None and str(c.value).strip()
    }
    aside = {(r[0], r[2]) for r in _load(out)["旧版数据"].iter_rows(min_row=2, values_only=True)}
    assert len(expected) > 100 and expected <= aside


@pytest.mark.libreoffice
@requires_libreoffice
def test_migrated_file_opens_in_libreoffice(old_file, tmp_path):
    """The patched zip (text cells, the added sheet) is a workbook LibreOffice opens and keeps."""
    src, w = _typo_file(old_file, tmp_path)
    out = tmp_path / "typo_new.xlsx"
    assert cli("migrate", src, "-o", out).exit_code == 0
    saved = recalc(out, tmp_path / "lo")
    wb = _load(saved)
    typo_row, amount_col = w["typo"]
    assert wb[w["info"]["after_sales"]["sheet"]].cell(typo_row, amount_col).value == "12O.5"
    lines = [tuple(r) for r in wb["旧版数据"].iter_rows(values_only=True)]
    letter = openpyxl.utils.get_column_letter(w["extra"])
    assert (f"客户!{letter}{w['chr'] + 1}", "微信号", "wx_abc") in lines
    before = {(f.rule, f.sheet, f.row) for f in validate(out, catalog=CATALOG).findings if f.severity == "error"}
    after = {(f.rule, f.sheet, f.row) for f in validate(saved, catalog=CATALOG).findings if f.severity == "error"}
    assert before == after == {(Rule.TYPE, w["info"]["after_sales"]["sheet"], typo_row)}


def test_migrate_keeps_form_fields(tmp_path):
    """The sheet-level fields of a form (部门职责描述 …) are cells people filled in too."""
    path = tmp_path / "mgmt.xlsx"
    assert cli("example", "部门管理", "-o", path, "--rows", 10).exit_code == 0
    wb = _load(path, data_only=False)
    info = next(t for t in _meta(wb)["tables"] if t["name"] == "headcount_plan")
    ws = wb[info["sheet"]]
    labels = {ws.cell(r, 1).value: r for r in range(2, info["header_row"])}
    ws.cell(labels["部门职责描述"], 2).value = "负责全店运营"
    ws.cell(labels["部门工作目标"], 2).value = "月销售 100 万"
    src = tmp_path / "mgmt_old.xlsx"
    wb.save(src)

    def older(tables):
        next(t for t in tables if t["name"] == "headcount_plan")["version"] = 0

    _set_meta(src, src, older)
    out = tmp_path / "mgmt_new.xlsx"
    result = cli("migrate", src, "-o", out)
    assert result.exit_code == 0, result.output
    new = _load(out)[info["sheet"]]
    assert new.cell(labels["部门职责描述"], 2).value == "负责全店运营"
    assert new.cell(labels["部门工作目标"], 2).value == "月销售 100 万"


def test_migrate_refuses_foreign_and_current(migrated, tmp_path):
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "客户"
    wb.active.append(["客户编号", "客户名称"])
    wb.active.append(["C001", "张三"])
    wb.save(plain)
    result = cli("migrate", plain, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "不是 ecomsheets 生成的工作簿" in result.output
    assert not (tmp_path / "x.xlsx").exists()
    out, _ = migrated
    result = cli("migrate", out, "-o", tmp_path / "y.xlsx", "--lang", "en")
    assert result.exit_code == 0 and "nothing to migrate" in result.output
    assert not (tmp_path / "y.xlsx").exists()


def test_migrate_will_not_overwrite_without_force(old_file, migrated, tmp_path):
    out, _ = migrated
    before = sha256(out)
    result = cli("migrate", old_file, "-o", out)
    assert result.exit_code == 2 and sha256(out) == before


# --- an old version with different rules, a renamed and a removed column -----------------------

V3 = """
name: customers
title: 客户管理表
title_en: Customers
sheet: 客户
sheet_en: Customers
version: 3
primary_key: [customer_id]
columns:
  - {name: customer_id, title: 客户编号, title_en: Customer ID, type: string, required: true, unique: true}
  - {name: name, title: 客户名称, title_en: Name, type: string, required: true}
  - {name: phone, title: 手机号, title_en: Mobile, type: phone}
  - {name: province, title: 省份, title_en: Province, type: enum, values_from: provinces}
  - {name: city, title: 城市, title_en: City, type: string}
  - {name: address, title: 地址, title_en: Address, type: text}
  - {name: channel, title: 来源渠道, title_en: Channel, type: enum, values_from: channels}
  - {name: tier, title: 会员等级, title_en: Tier, type: enum, values: [普通, 银卡, 金卡, 钻石], aliases: [客户等级]}
  - {name: first_order_date, title: 首次下单日期, title_en: First order date, type: date}
  - {name: is_member, title: 是否会员, title_en: Member, type: bool}
"""

RULE = """rules:
  - name: no_diamond
    check: level <> "钻石"
    message: 暂不设钻石等级
    message_en: No diamond level yet
    columns: [level]
"""


@pytest.fixture(scope="module")
def v3_schemas(tmp_path_factory) -> Path:
    """customers is version 3 (备注 removed, 客户等级 renamed 会员等级); version 2, kept in
    history, had a rule that version 3 dropped."""
    folder = tmp_path_factory.mktemp("v3")
    (folder / "tables" / "history").mkdir(parents=True)
    (folder / "tables" / "customers.yaml").write_text(V3, encoding="utf-8")
    v2 = (ROOT / "schemas" / "tables" / "customers.yaml").read_text(encoding="utf-8")
    (folder / "tables" / "history" / "customers.v2.yaml").write_text(v2 + RULE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def v2_file(tmp_path_factory) -> Path:
    """A filled 客服售后 workbook of today's version 2, with some remarks written."""
    path = tmp_path_factory.mktemp("v2") / "v2.xlsx"
    frames = example_frames(CATALOG, "customer_service", MONTH, rows=20, seed=3)
    remarks = frames["customers"]["remark"].astype(object)
    remarks.iloc[[0, 3, 7]] = ["老客户", "要发票", "VIP 回访"]
    frames["customers"]["remark"] = remarks
    generate_workbook(CATALOG, "customer_service", path, month=MONTH, data=frames)
    return path


def test_checked_against_kept_version_rules(v2_file, v3_schemas):
    catalog = load_catalog([v3_schemas])
    report = validate(v2_file, catalog=catalog)
    (f,) = [f for f in report.findings if f.rule == Rule.SCHEMA_VERSION]
    assert "删除列“备注”" in f.message and "改名“客户等级”→“会员等级”" in f.message
    assert "已按第 2 版检查" in f.message
    wb = _load(v2_file)
    ws = wb["客户"]
    headers = [c.value for c in ws[2]]
    col = headers.index("客户等级")
    diamonds = sorted(r[0].row for r in ws.iter_rows(min_row=3) if r[col].value == "钻石")
    assert diamonds, "the example should have a 钻石 customer at this seed"
    broken = sorted(f.row for f in report.findings if f.rule == Rule.ROW_RULE and f.sheet == "客户")
    assert broken == diamonds
    assert all(f.column == "tier" for f in report.findings if f.rule == Rule.ROW_RULE and f.sheet == "客户")
    # Against version 3 itself (no history) there is no such rule.
    catalog.history.pop(("customers", 2))
    report = validate(v2_file, catalog=catalog)
    assert not [f for f in report.findings if f.rule == Rule.ROW_RULE and f.sheet == "客户"]


def test_migrate_to_v3_moves_removed_column_aside(v2_file, v3_schemas, tmp_path):
    out = tmp_path / "v3.xlsx"
    result = cli("migrate", v2_file, "-o", out, "--schemas", v3_schemas)
    assert result.exit_code == 0, result.output
    assert "删除列“备注”" in result.output and "改名“客户等级”→“会员等级”" in result.output
    old = _old_rows(v2_file)["客户"][2]
    new = _load(out)
    kept = {r[0]: r for r in new["旧版数据"].iter_rows(min_row=2, values_only=True)}
    new_headers = [c.value for c in new["客户"][2]]
    for (row, header), value in old.items():
        if header == "备注":
            letter = openpyxl.utils.get_column_letter(_old_rows(v2_file)["客户"][1].index("备注") + 1)
            assert kept[f"客户!{letter}{row}"][1:] == ("备注", value)
        else:
            target = "会员等级" if header == "客户等级" else header
            assert new["客户"].cell(row, new_headers.index(target) + 1).value == value, (row, header)
    assert sum(h == "备注" for (_, h) in old) == 3


# --- changes.py -------------------------------------------------------------------------------


def _col(name, title, **kw) -> ColumnSpec:
    return ColumnSpec(name=name, title=title, type=kw.pop("type", "string"), **kw)


def _table(version, *columns, rules=()) -> TableSpec:
    return TableSpec(name="t", title="表", sheet="表", columns=tuple(columns), version=version, rules=rules)


def test_changes_added_removed_renamed():
    old = _table(1, _col("a", "甲"), _col("b", "乙"), _col("c", "丙"))
    new = _table(2, _col("a", "甲"), _col("b2", "新乙", aliases=("乙",)), _col("d", "丁"))
    ch = column_changes(new, old)
    assert ch.added == (Column("d", "丁"),)
    assert ch.removed == (Column("c", "丙"),)
    assert ch.renamed == ((Column("b", "乙"), Column("b2", "新乙")),)
    assert (ch.old_version, ch.new_version, ch.from_history) == (1, 2, True)


def test_changes_from_names_only():
    new = _table(2, _col("a", "甲"), _col("phone", "手机", aliases=("tel",)), _col("d", "丁"))
    ch = column_changes(new, None, ["a", "tel", "fax"], 1)
    assert [c.name for c in ch.added] == ["d"]
    assert [c.name for c in ch.removed] == ["fax"]
    assert [(o.name, n.name) for o, n in ch.renamed] == [("tel", "phone")]
    assert not ch.from_history and ch.old_version == 1


def test_changes_unknown_without_columns():
    ch = column_changes(_table(2, _col("a", "甲")), None, [], 1)
    assert not ch.columns_changed and not ch.from_history


def test_changes_none():
    t = _table(1, _col("a", "甲"))
    ch = column_changes(_table(2, _col("a", "甲")), t)
    assert not ch.columns_changed


def test_as_made_renames_rules_and_keeps_old_types():
    from ecomsheets.schema.model import RuleSpec

    check = expr.parse("b >= 1")
    rule = RuleSpec("r", "b >= 1", "", "", ("b",), check_ast=check)
    old = _table(1, _col("a", "甲", required=True), _col("b", "乙", type="integer"), rules=(rule,))
    new = _table(
        2, _col("a", "甲"), _col("b2", "新乙", type="decimal", aliases=("乙",)), _col("d", "丁", required=True)
    )
    made = as_made(new, old)
    assert [c.name for c in made.columns] == ["a", "b2", "d"]
    assert made.column("a").required and made.column("b2").type == "integer"
    assert not made.column("d").required  # added since: such a file does not have it
    assert made.rules[0].columns == ("b2",) and expr.names(made.rules[0].check_ast) == ["b2"]
    assert made.version == 1


def test_rename_leaves_other_names():
    node = expr.parse("IF(x > y, x, 0)")
    assert sorted(set(expr.names(rename(node, {"x": "z"})))) == ["y", "z"]


def test_migrate_makes_master_copies_afresh_or_says_it_did_not(old_file, tmp_path):
    wb = _load(old_file)
    copies = [m["sheet"] for m in _meta(wb)["masters"]]
    assert copies == ["主数据-员工", "主数据-库存"]  # an example team file carries them
    bare = cli("migrate", old_file, "-o", tmp_path / "bare.xlsx")
    assert bare.exit_code == 0, bare.output
    assert "主数据-员工、主数据-库存" in bare.output and "--masters" in bare.output
    assert not set(copies) & set(_load(tmp_path / "bare.xlsx").sheetnames)
    master = tmp_path / "主数据.xlsx"
    assert cli("example", "department", "-o", master, "--month", "2026-11", "--rows", 20).exit_code == 0
    fresh = cli("migrate", old_file, "-o", tmp_path / "fresh.xlsx", "--masters", master)
    assert fresh.exit_code == 0, fresh.output
    assert "--masters" not in fresh.output
    new = _load(tmp_path / "fresh.xlsx")
    assert set(copies) <= set(new.sheetnames)
    assert [m["sheet"] for m in _meta(new)["masters"]] == copies
    staff = [r[0] for r in new["主数据-员工"].iter_rows(min_row=3, values_only=True) if r[0]]
    frame = pd.read_excel(master, sheet_name="员工", header=1, dtype=str)
    assert staff == list(frame.iloc[:, 0].dropna())
