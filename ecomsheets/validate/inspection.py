"""What one file's inspection yields: shared by the child that reads it and the callers."""

from __future__ import annotations

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
