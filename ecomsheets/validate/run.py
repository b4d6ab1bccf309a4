"""Validate one submitted workbook: guard, read, type, check, report.

The guard runs here; everything that parses the file runs in a child process (see
`ecomsheets.read.isolate`), which sends back only what the caller keeps: the report for
`validate`, the typed rows and metrics for `summarize` and `consolidate`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import pandas as pd

from ecomsheets.fileinfo import sha256
from ecomsheets.findings import WARNING, Report, finding
from ecomsheets.months import Month, parse_month
from ecomsheets.read.guard import Limits, check_file
from ecomsheets.read.isolate import Failed, ProcessLimits, run_many
from ecomsheets.read.workbook import WorkbookData, read_workbook
from ecomsheets.schema import Catalog, load_catalog

from .context import Context
from .cross import check_reconciliations, check_references
from .rules import check_derived, check_month, check_row_rules, recompute
from .summary_check import check_summary
from .table_schema import check_table
from .typed import type_table


@dataclass
class Inspection:
    """Everything learnt from one file: the report, the typed tables, what was read."""

    report: Report
    ctx: Context | None = None
    data: WorkbookData | None = None
    metrics: list = field(default_factory=list)


def validate(path, *, catalog: Catalog | None = None, bundle: str | None = None,
             month: Month | str | None = None, limits: Limits = Limits(),
             process: ProcessLimits = ProcessLimits(), isolate: bool = True) -> Report:
    """Check a workbook against its schemas; every problem is a Finding in the Report."""
    return inspect_workbook(path, catalog=catalog, bundle=bundle, month=month, limits=limits,
                            process=process, isolate=isolate, keep="report").report


def inspect_workbook(path, *, catalog: Catalog | None = None, bundle: str | None = None,
                     month: Month | str | None = None, limits: Limits = Limits(),
                     process: ProcessLimits = ProcessLimits(), isolate: bool = True,
                     keep: str = "metrics") -> Inspection:
    """Validate a workbook and keep its typed rows (keep="tables") and its recomputed metrics
    (keep="metrics", the default); keep="report" keeps only the report."""
    (insp,) = inspect_many([path], catalog=catalog, bundle=bundle, month=month, limits=limits,
                           process=process, isolate=isolate, keep=keep)
    return insp


def inspect_many(paths, *, catalog: Catalog | None = None, bundle: str | None = None,
                 month: Month | str | None = None, limits: Limits = Limits(),
                 process: ProcessLimits = ProcessLimits(), isolate: bool = True, keep: str = "metrics",
                 progress: Callable[[int], None] | None = None) -> list[Inspection]:
    """Inspect several files, reading `process.workers` of them at once; results in input order.

    The guard runs here; the parsing of each file that passes it runs in its own child process.
    """
    catalog = catalog or load_catalog()
    month = parse_month(month) if isinstance(month, str) else month
    out: dict[int, Inspection] = {}
    started: dict[int, float] = {}
    calls = []
    for i, path in enumerate(map(Path, paths)):
        started[i] = time.perf_counter()
        report = Report(file=str(path))
        refused = check_file(path, limits)
        if refused is not None:
            report.findings.append(refused)
            report.unreadable = True
            if path.is_file() and path.stat().st_size <= limits.max_file_bytes:
                report.size, report.sha256 = path.stat().st_size, sha256(path)
            out[i] = Inspection(report)
            if progress:
                progress(1)
            continue
        report.size, report.sha256 = path.stat().st_size, sha256(path)
        out[i] = Inspection(report)
        calls.append((i, str(path), _inspect, (path, catalog, bundle, month, keep), {}))
    if isolate and len(calls) > 1:
        _preload()  # shared by every child; a single child imports while it parses (see _inspect)
    results = run_many(calls, process) if isolate else ((c[0], c[2](*c[3])) for c in calls)
    for i, result in results:
        base = out[i].report
        if isinstance(result, Failed):
            base.findings.append(result.finding)
            base.unreadable = True
        else:
            result.report.size, result.report.sha256 = base.size, base.sha256
            if result.ctx is not None:
                result.ctx.catalog = catalog
            out[i] = result
        out[i].report.seconds = time.perf_counter() - started[i]
        if progress:
            progress(1)
    return [out[i] for i in range(len(out))]


def _preload() -> None:
    """Import the heavy libraries once, before forking, so that each child inherits them
    instead of importing them again (pandera alone takes ~0.5 s)."""
    import fastexcel  # noqa: F401
    import pandera.pandas  # noqa: F401
    import pyarrow.compute  # noqa: F401


def _preload_in_background() -> None:
    """The parser releases the GIL, so the checks' libraries can load while sheets are parsed.
    Called after the reader has forked its scan process: never fork while this thread runs."""
    import threading

    threading.Thread(target=_preload, daemon=True).start()


def _inspect(path: Path, catalog: Catalog, bundle: str | None, month: Month | None, keep: str) -> Inspection:
    report = Report(file=str(path))
    data = read_workbook(path, catalog, bundle, while_parsing=_preload_in_background)
    report.findings.extend(data.findings)
    report.unreadable = data.unreadable
    if data.bundle is None or data.unreadable:
        return Inspection(report)
    report.bundle = data.bundle.name
    report.schema_version = data.bundle.version
    if month is None and data.meta and data.meta.get("month"):
        month = parse_month(data.meta["month"])
    ctx = Context(str(path), catalog, data.bundle, month, dict(data.bundle.parameters))
    if month is None and any(c.in_month for name in data.sheets for c in catalog.tables[name].columns):
        report.findings.append(finding("month_unknown", WARNING, file=str(path)))
    for name, sheet in data.sheets.items():
        ctx.tables[name] = type_table(ctx, sheet)
    for td in ctx.tables.values():
        recompute(td)
        check_table(ctx, td)
        check_row_rules(ctx, td)
        check_derived(ctx, td)
        check_month(ctx, td)
        check_references(ctx, td)
    check_reconciliations(ctx)
    metrics = check_summary(ctx, data, need_values=keep == "metrics")
    report.findings.extend(ctx.findings)
    report.truncated = dict(ctx.truncated)
    report.rows_checked = sum(len(td.typed) for td in ctx.tables.values())
    report.sheets_checked = len(ctx.tables)
    if keep == "report":
        return Inspection(report)
    return _slim(Inspection(report, ctx, data, metrics))


def _slim(insp: Inspection) -> Inspection:
    """Drop what later steps do not use (cell texts, formulas, the catalogue) before the
    result crosses the process boundary."""
    ctx = insp.ctx
    for td in ctx.tables.values():
        td.sheet = replace(td.sheet, raw=pd.DataFrame(index=td.sheet.raw.index[:0]), formulas={})
        td.invalid = {}
    ctx.catalog = None
    ctx.findings = []
    insp.data = replace(insp.data, sheets={}, findings=[])
    return insp
