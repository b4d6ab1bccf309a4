"""How far a sheet reaches, measured before any parser runs.

The fast reader allocates a dense grid from the first to the last cell that holds a value,
whatever `<dimension>` says (a sheet of 18 KB with one value at ALL100000 costs 3 GB), while a
large `<dimension>` alone, empty rows and styled-only cells cost nothing. So the bound is taken
from the cells themselves: one quick pass with byte counts and a literal-prefixed regex that
matches only far references (rows from 100,000, columns past Z); only a sheet that may exceed a
limit gets the exact pass, which follows every cell, implicit positions included.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

CHUNK = 4 * 2**20
# A cell whose reference reaches row 100,000 or column AA (the group), or a cell that does not
# start with its reference (an empty group): every other cell lies inside Z99999.
_FAR = re.compile(rb'<c(?:\s+r="([A-Z]{2,3}\d{1,7}|[A-Z]\d{6,7})"|>|\s+(?!r="))')
_NEAR_ROWS, _NEAR_COLUMNS = 99_999, 26
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*?)(/?)>")
_R = re.compile(rb"""\br\s*=\s*["']([A-Z]{0,3})(\d{1,7})["']""")


@dataclass(frozen=True)
class Extent:
    """The block the reader would allocate: first and last row and column (1-based)."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1

    @property
    def columns(self) -> int:
        return self.last_column - self.first_column + 1

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    @property
    def corner(self) -> str:
        """The bottom-right cell, as users see it (L1048576)."""
        return f"{xl_col_to_name(self.last_column - 1)}{self.last_row}"


EMPTY = Extent(1, 1, 0, 0)


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The part in pieces that end after a '>', so no tag is ever split between two pieces."""
    carry = b""
    with zf.open(info) as part:
        while chunk := part.read(CHUNK):
            window = carry + chunk
            cut = window.rfind(b">") + 1
            carry = window[cut:]
            if cut:
                yield window[:cut]
        if carry:
            yield carry


def bound(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Extent | None:
    """An upper bound of the sheet's extent from one fast pass, or None when the cells do not
    all name their own position (then only `exact` can tell)."""
    last_row, last_column = _NEAR_ROWS, _NEAR_COLUMNS
    for i, piece in enumerate(_chunks(zf, info)):
        if i == 0 and b"<sheetData" not in piece:
            return None  # namespace prefixes (<x:c>), or a sheet that starts oddly
        refs = set(_FAR.findall(piece))
        if b"" in refs:  # Excel, WPS, LibreOffice and the Python writers put r= first in every cell
            return None
        for ref in refs:
            row, column = xl_cell_to_rowcol(ref.decode())
            last_row, last_column = max(last_row, row + 1), max(last_column, column + 1)
    return Extent(1, 1, last_row, last_column)


def exact(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Extent:
    """The block from the first to the last cell that holds something (a value, text or
    formula), following rows and cells without `r=` as the reader does."""
    rows = columns = None
    row = column = 0
    for piece in _chunks(zf, info):
        for m in _TAG.finditer(piece):
            ref = _R.search(m.group(2))
            if m.group(1) == b"row":
                row = int(ref.group(2)) if ref else row + 1
                column = 0
                continue
            if ref:
                column = xl_cell_to_rowcol(ref.group(1).decode() + "1")[1] + 1 if ref.group(1) else column + 1
                cell_row = int(ref.group(2))
            else:
                column, cell_row = column + 1, row
            if m.group(3) or piece.startswith(b"</c>", m.end()):
                continue  # <c …/> or <c …></c>: a style without content
            rows = (cell_row, cell_row) if rows is None else (min(rows[0], cell_row), max(rows[1], cell_row))
            columns = (column, column) if columns is None else (min(columns[0], column), max(columns[1], column))
    if rows is None:
        return EMPTY
    return Extent(rows[0], columns[0], rows[1], columns[1])
