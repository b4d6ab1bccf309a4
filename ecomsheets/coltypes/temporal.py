"""Date and time types. Dates are bounded to the workbook's month when one is given."""

from __future__ import annotations

from datetime import date, datetime, time

from .base import ColumnType

_FIRST, _LAST = date(2000, 1, 1), date(2099, 12, 31)


class DateType(ColumnType):
    name = "date"
    kind = "number"  # a day serial inside expressions, as in Excel
    num_format = "yyyy-mm-dd"
    default_width = 12

    def validation(self, col, ctx):
        bounded = col.in_month and ctx.month_start is not None
        start, end = (ctx.month_start, ctx.month_end) if bounded else (_FIRST, _LAST)
        return {"validate": "date", "criteria": "between",
                "minimum": datetime.combine(start, time()),
                "maximum": datetime.combine(end, time(23, 59, 59))}


class DateTimeType(DateType):
    name = "datetime"
    num_format = "yyyy-mm-dd hh:mm"
    default_width = 17


class TimeType(ColumnType):
    name = "time"
    kind = "number"  # a fraction of a day inside expressions
    num_format = "hh:mm"
    default_width = 9

    def validation(self, col, ctx):
        return {"validate": "time", "criteria": "between",
                "minimum": time(0, 0), "maximum": time(23, 59, 59)}
