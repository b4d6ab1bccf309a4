"""Cross-sheet rules of a bundle: references to other sheets' keys, and reconciliations of a
column with an aggregate of another sheet (e.g. headcount = employees in that position)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.compute.evaluate import to_pandas
from ecomsheets.compute.metrics import check_expected, holds, key_text, tolerance_of
from ecomsheets.findings import WARNING
from ecomsheets.rules import Rule
from ecomsheets.schema import expr

from .context import Context, TableData, shown_number
from .rules import derived_inputs, inputs, unset_parameters, untouched


def check_references(ctx: Context, td: TableData) -> None:
    """Each referencing cell against the referenced keys: the table in this file, else the
    master lists named at validation time, else the file's own read-only copy. A column none
    of them covers is said once (reference_unchecked), never skipped without a word."""
    rows = td.typed.index.to_numpy()
    for col in td.table.columns:
        if not col.references or col.name not in td.sheet.raw:
            continue
        values = key_text(td.typed[col.name])
        target = ctx.tables.get(col.ref_table)
        if target is not None:
            known = set(key_text(target.typed[col.ref_column]).dropna())
            tcol = target.table.column(col.ref_column)
            where = (target.sheet.sheet, target.sheet.sheet)
        else:
            master = _master(ctx, col)
            if master is None:
                _unchecked(ctx, td, col, values)
                continue
            known = master.keys[col.ref_column]
            ref_table = ctx.catalog.tables[col.ref_table]
            tcol = ref_table.column(col.ref_column)
            where = master.target(ref_table)
        missing = values.notna().to_numpy() & ~values.isin(known).to_numpy()
        if col.name in td.invalid:
            missing &= ~td.invalid[col.name]
        # A cell already reported (bad format, unreadable …) gets no second finding here.
        bad = [row for (table, column, row) in ctx.bad_cells if table == td.table.name and column == col.name]
        if bad:
            missing &= ~td.typed.index.isin(bad)
        for pos in np.flatnonzero(missing):
            ctx.add(
                Rule.REFERENCE,
                td,
                col.name,
                int(rows[pos]),
                target_sheet=where[0],
                target_header=tcol.title,
                target_sheet_en=where[1],
                target_header_en=tcol.title_en or tcol.title,
            )


def _master(ctx: Context, col):
    """The master list a reference to a table this file lacks is checked against, if any."""
    for lists in (ctx.masters, ctx.copies):
        found = lists.get(col.ref_table)
        if found is not None and col.ref_column in found.keys:
            return found
    return None


def _unchecked(ctx: Context, td: TableData, col, values: pd.Series) -> None:
    """One warning for a referencing column nothing could check, saying why and when it is."""
    n = int(values.notna().sum())
    if not n or ctx.catalog is None:
        return  # nothing typed in it: nothing was left unchecked
    if col.ref_table in ctx.bundle.tables:
        # The file's own bundle holds that table: its sheet is missing (said as sheet_missing)
        # or was left out on purpose (generate --tables); not a reference another file settles.
        return
    catalog = ctx.catalog
    ref = catalog.tables[col.ref_table]
    tcol = ref.column(col.ref_column)
    titles = {"title": ref.sheet, "title_en": ref.sheet_name("en")}
    family = catalog.family(ctx.bundle)
    holder = next(
        (
            b
            for b in catalog.members(family.name)
            if b.family and b.name != ctx.bundle.name and col.ref_table in b.tables
        ),
        None,
    )
    if col.ref_table in {m.table for m in family.masters} or holder is None:
        why = messages.both("ms_why_master", **titles)
    else:
        why = messages.both("ms_why_other", team=holder.label("zh"), team_en=holder.label("en"), **titles)
    ctx.add(
        Rule.REFERENCE_UNCHECKED,
        td,
        col.name,
        None,
        WARNING,
        n=n,
        target_header=tcol.title,
        target_header_en=tcol.title_en or tcol.title,
        why=why[0],
        why_en=why[1],
        **titles,
    )


def check_reconciliations(ctx: Context) -> None:
    """Each row checked against an aggregate of another sheet (see schema.CheckSpec)."""
    for check in ctx.bundle.checks:
        td, source = ctx.tables.get(check.table), ctx.tables.get(check.source_table)
        if td is None or source is None:
            continue
        if source.typed.empty and check.value is None:
            continue  # a sheet left blank is not kept this month (purchases …), not a month of zeros
        tol = _tolerance(ctx, check.tolerance)
        if tol is None or unset_parameters(ctx, check.when_ast):
            continue
        target = _with_derived(td)
        expected = check_expected(check, _with_derived(source), target, source.table, ctx.params)
        col = td.table.column(check.column)
        if check.value is not None:
            actual = pd.Series(float(check.value), index=target.index).where(target[check.column].notna())
        else:
            actual = col.coltype.to_number(target[check.column])
        applies = (actual.notna() & expected.notna()).to_numpy().copy()
        applies &= untouched(ctx, td, [check.column, *(t for t, _ in check.match)])
        applies &= ~_fed_by_bad_cells(ctx, check, source, target)
        if check.when_ast is not None:
            applies &= np.asarray(to_pandas(check.when_ast)(inputs(td, check.when_ast, ctx.params)), dtype=bool)
        ok = holds(actual.to_numpy(dtype="float64"), check.op, expected.to_numpy(dtype="float64"), tol)
        source_col = source.table.column(check.source_column) if check.source_column else None
        for pos in np.flatnonzero(applies & ~ok):
            want = float(expected.iloc[pos])
            ctx.add(
                Rule.RECONCILE,
                td,
                check.column,
                int(target.index[pos]),
                check.severity,
                **reconcile_words(check, want, source_col),
            )


def reconcile_words(check, want: float, source_col) -> dict:
    """The fields of a `reconcile` finding: the check's message and the value the other
    sheet's rows call for (for one file here, for a month's files in summarize.crossfile)."""
    shown = _shown(want, source_col)
    detail = "reconcile_equal" if check.op == "=" else "reconcile_bound"
    zh, en = ("", "") if check.value is not None else messages.both(detail, shown=shown)
    return {
        "expected": want,
        "shown": shown,
        "detail": zh,
        "detail_en": en,
        "check_zh": check.message or check.name,
        "check_en": check.message_en or check.message or check.name,
    }


def check_totals(ctx: Context, values: dict[str, float | None]) -> None:
    """Two figures of the bundle that must agree (the finance sheet's income and the orders'
    paid total …), reported at the first figure's column."""
    metrics = {m.name: m for m in ctx.bundle.metrics}
    for check in ctx.bundle.totals_checks:
        left, right = values.get(check.metric), values.get(check.against)
        tol = _tolerance(ctx, check.tolerance)
        m, other = metrics[check.metric], metrics[check.against]
        sources = [ctx.tables.get(x.table or "") for x in (m, other)]
        if any(td is None or td.typed.empty for td in sources):
            continue  # a sheet the figures come from is not in this file, or left empty
        if left is None or right is None or tol is None:
            continue  # a figure that cannot be computed, or a blank setting
        if holds(np.float64(left), check.op, np.float64(right), tol):
            continue
        td = ctx.tables.get(m.table or "")
        ctx.add(
            Rule.TOTALS,
            td,
            m.column if td is not None else None,
            None,
            check.severity,
            **totals_words(check, m, other, left, right, tol),
        )


