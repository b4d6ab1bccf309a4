"""Loading of a bundle's summary metrics and cross-sheet checks (part of the strict loader)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ecomsheets import messages
from ecomsheets.coltypes import TYPES

from . import expr
from .model import Catalog, CheckSpec, MetricSpec, TableSpec, TotalsCheckSpec
from .strict import Strict, want
from .vocabulary import AGGREGATES, CHECK_KEYS, CHECK_OPS, METRIC_CHECK_KEYS, METRIC_KEYS, find_cycle
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


def load_checks(
    b: Strict, doc: Located, catalog: Catalog, metrics: tuple[MetricSpec, ...]
) -> tuple[tuple[CheckSpec, ...], tuple[TotalsCheckSpec, ...]]:
    """The bundle's cross-sheet checks: (row checks, totals checks). A node naming a `metric`
    compares two figures; the others compare each row with an aggregate of another sheet."""
    rows, totals = [], []
    for node in doc.get("checks", []):
        if not b.is_mapping(doc, "checks", node):
            continue
        if "metric" in node:
            check = _totals_check(b, node, doc, metrics)
            if check:
                totals.append(check)
        else:
            row_check = _row_check(b, node, doc, catalog)
            if row_check:
                rows.append(row_check)
    b.duplicates(doc, "checks", [c.name for c in rows + totals], *messages.both("what_check"))
    return tuple(rows), tuple(totals)


def _common(b: Strict, node: Located, params: dict[str, Any]) -> bool:
    """`op`, `severity` and `tolerance` (a number or a parameter's name) as every check has them."""
    ok = True
    if node.get("op", "=") not in CHECK_OPS:
        b.problem(node, "op", "schema_bad_type", key="op", **want("want_check_op"), got=node.get("op"))
        ok = False
    if node.get("severity", "error") not in ("error", "warning"):
        b.problem(
            node, "severity", "schema_bad_type", key="severity", **want("want_severity"), got=node.get("severity")
        )
        ok = False
    tolerance = node.get("tolerance", 0)
    if isinstance(tolerance, str) and tolerance not in params:
        b.problem(node, "tolerance", "schema_unknown_parameter", value=tolerance, known=", ".join(params))
        ok = False
    return ok


def _totals_check(b: Strict, node: Located, doc: Located, metrics: tuple[MetricSpec, ...]) -> TotalsCheckSpec | None:
    if not b.check_keys(node, METRIC_CHECK_KEYS, ("name", "metric", "against")):
        return None
    b.check_name(node)
    by_name = {m.name: m for m in metrics}
    ok = _common(b, node, dict(doc.get("parameters", {})))
    for key in ("metric", "against"):
        m = by_name.get(node[key])
        if m is None or m.by is not None:  # two single figures: a grouped metric is a list of them
            b.problem(
                node,
                key,
                "schema_check_metric",
                value=node[key],
                known=", ".join(n for n, x in by_name.items() if x.by is None),
            )
            ok = False
    if not ok:
        return None
    return TotalsCheckSpec(
        name=node["name"],
        metric=node["metric"],
        against=node["against"],
        op=node.get("op", "="),
        tolerance=node.get("tolerance", 0),
        severity=node.get("severity", "error"),
        message=node.get("message", ""),
        message_en=node.get("message_en", node.get("message", "")),
    )


def _row_check(b: Strict, node: Located, doc: Located, catalog: Catalog) -> CheckSpec | None:
    if not b.check_keys(node, CHECK_KEYS, ("name", "table", "column", "agg", "source_table", "match")):
        return None
    b.check_name(node)
    params = dict(doc.get("parameters", {}))
    table, source = catalog.tables.get(node["table"]), catalog.tables.get(node["source_table"])
    if table is None or source is None:
        b.problem(
            node,
            "table" if table is None else "source_table",
            "schema_unknown_table",
            value=node["table"] if table is None else node["source_table"],
        )
        return None
    if node["agg"] not in AGGREGATES:
        b.problem(node, "agg", "schema_metric_agg", value=node["agg"], known=", ".join(AGGREGATES))
        return None
    if node["agg"] != "count" and "source_column" not in node:
        b.problem(node, "source_column", "schema_missing_key", key="source_column")
        return None
    bad = [
        (t, c)
        for t, c in [(table, node["column"]), (source, node.get("source_column"))]
        + [(table, k) for k in node["match"]]
        + [(source, v) for v in node["match"].values()]
        if c is not None and c not in t.by_name
    ]
    for t, c in bad:
        b.problem(node, "match", "schema_ref_column", table=t.name, column=c)
    if bad or not _common(b, node, params):
        return None
    ast = where_ast(b, node, node.get("where"), source, params)
    when = None
    if "when" in node:
        from .model import param_kind

        kinds = {k: param_kind(v) for k, v in params.items()}
        kinds.update({c.name: c.coltype.kind for c in table.columns})
        try:
            when = expr.parse(node["when"])
            got = expr.infer(when, kinds)
            if got != expr.BOOL:
                raise expr.ExprError("expr_type", 0, op="when", want=expr.BOOL, got=got)
        except expr.ExprError as exc:
            b.expr_problem(node, "when", node["when"], exc)
            return None
    return CheckSpec(
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
        op=node.get("op", "="),
        value=node.get("value"),
        when=node.get("when"),
        tolerance=node.get("tolerance", 0),
        severity=node.get("severity", "error"),
        where_ast=ast,
        when_ast=when,
    )
