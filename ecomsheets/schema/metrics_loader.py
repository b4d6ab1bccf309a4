"""Loading of a bundle's summary metrics and cross-sheet checks (part of the strict loader)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ecomsheets import messages
from ecomsheets.coltypes import TYPES

from . import expr
from .model import Catalog, CheckSpec, MetricSpec, TableSpec
from .strict import Strict
from .vocabulary import AGGREGATES, CHECK_KEYS, METRIC_KEYS, find_cycle
from .yamlsrc import Located


def load_metrics(b: Strict, doc: Located, catalog: Catalog) -> tuple[MetricSpec, ...]:
    metrics: list[MetricSpec] = []
    nodes: dict[str, Located] = {}
    params = dict(doc.get("parameters", {}))
    for node in doc.get("metrics", []):
        if not b.is_mapping(doc, "metrics", node) or not b.check_keys(node, METRIC_KEYS, ("name", "title")):
            continue
        b.check_name(node)
        if ("agg" in node) == ("expr" in node):
            b.problem(node, "name", "schema_metric_shape")
            continue
        fmt = node.get("format", "decimal")
        if fmt not in TYPES:
            b.problem(node, "format", "schema_unknown_type", value=fmt, known=", ".join(TYPES))
        declared = MetricSpec(**{k: node[k] for k in METRIC_KEYS if k in node})
        metric = _aggregate(b, node, declared, catalog, AGGREGATES, params) if "agg" in node else declared
        if metric is not None:
            metrics.append(metric)
            nodes[metric.name] = node
    b.duplicates(doc, "metrics", [m.name for m in metrics], *messages.both("what_metric"))

    by_name = {m.name: m for m in metrics}
    kinds = {m.name: expr.NUMBER for m in metrics}
    out, deps = [], {}
    for metric in metrics:
        if metric.expr is None:
            out.append(metric)
            continue
        node = nodes[metric.name]
        try:
            ast = expr.parse(metric.expr)
            if expr.infer(ast, kinds) != expr.NUMBER:
                raise expr.ExprError("expr_type", 0, op=metric.name, want=expr.NUMBER, got=expr.BOOL)
        except expr.ExprError as exc:
            b.expr_problem(node, "expr", metric.expr, exc)
            continue
        used = expr.names(ast)
        deps[metric.name] = used
        groups = {by_name[n].by for n in used if by_name[n].by or by_name[n].expr}
        # A formula of grouped metrics is grouped the same way (one value per group).
        group_keys = {(by_name[n].table, by_name[n].by, by_name[n].period) for n in used if by_name[n].by}
        if len(group_keys) > 1:
            b.problem(node, "expr", "schema_by_type", value=", ".join(sorted(str(g) for g in groups)))
            continue
        if group_keys:
            table, by, period = next(iter(group_keys))
            metric = replace(metric, table=table, by=by, period=period)
        out.append(replace(metric, expr_ast=ast))
    cycle = find_cycle(deps)
    if cycle:
        b.problem(nodes[cycle[0]], "expr", "schema_formula_cycle", cycle=" → ".join(cycle))
    return tuple(out)


def _aggregate(
    b: Strict, node: Located, metric: MetricSpec, catalog: Catalog, aggregates: tuple[str, ...], params: dict[str, Any]
) -> MetricSpec | None:
    if metric.agg not in aggregates:
        b.problem(node, "agg", "schema_metric_agg", value=metric.agg, known=", ".join(aggregates))
        return None
    if metric.table is None:
        b.problem(node, "table", "schema_metric_needs", agg=metric.agg, key="table")
        return None
    table = catalog.tables.get(metric.table)
    if table is None:
        b.problem(node, "table", "schema_unknown_table", value=metric.table)
        return None
    if metric.column is None and metric.agg != "count":
        b.problem(node, "column", "schema_metric_needs", agg=metric.agg, key="column")
        return None
    if metric.column is not None and metric.column not in table.by_name:
        b.problem(node, "column", "schema_ref_column", table=table.name, column=metric.column)
        return None
    if metric.by is not None:
        col = table.by_name.get(metric.by)
        if col is None:
            b.problem(node, "by", "schema_ref_column", table=table.name, column=metric.by)
            return None
        is_key = col.unique or table.primary_key == (col.name,)
        groupable = col.coltype.from_list or col.coltype.dated  # a few values, or days and weeks
        if not groupable and not col.references and not is_key:
            b.problem(node, "by", "schema_by_type", value=metric.by)
            return None
        is_date = col.coltype.dated
        if (metric.period is not None or is_date) and (not is_date or metric.period not in ("day", "week")):
            b.problem(node, "period", "schema_period")
            return None
    ast = where_ast(b, node, metric.where, table, params)
    if metric.where is not None and ast is None:
        return None
    return replace(metric, where_ast=ast)


def where_ast(
    b: Strict, node: Located, source: str | None, table: TableSpec, params: dict[str, Any]
) -> expr.Node | None:
    """Parse a `where` filter: comparisons of a column with a constant or a bundle parameter,
    joined by AND (the shape COUNTIFS/SUMIFS criteria can express)."""
    if source is None:
        return None
    kinds = {name: expr.TEXT if isinstance(v, str) else expr.NUMBER for name, v in params.items()}
    kinds.update({c.name: c.coltype.kind for c in table.columns})
    try:
        ast = expr.parse(source)
        expr.infer(ast, kinds)
    except expr.ExprError as exc:
        b.expr_problem(node, "where", source, exc)
        return None
    columns = set(table.by_name)
    if not all(_simple_term(t, columns, params) for t in where_terms(ast)):
        b.problem(node, "where", "schema_where", source=source)
        return None
    return ast


def where_terms(ast: expr.Node) -> list[expr.Node]:
    if isinstance(ast, expr.Call) and ast.fn == "AND":
        return [t for arg in ast.args for t in where_terms(arg)]
    return [ast]


def _simple_term(term: expr.Node, columns: set[str], params: dict[str, Any]) -> bool:
    if not (isinstance(term, expr.Binary) and term.op in ("=", "<>", "<", "<=", ">", ">=")):
        return False
    constant = isinstance(term.right, (expr.Num, expr.Str)) or (
        isinstance(term.right, expr.Name) and term.right.name in params
    )
    return isinstance(term.left, expr.Name) and term.left.name in columns and constant


def load_checks(b: Strict, doc: Located, catalog: Catalog) -> tuple[CheckSpec, ...]:
    out = []
    for node in doc.get("checks", []):
        if not b.is_mapping(doc, "checks", node):
            continue
        if not b.check_keys(node, CHECK_KEYS, ("name", "table", "column", "agg", "source_table", "match")):
            continue
        table, source = catalog.tables.get(node["table"]), catalog.tables.get(node["source_table"])
        if table is None or source is None:
            b.problem(
                node,
                "table" if table is None else "source_table",
                "schema_unknown_table",
                value=node["table"] if table is None else node["source_table"],
            )
            continue
        if node["agg"] not in AGGREGATES:
            b.problem(node, "agg", "schema_metric_agg", value=node["agg"], known=", ".join(AGGREGATES))
            continue
        bad = [
            (t, c)
            for t, c in [(table, node["column"]), (source, node.get("source_column"))]
            + [(table, k) for k in node["match"]]
            + [(source, v) for v in node["match"].values()]
            if c is not None and c not in t.by_name
        ]
        for t, c in bad:
            b.problem(node, "match", "schema_ref_column", table=t.name, column=c)
        if bad:
            continue
        ast = where_ast(b, node, node.get("where"), source, dict(doc.get("parameters", {})))
        out.append(
            CheckSpec(
                name=node["name"],
                table=table.name,
                column=node["column"],
                agg=node["agg"],
                source_table=source.name,
                source_column=node.get("source_column"),
                match=tuple(node["match"].items()),
                where=node.get("where"),
                message=node.get("message", ""),
                message_en=node.get("message_en", ""),
                where_ast=ast,
            )
        )
    return tuple(out)
