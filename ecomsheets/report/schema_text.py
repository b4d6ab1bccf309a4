"""`schemas list` and `schemas show` as readable text, and their `--format json` documents."""

from __future__ import annotations

from ecomsheets import messages
from ecomsheets.schema import BundleSpec, Catalog, TableSpec
from ecomsheets.schema import describe as prompts
from ecomsheets.schema.export import bundle_dict, catalog_dict, table_dict
from ecomsheets.schema.model import pad, text_width


def find_schema(catalog: Catalog, name: str) -> TableSpec | BundleSpec:
    """The table named `name`, else the workbook bundle (by name or title: 客服售后); an unknown
    name is said as an unknown table."""
    titles = {t for b in catalog.bundles.values() for t in (b.title, b.title_en)}
    if name in catalog.tables or (name not in catalog.bundles and name not in titles):
        return catalog.table(name)
    return catalog.bundle(name)


def schema_document(spec: TableSpec | BundleSpec) -> dict:
    """A table or bundle as plain data (the `schemas show --format json` contract)."""
    return bundle_dict(spec) if isinstance(spec, BundleSpec) else table_dict(spec)


def list_document(catalog: Catalog) -> dict:
    """Every table and bundle, each sorted by name (the `schemas list --format json` contract)."""
    return catalog_dict(catalog)


def render_list(catalog: Catalog, lang: str) -> str:
    """Every workbook bundle, then every table: name, version, title."""
    lines = [messages.text("cli_list_workbooks", lang)]
    for b in catalog.bundles.values():
        title = b.title_en if lang == "en" and b.title_en else b.title
        lines.append(
            messages.text(
                "cli_list_workbook", lang, name=f"{b.name:<16}", version=b.version, title=title, n=len(b.tables)
            )
        )
    lines.append(messages.text("cli_list_tables", lang))
    for t in catalog.tables.values():
        lines.append(f"  {t.name:<16} v{t.version}  {pad(t.sheet_name(lang), 14)}{t.display_title(lang)}")
    return "\n".join(lines)


def render_schema(spec, catalog: Catalog, lang: str) -> str:
    if isinstance(spec, BundleSpec):
        return _bundle(spec, catalog, lang)
    return _table(spec, catalog, lang)


def _table(t: TableSpec, catalog: Catalog, lang: str) -> str:
    en = lang == "en"
    lines = [
        f"{t.name}  v{t.version}  {t.display_title(lang)}  [{t.sheet_name(lang)}]",
        t.description_en if en and t.description_en else t.description,
        *([messages.text("st_key", lang) + " + ".join(t.primary_key)] if t.primary_key else []),
        "",
    ]
    heads = max(text_width(c.header(lang)) for c in t.columns) + 2
    types = {c.name: messages.type_label(c.type, lang) for c in t.columns}
    width = max(text_width(v) for v in types.values()) + 2
    names = max(len(c.name) for c in t.columns) + 2
    for c in t.columns:
        rules = messages.text("sep_clause", lang).join(prompts.rules(t, c, lang, None, catalog.tables))
        lines.append(f"  {c.name:<{names}}{pad(c.header(lang), heads)}{pad(types[c.name], width)}{rules}")
    if t.rules:
        lines.append("")
        lines.append(messages.text("st_row_rules", lang))
        for r in t.rules:
            lines.append(f"  {r.name}: {r.check}  — {r.message_en if en else r.message}")
    return "\n".join(lines)


def _bundle(b: BundleSpec, catalog: Catalog, lang: str) -> str:
    en = lang == "en"
    lines = [
        f"{b.name}  v{b.version}  {b.title_en if en and b.title_en else b.title}",
        *([messages.text("st_family", lang, family=b.family)] if b.family else []),
        messages.text("st_tables", lang) + ", ".join(b.tables),
        messages.text("st_parameters", lang) + ", ".join(f"{k}={v}" for k, v in b.parameters),
        *([messages.text("st_masters", lang) + _masters(b)] if b.masters else []),
        *([messages.text("st_roster", lang) + ", ".join(f"{e.name}={e.bundle}" for e in b.roster)] if b.roster else []),
        "",
        messages.text("st_metrics", lang),
    ]
    for m in b.metrics:
        how = m.expr or f"{m.agg}({m.table}.{m.column or '*'})"
        extra = (
            (f" where {m.where}" if m.where else "")
            + (f" by {m.by}" if m.by else "")
            + (f"/{m.period}" if m.period else "")
        )
        lines.append(f"  {m.name:<30} {pad(m.label(lang), 24)}{how}{extra}")
    return "\n".join(lines)


def _masters(b: BundleSpec) -> str:
    return "; ".join(f"{m.table}({', '.join(m.columns)})" for m in b.masters)
