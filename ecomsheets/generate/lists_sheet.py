"""The hidden sheet that holds dropdown lists, and where each column's list comes from."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from ecomsheets.schema import ColumnSpec
from ecomsheets.xlsx.layout import LISTS_SHEET, WorkbookLayout, quote_sheet


class ListSources:
    """Writes enum value lists to the hidden sheet on first use and returns their ranges.

    References to another table of the workbook use that table's key column directly, so a
    new customer typed into 客户 appears in the dropdown of 订单 at once; references to a
    master list the workbook carries a read-only copy of (主数据-员工) list that copy's keys.
    """

    def __init__(self, layout: WorkbookLayout, masters: dict | None = None):
        self.layout = layout
        self.masters = masters or {}  # table -> masters_sheet.MasterLayout
        self.ranges: dict[tuple, str] = {}  # values -> range; insertion order = sheet column

    def __call__(self, col: ColumnSpec) -> str | None:
        if col.references:
            target = self.layout.tables.get(col.ref_table)
            if target is not None:
                return "=" + target.column_range(col.ref_column, bounded=True)
            copy = self.masters.get(col.ref_table)
            found = copy.key_range(col.ref_column) if copy is not None else None
            return "=" + found if found else None
        values = tuple(col.values or ())
        if not values:
            return None
        if values not in self.ranges:
            letter = xl_col_to_name(len(self.ranges))
            self.ranges[values] = f"={quote_sheet(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"
        return self.ranges[values]

    def write(self, wb) -> None:
        """Write the hidden sheet (after the visible ones, so it sorts last)."""
        if not self.ranges:
            return
        ws = wb.add_worksheet(LISTS_SHEET)
        ws.hide()
        # Row by row: the workbook is in constant-memory mode, which drops rows written out of order.
        columns = list(self.ranges)
        for r in range(max(len(v) for v in columns)):
            for ci, values in enumerate(columns):
                if r < len(values):
                    ws.write_string(r, ci, values[r])
