"""Metrics computed with pandas, with the semantics of the template's SUMIFS/COUNTIFS/
AVERAGEIFS formulas (see `ecomsheets.generate.metric_formulas`): a criterion on a number
matches only numbers, `<>` also matches blanks, SUM of nothing is 0, AVERAGE/MIN/MAX of
nothing and division by zero are blank (NaN here)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ecomsheets.compute import exact
from ecomsheets.compute.evaluate import to_pandas
from ecomsheets.months import WEEKS, Month, week_label
from ecomsheets.schema import BundleSpec, CheckSpec, ColumnSpec, MetricSpec, TableSpec, expr
from ecomsheets.schema.metrics_loader import where_terms

if TYPE_CHECKING:
    import numpy.typing as npt


@dataclass(frozen=True)
class MetricValue:
    name: str
    title: str
    group: Any  # None for an ungrouped metric, else the group's key (text or ISO date)
    value: float | None


def evaluate_metrics(
    bundle: BundleSpec,
    tables: dict[str, TableSpec],
    frames: dict[str, pd.DataFrame],
    month: Month | None = None,
    lang: str = "zh",
    params: dict[str, Any] | None = None,
    given: dict[str, Any] | None = None,
) -> list[MetricValue]:
    """Every metric of `bundle` whose tables are present in `frames`.

    `frames` hold typed values per table (derived columns already computed), one row per record.
    `given`: aggregate metrics already computed elsewhere (the Dask engine: a value, or a grouped
    metric's {key: value}); the expressions on them are computed here as for any other.
    """
    params = {**dict(bundle.parameters), **(params or {})}
    given = given or {}
    scalars: dict[str, float | None] = {}
    grids: dict[str, dict[str, float | None]] = {}
    out: list[MetricValue] = []
    by_name = {m.name: m for m in bundle.metrics}
    for m in bundle.metrics:
        if not available(m, by_name, frames, tables):
            continue
        if m.by is None:
            if m.expr_ast is not None:
                value = _expr_value(m, lambda n: scalars[n])
            elif m.name in given:
                value = given[m.name]
            else:
                assert m.table is not None  # the loader gives every aggregate metric its table
                value = _aggregate(m, *metric_inputs(m, frames[m.table], tables[m.table], month, params, lang))
            scalars[m.name] = value
            out.append(MetricValue(m.name, m.label(lang), None, value))
            continue
        if m.expr_ast is not None:
            inputs = [n for n in expr.names(m.expr_ast)]
            keys = list(grids[inputs[0]])
            grid = {k: _expr_value(m, lambda n: grids[n][k] if n in grids else scalars[n]) for k in keys}
        elif m.name in given:
            grid = given[m.name]
        else:
            grid = _grouped(m, frames, tables, month, params, lang)
        grids[m.name] = grid
        out.extend(MetricValue(m.name, m.label(lang), k, v) for k, v in grid.items())
    return out


def available(
    m: MetricSpec, by_name: dict[str, MetricSpec], frames: dict[str, pd.DataFrame], tables: dict[str, TableSpec]
) -> bool:
    if m.expr_ast is not None:
        return all(available(by_name[n], by_name, frames, tables) for n in expr.names(m.expr_ast))
    if m.table not in frames:
        return False
    if m.by:
        col = tables[m.table].column(m.by)
        return not col.references or col.ref_table in frames
    return True


def clean_value(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _expr_value(m: MetricSpec, lookup: Callable[[str], float | None]) -> float | None:
    values = {n: (np.nan if lookup(n) is None else lookup(n)) for n in expr.names(m.expr_ast)}
    return clean_value(to_pandas(m.expr_ast)(values))


def _aggregate(m: MetricSpec, labels: pd.Series | None, values: pd.Series) -> float | None:
    if m.agg == "count":
        return float(values.sum())
    if m.agg == "distinct":
        return float(values.dropna().nunique())
    if m.agg in EXACT:
        return clean_value(exact.totals(exact.sum_parts(None, values), m.agg).get(0, empty_value(m)))
    numbers = values.dropna()
    if numbers.empty:
        return None
    return clean_value({"min": numbers.min, "max": numbers.max}[m.agg or ""]())


def metric_inputs(
    m: MetricSpec, frame: pd.DataFrame, table: TableSpec, month: Month | None, params: dict[str, Any], lang: str = "zh"
) -> tuple[pd.Series | None, pd.Series]:
    """The rows an aggregate metric reads (after its `where`), as two aligned series: each row's
    label on the metric's grid (None: an ungrouped metric; NaN: on no key) and its value as
    aggregated (count: present or not; distinct: text; else a number, dates as day serials).
    Any part of a table's rows gives its own; the aggregate of their union is the metric's."""
    mask = where_mask(m.where_ast, frame, table, params)
    rows = frame if mask is None else frame[mask]
    labels = None
    if m.by is not None:
        by = rows[m.by] if m.by in rows else pd.Series(np.nan, index=rows.index)
        labels = grid_labels(by, table.column(m.by), m.period, month, lang)
    if m.agg == "count":
        col = m.column or _key_column(table)
        values = rows[col].notna() if col in rows else pd.Series(False, index=rows.index)
    elif m.agg == "distinct":
        assert m.column is not None
        column = rows[m.column] if m.column in rows else pd.Series(np.nan, index=rows.index)
        values = column.astype(str).where(column.notna())
    else:
        assert m.column is not None
        column = rows[m.column] if m.column in rows else pd.Series(np.nan, index=rows.index, dtype="float64")
        values = _numeric(column, table.column(m.column))
    return labels, values


def grid_values(m: MetricSpec, agg: pd.Series, keys: list[str]) -> dict[str, float | None]:
    """A grouped metric's value on each key of its grid, from its aggregate per label (a key
    no row falls on: 0 for a sum or a count, blank otherwise)."""
    empty = empty_value(m)
    found = {(k.strftime("%Y-%m-%d") if isinstance(k, pd.Timestamp) else k): v for k, v in agg.to_dict().items()}
    return {k: clean_value(found[k]) if k in found else empty for k in keys}


def empty_value(m: MetricSpec) -> float | None:
    """An aggregate metric on no rows: 0 for a sum or a count, blank otherwise."""
    return 0.0 if m.agg in ("sum", "count", "distinct") else None


def _key_column(table: TableSpec) -> str:
    if table.primary_key:
        return table.primary_key[0]
    return next((c.name for c in table.columns if c.required and not c.derived), table.columns[0].name)


def _numeric(series: pd.Series, col: ColumnSpec) -> pd.Series:
    """Numbers as a spreadsheet sees them: dates as day serials, times as day fractions."""
    return col.coltype.to_number(series)


def where_mask(
    where_ast: expr.Node | None, frame: pd.DataFrame, table: TableSpec, params: dict[str, Any]
) -> np.ndarray | None:
    """The rows a `where` filter keeps (None: no filter), with COUNTIFS semantics."""
    from ecomsheets.schema.model import param_value

    if where_ast is None:
        return None
    mask = np.ones(len(frame), dtype=bool)
    for term in where_terms(where_ast):
        # The loader keeps only `column <op> constant or parameter` terms (metrics_loader._simple_term).
        term = cast(expr.Binary, term)
        col = table.column(cast(expr.Name, term.left).name)
        right = cast("expr.Name | expr.Num | expr.Str", term.right)
        const = param_value(params[right.name]) if isinstance(right, expr.Name) else right.value
        mask &= criterion(
            frame[col.name] if col.name in frame else pd.Series(np.nan, index=frame.index), col, term.op, const
        )
    return mask


AGG_PANDAS = {"sum": "sum", "avg": "mean", "min": "min", "max": "max", "distinct": "nunique"}
# Sums and averages of a metric are added up exactly (compute.exact): the same figure whatever
# the order of the rows, or how they are split over a cluster's workers.
EXACT = ("sum", "avg")


def key_text(series: pd.Series) -> pd.Series:
    """Values as text keys for matching rows across sheets (None where blank)."""
    if series.dtype == "str":  # already text (Arrow-backed): no per-row conversion
        return series
    return series.astype(object).where(series.notna(), None).map(lambda v: None if v is None else str(v))


def check_expected(
    check: CheckSpec, source: pd.DataFrame, target: pd.DataFrame, source_table: TableSpec, params: dict[str, Any]
) -> pd.Series:
    """For each row of `target`, the aggregate of the matching `source` rows a cross-sheet
    check compares with (e.g. headcount = employees in that position). NaN where the row's key
    is blank, and for avg/min/max where no row matches (a count or sum of nothing is 0).
    `source` holds typed values with derived columns computed; dates count as day serials."""
    mask = where_mask(check.where_ast, source, source_table, params)
    rows = source if mask is None else source[mask]
    keys = [key_text(rows[s]) for _, s in check.match]
    if check.agg == "count":
        agg = rows.groupby(keys).size()
    else:
        assert check.source_column is not None  # the loader requires it for every other aggregate
        numbers = _numeric(rows[check.source_column], source_table.column(check.source_column))
        agg = numbers.groupby(keys).agg(AGG_PANDAS[check.agg])
    local = [key_text(target[t]) for t, _ in check.match]
    index = pd.MultiIndex.from_arrays(local) if len(local) > 1 else pd.Index(local[0])
    empty = 0.0 if check.agg in ("count", "sum", "distinct") else np.nan
    expected = agg.reindex(index).to_numpy(dtype="float64") if len(agg) else np.full(len(target), np.nan)
    expected = np.where(np.isnan(expected), empty, expected)
    blank = np.zeros(len(target), dtype=bool)
    for k in local:
        blank |= k.isna().to_numpy()
    return pd.Series(np.where(blank, np.nan, expected), index=target.index)


def holds(left: Any, op: str, right: Any, tolerance: float = 0.0) -> np.ndarray:
    """`left op right`, allowing `tolerance` on the right side's favour (and rounding noise)."""
    slack = tolerance + 1e-9
    with np.errstate(invalid="ignore"):
        return np.asarray(
            {
                "=": lambda: np.abs(left - right) <= slack,
                "<=": lambda: left <= right + slack,
                ">=": lambda: left >= right - slack,
                "<": lambda: left < right + tolerance,
                ">": lambda: left > right - tolerance,
            }[op](),
            dtype=bool,
        )


