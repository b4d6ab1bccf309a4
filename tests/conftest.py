"""Fixtures shared by the test files (plain helpers are in tests/helpers.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import CATALOG, MONTH, NOW, write_example


@pytest.fixture(scope="session")
def catalog():
    """The shipped schema catalogue, loaded once (tests must not modify it)."""
    return CATALOG


@pytest.fixture(scope="session")
def example_workbook(tmp_path_factory):
    """make(rows=, seed=, month=, now=) -> path of a filled department workbook, written once
    per set of arguments for the whole run. Never modify it: tests edit copies."""
    made: dict[tuple, Path] = {}
    folder = tmp_path_factory.mktemp("examples")

    def make(*, rows: int, seed: int, month=MONTH, now: datetime = NOW) -> Path:
        key = (rows, seed, str(month), now)
        if key not in made:
            path = folder / f"department_{len(made)}.xlsx"
            write_example(path, rows=rows, seed=seed, month=month, now=now)
            made[key] = path
        return made[key]

    return make
