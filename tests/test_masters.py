"""Master lists in team workbooks (issue 15): `generate TEAM --masters FILE` copies the master
lists a team's sheets refer to (员工, 库存, 客户) as read-only sheets, dropdowns list them,
and validation checks references against the file's copy or `validate --masters FILE`;
a reference nothing can check is said once per column (`reference_unchecked`).

Expected rows are read from the master file with openpyxl, independently of the code under test.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from ecomsheets import messages
from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.generate.masters_sheet import masters_from_frames
from ecomsheets.read.meta import BadMeta, parse_meta
from ecomsheets.read.workbook import read_workbook
from tests.lo import recalc, requires_libreoffice

from .helpers import CATALOG, MONTH, cli, run_cli

TEAMS = ["operations", "customer_service", "warehouse", "finance_admin", "management"]
ROWS = 60


# --- independent readings (openpyxl) ----------------------------------------------------------


def _headers(ws, row: int) -> list[str]:
    return [str(c.value or "").rstrip("*") for c in ws[row]]


def master_rows(path: Path, table: str, columns) -> list[tuple]:
    """The master's rows as the master file holds them: the named columns, in file order."""
    t = CATALOG.tables[table]
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb[t.sheet]
    rows = list(ws.iter_rows(min_row=t.header_row, values_only=True))
    heads = [str(h or "").rstrip("*") for h in rows[0]]
    at = [heads.index(t.column(c).title) for c in columns]
    out = [tuple(None if r[i] is None else str(r[i]) for i in at) for r in rows[1:] if r[at[0]] is not None]
    wb.close()
    return out


def references_to_masters(bundle: str) -> list[tuple[str, str, str]]:
    """(table, column, master table) of each column of the bundle referring to a master list."""
    b = CATALOG.bundles[bundle]
    masters = {m.table for m in CATALOG.bundles["department"].masters}
    return [
        (t, c.name, c.ref_table)
        for t in b.tables
        for c in CATALOG.tables[t].columns
        if c.references and c.ref_table in masters and c.ref_table not in b.tables
    ]


def list_validation(ws, letter: str, first_row: int) -> str | None:
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list" and str(dv.sqref).split(":")[0] == f"{letter}{first_row}":
            return dv.formula1
    return None


def letter_of(ws, row: int, title: str) -> str:
    return openpyxl.utils.get_column_letter(_headers(ws, row).index(title) + 1)


