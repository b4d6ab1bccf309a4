"""Validation of submitted workbooks."""

from ecomsheets.findings import Finding, Report

from .run import validate

__all__ = ["Finding", "Report", "validate"]
