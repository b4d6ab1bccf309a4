"""Cross-sheet rules of a bundle: references to other sheets' keys, and reconciliations of a
column with an aggregate of another sheet (e.g. headcount = employees in that position)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomsheets.compute.metrics import check_expected, key_text
from ecomsheets.rules import Rule

from .context import Context, TableData, shown_number


def check_references(ctx: Context, td: TableData) -> None:
    rows = td.typed.index.to_numpy()
    for col in td.table.columns:
        target = ctx.tables.get(col.ref_table) if col.references else None
        if target is None or col.name not in td.sheet.raw:
            continue
        known = set(key_text(target.typed[col.ref_column]).dropna())
        values = key_text(td.typed[col.name])
        missing = values.notna().to_numpy() & ~values.isin(known).to_numpy()
        if col.name in td.invalid:
            missing &= ~td.invalid[col.name]
        # A cell already reported (bad format, unreadable …) gets no second finding here.
        bad = [row for (table, column, row) in ctx.bad_cells if table == td.table.name and column == col.name]
        if bad:
            missing &= ~td.typed.index.isin(bad)
        tcol = target.table.column(col.ref_column)
        for pos in np.flatnonzero(missing):
            ctx.add(
                Rule.REFERENCE,
                td,
                col.name,
                int(rows[pos]),
                target_sheet=target.sheet.sheet,
                target_header=tcol.title,
                target_sheet_en=target.sheet.sheet,
                target_header_en=tcol.title_en or tcol.title,
            )


def check_reconciliations(ctx: Context) -> None:
    for check in ctx.bundle.checks:
        td, source = ctx.tables.get(check.table), ctx.tables.get(check.source_table)
        if td is None or source is None:
            continue
        expected = check_expected(check, source.typed, td.typed, source.table, ctx.params)
        actual = pd.to_numeric(td.typed[check.column], errors="coerce")
        differs = actual.notna() & expected.notna() & ((actual - expected).abs() > 1e-9)
        for row in td.typed.index[differs.to_numpy()]:
            want = float(expected[row])
            ctx.add(
                Rule.RECONCILE,
                td,
                check.column,
                int(row),
                expected=want,
                shown=shown_number(want),
                check_zh=check.message or check.name,
                check_en=check.message_en or check.name,
            )