def findings(path: Path, *extra) -> dict:
    result = cli("validate", path, "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dept(tmp_path_factory) -> Path:
    """The department's example workbook: the master file."""
    path = tmp_path_factory.mktemp("masters") / "部门主数据.xlsx"
    run_cli("example", "department", "-o", path, "--month", str(MONTH), "--rows", ROWS)
    return path


def team_example(out: Path, bundle: str, *, masters: bool = True) -> Path:
    """A team's example workbook (its share of the department's example rows) carrying copies
    of the department example's master lists, as `ecomsheets example TEAM` makes it."""
    frames = example_frames(CATALOG, bundle, MONTH, rows=ROWS, seed=1)
    copies = None
    if masters:
        family = example_frames(CATALOG, "department", MONTH, rows=ROWS, seed=1)
        copies = masters_from_frames(CATALOG, CATALOG.bundles[bundle], family, messages.text("ms_example_source"))
    generate_workbook(CATALOG, bundle, out, month=MONTH, data=frames, masters=copies, force=True)
    return out


# --- generate ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("bundle", TEAMS)
def test_every_team_workbook_carries_read_only_copies_of_its_masters(tmp_path, dept, bundle):
    out = tmp_path / f"{bundle}.xlsx"
    result = run_cli("generate", CATALOG.bundles[bundle].title, "-o", out, "--masters", dept)
    assert result.exit_code == 0, result.output
    needed = [
        m for m in CATALOG.bundles["department"].masters if m.table in {r[2] for r in references_to_masters(bundle)}
    ]
    wb = openpyxl.load_workbook(out)
    tables = [CATALOG.tables[t].sheet for t in CATALOG.bundles[bundle].tables]
    copies = ["主数据-" + CATALOG.tables[m.table].sheet for m in needed]
    visible = [s for s in wb.sheetnames if not s.startswith("_")]
    # After the team's own sheets, before the hidden ones.
    assert visible == ["说明", "汇总", *tables, *copies]
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True)}
    recorded = json.loads(meta["masters"]) if copies else []
    assert [m["sheet"] for m in recorded] == copies
    digest = hashlib.sha256(dept.read_bytes()).hexdigest()
    for m, sheet, entry in zip(needed, copies, recorded):
        ws = wb[sheet]
        assert ws.protection.sheet, f"{sheet} is not protected"
        title = str(ws["A1"].value)
        assert dept.name in title and "只读" in title
        expected = master_rows(dept, m.table, m.columns)
        assert _headers(ws, 2)[: len(m.columns)] == [CATALOG.tables[m.table].column(c).title for c in m.columns]
        got = [tuple(c for c in r[: len(m.columns)]) for r in ws.iter_rows(min_row=3, values_only=True)]
        assert got == expected
        assert entry == {
            "table": m.table,
            "sheet": sheet,
            "header_row": 2,
            "first_data_row": 3,
            "rows": len(expected),
            "columns": list(m.columns),
            "source": dept.name,
            "modified": entry["modified"],
            "sha256": digest,
        }
    # Every column referring to a master lists the copy's keys, exactly its rows.
    for table, column, master in references_to_masters(bundle):
        t = CATALOG.tables[table]
        ws = wb[t.sheet]
        col = t.column(column)
        formula = list_validation(ws, letter_of(ws, t.header_row, col.title), t.first_data_row)
        n = len(master_rows(dept, master, [col.ref_column]))
        key_letter = letter_of(
            wb["主数据-" + CATALOG.tables[master].sheet], 2, CATALOG.tables[master].column(col.ref_column).title
        )
        assert formula == f"'主数据-{CATALOG.tables[master].sheet}'!${key_letter}$3:${key_letter}${2 + n}", (
            table,
            column,
        )
    if not copies:
        assert "masters" not in meta
    wb.close()


def test_without_masters_a_team_workbook_has_no_copies_and_says_what_goes_unchecked(tmp_path):
    out = tmp_path / "cs.xlsx"
    result = run_cli("generate", "客服售后", "-o", out)
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and "员工、库存" in lines[1] and "validate --masters" in lines[1]
    wb = openpyxl.load_workbook(out, read_only=True)
    assert not [s for s in wb.sheetnames if s.startswith("主数据")]
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True)}
    assert "masters" not in meta
    wb.close()
    # The department holds its masters: nothing said, nothing copied.
    result = run_cli("generate", "department", "-o", tmp_path / "d.xlsx")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [None, b"not a workbook at all", b"PK\x03\x04broken zip"])
def test_a_master_file_missing_or_corrupt_is_refused(tmp_path, content):
    master = tmp_path / "主数据.xlsx"
    if content is not None:
        master.write_bytes(content)
    out = tmp_path / "cs.xlsx"
    result = cli("generate", "客服售后", "-o", out, "--masters", master)
    assert result.exit_code == 2 and "主数据.xlsx 无法使用" in result.output, result.output
    assert not out.exists()
    team = tmp_path / "blank.xlsx"
    run_cli("generate", "客服售后", "-o", team)
    result = cli("validate", team, "--masters", master)
    assert result.exit_code == 2 and "主数据.xlsx" in result.output, result.output


def test_a_master_none_of_the_files_holds_is_refused_naming_it_and_the_files(tmp_path, dept):
    warehouse = tmp_path / "仓储物流.xlsx"
    team_example(warehouse, "warehouse", masters=False)  # holds 库存, not 员工 nor 客户
    out = tmp_path / "ops.xlsx"
    result = cli("generate", "运营推广", "-o", out, "--masters", warehouse)
    assert result.exit_code == 2, result.output
    assert "“员工”" in result.output and "仓储物流.xlsx" in result.output
    assert not out.exists()
    # A file holding no master list at all is said as such.
    blank = tmp_path / "blank.xlsx"
    run_cli("generate", "部门管理", "-o", blank, "--tables", "team_plans")
    result = cli("generate", "运营推广", "-o", out, "--masters", blank)
    assert result.exit_code == 2 and "没有任何主数据表" in result.output, result.output


