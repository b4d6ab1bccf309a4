"""Every table of the department's catalogue, one corrupted cell at a time (issue 14).

The cases are data, one file per table in tests/cases/<table>.yaml: which cell of the example
department workbook (seed 1, month 2026-11, `example`'s default rows) is changed to what a
person might type, and the finding expected (rule code, and the column it names: the changed
row of the changed sheet unless the finding belongs to another sheet, or no row with `row: null`);
`params` first sets a
department setting on the summary sheet. The example itself must be clean, so each case's
finding is that one cell's doing.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import yaml
from openpyxl.utils import column_index_from_string
from xlsxwriter.utility import xl_col_to_name

from ecomsheets.generate.summary_sheet import parameter_rows
from ecomsheets.validate import validate
from tests.helpers import CATALOG, MONTH, cli_example, edit_parts, sheet_part

CASES_DIR = Path(__file__).parent / "cases"


def _cases() -> list:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            if not case.get("pending"):
                out.append(pytest.param(doc["table"], case, id=f"{doc['table']}-{case['name']}"))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("catalogue") / "example.xlsx"
    return cli_example(path, "--month", "2026-11", "--seed", "1")


def test_every_table_of_the_department_has_cases():
    have = {yaml.safe_load(p.read_text(encoding="utf-8"))["table"] for p in CASES_DIR.glob("*.yaml")}
    missing = [t for t in CATALOG.bundle("department").tables if t not in have]
    assert not missing, f"tables without tests/cases/<table>.yaml: {missing}"


def test_the_example_is_clean(example):
    report = validate(example, month=MONTH)
    assert [(f.rule, f.sheet, f.cell, f.message) for f in report.findings] == []


def _linked(a: str, b: str) -> bool:
    """Tables a check or a reference connects: a cell changed in one may move findings in the other."""
    if a == b:
        return True
    bundle = CATALOG.bundle("department")
    for check in bundle.checks:
        if {check.table, check.source_table} == {a, b}:
            return True
    for x, y in ((a, b), (b, a)):
        if any(c.ref_table == y for c in CATALOG.tables[x].columns):
            return True
    return False


def _batches() -> dict[str, int]:
    """Cases grouped so that one edited workbook serves several: no two cases of one batch are in
    tables that are the same or connected, so one case's edit cannot make or hide another's
    finding. A case that fails in its batch is run again alone before it counts as failed."""
    batches: list[list[str]] = []
    out: dict[str, int] = {}
    for param in CASES:
        table, case = param.values
        for i, members in enumerate(batches):
            if not any(_linked(table, other) for other in members):
                members.append(table)
                out[param.id] = i
                break
        else:
            batches.append([table])
            out[param.id] = len(batches) - 1
    return out


BATCH = _batches()


def _edit(example: Path, out: Path, cases: list[tuple[str, dict]]) -> Path:
    """The example with each case's cells typed in (and any department setting it needs).

    The sheets' XML is patched as a spreadsheet program saves a typed cell: text as text, a
    number as a number, a blank as no value (a cell typed over a formula loses the formula).
    openpyxl would do the same at twenty times the cost, for 40 workbooks."""
    bundle = CATALOG.bundle("department")
    edits: dict[str, dict[str, object]] = {}
    for table_name, case in cases:
        table = CATALOG.tables[table_name]
        row = table.first_data_row + case["row"] - 1
        letters = {c.name: xl_col_to_name(i) for i, c in enumerate(table.columns)}
        cells = edits.setdefault(table.sheet, {})
        for name, value in case["set"].items():
            cells[f"{letters[name]}{row}"] = value
        rows = parameter_rows(bundle)
        for name, value in case.get("params", {}).items():  # a setting the manager fills in first
            edits.setdefault(bundle.summary_sheet, {})[f"B{rows[name] + 1}"] = value
    parts = {sheet_part(example, sheet): cells for sheet, cells in edits.items()}
    return edit_parts(example, out, {part: (lambda data, c=cells: _typed(data, c)) for part, cells in parts.items()})


def _typed(data: bytes, cells: dict[str, object]) -> bytes:
    xml = data.decode("utf-8")
    for ref, value in cells.items():
        xml = _type_into(xml, ref, value)
    return xml.encode("utf-8")


def _type_into(xml: str, ref: str, value: object) -> str:
    old = re.search(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', xml, re.S)
    style = re.search(r' s="\d+"', old["attrs"]) if old else None
    attrs = style.group(0) if style else ""
    if value is None:
        new = f'<c r="{ref}"{attrs}/>'
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        new = f'<c r="{ref}"{attrs}><v>{value!r}</v></c>'
    else:
        new = f'<c r="{ref}"{attrs} t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
    if old:
        return xml[: old.start()] + new + xml[old.end() :]
    column, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()  # type: ignore[union-attr]
    found = re.search(rf'<row r="{row}"[^>]*?(/>|>(?P<cells>.*?)</row>)', xml, re.S)
    assert found, f"row {row} is not in the sheet"
    if found.group(1) == "/>":  # a row with no cells yet
        opened = found.group(0)[:-2] + ">"
        return xml[: found.start()] + opened + new + "</row>" + xml[found.end() :]
    at = found.start("cells")
    for cell in re.finditer(r'<c r="([A-Z]+)\d+"', found["cells"]):
        if column_index_from_string(cell.group(1)) > column_index_from_string(column):
            at = found.start("cells") + cell.start()
            break
    else:
        at = found.end("cells")
    return xml[:at] + new + xml[at:]


def _found(report, table_name: str, case: dict) -> list:
    table = CATALOG.tables[table_name]
    expect = case["expect"]
    where = CATALOG.tables[expect.get("table", table_name)]
    row = table.first_data_row + case["row"] - 1
    found = [f for f in report.findings if f.rule == expect["rule"] and f.column == expect["column"]]
    found = [f for f in found if f.sheet == where.sheet]
    if "row" in expect:  # null: a finding about the whole column (two totals that disagree)
        found = [f for f in found if f.row == expect["row"]]
    elif where.name == table_name:
        found = [f for f in found if f.row == row]
    return found


@pytest.fixture(scope="module")
def batch_report(example, tmp_path_factory):
    """The validation report of each batch's edited workbook, made when first asked for."""
    reports: dict[int, object] = {}

    def get(number: int):
        if number not in reports:
            cases = [p.values for p in CASES if BATCH[p.id] == number]
            path = _edit(example, tmp_path_factory.mktemp(f"batch{number}") / "edited.xlsx", cases)
            reports[number] = validate(path, month=MONTH, isolate=False)
        return reports[number]

    return get


@pytest.mark.slow
@pytest.mark.parametrize(("table_name", "case"), CASES)
def test_one_corrupted_cell_is_found_at_its_cell(example, batch_report, tmp_path, request, table_name, case):
    found = _found(batch_report(BATCH[request.node.callspec.id]), table_name, case)
    if not found:  # alone, in case another edit of the batch hid it after all
        report = validate(_edit(example, tmp_path / "alone.xlsx", [(table_name, case)]), month=MONTH, isolate=False)
        found = _found(report, table_name, case)
        assert found, [(f.rule, f.sheet, f.cell, f.message) for f in report.findings]
    assert all(f.cell for f in found if f.row is not None)
