"""Text-like types: short strings, long text and mainland mobile phone numbers."""

from __future__ import annotations

from .base import ColumnType, SheetContext


class StringType(ColumnType):
    name = "string"
    holds_ids = True
    holds_digits = True
    num_format = "@"  # stored as text so ids like 0012 or long order numbers stay intact

    def validation(self, col, ctx: SheetContext):
        if col.max_length:
            return {"validate": "length", "criteria": "<=", "value": col.max_length}
        return None


class TextType(StringType):
    name = "text"
    holds_digits = False  # long text, not an id

    def coerce(self, text, col, *, month=None, aliases=None, prefix_match=False):
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

    def validation(self, col, ctx):
        return {"validate": "length", "criteria": "==", "value": 11}

    def coerce(self, text, col, *, month=None, aliases=None, prefix_match=False):
        from ecomsheets.cells import coerce

        return coerce.phones(text)

    def example(self, col, n, rng, month):
        return [f"1{rng.integers(3, 10)}{rng.integers(0, 10**9):09d}" for _ in range(n)]
