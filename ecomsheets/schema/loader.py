"""Build and check the schema catalogue from YAML: reference lists, tables and bundles.

Loading is strict: unknown keys, wrong value types, dangling references, bad expressions and
formula cycles are collected as SchemaProblems (file, line, key, zh + en) and raised together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ecomsheets import messages
from ecomsheets.coltypes import TYPES
from ecomsheets.errors import SchemaError, SchemaProblem

from . import expr
from .imports import load_profiles
from .model import (
    BundleSpec,
    Catalog,
    ColumnSpec,
    FormSpec,
    MasterSpec,
    MetricSpec,
    ParameterSpec,
    ReferenceList,
    RosterEntry,
    RuleSpec,
    TableSpec,
    param_kind,
)
from .strict import Keys, Strict, want
from .vocabulary import (
    BUNDLE_RULE_KEYS,
    COLUMN_KEYS,
    FORM_ITEM_KEYS,
    FORM_KEYS,
    PARAMETER_KEYS,
    REFERENCE_KEYS,
    ROSTER_KEYS,
    RULE_KEYS,
    TABLE_KEYS,
    WORKBOOK_KEYS,
    find_cycle,
)
from .yamlsrc import Located, YamlSyntaxError, load_yaml


def load_catalog(extra_dirs: Iterable[Path] = (), *, builtin: bool = True) -> Catalog:
    """Load the built-in schemas, then each extra folder (adding or overriding by name)."""
    from ecomsheets.resources import builtin_dir

    dirs = ([builtin_dir("schemas")] if builtin else []) + [Path(d) for d in extra_dirs]
    return _Builder().build(dirs)


class _Builder(Strict):
    # -- build ------------------------------------------------------------------------------
    def build(self, dirs: list[Path]) -> Catalog:
        raw: dict[str, dict[str, Located]] = {"reference": {}, "tables": {}, "workbooks": {}, "imports": {}}
        for base in dirs:
            for kind in raw:
                for path in sorted((base / kind).glob("*.y*ml")):
                    doc = self.read(path, f"{base.name}/{kind}/{path.name}")
                    if doc is not None and isinstance(doc.get("name"), str):
                        raw[kind][doc["name"]] = doc
        catalog = Catalog()
        for name, doc in raw["reference"].items():
            ref = self.reference(doc)
            if ref:
                catalog.reference[name] = ref
        for name, doc in raw["tables"].items():
            table = self.table(doc, catalog)
            if table:
                catalog.tables[name] = table
        for name, table in catalog.tables.items():
            self.table_references(raw["tables"][name], table, catalog)
        for base in dirs:
            # Earlier versions of tables, kept so that old workbooks are read as they were made.
            for path in sorted((base / "tables" / "history").glob("*.y*ml")):
                doc = self.read(path, f"{base.name}/tables/history/{path.name}")
                old = self.table(doc, catalog) if doc is not None and isinstance(doc.get("name"), str) else None
                if old is not None:
                    catalog.history[(old.name, old.version)] = old
        # A team's bundle takes from its family's bundle, which is built first.
        for name, doc in sorted(raw["workbooks"].items(), key=lambda kv: "family" in kv[1]):
            workbook = self.bundle(doc, catalog)
            if workbook:
                catalog.bundles[name] = workbook
        for name, workbook in catalog.bundles.items():
            for entry in workbook.roster:
                member = catalog.bundles.get(entry.bundle)
                if member is None or member.family_name != workbook.name:
                    known = ", ".join(b.name for b in catalog.members(workbook.name))
                    self.problem(
                        raw["workbooks"][name], "roster", "schema_roster_bundle", value=entry.bundle, known=known
                    )
        catalog.imports.update(load_profiles(self, raw["imports"], catalog))
        if self.problems:
            raise SchemaError(self.problems)
        return catalog

    def read(self, path: Path, display: str) -> Located | None:
        try:
            doc = load_yaml(path, display)
        except YamlSyntaxError as exc:
            self.problems.append(
                SchemaProblem(exc.file, exc.line, "-", *messages.both("schema_yaml_syntax", detail=exc.detail))
            )
            return None
        if not isinstance(doc, Located):
            where = Located()
            where.file, where.line, where.key_lines = display, 1, {}
            self.problem(where, "-", "schema_not_mapping")
            return None
        if "name" not in doc:
            self.problem(doc, "name", "schema_missing_key", key="name")
        elif not isinstance(doc["name"], str):
            # Such a file would otherwise be dropped without a word (build() keys files by name).
            self.problem(doc, "name", "schema_bad_type", key="name", **want("want_text"), got=doc["name"])
        return doc

    def reference(self, doc: Located) -> ReferenceList | None:
        if not self.check_keys(doc, REFERENCE_KEYS, ("name", "items")):
            return None
        items = []
        for i, item in enumerate(doc["items"]):
            entry = dict(item) if isinstance(item, dict) else {"value": item}
            if not isinstance(entry.get("value"), str):
                self.problem(
                    doc,
                    "items",
                    "schema_bad_type",
                    key=f"items[{i}].value",
                    **want("want_text"),
                    got=entry.get("value"),
                )
                continue
            if not isinstance(entry.get("aliases", []), list):
                self.problem(
                    doc,
                    "items",
                    "schema_bad_type",
                    key=f"items[{i}].aliases",
                    **want("want_list"),
                    got=entry.get("aliases"),
                )
                continue
            items.append(entry)
        return ReferenceList(doc["name"], doc.get("title", doc["name"]), tuple(items))

    def table(self, doc: Located, catalog: Catalog) -> TableSpec | None:
        if not self.check_keys(doc, TABLE_KEYS, ("name", "title", "sheet", "columns")):
            return None
        self.check_name(doc)
        pairs = [
            (col, node)
            for node in doc["columns"]
            if self.is_mapping(doc, "columns", node) and (col := self.column(node, catalog))
        ]
        columns = [col for col, _ in pairs]
        col_nodes = [node for _, node in pairs]
        self.duplicates(doc, "columns", [c.name for c in columns], *messages.both("what_column_name"), col_nodes)
        self.duplicates(doc, "columns", [c.title for c in columns], *messages.both("what_column_title"), col_nodes)
        names = {c.name for c in columns}
        pk = doc.get("primary_key", [])
        pk = (pk,) if isinstance(pk, str) else tuple(pk)
        for key in pk:
            if key not in names:
                self.problem(doc, "primary_key", "schema_pk_missing", value=key)
        file_key = doc.get("file_key", [])
        file_key = (file_key,) if isinstance(file_key, str) else tuple(file_key)
        for key in file_key:
            if key not in names:
                self.problem(doc, "file_key", "schema_pk_missing", value=key)
        form = self.form(doc["form"]) if isinstance(doc.get("form"), Located) else None
        params = self.parameters(doc)
        kinds = {p.name: param_kind(p.value, p.type) for p in params}
        kinds.update({c.name: c.coltype.kind for c in columns})
        columns = self.formulas(pairs, kinds)
        rules = tuple(
            r
            for r in (self.rule(node, kinds) for node in doc.get("rules", []) if self.is_mapping(doc, "rules", node))
            if r
        )
        return TableSpec(
            name=doc["name"],
            title=doc["title"],
            sheet=doc["sheet"],
            columns=tuple(columns),
            title_en=doc.get("title_en", ""),
            sheet_en=doc.get("sheet_en", ""),
            description=doc.get("description", ""),
            description_en=doc.get("description_en", ""),
            version=doc.get("version", 1),
            primary_key=pk,
            file_key=file_key,
            key_per_file=doc.get("key_per_file", False),
            rules=rules,
            source=doc.file,
            example_rows=doc.get("example_rows"),
            parameters=tuple(params),
            form=form,
            header_row=doc.get("header_row", 2 + (form.rows if form else 0)),
        )

    def form(self, node: Located) -> FormSpec | None:
        """A form's note, sheet-level fields and sign-off line (see model.FormSpec)."""
        if not self.check_keys(node, FORM_KEYS, ()):
            return None
        fields = []
        for item in node.get("fields", []):
            if self.is_mapping(node, "fields", item) and self.check_keys(item, FORM_ITEM_KEYS, ("name", "title")):
                fields.append((item["name"], item["title"], item.get("title_en", "")))
        signoff = []
        for item in node.get("signoff", []):
            if self.is_mapping(node, "signoff", item) and self.check_keys(item, FORM_ITEM_KEYS, ("title",)):
                signoff.append((item["title"], item.get("title_en", "")))
        return FormSpec(node.get("note", ""), node.get("note_en", ""), tuple(fields), tuple(signoff))

    def column(self, node: Located, catalog: Catalog) -> ColumnSpec | None:
        if not self.check_keys(node, COLUMN_KEYS, ("name", "title", "type")):
            return None
        self.check_name(node)
        if node["type"] not in TYPES:
            self.problem(node, "type", "schema_unknown_type", value=node["type"], known=", ".join(TYPES))
            return None
        values = node.get("values")
        bad_values_from = False
        if "values_from" in node:
            ref = catalog.reference.get(node["values_from"])
            if ref is None:
                self.problem(
                    node,
                    "values_from",
                    "schema_values_from",
                    value=node["values_from"],
                    known=", ".join(catalog.reference),
                )
                bad_values_from = True
            else:
                values = list(ref.values)
        if values is not None:
            values = tuple(str(v) for v in values)
        aliases = self.value_aliases(node, values, catalog.reference.get(node.get("values_from", "")))
        pattern = node.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.problem(node, "pattern", "schema_bad_pattern", detail=str(exc))
        lo, hi = node.get("min"), node.get("max")
        if lo is not None and hi is not None and lo > hi:
            self.problem(node, "min", "schema_min_max", min=lo, max=hi)
        if node.get("references") is not None and "." not in node["references"]:
            self.problem(node, "references", "schema_ref_format", value=node["references"])
        col = ColumnSpec(
            name=node["name"],
            title=node["title"],
            type=node["type"],
            title_en=node.get("title_en", ""),
            required=node.get("required", False),
            unique=node.get("unique", False),
            min=lo,
            max=hi,
            values=values,
            pattern=pattern,
            references=node.get("references"),
            formula=node.get("formula"),
            aliases=tuple(node.get("aliases", ())),
            width=node.get("width"),
            note=node.get("note"),
            note_en=node.get("note_en"),
            max_length=node.get("max_length"),
            in_month=node.get("in_month", False),
            total=node.get("total", False),
            example=node.get("example"),
            example_from=node.get("example_from"),
            default=node.get("default"),
            value_aliases=aliases,
            origin=node.get("origin", False),
            progress=node.get("progress", False),
        )
        if col.default is not None and col.values and str(col.default) not in col.values:
            self.problem(node, "default", "schema_default_value", value=col.default, known=messages.join(col.values))
        if col.example_from is not None and col.example_from not in catalog.reference:
            self.problem(
                node, "example_from", "schema_values_from", value=col.example_from, known=", ".join(catalog.reference)
            )
        for key, code, _ in col.coltype.check_spec(col):
            if bad_values_from and code == "schema_enum_no_values":
                continue  # already reported as an unknown values_from
            self.problem(node, key, code)
        return col

    def value_aliases(
        self, node: Located, values: tuple[str, ...] | None, ref: ReferenceList | None
    ) -> tuple[tuple[str, str], ...]:
        """Other spellings of an enum's values (alias -> value): the reference list's `aliases`,
        `short` and `code` of each item, and the column's own `value_aliases`."""
        out: dict[str, str] = {}
        for item in ref.items if ref else ():
            for alias in [item.get("short"), item.get("code"), *item.get("aliases", ())]:
                if alias is not None and str(alias) != item["value"]:
                    out[str(alias)] = item["value"]
        for alias, value in (node.get("value_aliases") or {}).items():
            if values is not None and str(value) not in values:
                self.problem(node, "value_aliases", "schema_default_value", value=value, known=messages.join(values))
            out[str(alias)] = str(value)
        return tuple(out.items())

    def formulas(self, pairs: list[tuple[ColumnSpec, Located]], kinds: dict[str, str]) -> list[ColumnSpec]:
        """Parse and type-check derived columns, and refuse cycles between them."""
        out, deps = [], {}
        for col, node in pairs:
            if col.formula is None:
                out.append(col)
                continue
            try:
                ast = expr.parse(col.formula)
                got = expr.infer(ast, kinds)
                if got == expr.BOOL:
                    raise expr.ExprError("expr_type", 0, op=col.name, want=col.coltype.kind, got=got)
                deps[col.name] = (expr.names(ast), node)
                out.append(replace(col, formula_ast=ast))
            except expr.ExprError as exc:
                self.expr_problem(node, "formula", col.formula, exc)
                out.append(col)
        cycle = find_cycle({k: v[0] for k, v in deps.items()})
        if cycle:
            self.problem(deps[cycle[0]][1], "formula", "schema_formula_cycle", cycle=" → ".join(cycle))
        return self.examples(out, dict(pairs_nodes(pairs)), kinds)

    def examples(self, columns: list[ColumnSpec], nodes: dict[str, Located], kinds: dict[str, str]) -> list[ColumnSpec]:
        """Parse `example` expressions (other columns and _rand, a uniform number in [0, 1))."""
        out = []
        for col in columns:
            if col.example is None:
                out.append(col)
                continue
            try:
                ast = expr.parse(col.example)
                expr.infer(ast, {**kinds, "_rand": expr.NUMBER})
                out.append(replace(col, example_ast=ast))
            except expr.ExprError as exc:
                self.expr_problem(nodes[col.name], "example", col.example, exc)
                out.append(col)
        return out

    def rule(
        self, node: Located, kinds: dict[str, str], columns: set[str] | None = None, keys: Keys = RULE_KEYS
    ) -> RuleSpec | None:
        """A row rule; `kinds` may include bundle parameters, `columns` are the table's own names."""
        if not self.check_keys(node, keys, ("name", "check", "message")):
            return None
        if node.get("severity", "error") not in ("error", "warning"):
            self.problem(
                node, "severity", "schema_bad_type", key="severity", **want("want_severity"), got=node.get("severity")
            )
            return None
        columns = columns if columns is not None else set(kinds)
        asts = {}
        for key in ("check", "when"):
            if key in node:
                try:
                    asts[key] = expr.parse(node[key])
                    got = expr.infer(asts[key], kinds)
                    if got != expr.BOOL:
                        raise expr.ExprError("expr_type", 0, op=key, want=expr.BOOL, got=got)
                except expr.ExprError as exc:
                    self.expr_problem(node, key, node[key], exc)
                    return None
        report_at = tuple(node.get("columns") or [n for n in expr.names(asts["check"]) if n in columns])
        for name in report_at:
            if name not in columns:
                self.problem(node, "columns", "schema_pk_missing", value=name)
        return RuleSpec(
            name=node["name"],
            check=node["check"],
            message=node["message"],
            message_en=node.get("message_en", node["message"]),
            columns=report_at,
            when=node.get("when"),
            check_ast=asts["check"],
            when_ast=asts.get("when"),
            severity=node.get("severity", "error"),
            table=node.get("table"),
        )

    def table_references(self, doc: Located, table: TableSpec, catalog: Catalog) -> None:
        nodes = {n.get("name"): n for n in doc["columns"] if isinstance(n, Located)}
        for col in table.columns:
            if not col.references or "." not in col.references:
                continue
            target = catalog.tables.get(col.ref_table or "")
            node = nodes.get(col.name, doc)
            if target is None:
                self.problem(node, "references", "schema_ref_table", table=col.ref_table)
            elif col.ref_column not in target.by_name:
                self.problem(node, "references", "schema_ref_column", table=col.ref_table, column=col.ref_column)

    def bundle(self, doc: Located, catalog: Catalog) -> BundleSpec | None:
        if not self.check_keys(doc, WORKBOOK_KEYS, ("name", "title", "tables")):
            return None
        self.check_name(doc)
        tables = tuple(str(t) for t in doc["tables"])
        for name in tables:
            if name not in catalog.tables:
                self.problem(doc, "tables", "schema_unknown_table", value=name)
        self.duplicates(doc, "tables", list(tables), *messages.both("what_table"))
        if "family" in doc:
            return self.team_bundle(doc, catalog, tables)
        from .metrics_loader import load_checks, load_metrics

        params = self.parameters(doc)
        # The bundle's settings, then those its tables declare (the bundle's value wins).
        own = {p.name for p in params}
        for name in tables:
            for p in catalog.tables[name].parameters if name in catalog.tables else ():
                if p.name not in own:
                    params.append(p)
                    own.add(p.name)
        doc["parameters"] = {p.name: p.value for p in params}  # plain values for the checks below
        metrics = load_metrics(self, doc, catalog)
        checks, totals_checks = load_checks(self, doc, catalog, metrics)
        rules = self.bundle_rules(doc, catalog, params)
        return BundleSpec(
            **_own(doc, tables),
            parameters=tuple((p.name, p.value) for p in params),
            parameter_specs=tuple(params),
            checks=checks,
            totals_checks=totals_checks,
            rules=rules,
            metrics=metrics,
            summary_sheet=doc.get("summary_sheet", messages.text("summary_sheet_default", "zh")),
            summary_sheet_en=doc.get("summary_sheet_en", messages.text("summary_sheet_default", "en")),
            masters=self.masters(doc, catalog, tables),
            roster=self.roster(doc),
            headline=self.headline(doc, metrics),
        )

    def team_bundle(self, doc: Located, catalog: Catalog, tables: tuple[str, ...]) -> BundleSpec | None:
        """A team's bundle: its family bundle's parameters, rules, checks and metrics that
        concern only the team's own tables."""
        family = catalog.bundles.get(doc["family"])
        if family is None or family.family:
            known = ", ".join(sorted(n for n, b in catalog.bundles.items() if not b.family))
            self.problem(doc, "family", "schema_family", value=doc["family"], known=known)
            return None
        for key in ("parameters", "checks", "metrics", "rules", "masters", "roster"):
            if key in doc:
                self.problem(doc, key, "schema_family_key", key=key, family=family.name)
        for name in tables:
            if name not in family.tables:
                self.problem(doc, "tables", "schema_family_table", value=name, family=family.name)
        own = set(tables)
        metrics: list[MetricSpec] = []
        for m in family.metrics:
            if (m.table in own) if m.table else set(expr.names(m.expr_ast)) <= {k.name for k in metrics}:
                metrics.append(m)
        kept = {m.name for m in metrics}
        checks = tuple(c for c in family.checks if c.table in own and c.source_table in own)
        totals = tuple(t for t in family.totals_checks if t.metric in kept and t.against in kept)
        rules = tuple(r for r in family.rules if r.table in own)
        # The settings any of these, or the tables' own formulas, read.
        used: set[str] = {str(c.tolerance) for c in checks} | {str(t.tolerance) for t in totals}
        for node in [r.check_ast for r in rules] + [r.when_ast for r in rules] + [c.when_ast for c in checks]:
            used.update(expr.names(node) if node is not None else ())
        for m in metrics:
            used.update(expr.names(m.where_ast) if m.where_ast is not None else ())
        for name in tables:
            table = catalog.tables.get(name)
            for item in table.columns if table else ():
                used.update(expr.names(item.formula_ast) if item.formula_ast is not None else ())
            for rule in table.rules if table else ():
                used.update(expr.names(rule.check_ast))
                used.update(expr.names(rule.when_ast) if rule.when_ast is not None else ())
            used.update(p.name for p in (table.parameters if table else ()))
        params = tuple(p for p in family.parameter_specs if p.name in used)
        return replace(
            family,
            **_own(doc, tables),
            parameters=tuple((p.name, p.value) for p in params),
            parameter_specs=params,
            checks=checks,
            totals_checks=totals,
            rules=rules,
            metrics=tuple(metrics),
            family=family.name,
            masters=(),
            roster=(),
            headline=tuple(h for h in family.headline if h in kept),
        )

    def masters(self, doc: Located, catalog: Catalog, tables: tuple[str, ...]) -> tuple[MasterSpec, ...]:
        """`masters: {employees: [employee_id, name, position], …}`: tables of this bundle whose
        listed columns team workbooks copy."""
        out = []
        for name, columns in doc.get("masters", {}).items():
            table = catalog.tables.get(name)
            if name not in tables or table is None:
                self.problem(doc, "masters", "schema_unknown_table", value=name)
                continue
            if not isinstance(columns, list) or not columns:
                self.problem(doc, "masters", "schema_bad_type", key=f"masters.{name}", **want("want_list"), got=columns)
                continue
            bad = [c for c in columns if c not in table.by_name]
            if bad:
                self.problem(doc, "masters", "schema_ref_column", table=name, column=bad[0])
                continue
            # The key other tables refer to is always copied.
            keys = [c.ref_column for t in catalog.tables.values() for c in t.columns if c.ref_table == name]
            cols = list(dict.fromkeys([*(k for k in keys if k and k not in columns), *map(str, columns)]))
            out.append(MasterSpec(name, tuple(cols)))
        return tuple(out)

    def headline(self, doc: Located, metrics: tuple[MetricSpec, ...]) -> tuple[str, ...]:
        """`headline: [order_count, sales_total, …]`: ungrouped metrics of this bundle."""
        ungrouped = [m.name for m in metrics if not m.by]
        for name in doc.get("headline", []):
            if name not in ungrouped:
                self.problem(doc, "headline", "schema_check_metric", value=name, known=", ".join(ungrouped))
        return tuple(str(n) for n in doc.get("headline", []) if n in ungrouped)

    def roster(self, doc: Located) -> tuple[RosterEntry, ...]:
        """`roster: [{name: 运营推广, bundle: operations}, …]`: who hands in which bundle."""
        out = []
        for node in doc.get("roster", []):
            if self.is_mapping(doc, "roster", node) and self.check_keys(node, ROSTER_KEYS, ("name", "bundle")):
                out.append(RosterEntry(str(node["name"]), str(node["bundle"])))
        self.duplicates(doc, "roster", [e.name for e in out], *messages.both("what_roster"))
        return tuple(out)

    def bundle_rules(self, doc: Located, catalog: Catalog, params: list[ParameterSpec]) -> tuple[RuleSpec, ...]:
        """Row rules of a bundle: like a table's, and they may name the bundle's parameters."""
        out = []
        for node in doc.get("rules", []):
            if not self.is_mapping(doc, "rules", node) or not self.check_keys(node, BUNDLE_RULE_KEYS, ("table",)):
                continue
            table = catalog.tables.get(node["table"])
            if table is None:
                self.problem(node, "table", "schema_unknown_table", value=node["table"])
                continue
            kinds = {p.name: param_kind(p.value, p.type) for p in params}
            kinds.update({c.name: c.coltype.kind for c in table.columns})
            rule = self.rule(node, kinds, set(table.by_name), BUNDLE_RULE_KEYS)
            if rule:
                out.append(rule)
        return tuple(out)

    def parameters(self, doc: Located) -> list[ParameterSpec]:
        """`name: value`, or `name: {value, title, title_en}`."""
        out = []
        for name, node in doc.get("parameters", {}).items():
            if isinstance(node, Located):
                if not self.check_keys(node, PARAMETER_KEYS, ("value",), nullable=("value",)):
                    continue
                kind = node.get("type", "")
                if kind and kind not in TYPES:
                    self.problem(node, "type", "schema_unknown_type", value=kind, known=", ".join(TYPES))
                    continue
                out.append(
                    ParameterSpec(
                        name, node["value"], node.get("title", ""), node.get("title_en", ""), kind, node.get("example")
                    )
                )
            else:
                out.append(ParameterSpec(name, node))
        return out


def _own(doc: Located, tables: tuple[str, ...]) -> dict[str, Any]:
    """What every bundle declares of itself (a team's bundle takes the rest from its family)."""
    return {
        "name": doc["name"],
        "title": doc["title"],
        "tables": tables,
        "title_en": doc.get("title_en", ""),
        "description": doc.get("description", ""),
        "description_en": doc.get("description_en", ""),
        "version": doc.get("version", 1),
        "source": doc.file,
    }


def pairs_nodes(pairs: Iterable[tuple[ColumnSpec, Located]]) -> Iterator[tuple[str, Located]]:
    return ((col.name, node) for col, node in pairs)
