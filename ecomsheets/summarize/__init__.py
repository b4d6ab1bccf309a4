"""Consolidate a month of validated workbooks into one summary workbook, with lineage."""

from ecomsheets.compute.metrics import MetricValue, evaluate_metrics

__all__ = ["MetricValue", "evaluate_metrics"]