def totals_words(check, m, other, left: float, right: float, tol: float) -> dict:
    """The fields of a `totals` finding: the check's message, both figures and their titles,
    how far apart they are and what is allowed (for one file here, for a month's files in
    summarize.crossfile)."""
    return {
        "check_zh": check.message or check.name,
        "check_en": check.message_en or check.message or check.name,
        "left_title": m.label("zh"),
        "left_title_en": m.label("en"),
        "right_title": other.label("zh"),
        "right_title_en": other.label("en"),
        "left": shown_number(left),
        "right": shown_number(right),
        "diff": shown_number(abs(left - right)),
        "tolerance": shown_number(tol),
    }


def _fed_by_bad_cells(ctx: Context, check, source: TableData, target: pd.DataFrame) -> np.ndarray:
    """Rows of the checked sheet whose aggregate takes in a cell already reported (an
    unreadable 数量 in 订单 is one finding, not also a wrong after-sales quantity)."""
    used = [s for _, s in check.match] + ([check.source_column] if check.source_column else [])
    if check.where_ast is not None:
        used += source.table.columns_in(check.where_ast)
    bad = ~untouched(ctx, source, derived_inputs(source, used))
    if not bad.any():
        return np.zeros(len(target), dtype=bool)
    keys = [key_text(source.typed[s]) for _, s in check.match]
    tainted = set(zip(*(k[bad] for k in keys)))
    local = zip(*(key_text(target[t]) for t, _ in check.match))
    return np.fromiter((k in tainted for k in local), dtype=bool, count=len(target))


def _tolerance(ctx: Context, tolerance: float | str) -> float | None:
    if isinstance(tolerance, str) and unset_parameters(ctx, expr.Name(tolerance, 0)):
        return None
    return tolerance_of(tolerance, ctx.params)


def _with_derived(td: TableData) -> pd.DataFrame:
    """Typed values with the recomputed derived columns in place."""
    return td.typed.assign(**td.derived) if td.derived else td.typed


def _shown(value: float, col) -> str:
    if col is not None and col.coltype.temporal and value == value:
        stamp = col.coltype.from_number(pd.Series([value]))[0]
        return pd.Timestamp(stamp).strftime("%Y-%m-%d")
    return shown_number(value)
