"""Parsing one cell's text the way people really type it. Each parser returns
(value, why) where `why` names the normalisation applied (None if the text was already
canonical), or raises Invalid. The vectorised column path (`cells.coerce`) calls these only
for cells its fast path cannot read."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from . import YES_NO_WORDS
from .text import SPACE_CHARS as _SPACES

_FULLWIDTH = re.compile(r"[\uff01-\uff5e\u3000]")
SERIAL_EPOCH = datetime(1899, 12, 30)


class Invalid(ValueError):
    """The text cannot be read as the column's type."""


def strip(text: str) -> str:
    return text.strip(_SPACES)


def ascii_fold(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (１２３，４５ → 123,45)."""
    return unicodedata.normalize("NFKC", text)


def _prep(text: str) -> tuple[str, str | None]:
    """Strip and fold; report which of the two changed the text. A leading ' (how Excel and
    exports mark a number or date kept as text) is removed like the export prefix it is."""
    stripped = strip(text)
    prefixed = stripped.startswith(("'", "‘", "’"))
    if prefixed:
        stripped = strip(stripped[1:])
    folded = strip(ascii_fold(stripped))
    why = "fullwidth" if folded != stripped else ("spaces" if stripped != text else None)
    return folded, ("prefix" if prefixed else why)


# --- numbers ---------------------------------------------------------------------------------
_CURRENCY = re.compile(r"^(?:¥|RMB|CNY|\$)?\s*(-?)\s*(?:¥)?\s*([\d,]*\.?\d+)\s*(?:元|RMB|CNY)?$", re.I)
_FULL_STOP_CHARS = "。"  # typed for a decimal point with a Chinese input method
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$")


def number(text: str, *, percent: bool = False) -> tuple[float, str | None]:
    t, why = _prep(text)
    if _FULL_STOP_CHARS in t:
        t, why = t.replace(_FULL_STOP_CHARS, "."), "fullwidth"
    is_pct = t.endswith("%")
    if is_pct:
        t = t[:-1].strip()
    try:
        value = float(t)
        plain = True
    except ValueError:
        plain = False
    if not plain:
        m = _CURRENCY.match(t)
        if not m or not _GROUPED.match(m.group(2)):
            raise Invalid(text)
        value = float(m.group(1) + m.group(2).replace(",", ""))
        why = "currency"
    if value != value or abs(value) == float("inf"):
        raise Invalid(text)
    if is_pct:
        if not percent:
            raise Invalid(text)
        value, why = value / 100, "percent"
    return value, why


def integer(text: str) -> tuple[float, str | None]:
    value, why = number(text)
    if abs(value - round(value)) > 1e-9:
        raise Invalid(text)
    return float(round(value)), why


# --- dates and times -------------------------------------------------------------------------
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})$")


class Ambiguous(ValueError):
    """A date that reads two ways (11/3/2026: 3 November or 11 March)."""

    def __init__(self, text: str, readings: tuple[date, date]):
        super().__init__(text)
        self.readings = readings


_MD = re.compile(r"^(\d{1,2})\s*[月/-]\s*(\d{1,2})\s*日?$")
_HMS = re.compile(r"^(\d{1,2})\s*[:：点时]\s*(\d{1,2})\s*(?:分)?\s*(?:[:：]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?$")
_HOUR = re.compile(r"^(\d{1,2})\s*[点时](半|整)?$")
_HALF_HOUR_WORDS = ("半",)  # 9点半
_CANONICAL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$")
_CANONICAL_DT = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")
_CANONICAL_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
# How a time-only cell comes out of the reader: a date on Excel's day zero.
_TIME_CELL = re.compile(r"^1899-12-3[01] (\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$")


def _serial(value: float) -> datetime:
    if not 1 <= value < 2958466:
        raise Invalid(str(value))
    return SERIAL_EPOCH + timedelta(days=value)


def _make_date(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise Invalid(text) from None


def date_value(text: str, month=None) -> tuple[datetime, str | None]:
    """A date (as a datetime at midnight)."""
    t, why = _prep(text)
    head = t.split(" ")[0] if " " in t else t
    if _CANONICAL_DATE.match(t):
        return datetime.strptime(t[:10], "%Y-%m-%d"), why
    m = _YMD.match(head) or _COMPACT.match(head)
    if m and (head == t or _HMS.match(t.split(" ", 1)[1].strip())):
        return datetime.combine(_make_date(int(m[1]), int(m[2]), int(m[3]), text), time()), "date_text"
    m = _DMY.match(head)
    if m and (head == t or _HMS.match(t.split(" ", 1)[1].strip())):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if a > 12 >= b:  # 15/11/2026: only day-first reads
            return datetime.combine(_make_date(y, b, a, text), time()), "day_first"
        if b > 12 >= a:  # 11/15/2026: only month-first reads
            return datetime.combine(_make_date(y, a, b, text), time()), "month_first"
        if a == b:
            return datetime.combine(_make_date(y, a, b, text), time()), "date_text"
        if a <= 12 and b <= 12:
            raise Ambiguous(text, (_make_date(y, b, a, text), _make_date(y, a, b, text)))
        raise Invalid(text)
    m = _MD.match(t)
    if m and month is not None:
        return datetime.combine(_make_date(month.year, int(m[1]), int(m[2]), text), time()), "date_text"
    if re.fullmatch(r"\d{5}(\.\d+)?", t):
        return datetime.combine(_serial(float(t)).date(), time()), "serial"
    raise Invalid(text)


def datetime_value(text: str, month=None) -> tuple[datetime, str | None]:
    t, why = _prep(text)
    if _CANONICAL_DT.match(t):
        fmt = {10: "%Y-%m-%d", 16: "%Y-%m-%d %H:%M", 19: "%Y-%m-%d %H:%M:%S"}[len(t)]
        return datetime.strptime(t, fmt), why
    if re.fullmatch(r"\d{5}(\.\d+)?", t):  # an Excel serial, with the time as its fraction
        return _serial(float(t)).replace(microsecond=0), "serial"
    parts = t.split(None, 1)
    if not parts:
        raise Invalid(text)
    day, _ = date_value(parts[0], month)
    if len(parts) == 1:
        return day, "date_text"
    clock, _ = time_value(parts[1])
    return datetime.combine(day.date(), clock), "date_text"


def time_value(text: str) -> tuple[time, str | None]:
    t, why = _prep(text)
    m = _TIME_CELL.match(t)
    if m:
        return time(int(m[1]), int(m[2]), int(m[3])), why
    m = _HMS.match(t)
    if m:
        h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
        if h > 23 or mi > 59 or s > 59:
            raise Invalid(text)
        return time(h, mi, s), (why if _CANONICAL_TIME.match(t) else "time_text")
    m = _HOUR.match(t)  # 9点, 9点半, 9点整
    if m and int(m[1]) <= 23:
        return time(int(m[1]), 30 if m[2] in _HALF_HOUR_WORDS else 0), "time_text"
    if re.fullmatch(r"0?\.\d+|0", t):
        seconds = round(float(t) * 86400)
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60), "serial"
    raise Invalid(text)


# --- choices, phones, ids --------------------------------------------------------------------
_YES_WORDS = {YES_NO_WORDS[0], "y", "yes", "true", "t", "1", "√", "✓", "对", "有"}
_NO_WORDS = {YES_NO_WORDS[1], "n", "no", "false", "f", "0", "×", "x", "✗", "不是", "无"}
_YES, _NO = YES_NO_WORDS


def boolean(text: str) -> tuple[str, str | None]:
    t, why = _prep(text)
    low = t.lower()
    if low in _YES_WORDS:
        return _YES, (why if t == _YES else "bool")
    if low in _NO_WORDS:
        return _NO, (why if t == _NO else "bool")
    raise Invalid(text)


_PHONE_JUNK = re.compile(r"[\s\-()（）'‘’.]")
PHONE = re.compile(r"^1[3-9]\d{9}$|^1[3-9]\d\*{4}\d{4}$")


def phone(text: str) -> tuple[str, str | None]:
    t, why = _prep(text)
    shown = t
    if t.endswith(".0") and t[:-2].isdigit():  # a number cell written as text by a program
        t = t[:-2]
    digits = _PHONE_JUNK.sub("", t)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
    if not PHONE.match(digits):
        raise Invalid(text)
    return digits, (why if digits == shown else "phone")


_EXCEL_TEXT = re.compile(r'^="(.*)"$')


class Blank(ValueError):
    """The text holds nothing once export decoration is removed (="" or a lone ')."""


def unwrap(text: str, stripped: str) -> tuple[str, bool]:
    """Remove what exports put around a value: ="…" (Taobao), a leading ' or tab."""
    if text.startswith(("\t", "'")) or stripped.startswith("'") or _EXCEL_TEXT.match(stripped):
        m = _EXCEL_TEXT.match(stripped)
        return strip(m.group(1) if m else stripped.lstrip("'\t")), True
    return stripped, False


def identifier(text: str, fold: bool) -> tuple[str, str | None]:
    """Text of a short string column: export prefixes removed (="…", leading ' or tab)."""
    t = strip(text)
    why = "spaces" if t != text else None
    t, prefixed = unwrap(text, t)
    if prefixed:
        if not t:
            raise Blank(text)  # only an export prefix: the cell is empty
        why = "prefix"
    if fold:
        folded = ascii_fold(t)
        if folded != t:
            t, why = folded, "fullwidth"
    return t, why