def tolerance_of(tolerance: float | str, params: dict[str, Any]) -> float | None:
    """A check's tolerance: a number, or the parameter it names (None when left blank)."""
    value = params.get(tolerance) if isinstance(tolerance, str) else tolerance
    return None if value is None else float(value)


def criterion(series: pd.Series, col: ColumnSpec, op: str, const: Any) -> np.ndarray:
    """One COUNTIFS criterion on a column, as a boolean mask."""
    if isinstance(const, str):
        text = series.astype(object).where(series.notna(), None)
        equal = np.array([v is not None and str(v) == const for v in text], dtype=bool)
        if op == "=":
            return equal
        if op == "<>":
            return ~equal
        values = series.astype(str).where(series.notna())
        ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
        kept: np.ndarray = series.notna().to_numpy() & ops[op](values.fillna("").to_numpy(dtype=str), const)
        return kept
    numbers: np.ndarray = _numeric(series, col).to_numpy(dtype="float64")
    present: npt.NDArray[np.bool_] = ~np.isnan(numbers)
    with np.errstate(invalid="ignore"):
        result: npt.NDArray[np.bool_] = {
            "=": numbers == const,
            "<>": numbers != const,
            "<": numbers < const,
            "<=": numbers <= const,
            ">": numbers > const,
            ">=": numbers >= const,
        }[op]
    return result | ~present if op == "<>" else result & present


