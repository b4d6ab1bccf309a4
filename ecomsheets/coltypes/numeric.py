"""Number types: integer, decimal, money (CNY) and percent."""

from __future__ import annotations

from .base import ColumnType, number_bounds

_BIG = 1e12


class IntegerType(ColumnType):
    name = "integer"
    kind = "number"
    num_format = "#,##0"
    default_width = 10

    def validation(self, col, ctx):
        return {"validate": "integer", **number_bounds(col, -2**31, 2**31 - 1)}


class DecimalType(ColumnType):
    name = "decimal"
    kind = "number"
    num_format = "#,##0.00"
    default_width = 12

    def validation(self, col, ctx):
        return {"validate": "decimal", **number_bounds(col, -_BIG, _BIG)}


class MoneyType(DecimalType):
    name = "money"
    num_format = '"¥"#,##0.00'
    default_width = 13


class PercentType(DecimalType):
    """Stored as a fraction (0.125) and shown as 12.50%."""

    name = "percent"
    num_format = "0.00%"
    default_width = 10
