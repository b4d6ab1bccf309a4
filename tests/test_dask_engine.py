"""`consolidate --engine dask` gives what `--engine local` gives: the same document, the same
summary workbook (row order aside), on a LocalCluster of two worker processes, for a month with
seeded errors, a copy, duplicated rows and a key conflict across files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed", reason="Dask is an optional extra: pip install 'ecomsheets[dask]'")
import openpyxl  # noqa: E402

pytestmark = pytest.mark.slow
TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ecomsheets", *args], capture_output=True, text=True, timeout=600)


def _column(ws, header: str) -> int:
    for cell in ws[2]:
        if str(cell.value or "").rstrip("*") == header:
            return cell.column
    raise AssertionError(header)


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dask-month") / "交回"
    folder.mkdir()
    for seed in (1, 2, 3):
        made = _run(
            "example", "department", "-o", str(folder / f"店铺{seed}.xlsx"), "--rows", "40", "--seed", str(seed)
        )
        assert made.returncode == 0, made.stderr
    shutil.copy(folder / "店铺1.xlsx", folder / "店铺1 - 副本.xlsx")  # a copy: counted once
    # 店铺2: a bad price (a row error), and its first order under 店铺1's first order id (the same
    # key with other content: a conflict across files); 店铺3: 店铺1's second order line and its
    # customer as they are (identical rows in two files: duplicates, counted once).
    one = openpyxl.load_workbook(folder / "店铺1.xlsx")
    orders_one = one["订单"]
    second = [c.value for c in orders_one[4]]
    customer_id = second[_column(orders_one, "客户编号") - 1]
    customer = next([c.value for c in row] for row in one["客户"].iter_rows(min_row=3) if row[0].value == customer_id)
    two = openpyxl.load_workbook(folder / "店铺2.xlsx")
    ws = two["订单"]
    key = _column(ws, "订单编号")
    ws.cell(row=3, column=key, value=orders_one.cell(row=3, column=key).value)
    ws.cell(row=5, column=_column(ws, "单价"), value="很贵")
    two.save(folder / "店铺2.xlsx")
    three = openpyxl.load_workbook(folder / "店铺3.xlsx")
    for sheet, values in (("订单", second), ("客户", customer)):
        target = three[sheet]
        row = target.max_row + 1
        for col, value in enumerate(values, start=1):
            if not (isinstance(value, str) and value.startswith("=")):
                target.cell(row=row, column=col, value=value)
    three.save(folder / "店铺3.xlsx")
    return folder


def _workbook_values(path: Path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = [
            tuple(TIME.sub("<time>", v) if isinstance(v, str) else v for v in row)
            for row in ws.iter_rows(values_only=True)
        ]
        out[ws.title] = sorted(rows, key=repr)  # row order aside
    wb.close()
    return out


def test_dask_gives_what_local_gives(month, tmp_path):
    results = {}
    for engine in ("local", "dask"):
        out = tmp_path / f"{engine}.xlsx"
        done = _run(
            *("consolidate", str(month), "-o", str(out), "--month", "2026-11", "--format", "json"),
            *("--engine", engine, "--include-invalid"),  # the valid rows of files with errors too
        )
        assert done.returncode == 1, done.stderr  # errors, a copy and a conflict: not complete
        document = json.loads(done.stdout)
        document.pop("output")
        results[engine] = (document, _workbook_values(out))
    (local, local_book), (dask, dask_book) = results["local"], results["dask"]
    assert dask == local
    # The month holds what it was made to hold, so that equal is not equal-and-empty.
    statuses = sorted(s["status"] for s in local["sources"])
    assert statuses.count("copy") == 1 and statuses.count("partly") >= 2
    reasons = {reason for reason, rows in local["left_out"].items() if rows}
    assert {"copies", "row_errors", "conflicts", "duplicates"} <= reasons, local["left_out"]
    assert dask_book == local_book


def test_without_dask_the_message_says_how_to_install(tmp_path, monkeypatch):
    from ecomsheets.errors import UsageError
    from ecomsheets.summarize import dask_engine

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if not installed
    with pytest.raises(UsageError) as caught:
        dask_engine.dask_client(None)
    assert "pip install 'ecomsheets[dask]'" in str(caught.value.args)


def test_the_core_does_not_import_dask():
    code = "import sys, ecomsheets.cli, ecomsheets.summarize.consolidate; print('dask' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
