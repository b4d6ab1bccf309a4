"""A real spreadsheet program recalculating a filled template gives the numbers pandas gives:
every derived cell and every summary figure."""

from __future__ import annotations

import math
from datetime import datetime, time

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ecomsheets.compute.derived import compute_derived
from ecomsheets.compute.metrics import evaluate_metrics
from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.months import parse_month
from ecomsheets.schema import load_catalog
from tests.fill import fill_template, read_meta
from tests.lo import recalc, requires_libreoffice

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow, requires_libreoffice]

MONTH = parse_month("2026-12")


def _close(a, b) -> bool:
    if a in (None, "") or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None:
        return False
    if isinstance(a, str) or isinstance(b, str):  # a derived text (收支类型 from 科目)
        return str(a) == str(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lo")
    catalog = load_catalog()
    template = generate_workbook(
        catalog, "department", tmp / "template.xlsx", month=MONTH, rows=60, now=datetime(2026, 12, 1, 9)
    ).path
    frames = example_frames(catalog, "department", MONTH, rows=40, seed=7)
    # Real sheets have gaps: optional numbers left blank, a row not finished yet.
    frames["orders"].loc[::5, "discount"] = np.nan
    frames["orders"].loc[::7, "paid_amount"] = np.nan
    frames["logistics"].loc[::4, "delivered_date"] = pd.NaT
    frames["complaints"].loc[::3, "first_response_time"] = pd.NaT
    # The department's standard day: 09:00–18:00 with the lunch hour off is eight hours.
    frames["attendance"].loc[0, ["clock_in", "clock_out"]] = [time(9, 0), time(18, 0)]
    filled = fill_template(template, frames, tmp / "filled.xlsx")
    out = recalc(filled, tmp / "out")
    return catalog, frames, openpyxl.load_workbook(out, data_only=True)


def test_every_derived_cell_matches_pandas(recalculated):
    catalog, frames, wb = recalculated
    meta = read_meta(wb)
    checked = 0
    for info in meta["tables"]:
        table = catalog.tables[info["name"]]
        frame = frames[info["name"]]
        derived = compute_derived(frame, table)
        ws = wb[info["sheet"]]
        for name, expected in derived.items():
            ci = info["columns"].index(name) + 1
            for ri, want in enumerate(expected.tolist()):
                got = ws.cell(row=info["first_data_row"] + ri, column=ci).value
                assert _close(got, want), (
                    f"{ws.title}!{name} row {info['first_data_row'] + ri}: LibreOffice {got!r} vs pandas {want!r}"
                )
                checked += 1
        # Pre-formatted rows below the data stay blank.
        if derived:
            ci = info["columns"].index(next(iter(derived))) + 1
            assert ws.cell(row=info["first_data_row"] + len(frame), column=ci).value in (None, "")
    assert checked > 250  # every derived cell of ~40-row sheets (masters are department-sized)


def test_every_summary_figure_matches_pandas(recalculated):
    catalog, frames, wb = recalculated
    meta = read_meta(wb)
    bundle = catalog.bundle("department")
    full = {name: frame.assign(**compute_derived(frame, catalog.tables[name])) for name, frame in frames.items()}
    values = evaluate_metrics(bundle, catalog.tables, full, MONTH)
    ws = wb[meta["summary"]["sheet"]]
    where = meta["summary"]["metrics"]
    assert {v.name for v in values} == set(where), "every metric is both in the sheet and recomputed"
    grids: dict[str, dict] = {}
    for name, place in where.items():
        if "cell" in place:
            continue
        keys = [c.value for row in ws[place["keys"]] for c in row]
        cells = [c.value for row in ws[place["values"]] for c in row]
        grids[name] = {
            (k.date().isoformat() if isinstance(k, datetime) else str(k)): v
            for k, v in zip(keys, cells)
            if k not in (None, "")
        }
    checked = 0
    for v in values:
        if v.group is None:
            got = ws[where[v.name]["cell"].split("!")[1]].value
        else:
            got = grids[v.name].get(str(v.group))
        assert _close(got, v.value), f"{v.name} [{v.group}]: LibreOffice {got!r} vs pandas {v.value!r}"
        checked += 1
    assert checked > 100
    # The numbers are not trivially empty: the data produced real totals.
    sales = next(v.value for v in values if v.name == "sales_total")
    assert sales > 0


def test_the_standard_day_is_eight_hours_in_libreoffice_and_in_pandas(recalculated):
    catalog, frames, wb = recalculated
    table = catalog.tables["attendance"]
    info = next(t for t in read_meta(wb)["tables"] if t["name"] == "attendance")
    cell = wb[info["sheet"]].cell(row=info["first_data_row"], column=info["columns"].index("work_hours") + 1)
    assert cell.value == pytest.approx(8.0)
    assert compute_derived(frames["attendance"], table)["work_hours"].iloc[0] == pytest.approx(8.0)
