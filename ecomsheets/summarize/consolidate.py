"""Merge many submitted workbooks of one bundle into one set of tables, with the lineage of
every row (source file, sheet, Excel row), then recompute the bundle's metrics.

By default only files without errors are taken; with include_invalid, the rows of invalid
files that carry no error are taken too. Rows outside the month are left out and counted.
A primary key found in several files is taken once when the rows are identical, and left
out everywhere (with a finding listing each place) when they differ.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ecomsheets.findings import ERROR, WARNING, Finding, finding
from ecomsheets.months import Month, parse_month
from ecomsheets.schema import Catalog, TableSpec, WorkbookSpec
from ecomsheets.validate.run import Inspection

from .metrics import MetricValue, evaluate_metrics

# Findings that do not make a file's rows unusable: typed summary figures are recomputed anyway,
# and rows outside the month are left out by month (and counted as such).
_NOT_FILE_ERRORS = ("summary_mismatch", "out_of_month")
SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW = "_source_file", "_source_sheet", "_source_row"
LINEAGE = (SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW)


@dataclass
class Source:
    path: str
    sha256: str | None
    rows_read: int
    rows_taken: int
    errors: int
    warnings: int
    status: str  # taken | partly | left_out | unreadable


@dataclass
class Consolidation:
    bundle: WorkbookSpec
    month: Month | None
    tables: dict[str, pd.DataFrame]  # merged typed rows (derived included) + lineage columns
    sources: list[Source]
    findings: list[Finding]
    metrics: list[MetricValue] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)  # reason -> rows


def consolidate(inspections: list[Inspection], catalog: Catalog, *, month: Month | str | None = None,
                include_invalid: bool = False) -> Consolidation:
    """Merge inspected workbooks (see validate.run.inspect_workbook)."""
    month = parse_month(month) if isinstance(month, str) else month
    readable = [i for i in inspections if i.ctx is not None]
    bundle = _bundle(readable, catalog)
    if month is None:
        months = Counter(i.ctx.month for i in readable if i.ctx.month is not None)
        month = months.most_common(1)[0][0] if months else None
    findings: list[Finding] = []
    sources: list[Source] = []
    parts: dict[str, list[pd.DataFrame]] = {}
    left_out: Counter = Counter()
    for insp in sorted(inspections, key=lambda i: i.report.file):
        rep = insp.report
        source = Source(rep.file, rep.sha256, rep.rows_checked, 0, rep.errors, rep.warnings, "taken")
        sources.append(source)
        if insp.ctx is None or (bundle is not None and insp.ctx.bundle.name != bundle.name):
            source.status = "unreadable"
            reason = next((f for f in rep.findings if f.severity == ERROR), None)
            findings.append(finding("left_out_unreadable", ERROR, file=rep.file,
                                    reason=reason.message if reason else "", reason_en=reason.message_en if reason else ""))
            continue
        # Dates outside the month are left out by month below, not counted as file errors.
        errors = sum(f.severity == ERROR and f.rule not in _NOT_FILE_ERRORS for f in rep.findings)
        if errors and not include_invalid:
            source.status = "left_out"
            left_out["file_errors"] += rep.rows_checked
            findings.append(finding("left_out_file", WARNING, file=rep.file, errors=errors))
            continue
        bad_rows = _error_rows(rep.findings)
        for name, td in insp.ctx.tables.items():
            frame = td.typed.assign(**td.derived)
            keep = ~frame.index.isin(list(bad_rows.get(name, ())))
            if (~keep).any():
                source.status = "partly"
                left_out["row_errors"] += int((~keep).sum())
                findings.append(finding("left_out_rows", WARNING, file=rep.file, sheet=td.sheet.sheet, table=name,
                                        n=int((~keep).sum()), **_titles(td.table)))
            frame = frame[keep]
            outside = _outside_month(frame, td.table, month)
            if outside.any():
                n = int(outside.sum())
                left_out["out_of_month"] += n
                findings.append(finding("left_out_month", WARNING, file=rep.file, sheet=td.sheet.sheet, table=name,
                                        n=n, month=str(month), **_titles(td.table)))
                frame = frame[~outside]
            frame = frame.assign(**{SOURCE_FILE: rep.file, SOURCE_SHEET: td.sheet.sheet,
                                    SOURCE_ROW: frame.index.to_numpy()})
            parts.setdefault(name, []).append(frame.reset_index(drop=True))
            source.rows_taken += len(frame)
    tables: dict[str, pd.DataFrame] = {}
    if bundle is not None:
        for name in bundle.tables:
            if name not in parts:
                continue
            merged = pd.concat(parts[name], ignore_index=True)
            merged, dropped, dupes = _resolve_keys(merged, catalog.tables[name], findings)
            left_out["conflicts"] += dropped
            left_out["duplicates"] += dupes
            tables[name] = merged
        # Rows taken per source, after conflicts were removed.
        taken = Counter()
        for frame in tables.values():
            taken.update(frame[SOURCE_FILE].value_counts().to_dict())
        for source in sources:
            source.rows_taken = int(taken.get(source.path, 0))
    result = Consolidation(bundle, month, tables, sources, findings, left_out=left_out)
    if bundle is not None:
        frames = {n: f.drop(columns=list(LINEAGE)) for n, f in tables.items()}
        result.metrics = evaluate_metrics(bundle, catalog.tables, frames, month)
    return result


def _titles(table: TableSpec) -> dict:
    return {"table_title": table.title, "table_title_en": table.display_title("en")}


def _bundle(readable: list[Inspection], catalog: Catalog) -> WorkbookSpec | None:
    names = Counter(i.ctx.bundle.name for i in readable)
    return catalog.workbooks[names.most_common(1)[0][0]] if names else None


def _error_rows(findings: list[Finding]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for f in findings:
        if f.severity == ERROR and f.table and f.row is not None and f.rule not in _NOT_FILE_ERRORS:
            out.setdefault(f.table, set()).add(f.row)
    return out


def _outside_month(frame: pd.DataFrame, table: TableSpec, month: Month | None) -> np.ndarray:
    mask = np.zeros(len(frame), dtype=bool)
    if month is None:
        return mask
    lo, hi = pd.Timestamp(month.start), pd.Timestamp(month.end) + pd.Timedelta(days=1)
    for col in table.columns:
        if col.in_month and col.name in frame:
            values = pd.to_datetime(frame[col.name], errors="coerce")
            mask |= (values.notna() & ((values < lo) | (values >= hi))).to_numpy()
    return mask


def _resolve_keys(frame: pd.DataFrame, table: TableSpec, findings: list) -> tuple[pd.DataFrame, int, int]:
    """Drop identical repeats of a key across files; drop every copy of a conflicting key."""
    key = list(table.primary_key)
    if not key or frame.empty:
        return frame, 0, 0
    repeated = frame.duplicated(subset=key, keep=False).to_numpy()
    if not repeated.any():
        return frame, 0, 0
    keys = frame.loc[repeated, key[0]].astype(str)
    for k in key[1:]:  # the repeated keys as one string each, the key's columns joined
        keys = keys + "\x1f" + frame.loc[repeated, k].astype(str)
    data_cols = [c for c in frame.columns if c not in LINEAGE]
    drop = np.zeros(len(frame), dtype=bool)
    duplicates = 0
    for value, idx in frame[repeated].groupby(keys, sort=True).groups.items():
        group = frame.loc[idx]
        if group[SOURCE_FILE].nunique() < 2:
            continue  # repeats inside one file were validation errors (taken only if asked)
        same = len(group[data_cols].astype(str).drop_duplicates()) == 1
        if same:
            drop[frame.index.get_indexer(idx[1:])] = True
            duplicates += len(idx) - 1
            continue
        drop[frame.index.get_indexer(idx)] = True
        places = "；".join(f"{Path(f).name} {s}!{r}" for f, s, r in
                          zip(group[SOURCE_FILE], group[SOURCE_SHEET], group[SOURCE_ROW]))
        findings.append(finding("conflict", ERROR, table=table.name, key=value.replace("\x1f", "+"),
                                places=places, **_titles(table)))
    if duplicates:
        findings.append(finding("duplicate_rows", WARNING, table=table.name, n=duplicates, **_titles(table)))
    return frame[~drop].reset_index(drop=True), int(drop.sum()) - duplicates, duplicates
