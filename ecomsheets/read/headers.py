"""Matching what a file calls its sheets and columns to the schema: titles, English titles and
aliases, in any order, with the header row found wherever it is near the top."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from ecomsheets.schema import TableSpec

REQUIRED_STAR_CHARS = "*＊"  # the mark a template puts after a required column's header
HEAD_ROWS = 30  # how far down a header row is looked for (ERP exports put ~11 title rows above)


def norm(text) -> str:
    """A header as compared: NFKC-folded, no spaces, no required-marker, lower case."""
    if text is None:
        return ""
    t = unicodedata.normalize("NFKC", str(text)).strip().rstrip(REQUIRED_STAR_CHARS).strip()
    return "".join(t.split()).lower()


def column_keys(table: TableSpec) -> dict[str, str]:
    """Normalised header spelling -> column name (titles first, then English, then aliases)."""
    keys: dict[str, str] = {}
    for attr in ("title", "title_en", "aliases", "name"):
        for col in table.columns:
            values = getattr(col, attr)
            for v in values if isinstance(values, tuple) else (values,):
                if v and norm(v) not in keys:
                    keys[norm(v)] = col.name
    return keys


def sheet_keys(table: TableSpec) -> set[str]:
    return {norm(v) for v in (table.sheet, table.sheet_en, table.title, table.title_en, table.name) if v}


@dataclass
class HeaderMatch:
    row: int  # Excel row number of the header
    columns: dict[str, int] = field(default_factory=dict)  # column name -> 0-based column index
    headers: dict[str, str] = field(default_factory=dict)  # column name -> header text in the file
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len(self.columns)


def find_header(rows: list[list], table: TableSpec, first_row: int = 1) -> HeaderMatch | None:
    """The best header row among `rows` (lists of cell texts, starting at Excel row `first_row`)."""
    keys = column_keys(table)
    best: HeaderMatch | None = None
    for i, cells in enumerate(rows[:HEAD_ROWS]):
        match = HeaderMatch(first_row + i)
        for ci, cell in enumerate(cells):
            if cell is None or str(cell).strip() == "":
                continue
            name = keys.get(norm(cell))
            if name is None:
                match.unknown.append((ci, str(cell)))
            elif name in match.columns:
                match.duplicates.append((ci, str(cell)))
            else:
                match.columns[name] = ci
                match.headers[name] = str(cell).strip().rstrip(REQUIRED_STAR_CHARS).strip()
        if best is None or match.score > best.score:
            best = match
    needed = min(2, len(table.columns))
    return best if best is not None and best.score >= needed else None
