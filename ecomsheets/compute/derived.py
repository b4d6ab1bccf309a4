"""Derived columns, the same way on both sides: the Excel formula written into templates and
the pandas recomputation used by validation and summaries.

A derived cell stays blank while the row is not filled in enough to compute it: when any
"strict" input is blank (required, date/time, text or derived columns), or, if it has no
strict inputs, when all inputs are blank. Optional numbers count as 0, as in Excel.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ecomsheets.compute.evaluate import to_pandas
from ecomsheets.schema import expr
from ecomsheets.schema.model import ColumnSpec, TableSpec, param_value

if TYPE_CHECKING:
    import pandas as pd


def blank_inputs(table: TableSpec, col: ColumnSpec) -> tuple[list[str], str]:
    """(inputs whose blankness blanks the result, "any" | "all")."""
    inputs = table.columns_in(col.formula_ast, blank_tests=False)
    strict = [n for n in inputs if _is_strict(table.column(n))]
    return (strict, "any") if strict else (inputs, "all")


def _is_strict(col: ColumnSpec) -> bool:
    return col.required or col.derived or col.coltype.temporal or col.coltype.kind != "number"


def excel_formula(table: TableSpec, col: ColumnSpec, ref: Callable[[str], str]) -> str:
    """The full cell formula (with '=') of a derived column, given a name -> cell mapping."""
    body = expr.to_excel(col.formula_ast, ref)
    names, mode = blank_inputs(table, col)
    tests = [f'{ref(n)}=""' for n in names]
    if not tests:
        return "=" + body
    cond = tests[0] if len(tests) == 1 else ("OR(" if mode == "any" else "AND(") + ",".join(tests) + ")"
    return f'=IF({cond},"",{body})'


def derived_order(table: TableSpec) -> list[ColumnSpec]:
    """Derived columns ordered so that each comes after the derived columns it uses."""
    done: list[str] = []
    pending = [c for c in table.columns if c.derived and c.formula_ast is not None]
    while pending:
        for col in pending:
            if all(n in done or not table.column(n).derived for n in table.columns_in(col.formula_ast)):
                done.append(col.name)
                pending.remove(col)
                break
        else:  # a cycle; the loader refuses those, so this is our bug
            raise RuntimeError(f"formula cycle in {table.name}")
    return [table.column(n) for n in done]


def expression_input(series: pd.Series, col: ColumnSpec) -> pd.Series:
    """A typed column as an expression input with Excel semantics (see compute.evaluate.to_pandas)."""
    return col.coltype.expression_input(series)


def blank_masks(node: expr.Node, source: Callable[[str], pd.Series]) -> dict[str, object]:
    """The inputs ISBLANK() reads: where each name it asks about is blank (`name` + expr.BLANK)."""
    return {n + expr.BLANK: source(n).isna().to_numpy() for n in expr.blank_tested(node)}


def expression_inputs(
    table: TableSpec, node: expr.Node, source: Callable[[str], pd.Series], params: Mapping[str, Any]
) -> dict[str, object]:
    """The inputs of an expression on `table`: each column it names (`source(name)`, typed) with
    Excel semantics, where the ones ISBLANK() asks about are blank, and any parameters."""
    out: dict[str, object] = {
        n: expression_input(source(n), table.column(n)) if n in table.by_name else param_value(params.get(n))
        for n in expr.names(node)
    }
    out.update(blank_masks(node, source))
    return out


def given_columns(table: TableSpec, present: Iterable[str]) -> dict[str, list[str]]:
    """Derived columns a sheet supplies without the inputs to compute them: {name: the inputs
    it lacks}. An input is lacking when its column is absent from the sheet (`present`: the
    names of the columns the sheet has), or when it is a derived column that is itself absent
    and cannot be computed. Blank cells in a column that is there do not count: those are
    computed as usual (and a typed value that disagrees is a derived_mismatch).

    Such a column's values are taken as given (see compute_derived): computed from columns that
    do not exist, they would be blanks (or a sum missing a term) for every row."""
    present = set(present)
    available: dict[str, bool] = {}
    out: dict[str, list[str]] = {}
    for col in derived_order(table):
        lacking = [
            n
            for n in table.columns_in(col.formula_ast, blank_tests=False)
            if not (available[n] if table.column(n).derived else n in present)
        ]
        available[col.name] = col.name in present or not lacking
        if col.name in present and lacking:
            out[col.name] = lacking
    return out


def compute_derived(
    frame: pd.DataFrame,
    table: TableSpec,
    given: Collection[str] = (),
    params: Mapping[str, Any] | None = None,
    given_rows: Mapping[str, Any] | None = None,
) -> dict[str, pd.Series]:
    """Return {column name: recomputed Series} for every derived column of `table`.

    `params` are the department's settings the formulas may read (default: the values the
    table declares).
    `frame` holds typed values (numbers, datetimes, times, text) under column names.
    Results are NaN/NaT where the row is not filled in enough (see module doc).
    Columns named in `given` are not computed: the frame's values are taken as they are
    (see given_columns), and columns computed from them use those values. `given_rows`
    ({column: bool mask}) does the same for some rows only (imported figures).
    """
    import numpy as np
    import pandas as pd

    results: dict[str, pd.Series] = {}
    blank = {
        c.name: frame[c.name].isna() if c.name in frame else pd.Series(True, index=frame.index)
        for c in table.columns
        if not c.derived
    }
    values: dict[str, pd.Series] = {}
    blank_series = pd.Series(np.nan, index=frame.index)

    settings = {p.name: p.value for p in table.parameters}
    settings.update(params or {})

    def value_of(name: str) -> Any:
        if name not in table.by_name:
            return param_value(settings.get(name))
        if name not in values:
            col = table.column(name)
            source = results[name] if col.derived else frame.get(name, pd.Series(np.nan, index=frame.index))
            values[name] = expression_input(source, col)
        return values[name]

    for col in derived_order(table):
        if col.name in given:
            out = frame[col.name].copy() if col.name in frame else pd.Series(np.nan, index=frame.index)
            results[col.name] = out
            blank[col.name] = out.isna()
            continue
        names, mode = blank_inputs(table, col)
        cols = {n: value_of(n) for n in expr.names(col.formula_ast)}
        cols.update(blank_masks(col.formula_ast, lambda n: results[n] if n in results else frame.get(n, blank_series)))
        out = to_pandas(col.formula_ast)(cols)
        out = pd.Series(out, index=frame.index)
        masks = [blank[n] if n in blank else results[n].isna() for n in names]
        if masks:
            stacked = np.vstack([m.to_numpy(dtype=bool) for m in masks])
            mask = stacked.any(axis=0) if mode == "any" else stacked.all(axis=0)
            out = out.where(~mask)
        out = col.coltype.from_number(out)
        rows = (given_rows or {}).get(col.name)
        if rows is not None and col.name in frame:
            out = out.where(~rows, frame[col.name])
        results[col.name] = out
        blank[col.name] = out.isna()
    return results
