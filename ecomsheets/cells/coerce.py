"""Turn a column of cell texts into typed values, vectorised with Arrow compute: one function
per way of reading (numbers, dates, yes/no…), which the column types choose from.

Clean cells (what a spreadsheet writes for a real number or date) take the fast path; only
the rest go through the per-cell parsers of `parse`, once per distinct text. Each
normalised cell is reported (position, original, normalised, why); cells that cannot be
read are flagged invalid. Blank cells (empty or only spaces) are null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import YES_NO_WORDS
from . import parse as nz
from .text import SPACE_CHARS as _SPACE_CHARS

_NUMERAL = r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$"
_NEEDS_CLEANING = "^[" + _SPACE_CHARS + "'=]|[" + _SPACE_CHARS + "]$"
_FULLWIDTH_PATTERN = "[\uff01-\uff5e]"
_BLANK = object()


@dataclass
class Coerced:
    values: pd.Series
    invalid: np.ndarray  # bool per row: present but unreadable as the type
    notes: list[tuple[int, str, str, str]] = field(default_factory=list)  # (pos, original, shown, why)
    blanked: list[int] = field(default_factory=list)  # positions read as blank (e.g. ="")
    ambiguous: dict[int, tuple] = field(default_factory=dict)  # invalid dates that read two ways: pos -> readings


def numbers(text: pa.Array, *, integer: bool = False, percent: bool = False) -> Coerced:
    """Numbers as people type them (¥1,299.00, １２, 12%); `integer` refuses fractions."""
    parser = nz.integer if integer else (lambda t: nz.number(t, percent=True)) if percent else nz.number
    out = _finish(text, _fast_numbers(text), parser, _show_number, numeric=True)
    if integer:
        v = out.values.to_numpy(dtype="float64")
        whole = np.isnan(v) | (np.abs(v - np.round(v)) < 1e-9)
        out.invalid |= ~whole
        out.values = out.values.where(whole)
    return out


def dates(text: pa.Array, month=None, *, whole_days: bool = True) -> Coerced:
    """Dates (whole days) or dates with a time; day-first and month-first orders are told
    apart by the workbook's month when they can be."""
    fast = pc.strptime(text, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    if whole_days:
        fast = pc.floor_temporal(fast, unit="day")
        return _finish(text, fast, lambda t: nz.date_value(t, month), _show_date, temporal=True)
    return _finish(text, fast, lambda t: nz.datetime_value(t, month), _show_datetime, temporal=True)


def times(text: pa.Array) -> Coerced:
    """Times of day (9:30, 9点半, 09:30:00)."""
    return _finish(text, pa.nulls(len(text)), nz.time_value, _show_time)


def yes_no(text: pa.Array) -> Coerced:
    """是/否 from the many ways people say it (y, TRUE, √, 对…)."""
    mapping = pa.array([*YES_NO_WORDS, "true", "false"])
    hit = pc.index_in(text, value_set=mapping)
    fast = pc.take(pa.array([*YES_NO_WORDS, *YES_NO_WORDS]), hit)
    return _finish(text, fast, nz.boolean, str)


def phones(text: pa.Array) -> Coerced:
    """Mainland mobile numbers, with spaces, dashes or a +86 taken off."""
    ok = pc.match_substring_regex(text, nz.PHONE.pattern)
    return _finish(text, pc.if_else(ok, text, pa.scalar(None, text.type)), nz.phone, str)


def choices(text: pa.Array, values, aliases: dict | None = None, prefix_match: bool = False) -> Coerced:
    """One of `values`, or another spelling of one (`aliases`); unknown values are kept for the
    check that lists the allowed ones."""
    allowed = set(values or ())
    ok = pc.is_in(text, value_set=pa.array(sorted(allowed), type=text.type))
    return _finish(
        text,
        pc.if_else(ok, text, pa.scalar(None, text.type)),
        lambda t: _enum(t, allowed, aliases or {}, prefix_match),
        str,
        keep_invalid=True,
    )


def long_text(text: pa.Array) -> Coerced:
    """Free text: only the surrounding spaces go."""
    stripped = pc.utf8_trim(text, _SPACE_CHARS)
    return Coerced(_series(stripped), np.zeros(len(text), bool))


def identifiers(text: pa.Array, *, fold: bool = False) -> Coerced:
    """Ids and short texts; only unusual cells are looked at one by one. `fold`: full-width
    letters and digits become ASCII (a column with a pattern to match)."""
    unusual = pc.match_substring_regex(text, _NEEDS_CLEANING)
    if fold:
        unusual = pc.or_(unusual, pc.match_substring_regex(text, _FULLWIDTH_PATTERN))
    fast = pc.if_else(pc.fill_null(unusual, False), pa.scalar(None, text.type), text)
    return _finish(text, fast, lambda t: nz.identifier(t, fold), str)


def _fast_numbers(text: pa.Array) -> pa.Array:
    """Plain numerals as float64 (null elsewhere); whole-column cast when every cell is plain."""
    try:
        nums = pc.cast(text, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        plain = pc.match_substring_regex(text, _NUMERAL)
        nums = pc.cast(pc.if_else(plain, text, pa.scalar(None, text.type)), pa.float64())
    # The cast also accepts "inf", "nan" and "1e999": those are not numbers a person typed.
    finite = pc.is_finite(nums)
    return pc.if_else(pc.fill_null(finite, True), nums, pa.scalar(None, pa.float64()))


def _series(arr: pa.Array) -> pd.Series:
    return pd.Series(arr.to_pandas(), copy=False)


def _enum(text: str, values: set, aliases: dict, prefix_match: bool = False) -> tuple[str, str | None]:
    unwrapped, prefixed = nz.unwrap(text, nz.strip(text))
    if prefixed and not unwrapped:
        raise nz.Blank(text)
    t, why = nz._prep(unwrapped if prefixed else text)
    why = "prefix" if prefixed else why
    if t in values:
        return t, why
    if t in aliases:
        return aliases[t], "alias"
    if prefix_match:  # a reference list with short names (provinces): "浙江省 杭州市 西湖区…" → 浙江省
        for name in sorted(set(values) | set(aliases), key=len, reverse=True):
            if len(name) >= 2 and not name.isascii() and t.startswith(name) and len(t) > len(name):
                return aliases.get(name, name), "address"
    raise nz.Invalid(text)


def _finish(
    text: pa.Array,
    fast: pa.Array,
    parser,
    shown,
    *,
    numeric: bool = False,
    temporal: bool = False,
    keep_invalid: bool = False,
) -> Coerced:
    """Run `parser` on present cells the fast path left empty, once per distinct text."""
    todo_mask = pc.and_(pc.is_valid(text), pc.is_null(fast))
    todo = np.flatnonzero(todo_mask.to_numpy(zero_copy_only=False))
    text_out = not numeric and not temporal and (pa.types.is_string(fast.type) or pa.types.is_large_string(fast.type))
    if numeric:
        values = fast.to_numpy(zero_copy_only=False).astype("float64", copy=True)
    elif temporal:
        values = fast.to_numpy(zero_copy_only=False).astype("datetime64[ns]", copy=True)
    elif text_out:
        values = {}  # position -> replacement; the clean texts stay in Arrow (compact, no copy)
    else:
        values = np.array(fast.to_pylist(), dtype=object)
    invalid = np.zeros(len(text), dtype=bool)
    ambiguous: dict[int, tuple] = {}
    notes = []
    blanked: list[int] = []  # cells that were only decoration: blank, like an empty cell
    if len(todo):
        cells = pc.take(text, pa.array(todo)).to_pylist()
        cache: dict[str, object] = {}  # text -> (value, why), _BLANK, an Ambiguous or None
        for pos, t in zip(todo, cells):
            if t not in cache:
                try:
                    cache[t] = parser(t)
                except nz.Blank:
                    cache[t] = _BLANK
                except nz.Ambiguous as exc:
                    cache[t] = exc
                except (nz.Invalid, ValueError, OverflowError):
                    cache[t] = None
            result = cache[t]
            if result is _BLANK:
                blanked.append(int(pos))
                continue
            if isinstance(result, nz.Ambiguous):
                ambiguous[int(pos)] = result.readings
                result = None
            if result is None:
                invalid[pos] = True
                if keep_invalid:
                    values[pos] = nz.strip(t)
                continue
            assert isinstance(result, tuple)
            value, why = result
            values[pos] = np.datetime64(value, "ns") if temporal else value
            if why:
                notes.append((int(pos), t, shown(value), why))
    if numeric:
        series = pd.Series(values, dtype="float64")
    elif temporal:
        series = pd.Series(values, dtype="datetime64[ns]")
    elif text_out:
        series = _patched_text(fast, values)
    else:
        series = pd.Series(values, dtype=object)
    if keep_invalid:
        invalid[:] = False  # an unknown enum value is reported by the enum check, with the list
    return Coerced(series, invalid, notes, blanked, ambiguous)


def _patched_text(fast: pa.Array, replacements: dict) -> pd.Series:
    """Arrow text with some positions replaced, as a pandas (Arrow-backed) string Series."""
    if replacements:
        mask = np.zeros(len(fast), dtype=bool)
        mask[list(replacements)] = True
        ordered = [replacements[i] for i in sorted(replacements)]
        fast = pc.replace_with_mask(fast, pa.array(mask), pa.array(ordered, type=fast.type))
    return pd.Series(fast.to_pandas(types_mapper=None), copy=False).astype("str")


def _show_number(v: float) -> str:
    return f"{v:.10g}"


def _show_date(v: datetime) -> str:
    return v.strftime("%Y-%m-%d")


def _show_datetime(v: datetime) -> str:
    return v.strftime("%Y-%m-%d %H:%M:%S" if v.second else "%Y-%m-%d %H:%M")


def _show_time(v: time) -> str:
    return v.strftime("%H:%M:%S" if v.second else "%H:%M")
