"""Total rows staff add to a table (合计, 总计, 小计 …, often with SUM formulas): recognised,
so that they are skipped (one warning each) instead of being checked, counted and summed as
records.

A row is a total row when it does not look like a record (see `key_columns`: its key cells
are blank, or hold the label itself) and either
- one of its first `FIRST_CELLS` non-empty cells (in any column, known to the schema or not)
  is a total label: 合计, 总计, 小计, 共计, 汇总 (spaces anywhere, full-width or ASCII colon,
  a short prefix such as 本月/淘宝, a bracket such as (元) or text after a colon), or
  Total / Subtotal / Grand total / Sum; or
- one of its cells holds a SUM or SUBTOTAL formula over a range of rows above it.

Nothing here knows any table: the key columns come from the schema objects. Rows are
recognised anywhere in the table (a grand total at the end, a 小计 after each group).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecomsheets.cells.text import as_text, utf8_bytes
from ecomsheets.schema import TableSpec

FIRST_CELLS = 3  # a label counts among this many first non-empty cells of the row
TOTAL_WORDS = "合计|总计|小计|共计|汇总"  # what a total row is labelled
_LABEL = re.compile(
    rf"(?:.{{0,12}}?)(?:{TOTAL_WORDS})(?:金额|数量|数|额)?(?:[:(\[].*)?"
    r"|(?:grand)?(?:sub)?totals?(?:[:(\[].*)?|sum:?",
    re.S,
)
# Cheap first pass over a whole column (Arrow, RE2): only cells it finds are looked at in Python.
_MAYBE_PATTERN = r"(?i)计|汇\s*总|total|^\s*sum"
_MAYBE_BYTES_WORDS = ("计".encode(), "汇".encode())  # and, case-insensitively, total and sum
# SUM(F3:F32), SUBTOTAL(9,$F$3:$F$32), _xlfn.SUM(...), with '=' or without
_AGG = re.compile(r"^\s*=?\s*(?:_xlfn\.)?(?:SUM|SUBTOTAL)\s*\(", re.I)
_RANGE = re.compile(r"\$?[A-Z]{1,3}\$?(\d+)\s*:\s*\$?[A-Z]{1,3}\$?(\d+)", re.I)


def is_label(text) -> bool:
    """Whether a cell's text is a total label (合计, 总 计, 合计：, 淘宝小计, Total …)."""
    if text is None:
        return False
    t = "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()
    return bool(t) and _LABEL.fullmatch(t) is not None


def is_total_formula(formula: str, row: int) -> bool:
    """A SUM/SUBTOTAL formula over a range of rows above `row` (not over the row's own cells)."""
    if not formula or not _AGG.match(formula):
        return False
    for first, last in _RANGE.findall(formula):
        hi = max(int(first), int(last))
        if hi < row:
            return True
    return False


def label_cells(columns: list[tuple[int, object]], n_rows: int) -> dict[int, tuple[int, str]]:
    """Records whose first non-empty cells hold a total label: {position: (column index, text)}.

    `columns`: (column index, cells) in the sheet's column order, where cells are the records'
    texts (an Arrow string array of n_rows, blanks as null) or a function of the positions
    wanted returning them (so that columns nobody reads are only taken for the few rows still
    open: after the first cells of a row, the rest of it is never looked at).
    """
    found: dict[int, tuple[int, str]] = {}
    if not n_rows:
        return found
    seen = np.zeros(n_rows, dtype=np.int16)
    open_ = np.arange(n_rows)
    for ci, cells in columns:
        if not len(open_):
            break
        whole = len(open_) == n_rows
        if callable(cells):
            arr = cells(open_)
        else:
            arr = cells if whole else cells.take(pa.array(open_))
        valid = arr.is_valid().to_numpy(zero_copy_only=False)
        if not valid.any():
            continue
        if _maybe_label(arr):
            hits = pc.fill_null(pc.match_substring_regex(arr, _MAYBE_PATTERN), False).to_numpy(zero_copy_only=False)
            for p in np.flatnonzero(hits):
                text = arr[int(p)].as_py()
                if is_label(text):
                    found.setdefault(int(open_[p]), (ci, str(text)))
        if whole:
            seen += valid
            keep = seen < FIRST_CELLS
        else:
            seen[open_] += valid
            keep = seen[open_] < FIRST_CELLS
        if found:
            keep &= ~np.isin(open_, list(found))
        open_ = open_[keep]
    return found


