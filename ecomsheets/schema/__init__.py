"""The schema model: column types, tables, bundles, expressions, and the strict YAML loader."""

from .loader import load_catalog
from .model import (
    BundleSpec,
    Catalog,
    CheckSpec,
    ColumnSpec,
    MasterSpec,
    MetricSpec,
    ParameterSpec,
    ReferenceList,
    RosterEntry,
    RuleSpec,
    TableSpec,
    TotalsCheckSpec,
)

__all__ = [
    "Catalog",
    "CheckSpec",
    "ColumnSpec",
    "MasterSpec",
    "MetricSpec",
    "ParameterSpec",
    "ReferenceList",
    "RosterEntry",
    "RuleSpec",
    "TableSpec",
    "TotalsCheckSpec",
    "BundleSpec",
    "load_catalog",
]
