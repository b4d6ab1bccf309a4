"""Workbooks made from an earlier version of a table's schema (issue 15: being built)."""

from __future__ import annotations

from ecomsheets.findings import Finding
from ecomsheets.read.workbook import WorkbookData
from ecomsheets.schema import Catalog


def version_findings(path: str, data: WorkbookData, catalog: Catalog) -> list[Finding]:
    """What the file's tables were made from, when it is not the current version."""
    return []
