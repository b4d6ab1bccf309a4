"""Small helpers around xlsxwriter shared by every writer."""

from __future__ import annotations

import re

# Functions newer than Excel 2007 must be stored with the _xlfn. prefix, or Excel shows #NAME?.
# These are the only ones our formulas use (LibreOffice reads the prefixed form too).
_FUTURE = re.compile(r"\b(MINIFS|MAXIFS)\(")


def _prepare_formula(formula: str, expand_future_functions: bool = False) -> str:
    return _FUTURE.sub(r"_xlfn.\1(", formula[1:] if formula.startswith("=") else formula)


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
