"""Mapping profiles of platform and ERP exports (schemas/imports/*.yaml, see docs/imports.md):
which export headers give which of our columns, the export's words for our values, which rows
are order lines, and which time columns say how new a row is. Loaded into the catalogue with
the tables, so `schemas check` and `--schemas` treat them like every other declaration."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ecomsheets import messages

from .strict import Strict, want
from .vocabulary import _INT, _LIST, _MAP, _STR, _STR_OR_LIST
from .yamlsrc import Located

if TYPE_CHECKING:
    from .model import Catalog, TableSpec

PROFILE_KEYS = {
    "name": _STR,
    "title": _STR,
    "title_en": _STR,
    "channel": _STR,
    "like": _STR,
    "detect": _MAP,
    "rows": _STR,
    "lines_with": _LIST,
    "newest_by": _LIST,
    "total_words": _LIST,
    "tables": _MAP,
}
DETECT_KEYS = {"headers": _LIST, "file_words": _LIST}
TABLE_IMPORT_KEYS = {
    "columns": _MAP,
    "values": _MAP,
    "set": _MAP,
    "rows_with": _LIST,
    "order_level": _LIST,
    "split_by": _STR,
}
SOURCE_KEYS = {"from": _STR_OR_LIST, "split": _STR, "part": _INT}
ROW_KINDS = ("order", "line")
TOTAL_WORDS = ("合计", "总计")

# A header as exports vary it: spaces anywhere, full-width brackets, a trailing (元)/（元）.
_UNIT = re.compile(r"[(（]元[)）]$")
_BRACKET_CHARS = str.maketrans("（）", "()")
_SPACES = re.compile(r"[\s\u3000\ufeff]+")


def header_key(text: object) -> str:
    """The form export headers are compared in: `  退款金额（元） ` and `退款金额` are one."""
    s = _SPACES.sub("", str(text or ""))
    s = s.translate(_BRACKET_CHARS)
    return _UNIT.sub("", s)


@dataclass(frozen=True)
class ColumnSource:
    """Where one of our columns comes from: the first of `headers` the export has; with
    `split`, one part of that cell (`SF123-顺丰速运` split on "-": part 0 is SF123)."""

    headers: tuple[str, ...]
    split: str | None = None
    part: int = 0


@dataclass(frozen=True)
class TableImport:
    table: str
    columns: tuple[tuple[str, ColumnSource], ...]
    values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    set: tuple[tuple[str, str], ...] = ()
    rows_with: tuple[str, ...] = ()
    order_level: tuple[str, ...] = ()
    split_by: str | None = None  # the line figure order-level figures are split in proportion to

    def value_map(self, column: str) -> dict[str, str]:
        return dict(next((pairs for name, pairs in self.values if name == column), ()))


@dataclass(frozen=True)
class ImportProfile:
    name: str
    title: str
    title_en: str
    tables: tuple[TableImport, ...]
    channel: str | None = None
    detect_headers: tuple[str, ...] = ()
    file_words: tuple[str, ...] = ()
    rows: str = "order"
    lines_with: tuple[str, ...] = ()
    newest_by: tuple[str, ...] = ()
    total_words: tuple[str, ...] = TOTAL_WORDS
    like: str | None = None
    source: str = field(default="", compare=False)

    def label(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" and self.title_en else self.title

    def table(self, name: str) -> TableImport | None:
        return next((t for t in self.tables if t.table == name), None)

    @property
    def known_headers(self) -> set[str]:
        """Every export header this profile reads (for finding the header row)."""
        out = set(self.detect_headers) | set(self.lines_with) | set(self.newest_by)
        for t in self.tables:
            out |= set(t.rows_with)
            for _, src in t.columns:
                out |= set(src.headers)
        return out


def load_profiles(builder: Strict, docs: dict[str, Located], catalog: Catalog) -> dict[str, ImportProfile]:
    """Profiles from their YAML documents (by name); a `like:` profile starts from the one it names."""
    out: dict[str, ImportProfile] = {}
    for name, doc in docs.items():
        merged = _merged(builder, doc, docs, [])
        if merged is None or not builder.check_keys(merged, PROFILE_KEYS, ("name", "title", "tables")):
            continue
        profile = _profile(builder, merged, catalog, doc.get("like"))
        if profile is not None:
            out[name] = profile
    return out


def _merged(builder: Strict, doc: Located, docs: dict[str, Located], seen: list[str]) -> Located | None:
    like = doc.get("like")
    if like is None:
        return doc
    if like in seen or like not in docs:
        builder.problem(doc, "like", "schema_import_like", value=like, known=", ".join(sorted(docs)))
        return None
    base = _merged(builder, docs[like], docs, [*seen, doc["name"]])
    if base is None:
        return None
    merged = Located({k: v for k, v in base.items() if k != "like"})
    merged.file, merged.line, merged.key_lines = doc.file, doc.line, dict(doc.key_lines)
    for key, value in doc.items():
        if key == "detect" and isinstance(value, dict) and isinstance(base.get("detect"), dict):
            value = Located({**base["detect"], **value})
            value.file, value.line, value.key_lines = doc.file, doc.line, {}
        if key != "like":
            merged[key] = value
    return merged


def _headers(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
    return tuple(header_key(v) for v in items if isinstance(v, str) and v.strip())


def _profile(builder: Strict, doc: Located, catalog: Catalog, like: str | None) -> ImportProfile | None:
    detect = doc.get("detect") or {}
    if isinstance(detect, Located):
        builder.check_keys(detect, DETECT_KEYS, ())
    rows = doc.get("rows", "order")
    if rows not in ROW_KINDS:
        builder.problem(doc, "rows", "schema_import_rows", value=rows, known=", ".join(ROW_KINDS))
        return None
    tables = []
    for table_name, node in (doc.get("tables") or {}).items():
        table = catalog.tables.get(table_name)
        if table is None:
            builder.problem(doc, "tables", "schema_import_table", value=table_name, known=", ".join(catalog.tables))
            continue
        if not builder.is_mapping(doc, "tables", node) or not builder.check_keys(node, TABLE_IMPORT_KEYS, ("columns",)):
            continue
        tables.append(_table(builder, node, table))
    if not any(t.table == "orders" and any(c == "order_id" for c, _ in t.columns) for t in tables):
        builder.problem(doc, "tables", "schema_import_no_orders")
        return None
    channel = doc.get("channel")
    orders = catalog.tables["orders"]
    if channel is not None and "channel" in orders.by_name:
        values = orders.column("channel").values or ()
        if channel not in values:
            builder.problem(doc, "channel", "schema_import_value", value=channel, known=messages.join(values))
    return ImportProfile(
        name=doc["name"],
        title=doc["title"],
        title_en=doc.get("title_en", ""),
        tables=tuple(tables),
        channel=channel,
        detect_headers=_headers(detect.get("headers")),
        file_words=tuple(str(w).lower() for w in detect.get("file_words", ()) or ()),
        rows=rows,
        lines_with=_headers(doc.get("lines_with")),
        newest_by=_headers(doc.get("newest_by")),
        total_words=tuple(str(w) for w in doc.get("total_words", TOTAL_WORDS)),
        like=like,
        source=doc.file or "",
    )


def _table(builder: Strict, node: Located, table: TableSpec) -> TableImport:
    columns = []
    for name, spec in (node.get("columns") or {}).items():
        if name not in table.by_name or table.column(name).origin:
            builder.problem(node, "columns", "schema_import_column", value=name, table=table.title)
            continue
        if isinstance(spec, Located):
            if not builder.check_keys(spec, SOURCE_KEYS, ("from",)):
                continue
            columns.append((name, ColumnSource(_headers(spec["from"]), spec.get("split"), int(spec.get("part", 0)))))
        elif isinstance(spec, (str, list)):
            columns.append((name, ColumnSource(_headers(spec))))
        else:
            builder.problem(node, "columns", "schema_bad_type", key=name, **want("want_text_or_list"), got=spec)
    values = []
    for name, mapping in (node.get("values") or {}).items():
        col = table.by_name.get(name)
        if col is None or not isinstance(mapping, dict):
            builder.problem(node, "values", "schema_import_column", value=name, table=table.title)
            continue
        allowed = set(col.values or ())
        for ours in mapping.values():
            if allowed and str(ours) not in allowed:
                builder.problem(
                    node, "values", "schema_import_value", value=ours, known=messages.join(col.values or ())
                )
        values.append((name, tuple((str(k), str(v)) for k, v in mapping.items())))
    constants = []
    for name, value in (node.get("set") or {}).items():
        if name not in table.by_name:
            builder.problem(node, "set", "schema_import_column", value=name, table=table.title)
            continue
        constants.append((name, str(value)))
    order_level = [str(n) for n in node.get("order_level", ())]
    for name in order_level:
        if name not in table.by_name or table.column(name).coltype.kind != "number":
            builder.problem(node, "order_level", "schema_import_column", value=name, table=table.title)
    split_by = node.get("split_by")
    if split_by is not None and (split_by not in table.by_name or table.column(split_by).coltype.kind != "number"):
        builder.problem(node, "split_by", "schema_import_column", value=split_by, table=table.title)
        split_by = None
    return TableImport(
        table=table.name,
        columns=tuple(columns),
        values=tuple(values),
        set=tuple(constants),
        rows_with=_headers(node.get("rows_with")),
        order_level=tuple(n for n in order_level if n in table.by_name),
        split_by=split_by,
    )
