"""Row-level checks beyond single cells: the schema's row rules, derived cells whose typed
value disagrees with the formula, and dates outside the workbook's month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.compute.derived import compute_derived, expression_inputs, given_columns
from ecomsheets.compute.evaluate import to_pandas
from ecomsheets.findings import WARNING
from ecomsheets.rules import Rule
from ecomsheets.schema import expr
from ecomsheets.schema.describe import formula_text

from .context import Context, TableData, shown_number


def recompute(td: TableData, params: dict) -> None:
    """Recompute every derived column from the row's inputs and the department's settings
    (formulas are never trusted); a derived column the sheet supplies without its inputs is
    taken as given."""
    td.derived = compute_derived(td.typed, td.table, given=given(td), params=params, given_rows=td.given_rows)


def given(td: TableData) -> dict[str, list[str]]:
    """Derived columns the sheet has without the columns they are computed from: {name: the
    inputs it lacks} (see schema.derived.given_columns)."""
    return given_columns(td.table, td.sheet.raw.columns)


def inputs(td: TableData, node: expr.Node, params: dict | None = None) -> dict:
    """The inputs of an expression on this table's rows (a blank cell of a column with a
    declared default counts as that default)."""
    table = td.table

    def source(n: str) -> pd.Series:
        col = table.column(n)
        values = td.derived[n] if col.derived else td.typed[n]
        return values.fillna(col.default) if col.default is not None and not col.derived else values

    return expression_inputs(table, node, source, params or {})


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
            out.extend(x for x in derived_inputs(td, td.table.columns_in(col.formula_ast)) if x not in out)
    return out


def filled(td: TableData, names: list[str]) -> np.ndarray:
    mask = np.ones(len(td.typed), dtype=bool)
    for n in names:
        col = td.table.column(n)
        if col.default is not None and not col.derived:
            continue  # blank means the default
        source = td.derived[n] if col.derived else td.typed[n]
        mask &= source.notna().to_numpy()
    return mask


def check_row_rules(ctx: Context, td: TableData) -> None:
    """The table's rules, then the bundle's rules for this table (which may use parameters)."""
    rows = td.typed.index.to_numpy()
    bundle_rules = [r for r in ctx.bundle.rules if r.table == td.table.name]
    for rule in (*td.table.rules, *bundle_rules):
        columns = td.table.columns_in(rule.check_ast)
        if any(n not in td.sheet.raw and not td.table.column(n).derived for n in columns):
            continue  # a column the sheet does not have: reported once as missing
        if unset_parameters(ctx, rule.check_ast, rule.when_ast):
            continue  # a setting the manager has not filled in: said once (see unset_parameters)
        used = td.table.columns_in(rule.check_ast, blank_tests=False)  # ISBLANK() also looks at blanks
        applies = filled(td, used) & untouched(ctx, td, derived_inputs(td, columns))
        if rule.when_ast is not None:
            applies &= np.asarray(to_pandas(rule.when_ast)(inputs(td, rule.when_ast, ctx.params)), dtype=bool)
        if not applies.any():
            continue
        ok = np.asarray(to_pandas(rule.check_ast)(inputs(td, rule.check_ast, ctx.params)), dtype=bool)
        # A bundle's messages may quote its parameters: "超过 {response_limit_minutes} 分钟".
        zh, en = (
            (rule.message.format_map(ctx.params), rule.message_en.format_map(ctx.params))
            if rule.table or any(n in ctx.params for n in expr.names(rule.check_ast))
            else (rule.message, rule.message_en)
        )
        for pos in np.flatnonzero(applies & ~ok):
            ctx.add(Rule.ROW_RULE, td, rule.columns[0], int(rows[pos]), rule.severity, rule_zh=zh, rule_en=en)


def unset_parameters(ctx: Context, *nodes: expr.Node | None) -> bool:
    """True when an expression reads a parameter left blank (the department's own setting,
    e.g. a reply time limit): the check cannot be made, and one warning per parameter says so."""
    unset = [
        n for node in nodes if node is not None for n in expr.names(node) if n in ctx.params and ctx.params[n] is None
    ]
    for name in unset:
        if name not in ctx.unset_reported:
            ctx.unset_reported.add(name)
            spec = next((p for p in ctx.bundle.parameter_specs if p.name == name), None)
            label_zh = spec.label("zh") if spec else name
            label_en = spec.label("en") if spec else name
            ctx.add(Rule.PARAMETER_UNSET, None, None, None, WARNING, param=label_zh, param_en=label_en)
    return bool(unset)


def check_derived(ctx: Context, td: TableData) -> None:
    """A derived cell whose formula was replaced by a typed value must equal the formula; a
    derived column supplied without its inputs is taken as given, with one warning."""
    sheet = td.sheet
    rows = td.typed.index.to_numpy()
    supplied = given(td)
    for name, lacking in supplied.items():
        _taken_as_given(ctx, td, name, lacking)
    for name, expected in td.derived.items():
        if name not in sheet.raw or name in supplied:
            continue
        letter = sheet.letters[name]
        col = td.table.column(name)
        typed = td.typed[name]
        raw_present = sheet.raw[name].notna().to_numpy()
        clean = untouched(ctx, td, derived_inputs(td, td.table.columns_in(col.formula_ast)))
        exp = expected.to_numpy()
        got = typed.to_numpy()
        candidates = np.flatnonzero(raw_present & clean)
        if col.coltype.quantity:
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
            ctx.add(
                Rule.DERIVED_MISMATCH,
                td,
                name,
                int(rows[pos]),
                expected=_value(want),
                shown=_show(want),
                formula_zh=formula_text(td.table, col, "zh"),
                formula_en=formula_text(td.table, col, "en"),
            )


def _taken_as_given(ctx: Context, td: TableData, name: str, lacking: list[str]) -> None:
    """One warning for the column; its unreadable cells are type errors (nothing else checks
    them: the value is not recomputed)."""
    table = td.table
    col = table.column(name)
    zh, _ = messages.join(table.column(n).title for n in lacking)
    _, en = messages.join(table.column(n).title_en or table.column(n).title for n in lacking)
    ctx.add(Rule.DERIVED_GIVEN, td, name, None, WARNING, missing_zh=zh, missing_en=en)
    invalid = td.invalid.get(name)
    if invalid is None or not invalid.any():
        return
    rows = td.typed.index.to_numpy()
    zh_type, en_type = messages.type_label(col.type, "zh", ctx.month), messages.type_label(col.type, "en", ctx.month)
    for pos in np.flatnonzero(invalid):
        ctx.add(Rule.TYPE, td, name, int(rows[pos]), type_zh=zh_type, type_en=en_type)


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


WRONG_MONTH_SHARE = 0.9  # of the dated cells: then the month asked for, not the cells, is wrong
WRONG_MONTH_MIN = 5


def check_wrong_month(ctx: Context) -> None:
    """When (nearly) all dated cells of the workbook fall in one other month, one finding says
    so instead of one per cell (the month given is likely the wrong one)."""
    if ctx.month is None:
        return
    months: dict[str, int] = {}
    dated = 0
    for td in ctx.tables.values():
        for col in td.table.columns:
            if col.in_month and col.name in td.sheet.raw:
                values = pd.to_datetime(td.typed[col.name], errors="coerce").dropna()
                dated += len(values)
                for key, n in values.dt.strftime("%Y-%m").value_counts().items():
                    months[key] = months.get(key, 0) + int(n)
    months.pop(str(ctx.month), None)
    if not months or dated < WRONG_MONTH_MIN:
        return
    other, n = max(months.items(), key=lambda kv: kv[1])
    if n >= WRONG_MONTH_SHARE * dated:
        ctx.wrong_month = other
        share, share_en = messages.both("share_all" if n == dated else "share_nearly_all")
        ctx.add(
            Rule.WRONG_MONTH,
            None,
            None,
            None,
            month=str(ctx.month),
            other=other,
            n=n,
            dated=dated,
            share=share,
            share_en=share_en,
        )


def check_month(ctx: Context, td: TableData) -> None:
    if ctx.month is None or ctx.wrong_month:
        return
    lo, hi = pd.Timestamp(ctx.month.start), pd.Timestamp(ctx.month.end) + pd.Timedelta(days=1)
    rows = td.typed.index.to_numpy()
    for col in td.table.columns:
        if not col.in_month or col.name not in td.sheet.raw:
            continue
        values = pd.to_datetime(td.typed[col.name], errors="coerce")
        outside = (values.notna() & ((values < lo) | (values >= hi))).to_numpy()
        for pos in np.flatnonzero(outside):
            ctx.add(Rule.OUT_OF_MONTH, td, col.name, int(rows[pos]), month=str(ctx.month))
