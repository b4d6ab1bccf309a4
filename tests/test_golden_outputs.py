"""Golden snapshots of what a manager reads: the month's summary workbook (`consolidate`), the
annotated copy (`validate --annotate`) and the HTML report (`validate --html`), each read back
and normalised to JSON under tests/golden/.

The inputs are fixed: `ecomsheets example department --seed 1|2 --rows 20 --month 2026-11`, and
for the annotated copy and the report, shop 1 with four bad cells typed into 订单. What varies
from run to run is replaced by a placeholder before comparing: temporary folders, the time of
writing, durations and sha256 digests (the example files carry the time they were written).

To remake the snapshots after an intended change:
`ECOMSHEETS_UPDATE_GOLDEN=1 python -m pytest -q tests/test_golden_outputs.py`, review the diff
of tests/golden/, then run the tests again without the variable.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, time
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from tests.helpers import cli, cli_example

GOLDEN = Path(__file__).parent / "golden"
UPDATE_ENV = "ECOMSHEETS_UPDATE_GOLDEN"
FIRST_ROW = 3
# When a file or report was written: after 生成时间 (Generated) in the copy and the report, and the
# JSON-quoted generated_at of a workbook's _meta sheet. Dates in the data are left as they are.
_DATETIME = r"20\d\d-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d|Z)?"
WRITTEN_AT = re.compile(rf"(生成时间：|Generated: ?|^\"){_DATETIME}(?=\"$|\W|$)")
BAD_CELLS = {"F3": "abc", "G4": -1, "D5": "火星商城", "L6": "不知道"}  # 订单: quantity, price, channel, status


# --- normalising -------------------------------------------------------------------------------


def normaliser(*folders: Path):
    """text -> text with the run's own folders, digests, times and durations replaced."""
    places = sorted({str(p) for f in folders for p in (f, f.resolve())}, key=len, reverse=True)

    def norm(text: str) -> str:
        for place in places:
            text = text.replace(place, "<tmp>")
        text = re.sub(r"\b[0-9a-f]{64}\b", "<sha256>", text)
        text = WRITTEN_AT.sub(lambda m: m[1] + "<datetime>", text)
        text = re.sub(r"\b\d+(\.\d+)? ?(秒|s|ms|毫秒)(?=\W|$)", "<duration>", text)
        return text

    return norm


def _cell(value, norm):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, str):
        return norm(value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def workbook_snapshot(path: Path, norm) -> dict:
    """Every sheet's name and state, its cell values, merged ranges, comments and charts."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {
            "state": ws.sheet_state,
            "cells": {c.coordinate: _cell(c.value, norm) for row in ws.iter_rows() for c in row if c.value is not None},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "comments": {
                c.coordinate: norm(c.comment.text) for row in ws.iter_rows() for c in row if c.comment is not None
            },
            "charts": [type(ch).__name__ for ch in ws._charts],
        }
    wb.close()
    return json.loads(json.dumps(out, ensure_ascii=False))


def html_snapshot(path: Path, norm) -> dict:
    return {"lines": [line.rstrip() for line in norm(path.read_text(encoding="utf-8")).splitlines()]}


def check_golden(name: str, current: dict) -> None:
    golden = GOLDEN / name
    if os.environ.get(UPDATE_ENV) == "1" or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(current, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.fail(
            f"wrote the golden snapshot {golden}; review it with a diff and run the tests again without {UPDATE_ENV}=1"
        )
    want = json.loads(golden.read_text(encoding="utf-8"))
    assert sorted(current) == sorted(want), name
    for key in want:
        if isinstance(want[key], dict) and isinstance(current[key], dict):
            for part in sorted(set(want[key]) | set(current[key])):
                assert current[key].get(part) == want[key].get(part), (name, key, part)
        else:
            assert current[key] == want[key], (name, key)


# --- the fixed inputs --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> SimpleNamespace:
    base = tmp_path_factory.mktemp("golden")
    shops = base / "shops"
    shops.mkdir()
    for seed in (1, 2):
        cli_example(shops / f"shop{seed}.xlsx", "--seed", seed, "--rows", 20, "--month", "2026-11")
    summary = base / "月度汇总_2026-11.xlsx"
    result = cli("consolidate", shops, "-o", summary)
    assert result.exit_code == 0, result.output

    wb = openpyxl.load_workbook(shops / "shop1.xlsx")
    for ref, value in BAD_CELLS.items():
        wb["订单"][ref].value = value
    bad = base / "bad" / "shop1_bad.xlsx"
    bad.parent.mkdir()
    wb.save(bad)
    annotated, html = base / "shop1_bad_校验.xlsx", base / "report.html"
    result = cli("validate", bad, "--annotate", annotated, "--html", html)
    assert result.exit_code == 1, result.output  # errors found
    return SimpleNamespace(summary=summary, annotated=annotated, html=html, norm=normaliser(base))


@pytest.mark.slow
def test_summary_workbook_matches_golden(outputs):
    snap = workbook_snapshot(outputs.summary, outputs.norm)
    assert "概览" in snap and any(s["charts"] for s in snap.values())
    check_golden("summary_2026-11.json", snap)


@pytest.mark.slow
def test_annotated_copy_matches_golden(outputs):
    snap = workbook_snapshot(outputs.annotated, outputs.norm)
    # Each bad cell carries a note in the copy.
    assert set(BAD_CELLS) <= set(snap["订单"]["comments"])
    check_golden("annotated_2026-11.json", snap)


@pytest.mark.slow
def test_html_report_matches_golden(outputs):
    snap = html_snapshot(outputs.html, outputs.norm)
    page = "\n".join(snap["lines"])
    assert "火星商城" in page and "不知道" in page
    check_golden("report_2026-11.json", snap)
