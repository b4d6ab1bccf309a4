"""Schema objects as plain data: the `schemas show --format json` and `schemas list --format json`
contracts."""

from __future__ import annotations

from typing import Any

from .model import BundleSpec, Catalog, ColumnSpec, TableSpec


def column_dict(col: ColumnSpec) -> dict[str, Any]:
    return {
        "name": col.name,
        "title": col.title,
        "title_en": col.title_en or None,
        "type": col.type,
        "required": col.required,
        "unique": col.unique,
        "min": col.min,
        "max": col.max,
        "values": list(col.values) if col.values is not None else None,
        "pattern": col.pattern,
        "references": col.references,
        "formula": col.formula,
        "aliases": list(col.aliases),
    }


def table_dict(table: TableSpec) -> dict[str, Any]:
    """{"name","title","title_en","sheet","header_row","first_data_row","version",
    "primary_key","columns"} with null where a property is not set."""
    return {
        "name": table.name,
        "title": table.title,
        "title_en": table.title_en or None,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "first_data_row": table.first_data_row,
        "version": table.version,
        "primary_key": list(table.primary_key),
        "columns": [column_dict(c) for c in table.columns],
    }


def bundle_dict(bundle: BundleSpec) -> dict[str, Any]:
    return {
        "name": bundle.name,
        "title": bundle.title,
        "title_en": bundle.title_en or None,
        "version": bundle.version,
        "tables": list(bundle.tables),
        "family": bundle.family or None,
        "masters": {m.table: list(m.columns) for m in bundle.masters},
        "roster": [{"name": e.name, "bundle": e.bundle} for e in bundle.roster],
        "headline": list(bundle.headline),
        "parameters": dict(bundle.parameters),
        "summary_sheet": bundle.summary_sheet,
        "metrics": [
            {
                "name": m.name,
                "title": m.title,
                "title_en": m.title_en or None,
                "agg": m.agg,
                "table": m.table,
                "column": m.column,
                "where": m.where,
                "by": m.by,
                "period": m.period,
                "expr": m.expr,
                "format": m.format,
            }
            for m in bundle.metrics
        ],
        "checks": [
            {
                "name": c.name,
                "table": c.table,
                "column": c.column,
                "agg": c.agg,
                "source_table": c.source_table,
                "source_column": c.source_column,
                "match": dict(c.match),
                "where": c.where,
            }
            for c in bundle.checks
        ],
    }


def catalog_dict(catalog: Catalog) -> dict[str, Any]:
    """{"tables":[{"name","title","title_en","sheet","version"}],
    "bundles":[{"name","title","title_en","tables","version"}]}, each sorted by name."""
    return {
        "tables": [
            {"name": t.name, "title": t.title, "title_en": t.title_en or None, "sheet": t.sheet, "version": t.version}
            for t in sorted(catalog.tables.values(), key=lambda t: t.name)
        ],
        "bundles": [
            {
                "name": b.name,
                "title": b.title,
                "title_en": b.title_en or None,
                "tables": list(b.tables),
                "version": b.version,
            }
            for b in sorted(catalog.bundles.values(), key=lambda b: b.name)
        ],
    }
