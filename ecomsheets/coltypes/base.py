"""What every column type provides. A type is a small unit that owns its Excel number format,
its Excel data validation and what it means in expressions; reading adds its coercion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Protocol


class ColumnSpec(Protocol):
    """What a type reads of a column's declaration (schema.model.ColumnSpec has it all): the
    types sit below the schema model, which looks them up by name."""

    @property
    def name(self) -> str: ...
    @property
    def min(self) -> float | None: ...
    @property
    def max(self) -> float | None: ...
    @property
    def max_length(self) -> int | None: ...
    @property
    def in_month(self) -> bool: ...
    @property
    def values(self) -> Any: ...


@dataclass(frozen=True)
class SheetContext:
    """What a type needs to know about the workbook being generated."""

    month_start: date | None = None
    month_end: date | None = None
    lang: str = "zh"
    # Returns the absolute range (e.g. "='_lists'!$A$2:$A$7") holding a column's allowed values.
    list_source: Callable[[ColumnSpec], str] | None = None


class ColumnType:
    name: str = ""
    kind: str = "text"  # what the column is inside an expression: number | text
    num_format: str | None = None
    default_width: int = 14
    wrap: bool = False

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict | None:
        """xlsxwriter data_validation options for a data cell (without prompts), or None."""
        return None

    def check_spec(self, col: ColumnSpec) -> list[tuple[str, str, str]]:
        """Schema problems specific to this type: [(key, code, detail)]."""
        return []


def number_bounds(col: ColumnSpec, low: float, high: float) -> dict:
    lo = low if col.min is None else col.min
    hi = high if col.max is None else col.max
    return {"criteria": "between", "minimum": lo, "maximum": hi}

