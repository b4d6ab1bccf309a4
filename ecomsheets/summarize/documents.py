"""The `summarize` and `consolidate` results as plain data: the `--format json` documents (and
what a web page serves). The dicts hold only str, int, float, bool, None, lists and dicts.

summarize:   {"file", "bundle", "metrics": [metric record, …]}
consolidate: {"bundle", "month", "output", "complete", "metrics", "sources": [{"file", "sha256",
             "rows_read", "rows_taken", "errors", "warnings", "status", "bundle"}, …], "left_out": {reason: rows},
             "findings": [{"file", **Finding.to_dict()}, …], "status": [handin record, …]}
status:      [handin record, …], a handin record being {"team", "bundle", "bundle_title", "state",
             "files", "errors", "warnings", "rows", "bundle_title_en", "reason", "reason_en"}
             (summarize.status.Handin)
A metric record is {"name","title","group","value","declared","cell"} (see records.py).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from ecomsheets.summarize.records import metric_records

if TYPE_CHECKING:
    from ecomsheets.summarize.consolidate import Consolidation, Source
    from ecomsheets.summarize.status import Handin
    from ecomsheets.validate.run import Inspection


def summary_document(file: str | Path, inspection: Inspection) -> dict:
    """One workbook's recomputed metrics, with what its own summary sheet declares beside each.
    `inspection` must have been read (its ctx set) with keep="metrics"."""
    return {
        "file": str(file),
        "bundle": inspection.ctx.bundle.name,
        "metrics": metric_records(inspection.metrics, inspection.data),
    }


def source_dict(source: Source) -> dict:
    return {
        "file": source.path,
        "sha256": source.sha256,
        "rows_read": source.rows_read,
        "rows_taken": source.rows_taken,
        "errors": source.errors,
        "warnings": source.warnings,
        "status": source.status,
        "bundle": source.bundle,
    }


def status_document(status: list[Handin]) -> list[dict]:
    """The month's status (`status --format json`): one record per roster entry or file."""
    return [asdict(h) for h in status]


def consolidation_document(result: Consolidation, output: str | Path) -> dict:
    """A month's consolidation (written to `output`): its metrics, every source file and what
    became of it, the files left out and why, and every finding with its file."""
    return {
        "bundle": result.bundle.name,
        "month": str(result.month) if result.month else None,
        "output": str(output),
        "complete": result.complete,
        "metrics": metric_records(result.metrics),
        "sources": [source_dict(s) for s in result.sources],
        "left_out": dict(result.left_out),
        "findings": [{"file": f.file, **f.to_dict()} for f in result.findings],
        "status": status_document(result.status),
    }
