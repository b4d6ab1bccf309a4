"""Plain-language descriptions of a column's rules: input prompts, error alerts and the
instructions sheet all say the same thing, in the user's language."""

from __future__ import annotations

from collections.abc import Callable

from ecomsheets import messages
from ecomsheets.coltypes.base import show_number
from ecomsheets.months import Month

from . import expr
from .model import ColumnSpec, TableSpec


def _num(v: float, col: ColumnSpec | None = None) -> str:
    return col.coltype.show_number(v) if col is not None else show_number(v)


def formula_text(table: TableSpec, col: ColumnSpec, lang: str) -> str:
    """A derived column's formula with column titles, e.g. 数量×单价-优惠金额."""
    params = {p.name: p.label(lang) for p in table.parameters}
    text = expr.to_excel(col.formula_ast, lambda n: table.column(n).header(lang) if n in table.by_name else params[n])
    return text.replace("*", "×").replace("/", "÷")


def type_label(col: ColumnSpec, lang: str, month: Month | None = None) -> str:
    return messages.type_label(col.type, lang, month)


def rules(table: TableSpec, col: ColumnSpec, lang: str, month: Month | None, tables: dict[str, TableSpec]) -> list[str]:
    """Each rule of a column as a short phrase (required first)."""
    t: Callable[..., str] = lambda code, **kw: messages.text(code, lang, **kw)  # noqa: E731
    if col.derived:
        return [t("desc_formula", formula=formula_text(table, col, lang))]
    out = [t("desc_required") if col.required else t("desc_optional")]
    if col.unique or table.primary_key == (col.name,):
        out.append(t("desc_unique"))
    if col.min is not None and col.max is not None:
        out.append(t("desc_between", lo=_num(col.min, col), hi=_num(col.max, col)))
    elif col.min is not None:
        out.append(t("desc_at_least", lo=_num(col.min, col)))
    elif col.max is not None:
        out.append(t("desc_at_most", hi=_num(col.max, col)))
    if col.max_length:
        out.append(t("desc_max_length", n=col.max_length))
    if col.in_month and month is not None:
        out.append(t("desc_in_month", start=month.start.isoformat(), end=month.end.isoformat()))
    if col.references and col.ref_table in tables:
        target = tables[col.ref_table]
        out.append(
            t("desc_references", sheet=target.sheet_name(lang), title=target.column(col.ref_column or "").header(lang))
        )
    if col.values and len(col.values) <= 8:
        out.append(t("desc_values", values=messages.text("sep_list", lang).join(col.values)))
    return out


def input_message(
    table: TableSpec, col: ColumnSpec, lang: str, month: Month | None, tables: dict[str, TableSpec]
) -> str:
    parts = [type_label(col, lang, month)] + rules(table, col, lang, month, tables)
    text = messages.text("sep_clause", lang).join(parts)
    note = col.note_en if lang == "en" and col.note_en else (col.note if lang != "en" else None)
    if note:
        text = note + ("\n" if text else "") + text
    return text[:255]


def error_message(
    table: TableSpec, col: ColumnSpec, lang: str, month: Month | None, tables: dict[str, TableSpec]
) -> str:
    if col.derived:
        return messages.text("desc_derived_alert", lang)
    if col.coltype.from_list or col.references:
        return messages.text("desc_list_alert", lang)
    what = type_label(col, lang, month)
    extra = [r for r in rules(table, col, lang, month, tables)[1:]]
    sep = messages.text("sep_comma", lang)
    return (messages.text("desc_expect", lang, what=what) + (sep + sep.join(extra) if extra else ""))[:255]