def test_a_master_with_errors_in_its_copied_columns_is_refused(tmp_path, dept):
    bad = tmp_path / "dup.xlsx"
    wb = openpyxl.load_workbook(dept)
    ws = wb[CATALOG.tables["employees"].sheet]
    ws["A4"].value = ws["A3"].value  # the same 工号 twice
    wb.save(bad)
    result = cli("generate", "财务行政", "-o", tmp_path / "fa.xlsx", "--masters", bad)
    assert result.exit_code == 2, result.output
    assert "dup.xlsx" in result.output and "员工" in result.output and "错误" in result.output


def test_master_values_are_written_as_text_never_as_formulas(tmp_path, dept):
    hostile = tmp_path / "hostile.xlsx"
    wb = openpyxl.load_workbook(dept)
    ws = wb[CATALOG.tables["employees"].sheet]
    for row, value in ((3, "=1+1"), (4, "@SUM(A1)"), (5, "+86-1")):
        ws.cell(row, 2).value = value
        ws.cell(row, 2).data_type = "s"
    wb.save(hostile)
    out = tmp_path / "fa.xlsx"
    run_cli("generate", "财务行政", "-o", out, "--masters", hostile)
    copy = openpyxl.load_workbook(out)["主数据-员工"]
    for row, value in ((3, "=1+1"), (4, "@SUM(A1)"), (5, "+86-1")):
        cell = copy.cell(row, 2)
        assert cell.data_type == "s" and cell.value == value


def test_the_output_may_not_be_the_master_file(tmp_path, dept):
    master = tmp_path / "m.xlsx"
    shutil.copyfile(dept, master)
    before = master.read_bytes()
    result = cli("generate", "客服售后", "-o", master, "--masters", master, "--force")
    assert result.exit_code == 2 and master.read_bytes() == before


# --- reading back -------------------------------------------------------------------------------


def test_a_copy_is_never_read_as_the_table_itself(tmp_path, dept):
    out = tmp_path / "cs.xlsx"
    run_cli("generate", "客服售后", "-o", out, "--masters", dept)
    data = read_workbook(out, CATALOG, "department")  # a bundle that does hold 员工 and 库存
    assert "employees" not in data.sheets and "inventory" not in data.sheets
    assert not [f for f in data.findings if f.rule == "sheet_unknown"]
    assert set(data.masters) == {"employees", "inventory"}
    keys = {r[0] for r in master_rows(dept, "employees", ["employee_id"])}
    assert data.masters["employees"].keys["employee_id"] == keys


def test_metadata_naming_a_table_sheet_as_a_copy_does_not_hide_it(tmp_path):
    out = tmp_path / "cs.xlsx"
    team_example(out, "customer_service")
    wb = openpyxl.load_workbook(out)
    meta = wb["_meta"]
    for row in meta.iter_rows(min_row=2):
        if row[0].value == "masters":
            entries = json.loads(row[1].value)
            entries[0]["sheet"] = "售后"
            row[1].value = json.dumps(entries, ensure_ascii=False)
    wb.save(out)
    data = read_workbook(out, CATALOG)
    assert "after_sales" in data.sheets and len(data.sheets["after_sales"].raw) == ROWS


GOOD = {
    "table": "employees",
    "sheet": "主数据-员工",
    "header_row": 2,
    "first_data_row": 3,
    "rows": 3,
    "columns": ["employee_id"],
    "source": "m.xlsx",
    "modified": "2026-11-30",
    "sha256": "0" * 64,
}


