"""The hidden _meta sheet is untrusted input (issue 12, item 3): metadata that does not fit
the shape ecomsheets writes (a month 2026-13, JSON nested 100,000 deep, a grid of a million
rows, wrong types) is one warning and is ignored; the workbook is then recognised by its
sheet names and headers, checked in bounded time, and never an internal error."""

from __future__ import annotations

import json
import time
from datetime import datetime

import openpyxl
import pytest

from ecomsheets.read.meta import BadMeta, parse_meta
from ecomsheets.validate import validate
from tests.helpers import CATALOG


@pytest.fixture(scope="module")
def shop(example_workbook):
    return example_workbook(rows=20, seed=2, now=datetime(2026, 11, 1))


def _grid(meta):
    summary = json.loads(meta)
    name = next(k for k, v in summary["metrics"].items() if "keys" in v)
    summary["metrics"][name].update(keys="A1:A1048576", values="B1:B1048576")
    return json.dumps(summary)


EDITS = {
    "month 2026-13": ("month", lambda v: json.dumps("2026-13"), "month"),
    "nested JSON": ("summary", lambda v: "[" * 100_000 + "]" * 100_000, "summary"),
    "a grid of a million rows": ("summary", _grid, "summary.metrics"),
    "tables of the wrong type": ("tables", lambda v: json.dumps({"a": 1}), "tables"),
    "a row number out of bounds": ("rows", lambda v: json.dumps(10**12), "rows"),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_bad_metadata_is_one_warning_and_ignored(shop, tmp_path, case):
    key, edit, where = EDITS[case]
    wb = openpyxl.load_workbook(shop)
    for row in wb["_meta"].iter_rows(min_row=2):
        if row[0].value == key:
            row[1].value = edit(row[1].value)
    path = tmp_path / "bad_meta.xlsx"
    wb.save(path)
    started = time.monotonic()
    report = validate(path, month="2026-11")
    assert time.monotonic() - started < 30
    bad = [f for f in report.findings if f.rule == "meta_invalid"]
    assert len(bad) == 1 and bad[0].severity == "warning" and where in bad[0].message
    assert not [f for f in report.findings if f.rule == "internal_error"]
    # Every sheet of the bundle recognised by its name and headers.
    assert report.errors == 0 and report.sheets_checked == len(CATALOG.bundles["department"].tables)


def test_what_the_generator_writes_fits():
    assert (
        parse_meta(
            [("format", '"ecomsheets/1"'), ("bundle", '"department"'), ("month", '"2026-11"'), ("tables", "[]")]
        )["month"]
        == "2026-11"
    )
    assert parse_meta([("format", '"something else"')]) is None
    with pytest.raises(BadMeta):
        parse_meta([("format", '"ecomsheets/1"'), ("tables", '[{"name": 1, "sheet": "x"}]')])
