"""Which cells hold formulas. The fast reader returns only cached values, so the sheet XML is
scanned (as bytes, one regular-expression pass) for cells that carry an <f> element."""

from __future__ import annotations

import html
import re
import zipfile
from posixpath import dirname, join, normpath

from defusedxml import ElementTree as SafeET

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
# In SpreadsheetML a cell's children come in the order f, v, is: a formula is always the first
# child, right after the cell's opening tag, so one linear pattern finds them all.
_CELL_F = rb'<c r="%s(\d+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>)'


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


def _letters_pattern(skip: set[str]) -> bytes:
    if not skip:
        return rb"([A-Z]{1,3})"
    # Any column letters except the skipped ones (whose formulas are expected and recomputed).
    return rb"(?!(?:" + b"|".join(s.encode() for s in sorted(skip)) + rb")\d)([A-Z]{1,3})"


def formula_cells(data: bytes, skip_letters: set[str] = frozenset()) -> dict[tuple[int, str], str]:
    """(Excel row, column letter) -> formula text ('' for a shared-formula follower), for every
    column except `skip_letters`."""
    if b"<f" not in data:
        return {}
    pattern = re.compile(_CELL_F % _letters_pattern(set(skip_letters)))
    out = {}
    for letter, row, text in pattern.findall(data):
        formula = text.decode("utf-8", "replace")
        out[(int(row), letter.decode())] = html.unescape(formula) if "&" in formula else formula
    return out


_HIDDEN_ROW = re.compile(rb'<row\s[^>]*\bhidden="(?:1|true)"[^>]*>')
_HIDDEN_COL = re.compile(rb'<col\s[^>]*\bhidden="(?:1|true)"[^>]*>')
_ATTR = re.compile(rb'\b(r|min|max)="(\d+)"')


def hidden_rows_and_columns(data: bytes) -> tuple[set[int], set[int]]:
    """Excel row numbers and 1-based column numbers that the sheet hides (attributes in any order)."""
    rows = set()
    for tag in _HIDDEN_ROW.findall(data):
        attrs = dict(_ATTR.findall(tag))
        if b"r" in attrs:
            rows.add(int(attrs[b"r"]))
    cols = set()
    for tag in _HIDDEN_COL.findall(data):
        attrs = dict(_ATTR.findall(tag))
        if b"min" in attrs:
            lo = int(attrs[b"min"])
            cols.update(range(lo, min(int(attrs.get(b"max", lo)), 16384) + 1))
    return rows, cols


def long_numbers(data: bytes, letters: set[str]) -> dict[tuple[int, str], str]:
    """Number cells (no t= attribute, or t="n") in these columns whose value has more than 15 digits:
    spreadsheets keep 15 significant digits, so an 18-digit order number stored as a number
    has already lost its last digits."""
    if not letters:
        return {}
    pattern = re.compile(rb'<c r="(' + b"|".join(x.encode() for x in sorted(letters)) +
                         rb')(\d+)"(?![^>]*\bt="(?!n"))[^>]*>\s*<v>([-+0-9.Ee]+)</v>')
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
    pattern = re.compile(_CELL_F % (rb"(" + b"|".join(x.encode() for x in sorted(letters)) + rb")"))
    return {(int(row), letter.decode()) for letter, row, _ in pattern.findall(data)} & wanted
