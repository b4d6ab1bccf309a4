"""What one file's inspection yields: shared by the child that reads it and the callers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ecomsheets.findings import Report

if TYPE_CHECKING:  # the reader's types: loaded only where a file is parsed
    from ecomsheets.read.workbook import WorkbookData

    from .context import Context


@dataclass
class Inspection:
    """Everything learnt from one file: the report, the typed tables, what was read."""

    report: Report
    ctx: Context | None = None
    data: WorkbookData | None = None
    metrics: list = field(default_factory=list)
    # Read on a Dask worker (summarize.dask_engine): its tables as kept there, in place of
    # ctx.tables' rows, and how many of its dated cells fall in each month.
    remote: list | None = None
    dated: Counter = field(default_factory=Counter)
