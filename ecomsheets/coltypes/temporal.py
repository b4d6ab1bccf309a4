"""Date and time types. Dates are bounded to the workbook's month when one is given."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from .base import EXCEL_EPOCH, ColumnSpec, ColumnType, Reading, SheetContext

if TYPE_CHECKING:  # annotations only: these load where a column is read or written
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from ecomsheets.cells.coerce import Coerced
    from ecomsheets.months import Month

_FIRST, _LAST = date(2000, 1, 1), date(2099, 12, 31)


class DateType(ColumnType):
    name = "date"
    step = 1.0
    kind = "number"  # a day serial inside expressions, as in Excel
    num_format = "yyyy-mm-dd"
    default_width = 12
    dated = True
    writer = "write_datetime"
    _whole_days = True

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        bounded = col.in_month and ctx.month_start is not None
        start, end = (ctx.month_start, ctx.month_end) if bounded else (_FIRST, _LAST)
        assert start is not None and end is not None  # SheetContext sets both ends of the month or neither
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": datetime.combine(start, time()),
            "maximum": datetime.combine(end, time(23, 59, 59)),
        }

    def coerce(self, text: pa.Array, col: ColumnSpec, how: Reading) -> Coerced:
        from ecomsheets.cells import coerce

        return coerce.dates(text, how.month, whole_days=self._whole_days)

    def to_number(self, series: pd.Series) -> pd.Series:
        import pandas as pd

        stamps = pd.to_datetime(series, errors="coerce")
        return (stamps - pd.Timestamp(EXCEL_EPOCH)) / pd.Timedelta(days=1)

    def from_number(self, values: Any) -> Any:
        import pandas as pd

        return pd.Timestamp(EXCEL_EPOCH) + pd.to_timedelta(values, unit="D")

    def example_from_number(self, values: np.ndarray) -> Any:
        stamps = self.from_number(values).round("min")
        return stamps.normalize() if self._whole_days else stamps

    def example(self, col: ColumnSpec, n: int, rng: np.random.Generator, month: Month) -> Any:
        import pandas as pd

        span = (month.end - month.start).days + 1
        start = month.start if col.in_month else month.start - timedelta(days=365)
        days = rng.integers(0, span if col.in_month else 365, size=n)
        if self._whole_days:
            return [pd.Timestamp(start + timedelta(days=int(d))) for d in days]
        minutes = rng.integers(9 * 60, 18 * 60, size=n)
        return [
            pd.Timestamp(datetime.combine(start + timedelta(days=int(d)), time()) + timedelta(minutes=int(m)))
            for d, m in zip(days, minutes)
        ]

    def cell_values(self, values: Iterable[Any]) -> list[Any]:
        import pandas as pd

        return [None if pd.isna(v) else v.to_pydatetime() for v in pd.to_datetime(values, errors="coerce")]


class DateTimeType(DateType):
    name = "datetime"
    step = 1 / 1440
    num_format = "yyyy-mm-dd hh:mm"
    default_width = 17
    _whole_days = False


class TimeType(ColumnType):
    name = "time"
    step = 1 / 1440
    kind = "number"  # a fraction of a day inside expressions
    num_format = "hh:mm"
    default_width = 9
    clock = True
    writer = "write_datetime"

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        return {"validate": "time", "criteria": "between", "minimum": time(0, 0), "maximum": time(23, 59, 59)}

    def coerce(self, text: pa.Array, col: ColumnSpec, how: Reading) -> Coerced:
        from ecomsheets.cells import coerce

        return coerce.times(text)

    def to_number(self, series: pd.Series) -> pd.Series:
        return series.map(_day_fraction).astype("float64").where(series.notna())

    def example_from_number(self, values: np.ndarray) -> Any:
        import numpy as np

        minutes = np.round(values * 1440).astype(int) % 1440
        return [time(int(m) // 60, int(m) % 60) for m in minutes]

    def example(self, col: ColumnSpec, n: int, rng: np.random.Generator, month: Month) -> Any:
        minutes = rng.integers(8 * 60, 19 * 60, size=n)
        return [time(int(m) // 60, int(m) % 60) for m in minutes]


def _day_fraction(v: Any) -> float:
    """A time of day as Excel holds it (a fraction of a day); 0 for a blank or another value."""
    if v is None or (isinstance(v, float) and v != v) or str(v) == "NaT":
        return 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if hasattr(v, "hour"):
        seconds: int = v.hour * 3600 + v.minute * 60 + v.second
        return seconds / 86400
    return 0.0
