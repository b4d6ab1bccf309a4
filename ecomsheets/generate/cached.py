"""The results a filled workbook stores with its summary formulas.

A spreadsheet file keeps each formula's last result beside it; programs that do not
recalculate on opening (previews, LibreOffice by default) show that result, and validation
compares it with the rows. A workbook written with rows (`ecomsheets example`) therefore
stores what the formulas give for those rows, computed with pandas the way `summarize`
computes them: the records and column totals per sheet (xlsxwriter would store 0) and the
grids' keys. A figure that cannot be computed here stores nothing (never a wrong 0).

The metrics' own figures (the cells the metadata places) store nothing unless STORE_FIGURES:
`summarize --format json` reports whatever such a cell holds as the figure the file
"declares", and a workbook that only holds formulas is promised none. Their results are
computed all the same, and tested against LibreOffice's, so turning this on is one line.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd

from ecomsheets.months import Month
from ecomsheets.schema import BundleSpec, Catalog
from ecomsheets.xlsx.layout import TableLayout, WorkbookLayout

_EPOCH = datetime(1899, 12, 30)
STORE_FIGURES = False


class CachedResults:
    def __init__(self, catalog: Catalog, bundle: BundleSpec, layout: WorkbookLayout, frames: dict, month: Month | None):
        from ecomsheets.compute.derived import compute_derived
        from ecomsheets.compute.metrics import evaluate_metrics

        self.month = month
        self.counts = {name: len(frame) for name, frame in frames.items()}
        # Tables written chunk by chunk (ChunkedRows, a million rows) are never held whole:
        # their figures are left without a stored result.
        params = {p.name: p.filled_value() for p in bundle.parameter_specs}
        self.frames = {
            name: frame.assign(**compute_derived(frame, catalog.tables[name], params=params, given_rows=_given(frame)))
            for name, frame in frames.items()
            if isinstance(frame, pd.DataFrame)
        }
        values = evaluate_metrics(bundle, catalog.tables, self.frames, month, lang=layout.lang, params=params)
        self.values = {(v.name, v.group): v.value for v in values}

    def metric(self, name: str, group=None):
        return _result(self.values.get((name, group))) if STORE_FIGURES else ""

    def records(self, tl: TableLayout):
        frame = self.frames.get(tl.table.name)
        if frame is None:
            return self.counts.get(tl.table.name, 0)  # chunked: every generated row has its key
        key = tl.key_column().name
        return int(frame[key].notna().sum()) if key in frame else 0

    def total(self, tl: TableLayout, column: str):
        frame = self.frames.get(tl.table.name)
        if frame is None:
            return "" if self.counts.get(tl.table.name) else 0
        if column not in frame:
            return 0
        return _result(pd.to_numeric(frame[column], errors="coerce").sum())

    def grid_key(self, layout: WorkbookLayout, tl: TableLayout, by_col, period, i: int):
        """(result of the i-th key cell of a grid, the group it names: None for a blank key)."""
        if period == "day":
            if self.month is None:
                return "", None
            day = self.month.start + timedelta(days=i)
            if day > self.month.end:
                return "", None
            return (datetime.combine(day, time()) - _EPOCH).days, day.isoformat()
        if period == "week" or (by_col.values and not by_col.references):
            return "", None  # fixed texts: written as they are
        source = layout.tables[by_col.ref_table] if by_col.references else tl
        column = by_col.ref_column if by_col.references else by_col.name
        frame = self.frames.get(source.table.name)
        if frame is None or column not in frame or i >= len(frame):
            return "", None
        value = frame[column].iloc[i]
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            return "", None
        return str(value), str(value)


def _result(value):
    """A figure as a stored result: a number, or "" for a blank one."""
    if value is None:
        return ""
    value = float(value)
    if value != value:
        return ""
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _given(frame: pd.DataFrame) -> dict:
    """Derived figures the data gives (written as values, see rows.write_rows): taken as given."""
    return {name: frame[name].notna().to_numpy() for name in frame.columns if frame[name].notna().any()}
