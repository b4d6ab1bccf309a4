"""`docs`: a bundle's data dictionary, as Markdown and as one self-contained HTML page.

Every table, column, type, rule, cross-sheet check, metric and parameter of the bundle, each
text in the chosen language with the other one beside it. Everything shown is read from the
catalogue's objects (no table is known here) and rendered by templates/dictionary.md.j2 and
templates/dictionary.html.j2. Titles and notes may come from a user's own --schemas folder:
the page is autoescaped, and every text put into the Markdown is escaped for Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecomsheets import messages
from ecomsheets.atomic import atomic_output, check_target
from ecomsheets.errors import UsageError
from ecomsheets.resources import builtin_dir
from ecomsheets.schema import (
    BundleSpec,
    Catalog,
    CheckSpec,
    ColumnSpec,
    MetricSpec,
    ParameterSpec,
    RuleSpec,
    TableSpec,
    expr,
)
from ecomsheets.schema.describe import formula_text
from ecomsheets.schema.model import TotalsCheckSpec

TEMPLATES = {".md": "dictionary.md.j2", ".html": "dictionary.html.j2"}
LONG_LIST = 12  # more values than this, taken from a reference list, are named by the list
_QUOTED = re.compile(r'("(?:[^"]|"")*")')
_SIGNS = {"*": "×", "/": "÷", ">=": "≥", "<=": "≤", "<>": "≠", "!=": "≠"}
_OPERATORS = re.compile(r">=|<=|<>|\*|/")


@dataclass(frozen=True)
class Pair:
    """A text in the page's language (`first`) and in the other one (`second`: "" when it is the
    same or not declared)."""

    first: str
    second: str = ""


@dataclass
class _Column:
    name: str
    header: Pair
    type: Pair
    required: Pair
    rules: list[Pair]
    pattern: str | None
    aliases: str
    note: Pair


@dataclass
class _Rule:
    name: str
    message: Pair
    level: str  # error | warning
    severity: Pair
    check: Pair
    when: Pair | None
    table: Pair | None = None  # a bundle's rule: the sheet it applies to
    anchor: str = ""


@dataclass
class _Table:
    name: str
    anchor: str
    title: Pair
    sheet: Pair
    description: Pair
    key: Pair
    version: int
    columns: list[_Column] = field(default_factory=list)
    rules: list[_Rule] = field(default_factory=list)


class _Builder:
    """The view of one bundle in one language (first) and the other (second)."""

    def __init__(self, catalog: Catalog, bundle: BundleSpec, lang: str):
        self.catalog, self.bundle = catalog, bundle
        self.lang = "en" if lang == "en" else "zh"
        self.langs = ("en", "zh") if self.lang == "en" else ("zh", "en")
        specs = bundle.parameter_specs or tuple(ParameterSpec(n, v) for n, v in bundle.parameters)
        self.params = {p.name: p for p in specs}
        self.metrics = {m.name: m for m in bundle.metrics}

    # -- texts in both languages ------------------------------------------------------------
    def pair(self, make: Callable[[str], str]) -> Pair:
        first, second = (make(lg) for lg in self.langs)
        return Pair(first, "" if second == first else second)

    def say(self, code: str, **params: Any) -> Pair:
        return self.pair(lambda lg: messages.text(code, lg, **params))

    def declared(self, zh: str | None, en: str | None) -> Pair:
        """A text the schema declares in Chinese and maybe English (the other stands in for a missing one)."""
        zh, en = zh or "", en or ""
        first, second = (en, zh) if self.lang == "en" else (zh, en)
        return Pair(first or second, second if first and second != first else "")

    def labels(self) -> dict[str, Pair]:
        codes = [c for c in messages.MESSAGES if c.startswith("dd_") and "{" not in messages.MESSAGES[c][0]]
        labels = {c.removeprefix("dd_"): self.say(c) for c in codes}
        labels["col_header_other"] = self.say("dd_col_header_zh" if self.lang == "en" else "dd_col_header_en")
        labels["col_severity"] = self.say("r_col_severity")
        return labels

    # -- expressions in words ---------------------------------------------------------------
    def names(self, table: TableSpec | None, lg: str) -> Callable[[str], str]:
        """A name in an expression as people know it: a column's header, a parameter's title."""

        def ref(name: str) -> str:
            if table is not None and name in table.by_name:
                return table.column(name).header(lg)
            if name in self.params:
                return self.params[name].label(lg)
            if name in self.metrics:
                return self.metrics[name].label(lg)
            return name

        return ref

    def words(self, node: Any, source: str | None, table: TableSpec | None, lg: str) -> str:
        """An expression as people read it: headers and titles for names, × ÷ ≥ ≤ ≠ for its
        operators (text in quotes kept as it is)."""
        if node is None:
            return source or ""
        pieces = _QUOTED.split(expr.to_excel(node, self.names(table, lg)))
        return "".join(p if p.startswith('"') else _OPERATORS.sub(lambda m: _SIGNS[m[0]], p) for p in pieces)

    def expression(self, node: Any, source: str | None, table: TableSpec | None) -> Pair:
        return self.pair(lambda lg: self.words(node, source, table, lg))

    def cell(self, table: TableSpec, column: str | None, lg: str) -> str:
        """`sheet.header` of a column (the sheet alone without one)."""
        sheet = table.sheet_name(lg)
        return f"{sheet}.{table.column(column).header(lg)}" if column else sheet

    def aggregate(self, agg: str, table: TableSpec, column: str | None, lg: str) -> str:
        if column is None:
            return messages.text("dd_how_rows", lg, sheet=table.sheet_name(lg))
        what = messages.text(f"dd_agg_{agg}", lg) if f"dd_agg_{agg}" in messages.MESSAGES else agg
        return messages.text("dd_how_agg", lg, agg=what, target=self.cell(table, column, lg))

    # -- the parts of the page --------------------------------------------------------------
    def column(self, table: TableSpec, col: ColumnSpec) -> _Column:
        if col.derived:
            required = self.say("dd_derived")
        elif col.unique or table.primary_key == (col.name,):
            required = self.pair(
                lambda lg: messages.text("sep_comma", lg).join(
                    messages.text(c, lg) for c in ("desc_required" if col.required else "desc_optional", "desc_unique")
                )
            )
        else:
            required = self.say("desc_required" if col.required else "desc_optional")
        return _Column(
            name=col.name,
            header=self.declared(col.title, col.title_en),
            type=self.pair(lambda lg: messages.type_label(col.type, lg)),
            required=required,
            rules=self.column_rules(table, col),
            pattern=col.pattern,
            aliases=messages.text("sep_list", self.lang).join(col.aliases),
            note=self.declared(col.note, col.note_en),
        )

    def column_rules(self, table: TableSpec, col: ColumnSpec) -> list[Pair]:
        out = []
        if col.derived:
            out.append(self.pair(lambda lg: messages.text("dd_formula", lg, formula=formula_text(table, col, lg))))
        values = col.values or ()
        if values:
            ref = next((r for r in self.catalog.reference.values() if r.values == values), None)
            if ref is not None and len(values) > LONG_LIST:
                out.append(self.say("dd_values_list", title=ref.title, name=ref.name, n=len(values)))
            else:
                listed = lambda lg: messages.text("sep_list", lg).join(values)  # noqa: E731
                out.append(self.pair(lambda lg: messages.text("desc_values", lg, values=listed(lg))))
        show = col.coltype.show_number
        if col.min is not None and col.max is not None:
            out.append(self.say("desc_between", lo=show(col.min), hi=show(col.max)))
        elif col.min is not None:
            out.append(self.say("desc_at_least", lo=show(col.min)))
        elif col.max is not None:
            out.append(self.say("desc_at_most", hi=show(col.max)))
        if col.max_length:
            out.append(self.say("desc_max_length", n=col.max_length))
        if col.in_month:
            out.append(self.say("dd_in_month"))
        if col.references and col.ref_table in self.catalog.tables:
            target = self.catalog.tables[col.ref_table]
            out.append(
                self.pair(lambda lg: messages.text("dd_references", lg, target=self.cell(target, col.ref_column, lg)))
            )
        if col.default is not None:
            out.append(self.say("dd_default", value=col.default))
        return out

    def rule(self, rule: RuleSpec, table: TableSpec) -> _Rule:
        message, message_en = rule.message, rule.message_en
        if rule.table or any(n in self.params for n in expr.names(rule.check_ast)):
            # A rule may quote the settings it uses, as validation does; a blank one prints as
            # the department's own rules do ("不得超过____分钟").
            values = {n: "____" if p.value is None else p.value for n, p in self.params.items()}
            try:
                message, message_en = message.format_map(values), message_en.format_map(values)
            except (KeyError, ValueError, IndexError):
                pass
        return _Rule(
            name=rule.name,
            message=self.declared(message, message_en),
            level=rule.severity,
            severity=self.severity(rule.severity),
            check=self.expression(rule.check_ast, rule.check, table),
            when=(
                self.pair(lambda lg: messages.text("dd_when", lg, when=self.words(rule.when_ast, rule.when, table, lg)))
                if rule.when
                else None
            ),
            table=self.declared(table.sheet, table.sheet_name("en")) if rule.table else None,
            anchor=f"table-{table.name}",
        )

    def table(self, t: TableSpec) -> _Table:
        return _Table(
            name=t.name,
            anchor=f"table-{t.name}",
            title=self.declared(t.title, t.title_en),
            sheet=self.declared(t.sheet, t.sheet_name("en")),
            description=self.declared(t.description, t.description_en),
            key=self.pair(lambda lg: " + ".join(t.column(k).header(lg) for k in t.primary_key)),
            version=t.version,
            columns=[self.column(t, c) for c in t.columns],
            rules=[self.rule(r, t) for r in t.rules],
        )

    def severity(self, severity: str) -> Pair:
        code = f"r_sev_{severity}"
        return self.say(code) if code in messages.MESSAGES else Pair(severity)

    def tolerance(self, tolerance: float | str, lg: str) -> str:
        """`，允许误差 …` after a comparison with a tolerance ("" without one)."""
        if not tolerance:
            return ""
        shown = (
            self.params[tolerance].label(lg) if isinstance(tolerance, str) and tolerance in self.params else tolerance
        )
        return messages.text("sep_comma", lg) + messages.text("dd_tolerance", lg, tolerance=_shown(shown))

    def check(self, c: CheckSpec) -> dict[str, Any]:
        target, source = self.catalog.tables[c.table], self.catalog.tables[c.source_table]

        def how(lg: str) -> str:
            sep = messages.text("sep_list", lg)
            match = sep.join(f"{self.cell(target, a, lg)} = {self.cell(source, b, lg)}" for a, b in c.match)
            text = messages.text(
                "dd_check_how",
                lg,
                target=_shown(c.value) if c.value is not None else self.cell(target, c.column, lg),
                op=_SIGNS.get(c.op, c.op),
                what=self.aggregate(c.agg, source, c.source_column, lg),
                match=match,
            )
            if c.where:
                where = self.words(c.where_ast, c.where, source, lg)
                text += messages.text("sep_comma", lg) + messages.text("dd_how_where", lg, where=where)
            if c.when:
                when = self.words(c.when_ast, c.when, target, lg)
                text += messages.text("sep_comma", lg) + messages.text("dd_when", lg, when=when)
            return text + self.tolerance(c.tolerance, lg)

        return {
            "name": c.name,
            "message": self.declared(c.message or c.name, c.message_en),
            "how": self.pair(how),
            "level": c.severity,
            "severity": self.severity(c.severity),
        }

    def totals_check(self, c: TotalsCheckSpec) -> dict[str, Any]:
        def how(lg: str) -> str:
            a, b = (self.metrics[n].label(lg) if n in self.metrics else n for n in (c.metric, c.against))
            return f"{a} {_SIGNS.get(c.op, c.op)} {b}" + self.tolerance(c.tolerance, lg)

        return {
            "name": c.name,
            "message": self.declared(c.message or c.name, c.message_en),
            "how": self.pair(how),
            "level": c.severity,
            "severity": self.severity(c.severity),
        }

    def metric(self, m: MetricSpec) -> dict[str, Any]:
        if m.expr:
            how = self.pair(lambda lg: "= " + self.words(m.expr_ast, m.expr, None, lg))
        else:
            table = self.catalog.tables[m.table or ""]

            def parts(lg: str) -> str:
                out = [self.aggregate(m.agg or "", table, m.column, lg)]
                if m.where:
                    out.append(messages.text("dd_how_where", lg, where=self.words(m.where_ast, m.where, table, lg)))
                if m.by:
                    out.append(messages.text("dd_how_by", lg, column=table.column(m.by).header(lg)))
                if m.period:
                    out.append(messages.text(f"dd_how_period_{m.period}", lg))
                return messages.text("sep_comma", lg).join(out)

            how = self.pair(parts)
        return {
            "name": m.name,
            "title": self.declared(m.title, m.title_en),
            "how": how,
            "format": self.pair(lambda lg: messages.type_label(m.format, lg)),
            "note": self.declared(m.note, m.note_en),
        }

    def value(self, p: ParameterSpec) -> Pair:
        """A parameter's value; one left blank for the manager says so (and what it takes)."""
        if p.value is not None:
            return Pair(_shown(p.value))
        return self.pair(
            lambda lg: (
                messages.text("dd_param_blank", lg)
                + (messages.text("sep_colon", lg) + messages.type_label(p.type, lg) if p.type else "")
            )
        )

    def view(self) -> dict[str, Any]:
        b = self.bundle
        title = self.declared(b.title, b.title_en)
        return {
            "lang": "en" if self.lang == "en" else "zh-CN",
            "L": self.labels(),
            "colon": messages.text("sep_colon", self.lang),
            "name": b.name,
            "version": b.version,
            "title": title,
            "page_title": messages.text("dd_title", self.lang, title=title.first),
            "meta": self.say("dd_bundle_meta", name=b.name, version=b.version),
            "description": self.declared(b.description, b.description_en),
            "parameters": [
                {"name": p.name, "title": self.declared(p.title or p.name, p.title_en), "value": self.value(p)}
                for p in self.params.values()
            ],
            "tables": [self.table(t) for t in self.catalog.tables_of(b)],
            "checks": [self.check(c) for c in b.checks] + [self.totals_check(c) for c in b.totals_checks],
            "rules": [self.rule(r, self.catalog.tables[r.table or ""]) for r in b.rules],
            "metrics": [self.metric(m) for m in b.metrics],
        }


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Markdown: every text escaped, names and patterns as code ----------------------------------


