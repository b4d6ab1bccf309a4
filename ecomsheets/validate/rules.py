"""Row-level checks beyond single cells: the schema's row rules, derived cells whose typed
value disagrees with the formula, and dates outside the workbook's month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomsheets.generate.prompts import formula_text
from ecomsheets.schema import expr
from ecomsheets.schema.derived import compute_derived, expression_input

from .context import Context, TableData, shown_number


def recompute(td: TableData) -> None:
    """Recompute every derived column from the row's inputs (formulas are never trusted)."""
    td.derived = compute_derived(td.typed, td.table)


def inputs(td: TableData, names: list[str], params: dict | None = None) -> dict:
    """Expression inputs: the row's columns (Excel semantics) and any bundle parameters."""
    from ecomsheets.schema.loader import param_value

    table = td.table
    out = {}
    for n in names:
        if n not in table.by_name:
            out[n] = param_value((params or {})[n])
            continue
        source = td.derived[n] if table.column(n).derived else td.typed[n]
        out[n] = expression_input(source, table.column(n))
    return out


def untouched(ctx: Context, td: TableData, names: list[str]) -> np.ndarray:
    """Rows where none of these cells already has an error (one bad cell, one finding)."""
    bad = {row for (table, column, row) in ctx.bad_cells if table == td.table.name and column in names}
    if not bad:
        return np.ones(len(td.typed), dtype=bool)
    return ~td.typed.index.isin(list(bad))


def derived_inputs(td: TableData, names: list[str]) -> list[str]:
    """Names plus, for derived ones, the columns they are computed from (recursively)."""
    out: list[str] = []
    for n in names:
        if n not in out:
            out.append(n)
        col = td.table.column(n)
        if col.derived and col.formula_ast is not None:
            out.extend(x for x in derived_inputs(td, expr.names(col.formula_ast)) if x not in out)
    return out


def filled(td: TableData, names: list[str]) -> np.ndarray:
    mask = np.ones(len(td.typed), dtype=bool)
    for n in names:
        source = td.derived[n] if td.table.column(n).derived else td.typed[n]
        mask &= source.notna().to_numpy()
    return mask


def check_row_rules(ctx: Context, td: TableData) -> None:
    """The table's rules, then the bundle's rules for this table (which may use parameters)."""
    rows = td.typed.index.to_numpy()
    bundle_rules = [r for r in ctx.bundle.rules if r.table == td.table.name]
    for rule in (*td.table.rules, *bundle_rules):
        names = expr.names(rule.check_ast)
        columns = [n for n in names if n in td.table.by_name]
        if any(n not in td.sheet.raw and not td.table.column(n).derived for n in columns):
            continue  # a column the sheet does not have: reported once as missing
        applies = filled(td, columns) & untouched(ctx, td, derived_inputs(td, columns))
        if rule.when_ast is not None:
            when_names = expr.names(rule.when_ast)
            applies &= np.asarray(expr.to_pandas(rule.when_ast)(inputs(td, when_names, ctx.params)), dtype=bool)
        if not applies.any():
            continue
        ok = np.asarray(expr.to_pandas(rule.check_ast)(inputs(td, names, ctx.params)), dtype=bool)
        # A bundle's messages may quote its parameters: "超过 {response_limit_minutes} 分钟".
        zh, en = (rule.message.format_map(ctx.params), rule.message_en.format_map(ctx.params)) if rule.table \
            else (rule.message, rule.message_en)
        for pos in np.flatnonzero(applies & ~ok):
            ctx.add("row_rule", td, rule.columns[0], int(rows[pos]), rule.severity, rule_zh=zh, rule_en=en)


def check_derived(ctx: Context, td: TableData) -> None:
    """A derived cell whose formula was replaced by a typed value must equal the formula."""
    sheet = td.sheet
    rows = td.typed.index.to_numpy()
    for name, expected in td.derived.items():
        if name not in sheet.raw:
            continue
        letter = sheet.letters[name]
        col = td.table.column(name)
        typed = td.typed[name]
        raw_present = sheet.raw[name].notna().to_numpy()
        clean = untouched(ctx, td, derived_inputs(td, expr.names(col.formula_ast)))
        exp = expected.to_numpy()
        got = typed.to_numpy()
        candidates = np.flatnonzero(raw_present & clean)
        if col.coltype.kind == "number" and col.type not in ("date", "datetime", "time"):
            # Numbers: compared all at once; a file saved by Excel caches a value in every cell.
            want = pd.to_numeric(expected, errors="coerce").to_numpy(dtype="float64")[candidates]
            have = pd.to_numeric(typed, errors="coerce").to_numpy(dtype="float64")[candidates]
            close = np.abs(want - have) <= np.maximum(0.005, 1e-9 * np.abs(want))
            candidates = candidates[~np.isnan(want) & ~close]
        differ = [pos for pos in candidates if not _same(exp[pos], got[pos]) and not _blank(exp[pos])]
        if not differ:
            continue
        # A cell that still holds its formula is recomputed, never trusted: whatever value a
        # program cached there does not count. Only typed-over cells are findings.
        formulas = sheet.derived_formulas([(int(rows[pos]), letter) for pos in differ])
        for pos in differ:
            if (int(rows[pos]), letter) in formulas:
                continue
            want = exp[pos]
            ctx.add("derived_mismatch", td, name, int(rows[pos]), expected=_value(want), shown=_show(want),
                    formula_zh=formula_text(td.table, col, "zh"), formula_en=formula_text(td.table, col, "en"))


def _blank(v) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v))


def _same(a, b) -> bool:
    if isinstance(a, (pd.Timestamp,)) or isinstance(b, pd.Timestamp):
        return pd.Timestamp(a) == pd.Timestamp(b) if not (pd.isna(a) or pd.isna(b)) else pd.isna(a) and pd.isna(b)
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)
    if np.isnan(fa) or np.isnan(fb):
        return np.isnan(fa) and np.isnan(fb)
    return abs(fa - fb) <= max(0.005, 1e-9 * abs(fa))


def _show(v) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    try:
        return shown_number(float(v))
    except (TypeError, ValueError):
        return str(v)


def _value(v):
    """The expected value for machines (JSON): a number, or text."""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    try:
        return round(float(v), 6)
    except (TypeError, ValueError):
        return str(v)


def check_month(ctx: Context, td: TableData) -> None:
    if ctx.month is None:
        return
    lo, hi = pd.Timestamp(ctx.month.start), pd.Timestamp(ctx.month.end) + pd.Timedelta(days=1)
    rows = td.typed.index.to_numpy()
    for col in td.table.columns:
        if not col.in_month or col.name not in td.sheet.raw:
            continue
        values = pd.to_datetime(td.typed[col.name], errors="coerce")
        outside = (values.notna() & ((values < lo) | (values >= hi))).to_numpy()
        for pos in np.flatnonzero(outside):
            ctx.add("out_of_month", td, col.name, int(rows[pos]), month=str(ctx.month))
