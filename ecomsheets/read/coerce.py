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
