"""Every table of the department's catalogue, one corrupted cell at a time (issue 14).

The cases are data, one file per table in tests/cases/<table>.yaml: which cell of the example
department workbook (seed 1, month 2026-11, `example`'s default rows) is changed to what a
person might type, and the finding expected (rule code, and the column it names: the changed
row of the changed sheet unless the finding belongs to another sheet); `params` first sets a
department setting on the summary sheet. The example itself must be clean, so each case's
finding is that one cell's doing.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from ecomsheets.validate import validate
from tests.helpers import CATALOG, MONTH, cli_example

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
    """The example with each case's cells typed in (and any department setting it needs)."""
    wb = openpyxl.load_workbook(example)
    bundle = CATALOG.bundle("department")
    labels = {p.name: p.label("zh") for p in bundle.parameter_specs}
    summary = wb[bundle.summary_sheet]
    for table_name, case in cases:
        table = CATALOG.tables[table_name]
        ws = wb[table.sheet]
        headers = {str(ws.cell(table.header_row, c).value).rstrip("*"): c for c in range(1, ws.max_column + 1)}
        row = table.first_data_row + case["row"] - 1
        for name, value in case["set"].items():
            ws.cell(row, headers[table.column(name).title]).value = value
        for name, value in case.get("params", {}).items():  # a setting the manager fills in first
            at = next(r for r in range(1, 80) if summary.cell(r, 1).value == labels[name])
            summary.cell(at, 2).value = value
    wb.save(out)
    return out


def _found(report, table_name: str, case: dict) -> list:
    table = CATALOG.tables[table_name]
    expect = case["expect"]
    where = CATALOG.tables[expect.get("table", table_name)]
    row = table.first_data_row + case["row"] - 1
    found = [f for f in report.findings if f.rule == expect["rule"] and f.column == expect["column"]]
    found = [f for f in found if f.sheet == where.sheet]
    if where.name == table_name:
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
