"""Cross-sheet rules of a bundle: references to other sheets' keys, and reconciliations of a
column with an aggregate of another sheet (e.g. headcount = employees in that position)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomsheets.schema import expr
from ecomsheets.schema.metrics_loader import where_terms
from ecomsheets.summarize.metrics import criterion

from .context import Context, TableData, shown_number


def _key_text(series: pd.Series) -> pd.Series:
    if series.dtype == "str":  # already text (Arrow-backed): no per-row conversion
        return series
    return series.astype(object).where(series.notna(), None).map(lambda v: None if v is None else str(v))


def check_references(ctx: Context, td: TableData) -> None:
    rows = td.typed.index.to_numpy()
    for col in td.table.columns:
        target = ctx.tables.get(col.ref_table) if col.references else None
        if target is None or col.name not in td.sheet.raw:
            continue
        known = set(_key_text(target.typed[col.ref_column]).dropna())
        values = _key_text(td.typed[col.name])
        missing = values.notna().to_numpy() & ~values.isin(known).to_numpy()
        if col.name in td.invalid:
            missing &= ~td.invalid[col.name]
        # A cell already reported (bad format, unreadable …) gets no second finding here.
        bad = [row for (table, column, row) in ctx.bad_cells if table == td.table.name and column == col.name]
        if bad:
            missing &= ~td.typed.index.isin(bad)
        tcol = target.table.column(col.ref_column)
        for pos in np.flatnonzero(missing):
            ctx.add("reference", td, col.name, int(rows[pos]), target_sheet=target.sheet.sheet,
                    target_header=tcol.title, target_sheet_en=target.sheet.sheet,
                    target_header_en=tcol.title_en or tcol.title)


def check_reconciliations(ctx: Context) -> None:
    for check in ctx.bundle.checks:
        td, source = ctx.tables.get(check.table), ctx.tables.get(check.source_table)
        if td is None or source is None:
            continue
        frame = source.typed
        mask = np.ones(len(frame), dtype=bool)
        if check.where_ast is not None:
            for term in where_terms(check.where_ast):
                scol = source.table.column(term.left.name)
                right = term.right
                const = ctx.params[right.name] if isinstance(right, expr.Name) else right.value
                mask &= criterion(frame[scol.name], scol, term.op, const)
        rows = frame[mask]
        keys = [_key_text(rows[s]) for _, s in check.match]
        if check.agg == "count":
            agg = rows.groupby(keys).size() if len(rows) else pd.Series(dtype="float64")
        else:
            values = pd.to_numeric(rows[check.source_column], errors="coerce")
            agg = values.groupby(keys).agg({"sum": "sum", "avg": "mean", "min": "min", "max": "max",
                                             "distinct": "nunique"}[check.agg]) if len(rows) else pd.Series(dtype="float64")
        local = [_key_text(td.typed[t]) for t, _ in check.match]
        actual = pd.to_numeric(td.typed[check.column], errors="coerce")
        for pos, row in enumerate(td.typed.index):
            have = actual.iat[pos]
            key = tuple(k.iat[pos] for k in local)
            if np.isnan(have) or any(k is None for k in key):
                continue
            want = float(agg.get(key if len(key) > 1 else key[0], 0.0))
            if abs(have - want) > 1e-9:
                ctx.add("reconcile", td, check.column, int(row), expected=want, shown=shown_number(want),
                        check_zh=check.message or check.name, check_en=check.message_en or check.name)
