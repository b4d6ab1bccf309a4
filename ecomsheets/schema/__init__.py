"""The schema model: column types, tables, bundles, expressions, and the strict YAML loader."""

from .loader import Catalog, ReferenceList, load_catalog
from .model import (
           CheckSpec,
           ColumnSpec,
           MetricSpec,
           ParameterSpec,
           RuleSpec,
           TableSpec,
           WorkbookSpec,
)

__all__ = ["Catalog", "CheckSpec", "ColumnSpec", "MetricSpec", "ParameterSpec", "ReferenceList", "RuleSpec",
           "TableSpec", "WorkbookSpec", "load_catalog"]
