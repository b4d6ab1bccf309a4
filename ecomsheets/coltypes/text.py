"""Text-like types: short strings, long text and mainland mobile phone numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import ColumnSpec, ColumnType, SheetContext

if TYPE_CHECKING:  # annotations only: these load where a column is read or written
    import numpy as np
    import pyarrow as pa

    from ecomsheets.cells.coerce import Coerced
    from ecomsheets.months import Month

    from .base import Check, Reading


def text_checks(col: ColumnSpec, default_pattern: str | None = None) -> list[Check]:
    """A pattern to match (the column's own, else the type's) and a longest length."""
    import pandera.pandas as pa

    from ecomsheets import messages
    from ecomsheets.rules import Rule

    out: list[Check] = []
    pattern = col.pattern or default_pattern
    if pattern:
        hint_zh = messages.text("in_parens", "zh", text=col.note) if col.note else ""
        hint_en = messages.text("in_parens", "en", text=col.note_en) if col.note_en else ""
        out.append((Rule.PATTERN, pa.Check.str_matches(pattern), {"hint_zh": hint_zh, "hint_en": hint_en}))
    if col.max_length:
        out.append((Rule.MAX_LENGTH, pa.Check.str_length(max_value=col.max_length), {"limit": col.max_length}))
    return out


class StringType(ColumnType):
    name = "string"
    holds_ids = True
    holds_digits = True
    num_format = "@"  # stored as text so ids like 0012 or long order numbers stay intact

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        if col.max_length:
            return {"validate": "length", "criteria": "<=", "value": col.max_length}
        return None

    def checks(self, col: ColumnSpec) -> list[Check]:
        return text_checks(col)


class TextType(StringType):
    name = "text"
    holds_digits = False  # long text, not an id

    def coerce(self, text: pa.Array, col: ColumnSpec, how: Reading) -> Coerced:
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

    def checks(self, col: ColumnSpec) -> list[Check]:
        return text_checks(col, self.DEFAULT_PATTERN)

    def coerce(self, text: pa.Array, col: ColumnSpec, how: Reading) -> Coerced:
        from ecomsheets.cells import coerce

        return coerce.phones(text)

    def example(self, col: ColumnSpec, n: int, rng: np.random.Generator, month: Month) -> Any:
        return [f"1{rng.integers(3, 10)}{rng.integers(0, 10**9):09d}" for _ in range(n)]
