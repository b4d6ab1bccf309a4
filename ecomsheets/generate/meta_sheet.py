"""The hidden metadata sheet: which bundle and schema versions made this workbook, where each
table's header is, and where each summary figure sits. Later commands read it to match a
submitted file to its schema."""

from __future__ import annotations

import json

from ecomsheets import __version__
from ecomsheets.months import Month
from ecomsheets.schema import BundleSpec
from ecomsheets.xlsx.layout import META_SHEET, WorkbookLayout

from .summary_sheet import SummaryMap

FORMAT = "ecomsheets/1"


def metadata(
    bundle: BundleSpec,
    layout: WorkbookLayout,
    month: Month | None,
    generated_at: str,
    summary: SummaryMap | None,
    masters: list[dict] | None = None,
) -> dict:
    """`masters`: the read-only master copies (masters_sheet.master_metadata); recorded only
    when there are some, so that a workbook without copies keeps the metadata it always had."""
    meta = {
        "format": FORMAT,
        "generator": f"ecomsheets {__version__}",
        "bundle": bundle.name,
        "bundle_version": bundle.version,
        "generated_at": generated_at,
        "month": str(month) if month else None,
        "lang": layout.lang,
        "rows": next(iter(layout.tables.values())).rows if layout.tables else 0,
        # Per table: the rows it was made for, and the last row holding the derived columns'
        # formulas (validation explains a summary that misses rows added below it).
        "tables": [
            {
                "name": tl.table.name,
                "version": tl.table.version,
                "sheet": tl.sheet,
                "header_row": tl.header_row,
                "first_data_row": tl.first_row,
                "columns": [c.name for c in tl.table.columns],
                "rows": tl.rows,
                "formula_last_row": tl.last_formula_row,
            }
            for tl in layout.tables.values()
        ],
        "summary": (
            {"sheet": summary.sheet, "params": summary.params, "metrics": summary.metrics, "totals": summary.totals}
            if summary
            else None
        ),
    }
    if masters:
        meta["masters"] = masters
    return meta


def write_meta_sheet(wb, meta: dict) -> None:
    """Key/value rows; every value is JSON text (so a reader decodes them all the same way)."""
    ws = wb.add_worksheet(META_SHEET)
    ws.hide()
    ws.write_string(0, 0, "key")
    ws.write_string(0, 1, "value")
    for r, (key, value) in enumerate(meta.items(), start=1):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, json.dumps(value, ensure_ascii=False))
