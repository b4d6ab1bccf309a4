"""Check one workbook as read: type every table, run the table, row, derived, month,
reference, reconciliation and summary checks, and keep what the caller asked for."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ecomsheets import messages
from ecomsheets.coltypes import get_type
from ecomsheets.compute.metrics import evaluate_metrics
from ecomsheets.findings import WARNING, Report, finding
from ecomsheets.months import Month, parse_month
from ecomsheets.read.workbook import WorkbookData
from ecomsheets.rules import Rule
from ecomsheets.schema import Catalog

from .context import Context
from .cross import check_reconciliations, check_references, check_totals
from .imported import mark_imported
from .inspection import Inspection
from .rules import (
    check_derived,
    check_month,
    check_row_rules,
    check_wrong_month,
    recompute,
)
from .summary_check import check_summary, metric_frames
from .table_schema import check_table, warm_up
from .typed import type_table
from .versions import version_findings

__all__ = ["check_workbook", "warm_up"]


def check_workbook(
    path: Path, data: WorkbookData, catalog: Catalog, month: Month | None, keep: str, masters: dict | None = None
) -> Inspection:
    """Every check of a read workbook; keep="report" | "tables" | "metrics" (see inspect_workbook).
    `masters`: master lists named at validation time (table -> MasterKeys)."""
    report = Report(file=str(path))
    report.add_listing(data.findings)
    if data.ours:  # our own summary left in the folder: said, and skipped
        report.skipped = True
        return Inspection(report)
    report.unreadable = data.unreadable or data.bundle is None  # no bundle: nothing recognisable
    if data.bundle is None or data.unreadable:
        return Inspection(report)
    if not data.sheets:  # nothing recognisable: an unrelated or empty workbook, garbled headers
        # One refusal that says what was expected and what was found, instead of a line per sheet.
        noise = (
            Rule.SHEET_UNKNOWN,
            Rule.SHEET_MISSING,
            Rule.HEADER_NOT_FOUND,
            Rule.COLUMN_MISSING,
            Rule.COLUMN_UNKNOWN,
        )
        report.findings, report.truncated = [_nothing_recognised(path, data, catalog)], {}
        report.add_listing(f for f in data.findings if f.rule not in noise)
        report.unreadable = True
        return Inspection(report)
    report.bundle = data.bundle.name
    report.schema_version = data.bundle.version
    report.bundle_title = (data.bundle.title, data.bundle.title_en or data.bundle.title)
    meta_month = _meta_month(data.meta)
    report.meta_month = str(meta_month) if meta_month else None
    own = (data.meta or {}).get("bundle")
    report.meta_bundle = own if isinstance(own, str) and own in catalog.bundles else None
    shop = (data.meta or {}).get("shop")  # untrusted: a short line of text, or nothing
    report.shop = " ".join(shop.split())[:40] or None if isinstance(shop, str) else None
    month = month or meta_month
    ctx = Context(str(path), catalog, data.bundle, month, file_parameters(data))
    ctx.masters, ctx.copies = dict(masters or {}), dict(data.masters)
    ctx.checked_by_master = set(ctx.masters) | set(ctx.copies)
    imports = (data.meta or {}).get("imports")
    ctx.imports = imports if isinstance(imports, list) else []
    report.findings.extend(version_findings(str(path), data, catalog))
    if month is None and any(c.in_month for name in data.sheets for c in catalog.tables[name].columns):
        report.findings.append(finding(Rule.MONTH_UNKNOWN, WARNING, file=str(path)))
    for name, sheet in data.sheets.items():
        ctx.tables[name] = type_table(ctx, sheet)
        mark_imported(ctx, ctx.tables[name])
    check_wrong_month(ctx)
    for td in ctx.tables.values():
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Derived columns are recomputed (numpy, GIL released) while pandera checks the
            # typed ones. recompute writes only td.derived, and reads its own shallow copy of
            # the typed frame (pandas does not promise that two threads may read one frame).
            shadow = replace(td, typed=td.typed.copy(deep=False))
            done = pool.submit(recompute, shadow, ctx.params)
            check_table(ctx, td)
            done.result()
            td.derived = shadow.derived
        check_row_rules(ctx, td)
        check_derived(ctx, td)
        check_month(ctx, td)
        check_references(ctx, td)
    check_reconciliations(ctx)
    figures = None
    if ctx.bundle.totals_checks:  # computed once, for these checks and the summary's
        figures = evaluate_metrics(ctx.bundle, catalog.tables, metric_frames(ctx), ctx.month, params=ctx.params)
        check_totals(ctx, {v.name: v.value for v in figures if v.group is None})
    metrics = check_summary(ctx, data, need_values=keep == "metrics", values=figures)
    report.rows_checked = sum(len(td.typed) for td in ctx.tables.values())
    report.sheets_checked = len(ctx.tables)
    if report.rows_checked == 0:  # a blank template handed back untouched
        sheets, sheets_en = messages.join(td.sheet.sheet for td in ctx.tables.values())
        ctx.findings.append(finding(Rule.NO_DATA, file=str(path), sheets=sheets, sheets_en=sheets_en))
    report.findings.extend(ctx.findings)
    for key, n in ctx.truncated.items():
        report.truncated[key] = report.truncated.get(key, 0) + n
    report.error_rows = {name: set(rows) for name, rows in ctx.error_rows.items()}
    if keep == "report":
        return Inspection(report)
    return _slim(Inspection(report, ctx, data, metrics))


def _meta_month(meta: dict | None) -> Month | None:
    """The month the file's metadata names (None when absent or not a month: metadata is
    untrusted input)."""
    from ecomsheets.errors import EcomsheetsError

    value = (meta or {}).get("month")
    if not isinstance(value, str):
        return None
    try:
        return parse_month(value)
    except EcomsheetsError:
        return None


def file_parameters(data: WorkbookData) -> dict:
    """The department's settings as the file's summary sheet holds them (the manager may have
    changed a value, or filled in one the template left blank); the bundle's value where the
    cell is missing or holds something that is not a setting."""
    import re

    assert data.bundle is not None
    params = dict(data.bundle.parameters)
    summary = (data.meta or {}).get("summary") or {}
    cells = summary.get("params") if isinstance(summary, dict) else None
    if not isinstance(cells, dict):
        return params
    for spec in data.bundle.parameter_specs:
        cell = cells.get(spec.name)
        if not isinstance(cell, str):
            continue
        text = data.summary_cells.get(cell.replace("$", ""))
        if text is None:
            if spec.value is None:
                params[spec.name] = None
            continue
        text = str(text).strip()
        clock = re.fullmatch(r"(?:1899-12-3[01] )?(\d{1,2}):(\d{2})(?::00)?", text)
        is_clock = get_type(spec.type).clock if spec.type else isinstance(spec.value, str) and ":" in spec.value
        if clock and is_clock:
            params[spec.name] = f"{int(clock[1]):02d}:{clock[2]}"
            continue
        try:
            number = float(text)
        except ValueError:
            continue
        if number == number and not isinstance(spec.value, (str, bool)):
            params[spec.name] = int(number) if number.is_integer() else number
    return params


def _nothing_recognised(path: Path, data: WorkbookData, catalog: Catalog):
    """The refusal of a workbook in which no table was recognised: what was expected, what was found."""
    expected = [catalog.tables[t].sheet for t in data.bundle.tables]
    found = [f.sheet for f in data.findings if f.rule in (Rule.SHEET_UNKNOWN, Rule.HEADER_NOT_FOUND) and f.sheet]
    more = "…" if len(found) > 12 else ""
    found_zh, found_en = (s + more for s in messages.join(found[:12])) if found else messages.both("no_sheet")
    own = (data.meta or {}).get("bundle")
    if not found and own in catalog.bundles and own != data.bundle.name:  # another team's template
        spec = catalog.bundles[own]
        sheets = [catalog.tables[t] for t in spec.tables[:6]]
        found_zh, found_en = (
            messages.text(
                "found_bundle",
                lang,
                bundle=spec.label(lang),
                sheets=messages.join(t.sheet_name(lang) for t in sheets)[lang == "en"],
            )
            for lang in ("zh", "en")
        )
    etc = "…" if len(expected) > 12 else ""
    expected_zh, _ = messages.join(expected[:12])
    _, expected_en = messages.join(catalog.tables[t].sheet_name("en") for t in data.bundle.tables[:12])
    expected_zh, expected_en = expected_zh + etc, expected_en + etc
    return finding(
        Rule.NO_TABLES, file=str(path), expected=expected_zh, expected_en=expected_en, found=found_zh, found_en=found_en
    )


def _slim(insp: Inspection) -> Inspection:
    """Drop what later steps do not use (cell texts, formulas, the catalogue) before the
    result crosses the process boundary."""
    ctx = insp.ctx
    for td in ctx.tables.values():
        td.sheet = replace(td.sheet, raw=pd.DataFrame(index=td.sheet.raw.index[:0]), formulas={})
        td.invalid = {}
    ctx.catalog = None
    ctx.findings = []
    ctx.masters, ctx.copies = {}, {}  # the caller has them, or has no use for them
    insp.data = replace(insp.data, sheets={}, findings=[])
    return insp
