"""Where everything sits in a generated workbook: sheet names, column letters, data ranges.

The table writer, the summary formulas, the metadata sheet and (later) readers all take
positions from here, so a column never has two addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from xlsxwriter.utility import xl_col_to_name

from ecomsheets.schema import ColumnSpec, TableSpec

MAX_ROW = 1048576
LISTS_SHEET = "_lists"
META_SHEET = "_meta"
# Staff add rows below the pre-formatted ones. Type checks, sums and counts cover whole
# columns (one range in the file, whatever its size). Per-cell uniqueness checks and dropdown
# lists reach GROWTH times the rows a template was made for: over a whole column LibreOffice
# 7.4 stops responding on the uniqueness check (SUMPRODUCT; killed after 20 s on 650 rows).
# Derived formulas are written cell by cell, so they reach FORMULA_GROWTH times the rows: each
# costs ~6 µs to write and ~15 bytes of file, and ten times the rows would double the time to
# make a template (0.3 s -> 0.6 s) and make it 4.6 times larger (160 KB -> 730 KB).
GROWTH = 10
FORMULA_GROWTH = 2


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True)
class TableLayout:
    table: TableSpec
    sheet: str
    rows: int  # pre-formatted data rows
    formula_rows: int = 0  # rows holding the derived columns' formulas (at least `rows`)

    @property
    def header_row(self) -> int:
        return self.table.header_row

    @property
    def first_row(self) -> int:
        return self.table.first_data_row

    @property
    def last_row(self) -> int:
        return self.first_row + self.rows - 1

    @property
    def last_formula_row(self) -> int:
        """The last row whose derived cells hold their formula."""
        return self.first_row + max(self.rows, self.formula_rows) - 1

    @property
    def reach_row(self) -> int:
        """The last row that per-cell checks and dropdown lists of this sheet cover: room for
        GROWTH times the pre-formatted rows (and never less than the formula rows)."""
        return min(MAX_ROW, max(self.last_formula_row, self.first_row + GROWTH * self.rows - 1))

    @cached_property
    def letters(self) -> dict[str, str]:
        return {c.name: xl_col_to_name(i) for i, c in enumerate(self.table.columns)}

    def cell(self, column: str, row: int) -> str:
        """Relative reference inside the same sheet, e.g. F3."""
        return f"{self.letters[column]}{row}"

    def column_range(self, column: str, *, bounded: bool = False) -> str:
        """Absolute data range of a column from another sheet: '订单'!$F$3:$F$1048576.

        Open-ended by default so rows added past the pre-formatted ones still count;
        `bounded` stops at `reach_row` (for dropdown lists, whose every cell is listed).
        """
        letter = self.letters[column]
        last = self.reach_row if bounded else MAX_ROW
        return f"{quote_sheet(self.sheet)}!${letter}${self.first_row}:${letter}${last}"

    def used_range(self, column: str) -> str:
        """The column's cells from the first data row down to its last filled cell, however
        far rows were added: for formulas that cost a pass over the range per cell (a distinct
        count compares every cell with the ones above it), which over a whole column would
        take minutes. Only functions Excel, WPS and LibreOffice 7.4 all have (no dynamic
        arrays); measured in LibreOffice: 600 orders as fast as a fixed range of 5,000 rows.
        '订单'!$A$3:INDEX('订单'!$A$3:$A$1048576,MAX(1,SUMPRODUCT(MAX(
            ('订单'!$A$3:$A$1048576<>"")*ROW('订单'!$A$3:$A$1048576)))-2))
        """
        whole = self.column_range(column)
        start = whole.split(":")[0]
        last = f'SUMPRODUCT(MAX(({whole}<>"")*ROW({whole})))'
        return f"{start}:INDEX({whole},MAX(1,{last}-{self.first_row - 1}))"

    def print_area(self) -> str:
        """The sheet from A1 down to the last row where a required input cell is filled (never
        above the header row), across every column: a print area that follows the rows staff
        add. '订单'!$A$1:INDEX('订单'!$A$1:$N$1048576,MAX(2,SUMPRODUCT(MAX(…)),…),14)"""
        ncols = len(self.table.columns)
        whole = f"{quote_sheet(self.sheet)}!$A$1:${xl_col_to_name(ncols - 1)}${MAX_ROW}"
        marks = [self.key_column(), *(c for c in self.table.columns if c.required and not c.derived)]
        # Three columns are enough to catch a row whose id was forgotten; each costs one pass
        # over the column when the sheet is printed.
        lasts = [
            f'SUMPRODUCT(MAX(({r}<>"")*ROW({r})))'
            for r in list(dict.fromkeys(self.column_range(c.name) for c in marks))[:3]
        ]
        return f"{quote_sheet(self.sheet)}!$A$1:INDEX({whole},MAX({self.header_row},{','.join(lasts)}),{ncols})"

    def key_column(self) -> ColumnSpec:
        """The column whose filled cells mark a record: first primary-key or required column."""
        by_name = self.table.by_name
        for name in self.table.primary_key:
            return by_name[name]
        return next((c for c in self.table.columns if c.required and not c.derived), self.table.columns[0])


@dataclass(frozen=True)
class WorkbookLayout:
    tables: dict[str, TableLayout]
    lang: str
    params: dict[str, str] = field(default_factory=dict)  # parameter name -> its cell ('汇总'!$B$5)

    @classmethod
    def build(
        cls,
        tables: list[TableSpec],
        rows: int,
        lang: str,
        counts: dict[str, int] | None = None,
        params: dict[str, str] | None = None,
    ) -> WorkbookLayout:
        """`rows` pre-formatted rows per sheet, or exactly `counts[table]` rows of data.

        A blank template's derived formulas reach FORMULA_GROWTH times its rows, so that rows
        added below the pre-formatted ones compute; a filled workbook's stop at its data."""
        out = {}
        for t in tables:
            n = max(1, (counts or {}).get(t.name, rows))
            grow = n if counts is not None else min(FORMULA_GROWTH * n, MAX_ROW - t.first_data_row + 1)
            out[t.name] = TableLayout(t, t.sheet_name(lang), n, grow)
        return cls(out, lang, dict(params or {}))
