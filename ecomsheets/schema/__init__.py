"""The schema model: column types, tables, bundles, expressions, and the strict YAML loader."""

from .loader import load_catalog
from .model import (
    Catalog,
    CheckSpec,
    ColumnSpec,
    MetricSpec,
    ParameterSpec,
    ReferenceList,
    RuleSpec,
    TableSpec,
    WorkbookSpec,
)

__all__ = [
    "Catalog",
    "CheckSpec",
    "ColumnSpec",
    "MetricSpec",
    "ParameterSpec",
    "ReferenceList",
    "RuleSpec",
    "TableSpec",
    "WorkbookSpec",
    "load_catalog",
]
