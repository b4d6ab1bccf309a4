"""Text-like types: short strings, long text and mainland mobile phone numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import ColumnSpec, ColumnType, SheetContext

if TYPE_CHECKING:  # annotations only: these load where a column is read or written
    import numpy as np
    import pyarrow as pa

    from ecomsheets.cells.coerce import Coerced
    from ecomsheets.months import Month


class StringType(ColumnType):
    name = "string"
    holds_ids = True
    holds_digits = True
    num_format = "@"  # stored as text so ids like 0012 or long order numbers stay intact

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        if col.max_length:
            return {"validate": "length", "criteria": "<=", "value": col.max_length}
        return None


class TextType(StringType):
    name = "text"
    holds_digits = False  # long text, not an id

    def coerce(
        self,
        text: pa.Array,
        col: ColumnSpec,
        *,
        month: Month | None = None,
        aliases: dict[str, str] | None = None,
        prefix_match: bool = False,
    ) -> Coerced:
        from ecomsheets.cells import coerce

        return coerce.long_text(text)

    default_width = 36
    wrap = True


class PhoneType(ColumnType):
    """A mainland mobile number: 11 digits starting 13–19 (masked exports allowed)."""

    name = "phone"
    holds_digits = True
    num_format = "@"
    default_width = 15
    DEFAULT_PATTERN = r"^1[3-9]\d{9}$|^1[3-9]\d\*{4}\d{4}$"

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        return {"validate": "length", "criteria": "==", "value": 11}

    def coerce(
        self,
        text: pa.Array,
        col: ColumnSpec,
        *,
        month: Month | None = None,
        aliases: dict[str, str] | None = None,
        prefix_match: bool = False,
    ) -> Coerced:
        from ecomsheets.cells import coerce

        return coerce.phones(text)

    def example(self, col: ColumnSpec, n: int, rng: np.random.Generator, month: Month) -> Any:
        return [f"1{rng.integers(3, 10)}{rng.integers(0, 10**9):09d}" for _ in range(n)]
