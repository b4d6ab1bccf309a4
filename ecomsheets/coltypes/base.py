"""What every column type provides. A type is a small unit that owns its Excel number format,
its Excel data validation and what it means in expressions; reading adds its coercion."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # annotations only: these load where a column is read or written
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from ecomsheets.cells.coerce import Coerced
    from ecomsheets.months import Month
    from ecomsheets.rules import Rule

    Check = tuple[Rule, Any, dict[str, Any]]  # (rule, pandera Check, fields of its message)


class ColumnSpec(Protocol):
    """What a type reads of a column's declaration (schema.model.ColumnSpec has it all): the
    types sit below the schema model, which looks them up by name."""

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def min(self) -> float | None: ...
    @property
    def max(self) -> float | None: ...
    @property
    def max_length(self) -> int | None: ...
    @property
    def pattern(self) -> str | None: ...
    @property
    def in_month(self) -> bool: ...
    @property
    def values(self) -> Any: ...
    @property
    def note(self) -> str | None: ...
    @property
    def note_en(self) -> str | None: ...


@dataclass(frozen=True)
class Reading:
    """What reading a column may need beyond its cells: the workbook's month (day-first or
    month-first dates), other spellings of list values, and whether a longer text that starts
    with a value means it (an address for a province)."""

    month: Month | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    prefix_match: bool = False


@dataclass(frozen=True)
class SheetContext:
    """What a type needs to know about the workbook being generated."""

    month_start: date | None = None
    month_end: date | None = None
    lang: str = "zh"
    # Returns the absolute range (e.g. "='_lists'!$A$2:$A$7") holding a column's allowed values.
    list_source: Callable[[ColumnSpec], str] | None = None


EXCEL_EPOCH = "1899-12-30"  # day 0 of the 1900 date system of Excel, WPS and LibreOffice


def show_number(v: float) -> str:
    """A bound or count as people write it: 1,000 or 12.5."""
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


class ColumnType:
    """A column type owns what its values mean everywhere: in the template (number format, data
    validation, how a cell is written), in formulas (`kind`, `to_number`, `from_number`), in
    example data and in the words that describe it. Traits instead of type names let the rest
    of the code ask what a column is without knowing which types exist."""

    name: str = ""
    kind: str = "text"  # what the column is inside an expression: number | text
    num_format: str | None = None
    default_width: int = 14
    wrap: bool = False
    dated = False  # a calendar day (and time): a day serial in formulas
    clock = False  # a time of day: a fraction of a day in formulas
    from_list = False  # chosen from a list: a dropdown in the template
    holds_ids = False  # free text that may be an identifier (example data numbers such keys)
    holds_digits = False  # long digit strings (ids, phones): a number cell may have lost digits
    uses_values = False  # its allowed values are the column's `values` list
    yes_no = False  # 是/否 (LibreOffice saves a typed yes/no as =TRUE() or =FALSE())
    writer = "write_string"  # the xlsxwriter call that writes one value
    step = 0.01  # the smallest difference between two values as a formula sees them (1 for a day)

    @property
    def temporal(self) -> bool:
        return self.dated or self.clock

    @property
    def quantity(self) -> bool:
        """A plain number (not a date or a time): bounds, sums, text typed for numbers."""
        return self.kind == "number" and not self.temporal

    @property
    def cell_kind(self) -> str:
        """How a cell holds a value: date | time | number | text."""
        return "date" if self.dated else "time" if self.clock else "number" if self.kind == "number" else "text"

    def coerce(self, text: pa.Array, col: ColumnSpec, how: Reading) -> Coerced:
        """Cell texts (an Arrow string array) as this type's values, with what was normalised
        and what cannot be read (`ecomsheets.cells.coerce.Coerced`)."""
        from ecomsheets.cells import coerce

        return coerce.identifiers(text, fold=bool(col.pattern))

    def to_number(self, series: pd.Series) -> pd.Series:
        """Values as a spreadsheet computes with them (float, NaN where blank or not a number)."""
        import pandas as pd

        return pd.to_numeric(series, errors="coerce").astype("float64")

    def expression_input(self, series: pd.Series) -> pd.Series:
        """Values as an expression reads them, with Excel's blanks: 0 for numbers, "" for text."""
        if self.kind == "number":
            return self.to_number(series).fillna(0.0)
        return series.astype(object).where(series.notna(), "").astype(str)

    def from_number(self, values: Any) -> Any:
        """An expression's numeric result as this type's values (dates from day serials)."""
        return values

    def example_from_number(self, values: np.ndarray) -> Any:
        """An example value computed by an expression, rounded as a person would type it."""
        return values

    def example(self, col: ColumnSpec, n: int, rng: np.random.Generator, month: Month) -> Any:
        """`n` plausible values for example data (optional notes are mostly left empty)."""
        if not col.required:
            return [None] * n
        return [f"{col.title}{i + 1}" for i in range(n)]

    def cell_values(self, values: Iterable[Any]) -> list[Any]:
        """Python values to write, None for a blank (text is cleaned by the writer)."""
        return [None if _blank(v) else v for v in values]

    def show_number(self, v: float) -> str:
        return show_number(v)

    def show_limit(self, v: float) -> str:
        """A bound in a finding's message: 0.5 → 0.5 (a percent type says 50%)."""
        return f"{v:g}"

    def checks(self, col: ColumnSpec) -> list[Check]:
        """The column's value checks as (rule, pandera check, message fields), in the order
        pandera numbers them. Required and unique are the table's business, not the type's."""
        return []

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict[str, Any] | None:
        """xlsxwriter data_validation options for a data cell (without prompts), or None."""
        return None

    def check_spec(self, col: ColumnSpec) -> list[tuple[str, str, str]]:
        """Schema problems specific to this type: [(key, code, detail)]."""
        return []


def number_bounds(col: ColumnSpec, low: float, high: float) -> dict[str, Any]:
    lo = low if col.min is None else col.min
    hi = high if col.max is None else col.max
    return {"criteria": "between", "minimum": lo, "maximum": hi}
