"""Validate one submitted workbook: guard, read, type, check, report."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from ecomsheets.months import Month, parse_month
from ecomsheets.read.guard import Limits, check_file
from ecomsheets.read.workbook import WorkbookData, read_workbook
from ecomsheets.schema import Catalog, load_catalog

from .context import Context
from .cross import check_reconciliations, check_references
from .findings import Report
from .rules import check_derived, check_month, check_row_rules, recompute
from .summary_check import check_summary
from .table_schema import check_table
from .typed import type_table


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Inspection:
    """Everything learnt from one file: the report, the typed tables, what was read."""

    report: Report
    ctx: Context | None = None
    data: WorkbookData | None = None
    metrics: list = field(default_factory=list)


def validate(path, *, catalog: Catalog | None = None, bundle: str | None = None,
             month: Month | str | None = None, limits: Limits = Limits()) -> Report:
    """Check a workbook against its schemas; every problem is a Finding in the Report."""
    return inspect_workbook(path, catalog=catalog, bundle=bundle, month=month, limits=limits).report


def inspect_workbook(path, *, catalog: Catalog | None = None, bundle: str | None = None,
                     month: Month | str | None = None, limits: Limits = Limits()) -> Inspection:
    """Validate a workbook and keep its typed rows and recomputed metrics for later steps."""
    started = time.perf_counter()
    path = Path(path)
    catalog = catalog or load_catalog()
    report = Report(file=str(path))
    refused = check_file(path, limits)
    if refused is not None:
        report.findings.append(refused)
        report.unreadable = True
        return Inspection(report)
    report.size = path.stat().st_size
    report.sha256 = sha256(path)
    data = read_workbook(path, catalog, bundle)
    report.findings.extend(data.findings)
    report.unreadable = data.unreadable
    if data.bundle is None or data.unreadable:
        return Inspection(report, data=data)
    report.bundle = data.bundle.name
    report.schema_version = data.bundle.version
    if isinstance(month, str):
        month = parse_month(month)
    if month is None and data.meta and data.meta.get("month"):
        month = parse_month(data.meta["month"])
    ctx = Context(str(path), catalog, data.bundle, month, dict(data.bundle.parameters))
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
    metrics = check_summary(ctx, data)
    report.findings.extend(ctx.findings)
    report.truncated = dict(ctx.truncated)
    report.rows_checked = sum(len(td.typed) for td in ctx.tables.values())
    report.sheets_checked = len(ctx.tables)
    report.seconds = time.perf_counter() - started
    return Inspection(report, ctx, data, metrics)
