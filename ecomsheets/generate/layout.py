"""Where everything sits in a generated workbook: sheet names, column letters, data ranges.

The table writer, the summary formulas, the metadata sheet and (later) readers all take
positions from here, so a column never has two addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from xlsxwriter.utility import xl_col_to_name

from ecomsheets.schema import ColumnSpec, TableSpec

MAX_ROW = 1048576
LISTS_SHEET = "_lists"
META_SHEET = "_meta"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True)
class TableLayout:
    table: TableSpec
    sheet: str
    rows: int  # pre-formatted data rows

    @property
    def header_row(self) -> int:
        return self.table.header_row

    @property
    def first_row(self) -> int:
        return self.table.first_data_row

    @property
    def last_row(self) -> int:
        return self.first_row + self.rows - 1

    @cached_property
    def letters(self) -> dict[str, str]:
        return {c.name: xl_col_to_name(i) for i, c in enumerate(self.table.columns)}

    def cell(self, column: str, row: int) -> str:
        """Relative reference inside the same sheet, e.g. F3."""
        return f"{self.letters[column]}{row}"

    def column_range(self, column: str, *, bounded: bool = False) -> str:
        """Absolute data range of a column from another sheet: '订单'!$F$3:$F$1048576.

        Open-ended by default so rows added past the pre-formatted ones still count;
        `bounded` stops at the last pre-formatted row (for dropdown lists and O(n²) formulas).
        """
        letter = self.letters[column]
        last = self.last_row if bounded else MAX_ROW
        return f"{quote_sheet(self.sheet)}!${letter}${self.first_row}:${letter}${last}"

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

    @classmethod
    def build(cls, tables: list[TableSpec], rows: int, lang: str, counts: dict[str, int] | None = None
              ) -> "WorkbookLayout":
        """`rows` pre-formatted rows per sheet, or exactly `counts[table]` rows of data."""
        counts = counts or {}
        return cls({t.name: TableLayout(t, t.sheet_name(lang), max(1, counts.get(t.name, rows)))
                    for t in tables}, lang)
