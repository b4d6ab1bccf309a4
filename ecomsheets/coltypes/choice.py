"""Choice types: a fixed list of values (enum) and yes/no (bool, written 是/否)."""

from __future__ import annotations

from ecomsheets.cells import YES_NO_WORDS

from .base import ColumnType


class EnumType(ColumnType):
    name = "enum"
    from_list = True
    uses_values = True
    num_format = "@"

    def validation(self, col, ctx):
        return {"validate": "list", "source": ctx.list_source(col)}

    def coerce(self, text, col, *, month=None, aliases=None, prefix_match=False):
        from ecomsheets.cells import coerce

        return coerce.choices(text, col.values, aliases, prefix_match)

    def check_spec(self, col):
        if not col.values:
            return [("values", "schema_enum_no_values", "")]
        return []


class BoolType(ColumnType):
    name = "bool"
    from_list = True
    yes_no = True
    num_format = "@"
    default_width = 8
    VALUES = YES_NO_WORDS

    def validation(self, col, ctx):
        return {"validate": "list", "source": list(self.VALUES)}

    def coerce(self, text, col, *, month=None, aliases=None, prefix_match=False):
        from ecomsheets.cells import coerce

        return coerce.yes_no(text)

    def example(self, col, n, rng, month):
        import numpy as np

        return rng.choice(np.array(list(self.VALUES), dtype=object), size=n)
