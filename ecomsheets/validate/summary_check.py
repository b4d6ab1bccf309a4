"""Figures typed into the summary sheet (instead of its formulas) must equal what the rows
give; formula cells are recomputed, never trusted."""

from __future__ import annotations

import re

from ecomsheets.findings import finding
from ecomsheets.read import normalize as nz
from ecomsheets.read.workbook import WorkbookData
from ecomsheets.summarize import evaluate_metrics

from .context import Context, shown_number

_RANGE = re.compile(r"^([A-Z]+)(\d+):([A-Z]+)(\d+)$")


def metric_frames(ctx: Context) -> dict:
    return {name: td.typed.assign(**td.derived) for name, td in ctx.tables.items()}


def declared_cells(data: WorkbookData) -> list[tuple[str, object, str]]:
    """(metric name, group key or None, cell) for every figure the metadata places."""
    summary = (data.meta or {}).get("summary") or {}
    out = []
    for name, place in summary.get("metrics", {}).items():
        if "cell" in place:
            out.append((name, None, place["cell"].split("!")[-1]))
            continue
        keys, values = _RANGE.match(place["keys"]), _RANGE.match(place["values"])
        if not keys or not values:
            continue
        for r in range(int(keys[2]), int(keys[4]) + 1):
            key = data.summary_cells.get(f"{keys[1]}{r}")
            if key is None:
                continue
            key = key[:10] if place.get("grid") == "day" else key
            out.append((name, key, f"{values[1]}{r}"))
    return out


def check_summary(ctx: Context, data: WorkbookData, *, need_values: bool = True) -> list:
    """Compare typed summary figures with recomputed ones; returns the metric values (computed
    only when asked for, or when the summary sheet holds typed figures to compare)."""
    typed = [(name, group, cell) for name, group, cell in declared_cells(data)
             if data.summary_cells.get(cell) is not None and cell not in data.summary_formulas]
    if not need_values and not typed:
        return []  # formulas only: nothing to compare, and nobody asked for the figures
    values = evaluate_metrics(ctx.bundle, ctx.catalog.tables, metric_frames(ctx), ctx.month)
    if not data.summary_sheet:
        return values
    lookup = {(v.name, v.group): v for v in values}
    for name, group, cell in typed:
        text = data.summary_cells.get(cell)
        metric = lookup.get((name, group))
        if metric is None:
            continue
        try:
            declared, _ = nz.number(text, percent=True)
        except nz.Invalid:
            declared = None
        want = metric.value
        if want is None and declared is None:
            continue
        if want is not None and declared is not None and abs(declared - want) <= max(0.005, 1e-9 * abs(want)):
            continue
        ctx.findings.append(finding(
            "summary_mismatch", file=ctx.file, sheet=data.summary_sheet, cell=cell, row=int(re.sub(r"\D", "", cell)),
            column=name, header=metric.title + (f"（{group}）" if group else ""), value=text,
            expected=None if want is None else round(want, 6), shown="（空）" if want is None else shown_number(want)))
    return values
