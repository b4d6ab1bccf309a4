"""Adding a column type takes its class, one registry entry and its name for users (issue 13):
here a 邮政编码 (six-digit postcode) type is declared inside the test, registered, and used by a
schema written in the test. Generating, example data and validation then work with no other
change: the template carries its format and check, full-width digits are folded with a note,
and a five-digit code is an error at its cell."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from ecomsheets import messages
from ecomsheets.coltypes import TYPES
from ecomsheets.coltypes.base import ColumnSpec, ColumnType, Reading, SheetContext
from ecomsheets.coltypes.text import text_checks
from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.months import parse_month
from ecomsheets.schema import load_catalog
from ecomsheets.validate import validate

MONTH = parse_month("2026-11")


class PostcodeType(ColumnType):
    """A mainland postcode: six digits, kept as text (a leading 0 matters)."""

    name = "postcode"
    num_format = "@"
    default_width = 9
    holds_digits = True
    PATTERN = r"^\d{6}$"

    def validation(self, col: ColumnSpec, ctx: SheetContext) -> dict | None:
        return {"validate": "length", "criteria": "==", "value": 6}

    def coerce(self, text, col: ColumnSpec, how: Reading):
        from ecomsheets.cells import coerce

        return coerce.identifiers(text, fold=True)

    def checks(self, col: ColumnSpec) -> list:
        return text_checks(col, self.PATTERN)

    def example(self, col: ColumnSpec, n: int, rng, month) -> list:
        return [f"{rng.integers(100000, 999999)}" for _ in range(n)]


TABLE = """
name: addresses
title: 收货地址
sheet: 地址
primary_key: [address_id]
columns:
  - {name: address_id, title: 地址编号, type: string, required: true, unique: true}
  - {name: city, title: 城市, type: string, required: true}
  - {name: postcode, title: 邮政编码, type: postcode, required: true}
"""
BUNDLE = """
name: mini
title: 地址簿
tables: [addresses]
metrics:
  - {name: address_count, title: 地址数, agg: count, table: addresses, format: integer}
"""


@pytest.fixture
def catalog(monkeypatch):
    monkeypatch.setitem(TYPES, "postcode", PostcodeType())
    monkeypatch.setitem(messages.MESSAGES, "type_postcode", ("6位邮政编码", "a 6-digit postcode"))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "tables").mkdir()
        (root / "workbooks").mkdir()
        (root / "tables" / "addresses.yaml").write_text(TABLE, encoding="utf-8")
        (root / "workbooks" / "mini.yaml").write_text(BUNDLE, encoding="utf-8")
        yield load_catalog([root], builtin=False)


def test_a_type_declared_outside_the_package_works_end_to_end(catalog, tmp_path):
    table = catalog.tables["addresses"]
    assert table.column("postcode").coltype.name == "postcode"

    blank = tmp_path / "blank.xlsx"
    generate_workbook(catalog, "mini", blank, month=MONTH, rows=5, now=datetime(2026, 11, 1))
    ws = openpyxl.load_workbook(blank)["地址"]
    rules = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert rules["C3"].type == "textLength" and rules["C3"].formula1 == "6"
    assert ws.column_dimensions["C"].number_format == "@"  # the whole column is text

    frames = example_frames(catalog, "mini", MONTH, rows=8, seed=2)
    filled = tmp_path / "filled.xlsx"
    generate_workbook(catalog, "mini", filled, month=MONTH, data=frames, now=datetime(2026, 11, 1))
    report = validate(filled, catalog=catalog, month=MONTH)
    assert report.valid and report.errors == 0 and report.warnings == 0, [f.message for f in report.findings]

    wb = openpyxl.load_workbook(filled)
    wb["地址"]["C3"] = "３１００１２"  # full-width digits, as a Chinese keyboard may type them
    wb["地址"]["C4"] = "31001"  # one digit short
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    report = validate(edited, catalog=catalog, month=MONTH)
    by_cell = {f.cell: f for f in report.findings}
    assert by_cell["C3"].rule == "normalized" and by_cell["C3"].severity == "warning"
    assert by_cell["C4"].rule == "pattern" and by_cell["C4"].severity == "error"
    assert report.errors == 1
