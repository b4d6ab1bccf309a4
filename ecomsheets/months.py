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
        return f"{self.year}年{self.month}月" if lang != "en" else self.start.strftime("%B %Y")


def parse_month(text: str | None) -> Month | None:
    """Parse '2026-12' (also 2026/12, 2026年12月); None stays None; bad text is a UsageError."""
    if text is None:
        return None
    m = _MONTH.match(str(text))
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2099:
        raise UsageError(*messages.both("cli_bad_month", value=text))
    return Month(int(m.group(1)), int(m.group(2)))
