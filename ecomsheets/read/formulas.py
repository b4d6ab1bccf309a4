"""Targeted look-ups in a sheet's XML, for the few cells where the fast reader's values are not
enough: does this derived cell still hold its formula, was this long id stored as a number.
(The full pass over every sheet is `scan.py`.)"""

from __future__ import annotations

import re
import zipfile
from posixpath import dirname, join, normpath

from defusedxml import ElementTree as SafeET

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
# In SpreadsheetML a cell's children come in the order f, v, is: a formula is always the first
# child, right after the cell's opening tag, so one linear pattern finds them. %s: the letters.
CELL_FORMULA = rb'<c r="%s(\d+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>)'


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the zip."""
    book = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    out = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else normpath(join(dirname("xl/workbook.xml"), target))
        out[sheet.get("name")] = path
    return out


def long_numbers(data: bytes, letters: set[str]) -> dict[tuple[int, str], str]:
    """Number cells (no t= attribute, or t="n") in these columns whose value has more than 15 digits:
    spreadsheets keep 15 significant digits, so an 18-digit order number stored as a number
    has already lost its last digits."""
    if not letters:
        return {}
    pattern = re.compile(
        rb'<c r="('
        + b"|".join(x.encode() for x in sorted(letters))
        + rb')(\d+)"(?![^>]*\bt="(?!n"))[^>]*>\s*<v>([-+0-9.Ee]+)</v>'
    )
    out = {}
    for letter, row, value in pattern.findall(data):
        try:
            number = abs(float(value))
        except ValueError:
            continue
        if number >= 1e15 and number == int(number):
            out[(int(row), letter.decode())] = str(int(float(value)))
    return out


def is_external(formula: str) -> bool:
    """A formula that refers to another workbook ([1]Sheet!A1, 'C:\\x\\[a.xlsx]S'!A1)."""
    return "[" in formula and "]" in formula and ("!" in formula or "'" in formula)


def has_formula(data: bytes, cells: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these (row, letter) cells hold a formula."""
    if b"<f" not in data or not cells:
        return set()
    letters = {letter for _, letter in cells}
    wanted = set(cells)
    pattern = re.compile(CELL_FORMULA % (rb"(" + b"|".join(x.encode() for x in sorted(letters)) + rb")"))
    return {(int(row), letter.decode()) for letter, row, _ in pattern.findall(data)} & wanted


def error_cells(data: bytes) -> dict[tuple[int, str], tuple[str, bool]]:
    """(row, letter) -> (error value, holds a formula) of the cells of a sheet's XML whose
    saved value is an error. The full pass (`scan.py`) finds them with the formulas; this is
    for a caller that holds only the sheet's XML."""
    from .scan import SheetScan, _scan_errors

    out = SheetScan()
    if b't="e"' in data:
        _scan_errors(data, out)
    return out.errors