class _Raw(str):
    """Markdown made here (a code span), put into the page as it is."""


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&#~])")


def _md_text(value: Any) -> str:
    """What a template shows, as Markdown: a text is escaped (its `<`, `|`, `*` … show as typed)."""
    if isinstance(value, _Raw):
        return value
    if value is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s*\n\s*", " ", str(value)))


def _md_code(value: Any) -> _Raw:
    """A code span (in a table cell: a `|` is escaped, which GitHub's tables read inside code too)."""
    text = re.sub(r"\s*\n\s*", " ", str(value)).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if len(fence) > 1 or text.startswith("`") or text.endswith("`") else ""
    return _Raw(f"{fence}{pad}{text}{pad}{fence}")


def _md_both(p: Pair) -> _Raw:
    return _Raw(_md_text(p.first) + (" · " + _md_text(p.second) if p.second else ""))


def _md_cell(p: Pair) -> _Raw:
    return _Raw(_md_text(p.first) + ("<br>" + _md_text(p.second) if p.second else ""))


def _anchor(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)


def _environment(suffix: str) -> Any:
    import jinja2

    markdown = suffix == ".md"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(builtin_dir("templates")),
        autoescape=not markdown,
        finalize=_md_text if markdown else None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    if markdown:  # functions, not macros: a macro's result would be escaped a second time
        env.globals.update(both=_md_both, cell=_md_cell)
        env.filters.update(code=_md_code, anchor=lambda name: _Raw(_anchor(name)))
    else:
        env.filters.update(anchor=_anchor)
    return env


def render_dictionary(catalog: Catalog, bundle: str, suffix: str, lang: str = "zh") -> str:
    """The data dictionary of `bundle` as `.md` or `.html` text."""
    view = _Builder(catalog, catalog.bundle(bundle), lang).view()
    return _environment(suffix).get_template(TEMPLATES[suffix]).render(**view)


def write_dictionary(
    catalog: Catalog, bundle: str, folder: Path, *, force: bool = False, lang: str = "zh"
) -> list[Path]:
    """Write `<bundle>.md` and `<bundle>.html` into `folder` (made if missing), each atomically;
    refuse before writing either when one exists and `force` is not given."""
    spec = catalog.bundle(bundle)
    texts = {suffix: render_dictionary(catalog, spec.name, suffix, lang) for suffix in TEMPLATES}
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(*messages.both("cli_unwritable", path=folder, detail=exc.strerror or str(exc))) from None
    paths = {suffix: folder / f"{spec.name}{suffix}" for suffix in texts}
    for path in paths.values():
        check_target(path, force=force)
    for suffix, path in paths.items():
        with atomic_output(path, force=force) as tmp:
            tmp.write_text(texts[suffix], encoding="utf-8", newline="\n")
    return list(paths.values())
