"""The workbook month: parsing `--month 2026-12` and the dates it spans."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from ecomsheets import messages
from ecomsheets.errors import UsageError

_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def label(self, lang: str = "zh") -> str:
        return messages.text(
            "month_label", lang, year=self.year, month=self.month, month_name=self.start.strftime("%B")
        )


WEEKS = 5  # a month's week grid: days 1–7, 8–14, 15–21, 22–28, 29 to the month's end


def week_label(i: int, lang: str = "zh") -> str:
    """The name of week i (0-based) of a month's grid, as both the template and recomputation show it."""
    code = "wb_week_last" if i == WEEKS - 1 else "wb_week"
    return messages.text(code, lang, n=i + 1, start=7 * i + 1, end=7 * i + 7)


def parse_month(text: str | None) -> Month | None:
    """Parse '2026-12' (also 2026/12, 2026年12月); None stays None; bad text is a UsageError."""
    if text is None:
        return None
    m = _MONTH.match(str(text))
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2099:
        raise UsageError(*messages.both("cli_bad_month", value=text))
    return Month(int(m.group(1)), int(m.group(2)))
