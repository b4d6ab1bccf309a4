"""The headline figures per source, for the summary's side-by-side sheet: one row per team or
shop on the roster (its files together) or, without a roster, per file taken; and the whole
month's figure for each column.

Each source's figures are the bundle's own metrics (compute.metrics) on that source's merged
rows: the rows of every table are split by their lineage once, and only the headline metrics
and what they are computed from are evaluated, once per source. A sum or a count over rows
adds up across sources (the merged rows are a partition of the month); an average, a rate, a
minimum or a maximum does not, and its total is the figure recomputed on all rows.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ecomsheets.compute.metrics import evaluate_metrics
from ecomsheets.schema import Catalog, MetricSpec, expr

from .consolidate import PARTLY, SOURCE_FILE, TAKEN

MAX_FALLBACK = 8  # figures compared when a bundle names no headline
_ADDITIVE = ("sum", "count")


@dataclass
class Side:
    name: str  # the roster's team or shop, or a file's name
    bundle_title: str = ""  # the bundle it hands in ("" for a file)
    state: str | None = None  # its Handin state (None for a file)
    files: list[str] = field(default_factory=list)
    values: dict[str, float | None] = field(default_factory=dict)  # metric name -> figure (None: blank)


@dataclass
class Sides:
    metrics: list[MetricSpec]  # the columns, in headline order
    rows: list[Side]
    total: dict[str, float | None]  # the month's figure (the overview's)
    additive: dict[str, bool]  # metric name -> the rows add up to the total

    def averaged(self) -> list[MetricSpec]:
        return [m for m in self.metrics if not self.additive[m.name]]


def headline(bundle, result_metrics) -> list[MetricSpec]:
    """The bundle's headline figures (ungrouped ones), each of them even when the month has no
    value for it (its team's file missing or left out: a blank a manager sees, not a row that
    vanishes); a bundle that names none compares its first few ungrouped figures."""
    specs = {m.name: m for m in bundle.metrics}
    present = [v.name for v in result_metrics if v.group is None]
    names = [n for n in bundle.headline if n in specs] if bundle.headline else present[:MAX_FALLBACK]
    return [specs[n] for n in names]


def side_by_side(result, catalog: Catalog, status=None, figures=None) -> Sides:
    """The headline figures of each source of `result` (a Consolidation); `status` is its list
    of Handin (empty or None: one row per file taken). `figures(trimmed, group_of)`, where the
    rows are not here (the Dask engine): each row's aggregate metrics, and the tables it has
    rows of."""
    bundle = result.bundle
    metrics = headline(bundle, result.metrics)
    total = {v.name: v.value for v in result.metrics if v.group is None}
    rows, group_of, carries = _groups(result, catalog, status or [])
    needed = _needed(bundle, metrics)
    trimmed = dataclasses.replace(bundle, metrics=tuple(m for m in bundle.metrics if m.name in needed))
    tables = {m.table for m in trimmed.metrics if m.table}
    if figures is not None:  # the rows are elsewhere: their figures given, the tables named
        given, has_rows = figures(trimmed, group_of)

        def frames_of(g: int) -> dict[str, pd.DataFrame]:
            return {
                n: result.tables[n].iloc[:0]
                for n in tables
                if n in result.tables and (n in has_rows.get(g, ()) or n in carries[g])
            }

    else:
        given, frames_of = {}, _split(result, catalog, trimmed, tables, group_of, carries)
    for g, side in enumerate(rows):
        if g not in carries:  # nothing of it taken (missing, refused, left out): blank
            side.values = {m.name: None for m in metrics}
            continue
        figured = evaluate_metrics(trimmed, catalog.tables, frames_of(g), result.month, given=given.get(g))
        values = {v.name: v.value for v in figured if v.group is None}
        side.values = {m.name: values.get(m.name) for m in metrics}
    by_name = {x.name: x for x in trimmed.metrics}
    additive = {m.name: _adds_up(m, rows, total.get(m.name), by_name) for m in metrics}
    return Sides(metrics, rows, total, additive)


def _split(result, catalog: Catalog, trimmed, tables: set, group_of: dict[str, int], carries: dict):
    """The frames of each side (a function of the side): the rows of each table split by the
    side of their source file, in one pass over each table."""
    split: dict[str, dict[int, pd.DataFrame]] = {}
    for name in tables:
        frame = result.tables.get(name)
        if frame is None:
            continue
        codes = frame[SOURCE_FILE].map(group_of).fillna(-1).to_numpy(dtype="int64")
        frame = frame[[c for c in _columns(trimmed, catalog.tables[name]) if c in frame]]
        # Sorted by group once (one take), each group is then a slice, not a take of its own.
        order = np.argsort(codes, kind="stable")
        codes, frame = codes[order], frame.iloc[order]
        present = np.unique(codes)
        starts = np.searchsorted(codes, present, side="left")
        stops = np.searchsorted(codes, present, side="right")
        split[name] = {int(g): frame.iloc[a:b] for g, a, b in zip(present, starts, stops) if g >= 0}
    empty: dict[str, pd.DataFrame] = {}

    def frames_of(g: int) -> dict[str, pd.DataFrame]:
        return {
            name: split[name].get(g, empty.setdefault(name, _empty(split[name], result.tables[name])))
            for name in tables
            if name in split and (g in split[name] or name in carries[g])
        }

    return frames_of


def _groups(result, catalog: Catalog, status) -> tuple[list[Side], dict[str, int], dict[int, set[str]]]:
    """The rows of the sheet, the row of each source file, and the tables each row carries."""
    all_tables = set(result.tables)
    rows: list[Side] = []
    group_of: dict[str, int] = {}
    carries: dict[int, set[str]] = {}
    if status:
        # An entry names its files as people tell them apart (Source.label), or by their path.
        taken: dict[str, str] = {}
        for s in result.sources:
            if s.status in (TAKEN, PARTLY):
                for name in (getattr(s, "label", ""), s.path, _norm(s.path)):
                    if name:
                        taken.setdefault(name, s.path)
        for h in status:
            g = len(rows)
            rows.append(Side(h.team, h.bundle_title, h.state, list(h.files)))
            mine = [taken.get(f) or taken.get(_norm(f)) for f in h.files]
            mine = [f for f in mine if f]
            for f in mine:
                group_of.setdefault(f, g)
            if mine:
                b = catalog.bundles.get(h.bundle)
                carries[g] = set(b.tables) if b is not None else all_tables
        rest = sorted(set(taken.values()) - set(group_of))
        if rest:  # files taken that no entry names: one row of their own, so the rows add up
            g = len(rows)
            rows.append(Side("", files=rest))
            carries[g] = all_tables
            group_of.update(dict.fromkeys(rest, g))
        return rows, group_of, carries
    for s in result.sources:
        if s.status in (TAKEN, PARTLY):
            g = len(rows)
            rows.append(Side(Path(s.path).name, files=[s.path]))
            group_of[s.path] = g
            carries[g] = all_tables
    return rows, group_of, carries


def _norm(path) -> str:
    return os.path.normcase(os.path.abspath(str(path)))


def _columns(bundle, table) -> list[str]:
    """The columns of `table` the metrics of `bundle` read (taking only them keeps the split
    of a big month cheap): their column, where and by, and the key a count counts."""
    out = [*table.primary_key, *(c.name for c in table.columns if c.required), table.columns[0].name]
    for m in bundle.metrics:
        if m.table == table.name:
            out += [c for c in (m.column, m.by) if c]
            if m.where_ast is not None:
                out += expr.names(m.where_ast)
    return list(dict.fromkeys(out))


def _empty(parts: dict[int, pd.DataFrame], whole: pd.DataFrame) -> pd.DataFrame:
    """No rows, with the columns (and types) of the table's parts."""
    return next(iter(parts.values())).iloc[:0] if parts else whole.iloc[:0]


