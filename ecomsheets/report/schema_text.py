"""`schemas show` as readable text."""

from __future__ import annotations

from ecomsheets import messages
from ecomsheets.schema import Catalog, TableSpec, WorkbookSpec
from ecomsheets.schema import describe as prompts
from ecomsheets.schema.model import pad, text_width


def render_schema(spec, catalog: Catalog, lang: str) -> str:
    if isinstance(spec, WorkbookSpec):
        return _bundle(spec, catalog, lang)
    return _table(spec, catalog, lang)


def _table(t: TableSpec, catalog: Catalog, lang: str) -> str:
    en = lang == "en"
    lines = [f"{t.name}  v{t.version}  {t.display_title(lang)}  [{t.sheet_name(lang)}]",
             t.description_en if en and t.description_en else t.description,
             ("Key: " if en else "主键：") + " + ".join(t.primary_key), ""]
    heads = max(text_width(c.header(lang)) for c in t.columns) + 2
    types = {c.name: messages.type_label(c.type, lang) for c in t.columns}
    width = max(text_width(v) for v in types.values()) + 2
    names = max(len(c.name) for c in t.columns) + 2
    for c in t.columns:
        rules = ("; " if en else "；").join(prompts.rules(t, c, lang, None, catalog.tables))
        lines.append(f"  {c.name:<{names}}{pad(c.header(lang), heads)}{pad(types[c.name], width)}{rules}")
    if t.rules:
        lines.append("")
        lines.append("Row rules:" if en else "行规则：")
        for r in t.rules:
            lines.append(f"  {r.name}: {r.check}  — {r.message_en if en else r.message}")
    return "\n".join(lines)


def _bundle(b: WorkbookSpec, catalog: Catalog, lang: str) -> str:
    en = lang == "en"
    lines = [f"{b.name}  v{b.version}  {b.title_en if en and b.title_en else b.title}",
             ("Tables: " if en else "表：") + ", ".join(b.tables),
             ("Parameters: " if en else "参数：") + ", ".join(f"{k}={v}" for k, v in b.parameters), "",
             "Metrics:" if en else "指标："]
    for m in b.metrics:
        how = m.expr or f"{m.agg}({m.table}.{m.column or '*'})"
        extra = (f" where {m.where}" if m.where else "") + (f" by {m.by}" if m.by else "") + (
            f"/{m.period}" if m.period else "")
        lines.append(f"  {m.name:<30} {pad(m.label(lang), 24)}{how}{extra}")
    return "\n".join(lines)