def _grouped(
    m: MetricSpec,
    frames: dict[str, pd.DataFrame],
    tables: dict[str, TableSpec],
    month: Month | None,
    params: dict[str, Any],
    lang: str,
) -> dict[str, float | None]:
    """One value per key of the metric's fixed grid: one groupby, then the grid's keys."""
    assert m.table is not None and m.by is not None
    table, frame = tables[m.table], frames[m.table]
    if m.period and month is None:
        month = month_of_dates(frame[m.by] if m.by in frame else pd.Series(dtype="float64"))
    labels, values = metric_inputs(m, frame, table, month, params, lang)
    assert labels is not None

    def key_values(name: str, column: str) -> list[str]:
        return list(dict.fromkeys(str(v) for v in frames[name][column].dropna()))

    keys = grid_keys(table.column(m.by), m.period, table, month, lang, key_values)
    return grid_values(m, group_aggregate(m, labels, values), keys)


def group_aggregate(m: MetricSpec, labels: pd.Series, values: pd.Series) -> pd.Series:
    """A grouped metric's aggregate per label (see metric_inputs)."""
    if m.agg == "count":
        return values.groupby(labels).sum()
    if m.agg == "distinct":
        return values.groupby(labels).nunique()
    if m.agg in EXACT:
        return exact.totals(exact.sum_parts(labels, values), m.agg)
    assert m.agg is not None
    return values.groupby(labels).agg(AGG_PANDAS[m.agg])


