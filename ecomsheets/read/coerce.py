"""Turn a column of cell texts into typed values, vectorised.

Clean cells (what a spreadsheet writes for a real number or date) take a fast pandas path;
only the rest go through the per-cell parsers of `normalize`, once per distinct text. Each
normalised cell is reported (original, normalised, why); cells that cannot be read are
flagged invalid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

import numpy as np
import pandas as pd

from ecomsheets.schema import ColumnSpec

from . import normalize as nz

_BLANK = r"^[\s\u00a0\u3000\u200b\ufeff]*$"
_NEEDS_CLEANING = r"^[\s\u00a0\u3000\u200b\ufeff'=]|[\s\u00a0\u3000\u200b\ufeff]$"
_FULLWIDTH = r"[\uff01-\uff5e]"


@dataclass
class Coerced:
    values: pd.Series
    invalid: np.ndarray  # bool per row: present but unreadable as the type
    notes: list[tuple[int, str, str, str]] = field(default_factory=list)  # (pos, original, shown, why)


def blank_mask(raw: pd.Series) -> np.ndarray:
    text = raw.astype("string")
    return (text.isna() | text.str.match(_BLANK).fillna(True)).to_numpy(dtype=bool)


def coerce_column(raw: pd.Series, col: ColumnSpec, month=None, value_aliases: dict | None = None) -> Coerced:
    """Typed values of one column; `raw` holds cell texts (NaN for empty cells)."""
    raw = raw.reset_index(drop=True)
    blank = blank_mask(raw)
    text = raw.astype("string").where(~blank)
    kind = col.type
    if kind in ("integer", "decimal", "money", "percent"):
        # Only plain numerals take the fast path: spaces, signs of currency or full-width
        # digits must be reported, and "inf"/"nan" are not numbers a person typed.
        plain = text.str.fullmatch(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?").fillna(False)
        fast = pd.to_numeric(text.where(plain), errors="coerce").astype("float64")
        parser = nz.integer if kind == "integer" else (
            (lambda t: nz.number(t, percent=True)) if kind == "percent" else nz.number)
        out = _finish(text, fast, parser, np.float64, _show_number)
        if kind == "integer":
            v = out.values.to_numpy(dtype="float64")
            whole = np.isnan(v) | (np.abs(v - np.round(v)) < 1e-9)
            out.invalid |= ~whole
            out.values = out.values.where(whole)
        return out
    if kind in ("date", "datetime"):
        fast = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce")
        if kind == "date":
            fast = fast.dt.normalize()
            parser = lambda t: nz.date_value(t, month)  # noqa: E731
        else:
            parser = lambda t: nz.datetime_value(t, month)  # noqa: E731
        shown = _show_date if kind == "date" else _show_datetime
        out = _finish(text, fast, parser, "datetime64[ns]", shown)
        out.values = pd.to_datetime(out.values)
        return out
    if kind == "time":
        return _finish(text, pd.Series([None] * len(text), dtype=object), nz.time_value, object, _show_time)
    if kind == "bool":
        fast = text.map({"是": "是", "否": "否", "true": "是", "false": "否"}).astype(object)
        return _finish(text, fast, nz.boolean, object, str)
    if kind == "phone":
        ok = text.str.match(nz.PHONE.pattern).fillna(False)
        return _finish(text, text.where(ok).astype(object), nz.phone, object, str)
    if kind == "enum":
        values = set(col.values or ())
        fast = text.where(text.isin(values)).astype(object)
        aliases = value_aliases or {}
        return _finish(text, fast, lambda t: _enum(t, values, aliases), object, str, keep_invalid=True)
    if kind == "text":
        stripped = text.str.strip()
        return Coerced(stripped.astype(object).where(stripped.notna(), None), np.zeros(len(text), bool))
    # string: ids and short texts; only unusual cells are looked at one by one.
    fold = bool(col.pattern)
    unusual = text.str.contains(_NEEDS_CLEANING, regex=True).fillna(False)
    if fold:
        unusual |= text.str.contains(_FULLWIDTH, regex=True).fillna(False)
    fast = text.where(~unusual).astype(object)
    return _finish(text, fast, lambda t: nz.identifier(t, fold), object, str)


def _enum(text: str, values: set, aliases: dict) -> tuple[str, str | None]:
    t, why = nz._prep(text)
    if t in values:
        return t, why
    if t in aliases:
        return aliases[t], "alias"
    raise nz.Invalid(text)


def _finish(text: pd.Series, fast: pd.Series, parser, dtype, shown, keep_invalid: bool = False) -> Coerced:
    """Run `parser` on present cells the fast path left empty, once per distinct text."""
    present = text.notna().to_numpy()
    todo = present & fast.isna().to_numpy()
    values = fast.astype(object) if dtype is object else fast.copy()
    invalid = np.zeros(len(text), dtype=bool)
    notes = []
    if todo.any():
        positions = np.flatnonzero(todo)
        cache: dict[str, tuple] = {}
        parsed = []
        for pos in positions:
            t = text.iat[pos]
            if t not in cache:
                try:
                    cache[t] = parser(t)
                except (nz.Invalid, ValueError, OverflowError):
                    cache[t] = None
            parsed.append(cache[t])
        column = values.astype(object) if dtype is not object else values
        for pos, result in zip(positions, parsed):
            t = text.iat[pos]
            if result is None:
                invalid[pos] = True
                if keep_invalid:
                    column.iat[pos] = nz.strip(t)
                continue
            value, why = result
            column.iat[pos] = value
            if why:
                notes.append((int(pos), t, shown(value), why))
        values = column
    if dtype is np.float64:
        values = pd.to_numeric(values, errors="coerce").astype("float64")
    if keep_invalid:
        invalid[:] = False  # an unknown enum value is reported by the enum check, with the list
    return Coerced(values, invalid, notes)


def _show_number(v: float) -> str:
    return f"{v:.10g}"


def _show_date(v: datetime) -> str:
    return v.strftime("%Y-%m-%d")


def _show_datetime(v: datetime) -> str:
    return v.strftime("%Y-%m-%d %H:%M:%S" if v.second else "%Y-%m-%d %H:%M")


def _show_time(v: time) -> str:
    return v.strftime("%H:%M:%S" if v.second else "%H:%M")
