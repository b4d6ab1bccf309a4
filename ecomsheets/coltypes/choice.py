"""Choice types: a fixed list of values (enum) and yes/no (bool, written 是/否)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ecomsheets.cells import YES_NO_WORDS

from .base import ColumnSpec, ColumnType, SheetContext

if TYPE_CHECKING:  # annotations only: these load where a column is read or written
    import numpy as np
    import pyarrow as pa

    from ecomsheets.cells.coerce import Coerced
    from ecomsheets.months import Month

    from .base import Check, Reading


class EnumType(ColumnType):
    name = "enum"
    from_list = True
    uses_values = True
    num_format = "@"

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        assert ctx.list_source is not None  # the template gives list columns their list's range
        return {"validate": "list", "source": ctx.list_source(col)}

    def checks(self, col: ColumnSpec) -> list[Check]:
        import pandera.pandas as pa

        from ecomsheets import messages
        from ecomsheets.rules import Rule

        if not col.values:
            return []
        more = "…" if len(col.values) > 12 else ""
        shown = messages.Both(*(s + more for s in messages.join(col.values[:12])))
        return [(Rule.ENUM, pa.Check.isin(list(col.values)), {"allowed": shown})]

    def coerce(self, text: pa.Array, col: ColumnSpec, how: Reading) -> Coerced:
        from ecomsheets.cells import coerce

        return coerce.choices(text, col.values, how.aliases, how.prefix_match)

    def check_spec(self, col: ColumnSpec) -> list[tuple[str, str, str]]:
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

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        return {"validate": "list", "source": list(self.VALUES)}

    def coerce(self, text: pa.Array, col: ColumnSpec, how: Reading) -> Coerced:
        from ecomsheets.cells import coerce

        return coerce.yes_no(text)

    def example(self, col: ColumnSpec, n: int, rng: np.random.Generator, month: Month) -> Any:
        import numpy as np

        return rng.choice(np.array(list(self.VALUES), dtype=object), size=n)
