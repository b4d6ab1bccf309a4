"""The hidden metadata sheet (_meta) of a submitted workbook, read as the untrusted input it is.

A generated template records what it was made from (bundle, month, where each table and
summary figure sits). Anyone can edit or craft that sheet: a value is JSON text of a bounded
size and depth, and the whole is checked against the shape the generator writes, with bounds
on every number and range, before anything uses it. Metadata that does not fit is dropped
with one warning, and the workbook is recognised by its sheet names and headers instead.
"""

from __future__ import annotations

import json
import re

from ecomsheets import messages

MAX_VALUE = 1 << 20  # characters of one JSON value
MAX_ROW = 1_048_576
MAX_SPAN = 10_000  # rows of one grid of figures in the summary sheet
_CELL = re.compile(r"^(?:[^!]{1,64}!)?\$?[A-Z]{1,3}\$?\d{1,7}$")
_RANGE = re.compile(r"^([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})$")


class BadMeta(ValueError):
    """The metadata is not what ecomsheets writes; the message says where (args: the Chinese
    and, when it differs, the English)."""


def parse_meta(pairs) -> dict | None:
    """The metadata from (key, JSON text) pairs; None when it is not ecomsheets metadata.
    Raises BadMeta when it claims to be but does not fit its shape."""
    out = {}
    for key, value in pairs:
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        if len(value) > MAX_VALUE:
            raise BadMeta(*messages.both("meta_too_long", key=key, n=len(value)))
        try:
            out[key] = json.loads(value)
        except RecursionError:
            raise BadMeta(*messages.both("meta_too_deep", key=key)) from None
        except ValueError:
            out[key] = value
    if not str(out.get("format", "")).startswith("ecomsheets/"):
        return None
    _check(out)
    return out


def _check(meta: dict) -> None:
    _is(meta.get("bundle"), str, "bundle")
    if meta.get("month") is not None:
        m = re.fullmatch(r"(\d{4})-(\d{2})", str(meta["month"]))
        if not m or not 1 <= int(m[2]) <= 12:
            raise BadMeta(f"month {str(meta['month'])[:20]}")
    if meta.get("rows") is not None:
        _int(meta["rows"], 0, MAX_ROW, "rows")
    tables = meta.get("tables", [])
    _is(tables, list, "tables")
    if len(tables) > 500:
        raise BadMeta("tables")
    for t in tables:
        _is(t, dict, "tables[]")
        _is(t.get("name"), str, "tables[].name")
        _is(t.get("sheet"), str, "tables[].sheet")
        for key in ("header_row", "first_data_row", "rows", "formula_last_row"):
            if t.get(key) is not None:
                _int(t[key], 0, MAX_ROW, f"tables[].{key}")
        if t.get("columns") is not None:
            _is(t["columns"], list, "tables[].columns")
    _check_masters(meta.get("masters"))
    summary = meta.get("summary")
    if summary is None:
        return
    _is(summary, dict, "summary")
    _is(summary.get("sheet"), str, "summary.sheet")
    metrics = summary.get("metrics", {})
    _is(metrics, dict, "summary.metrics")
    for name, place in metrics.items():
        _is(place, dict, f"summary.metrics.{name}")
        if "cell" in place:
            _cell(place["cell"], f"summary.metrics.{name}.cell")
            continue
        spans = []
        for key in ("keys", "values"):
            m = _RANGE.match(str(place.get(key, "")))
            if not m or int(m[2]) > int(m[4]) or int(m[4]) > MAX_ROW:
                raise BadMeta(f"summary.metrics.{name}.{key}")
            spans.append((int(m[2]), int(m[4])))
        if spans[0] != spans[1] or spans[0][1] - spans[0][0] > MAX_SPAN:
            raise BadMeta(f"summary.metrics.{name}")
    totals = summary.get("totals", [])
    _is(totals, list, "summary.totals")
    for t in totals:
        _is(t, dict, "summary.totals[]")
        _cell(t.get("cell"), "summary.totals[].cell")


def _check_masters(masters) -> None:
    """The master copies a team workbook carries (see generate.masters_sheet)."""
    if masters is None:
        return
    _is(masters, list, "masters")
    if len(masters) > 50:
        raise BadMeta("masters")
    for m in masters:
        _is(m, dict, "masters[]")
        for key in ("table", "sheet"):
            _is(m.get(key), str, f"masters[].{key}")
            if not 0 < len(m[key]) <= 64:
                raise BadMeta(f"masters[].{key}")
        for key in ("header_row", "first_data_row", "rows"):
            if m.get(key) is not None:
                _int(m[key], 0, MAX_ROW, f"masters[].{key}")
        columns = m.get("columns")
        if columns is not None:
            _is(columns, list, "masters[].columns")
            if len(columns) > 200 or not all(isinstance(c, str) and len(c) <= 64 for c in columns):
                raise BadMeta("masters[].columns")
        for key in ("source", "modified"):
            if m.get(key) is not None:
                _is(m[key], str, f"masters[].{key}")
                if len(m[key]) > 300:
                    raise BadMeta(f"masters[].{key}")
        if m.get("sha256") is not None and not re.fullmatch(r"[0-9a-f]{64}", str(m["sha256"])):
            raise BadMeta("masters[].sha256")


def _is(value, kind, where: str) -> None:
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise BadMeta(where)


def _int(value, lo: int, hi: int, where: str) -> None:
    _is(value, int, where)
    if not lo <= value <= hi:
        raise BadMeta(where)


def _cell(value, where: str) -> None:
    if not isinstance(value, str) or not _CELL.match(value):
        raise BadMeta(where)