def month_of_dates(values: pd.Series) -> Month | None:
    """The month of the earliest date among `values` (a day or week grid without a month)."""
    days = pd.to_datetime(values, errors="coerce").dropna()
    if days.empty:
        return None
    first = days.min()
    return Month(first.year, first.month)


def grid_labels(by: pd.Series, by_col: ColumnSpec, period: str | None, month: Month | None, lang: str) -> pd.Series:
    """Each row's label on a grouping's grid (NaN or None where the row falls on no key): the
    text of its value, or its day or week of `month`."""
    if period in ("day", "week"):
        if month is None:
            return pd.Series(np.nan, index=by.index, dtype=object)
        days = pd.to_datetime(by, errors="coerce").dt.normalize()
        if period == "day":
            # Group on the dates themselves and name the groups after (30 keys, not 1M strings).
            inside = (days >= pd.Timestamp(month.start)) & (days <= pd.Timestamp(month.end))
            return days.where(inside)
        labels = pd.Series(np.nan, index=by.index, dtype=object)
        for i, (lo, hi) in enumerate(_weeks(month)):
            labels = labels.mask((days >= pd.Timestamp(lo)) & (days < pd.Timestamp(hi)), week_label(i, lang))
        return labels
    if by.dtype == "str":
        return by
    return by.astype(object).where(by.notna(), None).map(lambda v: None if v is None else str(v))


def grid_keys(
    by_col: ColumnSpec,
    period: str | None,
    table: TableSpec,
    month: Month | None,
    lang: str,
    key_values: Callable[[str, str], list[str]],
) -> list[str]:
    """The fixed grid of a grouping: the days or weeks of the month, the column's allowed values,
    or the keys of a master table (`key_values(table, column)`: its distinct texts in order)."""
    if period in ("day", "week"):
        if month is None:
            return []
        if period == "day":
            return [(month.start + timedelta(days=i)).isoformat() for i in range((month.end - month.start).days + 1)]
        return [week_label(i, lang) for i in range(WEEKS)]
    if by_col.values and not by_col.references:
        return list(by_col.values)
    source_name = by_col.ref_table if by_col.references else table.name
    source_col = by_col.ref_column if by_col.references else by_col.name
    assert source_name is not None and source_col is not None  # a column with `references` has its ref_table
    return key_values(source_name, source_col)


def _weeks(month: Month) -> list[tuple[date, date]]:
    out = []
    for i in range(WEEKS):
        lo = month.start + timedelta(days=7 * i)
        hi = month.start + timedelta(days=7 * (i + 1)) if i < WEEKS - 1 else month.end + timedelta(days=1)
        out.append((lo, hi))
    return out