def _needed(bundle, metrics: list[MetricSpec]) -> set[str]:
    """The metrics `metrics` are computed from, themselves included."""
    by_name = {m.name: m for m in bundle.metrics}
    out: set[str] = set()
    todo = [m.name for m in metrics]
    while todo:
        n = todo.pop()
        if n in out or n not in by_name:
            continue
        out.add(n)
        if by_name[n].expr_ast is not None:
            todo.extend(expr.names(by_name[n].expr_ast))
    return out


def _linear(node: expr.Node, by_name: dict[str, MetricSpec]) -> bool:
    """The expression only adds and subtracts sums and counts."""
    if isinstance(node, expr.Name):
        other = by_name.get(node.name)
        if other is None:
            return False
        return _linear(other.expr_ast, by_name) if other.expr_ast is not None else other.agg in _ADDITIVE
    if isinstance(node, expr.Binary) and node.op in ("+", "-"):
        return _linear(node.left, by_name) and _linear(node.right, by_name)
    return isinstance(node, expr.Unary) and node.op == "-" and _linear(node.operand, by_name)


def _adds_up(m: MetricSpec, rows: list[Side], total: float | None, by_name: dict[str, MetricSpec]) -> bool:
    """A sum or a count adds up across sources, and so does a figure that only adds and
    subtracts them (净销售额); a distinct count does when no value is in two sources (the sum of
    the rows is the total); anything else (averages, rates) is recomputed."""
    if m.expr_ast is not None:
        return _linear(m.expr_ast, by_name)
    if m.agg not in (*_ADDITIVE, "distinct"):
        return False
    if m.agg in _ADDITIVE:
        return True
    parts = sum(r.values.get(m.name) or 0.0 for r in rows)
    return total is not None and math.isclose(parts, total, rel_tol=1e-9, abs_tol=1e-9)
