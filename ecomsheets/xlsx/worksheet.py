"""Small helpers around xlsxwriter shared by every writer."""

from __future__ import annotations

import re
from pathlib import Path

from ecomsheets.atomic import scratch_dir

# Functions newer than Excel 2007 must be stored with the _xlfn. prefix, or Excel shows #NAME?.
# These are the only ones our formulas use (LibreOffice reads the prefixed form too).
_FUTURE = re.compile(r"\b(MINIFS|MAXIFS)\(")


def _prepare_formula(formula: str, expand_future_functions: bool = False) -> str:
    if formula.startswith("="):
        formula = formula[1:]
    # Most formulas (every derived cell) have no such function: skip the regular expression.
    return _FUTURE.sub(r"_xlfn.\1(", formula) if "IFS(" in formula else formula


def new_workbook(tmp: Path):
    """An xlsxwriter workbook as every output of ours is written: text stays text (never a
    formula, number or link, whatever a submitted cell held), rows stream in constant memory,
    and its scratch files sit in the output's temporary folder (removed with it)."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        str(tmp),
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "constant_memory": True,
            "tmpdir": str(scratch_dir(tmp)),
        },
    )


def add_worksheet(wb, name: str):
    """A worksheet whose formulas skip xlsxwriter's scan for dynamic-array functions.

    xlsxwriter runs ~30 regular expressions over every formula to prefix functions such as
    FILTER or UNIQUE; we never generate those (LibreOffice cannot evaluate them), and the
    scan was 80% of the time of a 10,000-row template. If a future xlsxwriter renames the
    hook, the assignment is harmless and only the speed-up is lost.
    """
    ws = wb.add_worksheet(name)
    if hasattr(ws, "_prepare_formula"):
        ws._prepare_formula = _prepare_formula
    return ws


def formula_writer(ws):
    """`write(row, col, formula, cell_format, value)` for the formulas we generate, without
    xlsxwriter's per-formula checks for array and dynamic-array formulas (a regular expression
    over every formula; ours are never such). A template holds ~18,000 formulas, so this is a
    tenth of the time to make one. Falls back to `write_formula` if xlsxwriter's internals
    change."""
    try:
        from xlsxwriter.worksheet import CellFormulaTuple

        table, check, flush = ws.table, ws._check_dimensions, ws._write_single_row
        constant_memory = ws.constant_memory
        prepare = ws._prepare_formula
    except (ImportError, AttributeError):
        return ws.write_formula

    def write(row: int, col: int, formula: str, cell_format=None, value=0) -> int:
        if check(row, col):
            return -1
        formula = prepare(formula)
        if constant_memory and row > ws.previous_row:
            flush(row)
        table[row][col] = CellFormulaTuple(formula, cell_format, value)
        return 0

    return write
