"""Generate blank, formatted department workbooks from the schema catalogue."""

from .workbook import GenerateResult, generate_workbook

__all__ = ["GenerateResult", "generate_workbook"]
