"""Number types: integer, decimal, money (CNY) and percent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .base import ColumnSpec, ColumnType, SheetContext, number_bounds

if TYPE_CHECKING:  # annotations only: these load where a column is read or written
    import numpy as np
    import pyarrow as pa

    from ecomsheets.cells.coerce import Coerced
    from ecomsheets.months import Month

    from .base import Check, Reading


class _Number(ColumnType):
    kind = "number"
    writer = "write_number"
    _integer = _percent = False

    def checks(self, col: ColumnSpec) -> list[Check]:
        import pandera.pandas as pa

        from ecomsheets.rules import Rule

        out: list[Check] = []
        if col.min is not None:
            out.append((Rule.MIN, pa.Check.ge(col.min), {"limit": self.show_limit(col.min)}))
        if col.max is not None:
            out.append((Rule.MAX, pa.Check.le(col.max), {"limit": self.show_limit(col.max)}))
        return out

    def coerce(self, text: pa.Array, col: ColumnSpec, how: Reading) -> Coerced:
        from ecomsheets.cells import coerce

        return coerce.numbers(text, integer=self._integer, percent=self._percent)

    def cell_values(self, values: Iterable[Any]) -> list[Any]:
        return [None if v != v else v for v in self.to_number(values).tolist()]


_BIG = 1e12


class IntegerType(_Number):
    name = "integer"
    step = 1.0
    _integer = True
    num_format = "#,##0"
    default_width = 10

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        return {"validate": "integer", **number_bounds(col, -(2**31), 2**31 - 1)}

    def example(self, col: ColumnSpec, n: int, rng: np.random.Generator, month: Month) -> Any:
        lo = col.min if col.min is not None else 0
        hi = min(col.max if col.max is not None else lo + 100, lo + 100)
        return rng.integers(int(lo), int(hi) + 1, size=n)

    def example_from_number(self, values: np.ndarray) -> Any:
        import numpy as np

        return np.round(values)


class DecimalType(_Number):
    name = "decimal"
    num_format = "#,##0.00"
    default_width = 12

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        return {"validate": "decimal", **number_bounds(col, -_BIG, _BIG)}

    def example(self, col: ColumnSpec, n: int, rng: np.random.Generator, month: Month) -> Any:
        import numpy as np

        lo = col.min if col.min is not None else 0
        hi = min(col.max if col.max is not None else lo + 1000, lo + 1000)
        return np.round(rng.uniform(lo, hi, size=n), 2)

    def example_from_number(self, values: np.ndarray) -> Any:
        import numpy as np

        return np.round(values, 2)


class MoneyType(DecimalType):
    name = "money"
    num_format = '"¥"#,##0.00'
    default_width = 13


class PercentType(DecimalType):
    """Stored as a fraction (0.125) and shown as 12.50%."""

    name = "percent"
    _percent = True
    num_format = "0.00%"
    default_width = 10

    def example(self, col: ColumnSpec, n: int, rng: np.random.Generator, month: Month) -> Any:
        import numpy as np

        lo = col.min if col.min is not None else 0
        hi = col.max if col.max is not None else 1
        return np.round(rng.uniform(lo, min(hi, 1), size=n), 2)

    def show_number(self, v: float) -> str:
        return f"{v:.0%}" if float(round(v * 100, 9)).is_integer() else f"{v:.2%}"

    def show_limit(self, v: float) -> str:
        return f"{v:.0%}"
