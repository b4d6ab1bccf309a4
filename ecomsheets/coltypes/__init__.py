"""The registry of column types, by the name used in schema files."""

from __future__ import annotations

from .base import ColumnType, SheetContext
from .choice import BoolType, EnumType
from .numeric import DecimalType, IntegerType, MoneyType, PercentType
from .temporal import DateTimeType, DateType, TimeType
from .text import PhoneType, StringType, TextType

TYPES: dict[str, ColumnType] = {
    t.name: t
    for t in (
        StringType(),
        TextType(),
        IntegerType(),
        DecimalType(),
        MoneyType(),
        PercentType(),
        DateType(),
        DateTimeType(),
        TimeType(),
        EnumType(),
        BoolType(),
        PhoneType(),
    )
}


def get_type(name: str) -> ColumnType:
    return TYPES[name]


__all__ = ["TYPES", "ColumnType", "SheetContext", "get_type"]
