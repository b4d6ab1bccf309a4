"""A column of cell texts as typed values: its column type decides how it is read
(`ColumnType.coerce`, built from `ecomsheets.cells.coerce`)."""

from __future__ import annotations

from ecomsheets.cells.coerce import Coerced
from ecomsheets.cells.text import as_text
from ecomsheets.coltypes.base import Reading
from ecomsheets.schema import ColumnSpec


def coerce_column(
    raw,
    col: ColumnSpec,
    month=None,
    value_aliases: dict | None = None,
    blanks_done: bool = False,
    prefix_match: bool = False,
) -> Coerced:
    """Typed values of one column; `raw` holds cell texts (Arrow array or pandas Series)."""
    how = Reading(month=month, aliases=value_aliases or {}, prefix_match=prefix_match)
    return col.coltype.coerce(as_text(raw, blanks_done), col, how)


def accepted_spellings(catalog, col: ColumnSpec) -> tuple[dict, bool]:
    """Other spellings of an enum's values accepted with a warning (北京 → 北京市, 顺丰 →
    顺丰速运, 交易成功 → 已完成), and whether a text may start with a value (an address
    starting with its province: only for lists that have short names)."""
    out = dict(col.value_aliases)
    prefix = False
    for ref in catalog.reference.values():
        if col.values and set(col.values) <= set(ref.values):
            for item in ref.items:
                prefix = prefix or bool(item.get("short"))
                for alias in (item.get("short"), item.get("code"), *item.get("aliases", ())):
                    if alias is not None:
                        out.setdefault(str(alias), item["value"])
    return out, prefix
