"""Validation of submitted workbooks."""

from .findings import Finding, Report
from .run import validate

__all__ = ["Finding", "Report", "validate"]