@pytest.mark.parametrize(
    "masters",
    [
        {"table": "employees"},
        [GOOD | {"sheet": 5}],
        [GOOD | {"rows": -1}],
        [GOOD | {"rows": 10**9}],
        [GOOD | {"columns": "employee_id"}],
        [GOOD | {"columns": [1]}],
        [GOOD | {"sha256": "zz"}],
        [GOOD | {"source": "x" * 301}],
        [GOOD] * 51,
        ["employees"],
    ],
)
def test_metadata_of_copies_is_checked_like_the_rest(masters):
    pairs = [("format", '"ecomsheets/1"'), ("bundle", '"customer_service"'), ("masters", json.dumps(masters))]
    with pytest.raises(BadMeta):
        parse_meta(pairs)
    good = [("format", '"ecomsheets/1"'), ("bundle", '"customer_service"'), ("masters", json.dumps([GOOD]))]
    assert parse_meta(good)["masters"] == [GOOD]


# --- validate -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_team_example_validates_clean_against_its_copy(tmp_path):
    out = team_example(tmp_path / "cs.xlsx", "customer_service")
    doc = findings(out)
    assert doc["summary"]["errors"] == 0, doc
    unchecked = {(f["sheet"], f["column"]) for f in doc["findings"] if f["rule"] == "reference_unchecked"}
    # Only what no copy can cover: references to another team's sheets.
    bundle = CATALOG.bundles["customer_service"]
    others = {
        (CATALOG.tables[t].sheet, c.name)
        for t in bundle.tables
        for c in CATALOG.tables[t].columns
        if c.references
        and c.ref_table not in bundle.tables
        and c.ref_table not in {"employees", "inventory", "customers"}
    }
    assert unchecked == others and others


@pytest.mark.slow
def test_an_unknown_employee_id_is_a_reference_error_at_its_cell(tmp_path):
    out = team_example(tmp_path / "cs.xlsx", "customer_service")
    t = CATALOG.tables["after_sales"]
    wb = openpyxl.load_workbook(out)
    ws = wb[t.sheet]
    letter = letter_of(ws, t.header_row, t.column("handler").title)
    row = t.first_data_row + 4
    ws[f"{letter}{row}"].value = "E9999999"
    wb.save(out)
    doc = findings(out)
    refs = [f for f in doc["findings"] if f["rule"] == "reference"]
    assert [(f["sheet"], f["cell"], f["value"]) for f in refs] == [(t.sheet, f"{letter}{row}", "E9999999")]
    assert "主数据-员工" in refs[0]["message"] and messages.text("ms_example_source") in refs[0]["message"]


@pytest.mark.slow
def test_without_masters_one_warning_per_referencing_column(tmp_path):
    out = team_example(tmp_path / "cs.xlsx", "customer_service", masters=False)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert not [s for s in wb.sheetnames if s.startswith("主数据")]
    # Independently: each referencing column to a sheet the file lacks that holds a value.
    bundle = CATALOG.bundles["customer_service"]
    expected = []
    for name in bundle.tables:
        t = CATALOG.tables[name]
        rows = list(wb[t.sheet].iter_rows(min_row=t.header_row, values_only=True))
        heads = [str(h or "").rstrip("*") for h in rows[0]]
        for c in t.columns:
            if c.references and c.ref_table not in bundle.tables:
                at = heads.index(c.title)
                if any(r[at] not in (None, "") for r in rows[1:]):
                    expected.append((t.sheet, c.name))
    wb.close()
    doc = findings(out)
    got = [(f["sheet"], f["column"]) for f in doc["findings"] if f["rule"] == "reference_unchecked"]
    assert sorted(got) == sorted(expected) and len(got) == len(set(got)) and got
    assert all(f["severity"] == "warning" for f in doc["findings"] if f["rule"] == "reference_unchecked")
    words = {f["column"]: f["message"] for f in doc["findings"] if f["rule"] == "reference_unchecked"}
    # Said so that staff can read it too (the web page shows the same): what to attach, and when
    # it is checked anyway; no command-line option.
    assert "附上主数据文件" in words["handler"] and "汇总当月文件时核对" in words["order_id"]
    assert "--" not in words["handler"] + words["order_id"]


