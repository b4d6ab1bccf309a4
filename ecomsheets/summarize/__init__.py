"""Recompute summary metrics from raw rows (and, later, consolidate many workbooks)."""

from ecomsheets.compute.metrics import MetricValue, evaluate_metrics

__all__ = ["MetricValue", "evaluate_metrics"]