def _maybe_label(arr: pa.Array) -> bool:
    """Whether any cell of the column could hold a label: byte searches, no per-cell work (a
    single byte first, which is a memchr: ids, numbers and dates are done in a millisecond)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    data = bytes(utf8_bytes(arr))
    if any(word[:1] in data and word in data for word in _MAYBE_BYTES_WORDS):
        return True
    if not any(c in data for c in (b"t", b"T", b"s", b"S")):
        return False
    low = data.lower()
    return b"total" in low or b"sum" in low


def text_cells(values, positions: np.ndarray | None = None) -> pa.Array:
    """A column's texts (blanks as null), for the given positions only."""
    arr = values.take(pa.array(positions)) if positions is not None else values
    return as_text(arr)


def key_columns(table: TableSpec) -> list[str]:
    """The columns that make a row a record: the primary key, else the unique columns, else the
    required columns people type text, dates or choices into (a total row holds numbers)."""
    if table.primary_key:
        return list(table.primary_key)
    unique = [c.name for c in table.columns if c.unique and not c.derived]
    if unique:
        return unique
    return [c.name for c in table.columns if c.required and not c.derived and c.coltype.kind != "number"]


@dataclass(frozen=True)
class TotalRow:
    row: int  # Excel row number
    cell: str  # the label's cell, or the formula's
    shown: str  # the label as written, or the formula


def find_total_rows(
    table: TableSpec,
    raw,
    letters: dict[str, str],
    labels: dict[int, tuple[str, str]],
    formulas: dict[tuple[int, str], str],
    header_row: int,
) -> list[TotalRow]:
    """The total rows of a table read from a sheet.

    `raw`: the records' cell texts by column name (index = Excel rows); `letters`: column name
    -> letter; `labels`: {row: (letter, text)} of records whose first cells hold a total label;
    `formulas`: {(row, letter): formula text} of the sheet's cells. A row of SUM formulas that
    has no saved values (never opened in a spreadsheet program) is not among the records, but
    it is a total row all the same, and named as one.
    """
    keys = [k for k in key_columns(table) if k in raw]
    blank = np.ones(len(raw), dtype=bool)  # records without a key (a record has one)
    for k in keys:
        blank &= raw[k].isna().to_numpy()
    keyless = set(raw.index[blank].tolist())
    key_letters = {letters[k] for k in keys}
    out: dict[int, TotalRow] = {}
    for row, (letter, text) in labels.items():
        if row not in raw.index:
            continue
        # The label stands in a key cell, or every key cell is blank or a label.
        if (
            row in keyless
            or letter in key_letters
            or all(_blank(raw.at[row, k]) or is_label(raw.at[row, k]) for k in keys)
        ):
            out[row] = TotalRow(row, f"{letter}{row}", str(text).strip())
    # Rows with a SUM/SUBTOTAL over the rows above in the table's columns, and no key: totals
    # written without a label.
    if formulas and letters:
        span = [_col(x) for x in letters.values()]
        lo, hi = min(span), max(span)
        records = raw.index  # hashed once by pandas: no set of a million rows
        cells = sorted(
            (row, c, letter, f)
            for (row, letter), f in formulas.items()
            if row > header_row
            and (row in keyless or row not in records)
            and row not in out
            and _AGG.match(f)
            and lo <= (c := _col(letter)) <= hi
        )
        for row, _, letter, formula in cells:
            if row not in out and is_total_formula(formula, row):
                out[row] = TotalRow(row, f"{letter}{row}", "=" + formula.lstrip("="))
    return [out[r] for r in sorted(out)]


def _blank(v) -> bool:
    import pandas as pd  # loaded by then (the frame is a pandas one)

    return v is None or pd.isna(v) is True or str(v).strip() == ""


def _col(letter: str) -> int:
    n = 0
    for ch in letter:
        n = n * 26 + ord(ch) - 64
    return n