@pytest.mark.slow
def test_validate_masters_checks_against_the_named_file(tmp_path, dept):
    out = team_example(tmp_path / "fa.xlsx", "finance_admin", masters=False)
    before = findings(out)
    assert {f["column"] for f in before["findings"] if f["rule"] == "reference_unchecked"} >= {"employee_id"}
    t = CATALOG.tables["attendance"]
    wb = openpyxl.load_workbook(out)
    ws = wb[t.sheet]
    letter = letter_of(ws, t.header_row, t.column("employee_id").title)
    ws[f"{letter}{t.first_data_row}"].value = "E0000000"
    wb.save(out)
    doc = findings(out, "--masters", dept)
    left = {(f["sheet"], f["column"]) for f in doc["findings"] if f["rule"] == "reference_unchecked"}
    assert left == {("结算", "purchase_id")}  # 采购 is in 仓储物流's file: not a master list
    refs = [f for f in doc["findings"] if f["rule"] == "reference"]
    assert [(f["sheet"], f["cell"]) for f in refs] == [(t.sheet, f"{letter}{t.first_data_row}")]
    assert dept.name in refs[0]["message"]


@pytest.mark.slow
def test_the_master_file_named_comes_before_the_files_own_copy(tmp_path, dept):
    out = team_example(tmp_path / "fa.xlsx", "finance_admin")
    t = CATALOG.tables["attendance"]
    wb = openpyxl.load_workbook(out)
    used = wb[t.sheet].cell(t.first_data_row, 1 + _headers(wb[t.sheet], t.header_row).index("工号")).value
    copy = wb["主数据-员工"]
    gone = [r for r in range(3, copy.max_row + 1) if copy.cell(r, 1).value == used]
    for r in gone:
        copy.cell(r, 1).value = "E-removed"  # an out-of-date copy that lacks this 工号
    wb.save(out)
    stale = [f for f in findings(out)["findings"] if f["rule"] == "reference" and f["value"] == used]
    assert stale and all("主数据-员工" in f["message"] for f in stale)
    fresh = findings(out, "--masters", dept)
    assert fresh["summary"]["errors"] == 0, [f["message"] for f in fresh["findings"]]


# --- LibreOffice ------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.libreoffice
@requires_libreoffice
def test_dropdowns_list_the_master_values_in_libreoffice(tmp_path, dept):
    """The team workbook opened in LibreOffice: each master dropdown's list range, evaluated
    there, holds exactly the master file's keys, and the lists survive LibreOffice's save."""
    out = tmp_path / "cs.xlsx"
    run_cli("generate", "客服售后", "-o", out, "--masters", dept)
    wb = openpyxl.load_workbook(out)
    probes = []
    for table, column, master in references_to_masters("customer_service"):
        t = CATALOG.tables[table]
        ws = wb[t.sheet]
        formula = list_validation(ws, letter_of(ws, t.header_row, t.column(column).title), t.first_data_row)
        keys = [r[0] for r in master_rows(dept, master, [t.column(column).ref_column])]
        probes.append((table, column, formula, keys))
    check = wb.create_sheet("probe")
    for i, (_, _, formula, keys) in enumerate(probes):
        check.cell(i + 1, 1).value = f"=COUNTA({formula})"
        check.cell(i + 1, 2).value = f'=SUMPRODUCT(--({formula}<>""))'
        for k in range(len(keys)):
            check.cell(i + 1, 3 + k).value = f"=INDEX({formula},{k + 1})"
    wb.save(out)
    done = openpyxl.load_workbook(recalc(out, tmp_path / "lo"), data_only=True)
    for i, (table, column, _, keys) in enumerate(probes):
        row = [c.value for c in done["probe"][i + 1]]
        assert row[0] == len(keys) and row[1] == len(keys), (table, column, row[:2])
        assert [str(v) for v in row[2 : 2 + len(keys)]] == keys, (table, column)
    after = openpyxl.load_workbook(tmp_path / "lo" / out.name)
    assert after["主数据-员工"].protection.sheet
    for table, column, formula, _ in probes:
        t = CATALOG.tables[table]
        ws = after[t.sheet]
        lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert formula in lists, (table, column, lists)
