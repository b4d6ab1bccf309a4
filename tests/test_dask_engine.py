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

import pandas as pd
import pytest

pytest.importorskip("dask.distributed", reason="Dask is an optional extra: pip install 'ecomsheets[dask]'")
import openpyxl  # noqa: E402

pytestmark = pytest.mark.slow
TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")


def _figure(value):
    """A value as compared: exactly, times of day (when the summary was made) masked."""
    return TIME.sub("<time>", value) if isinstance(value, str) else value


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
        rows = [tuple(_figure(v) for v in row) for row in ws.iter_rows(values_only=True)]
        out[ws.title] = sorted(rows, key=repr)  # row order aside
    wb.close()
    return out


def _both_engines(inputs: list[str], tmp_path: Path, *options: str, dask_inputs=None) -> dict:
    """The consolidate document and summary workbook values of each engine."""
    results = {}
    tmp_path.mkdir(exist_ok=True)
    for engine in ("local", "dask"):
        out = tmp_path / f"{engine}.xlsx"
        done = _run(
            *("consolidate", *(dask_inputs if dask_inputs and engine == "dask" else inputs), "-o", str(out)),
            *("--month", "2026-11", "--format", "json", "--engine", engine, *options),
        )
        assert done.returncode in (0, 1, 2), done.stderr  # 2: nothing usable (a summary is still written)
        document = json.loads(done.stdout)
        document.pop("output")
        results[engine] = (done.returncode, document, _workbook_values(out))
    return results


def test_dask_gives_what_local_gives(month, tmp_path):
    # The valid rows of files with errors too (--include-invalid).
    results = _both_engines([str(month)], tmp_path, "--include-invalid")
    (code, local, local_book), (dask_code, dask, dask_book) = results["local"], results["dask"]
    assert code == dask_code == 1  # errors, a copy and a conflict: not complete
    assert dask == local
    # The month holds what it was made to hold, so that equal is not equal-and-empty.
    statuses = sorted(s["status"] for s in local["sources"])
    assert statuses.count("copy") == 1 and statuses.count("partly") >= 2
    reasons = {reason for reason, rows in local["left_out"].items() if rows}
    assert {"copies", "row_errors", "conflicts", "duplicates"} <= reasons, local["left_out"]
    assert [f["rule"] for f in local["findings"]].count("conflict") == 1
    assert dask_book == local_book
    assert len(local_book["订单"]) > 100  # the merged rows, each compared


@pytest.fixture(scope="module")
def team_month(tmp_path_factory) -> Path:
    """The five teams' files of one month: an after-sales row of 客服售后 names an order nobody
    has, another asks more than its order's quantity (errors found only across files), and
    财务行政's income is more than the orders paid (a totals warning across files)."""
    from ecomsheets.schema import load_catalog

    catalog = load_catalog()
    folder = tmp_path_factory.mktemp("dask-teams") / "交回"
    folder.mkdir()
    for entry in catalog.bundles["department"].roster:
        made = _run(
            *("example", entry.bundle, "--month", "2026-11", "--rows", "60"),
            *("-o", str(folder / f"{entry.name}.xlsx")),
        )
        assert made.returncode == 0, made.stderr
    service = openpyxl.load_workbook(folder / "客服售后.xlsx")
    ws = service["售后"]
    ws["B3"] = "O9999999"
    ws["E4"] = 999
    service.save(folder / "客服售后.xlsx")
    finance = openpyxl.load_workbook(folder / "财务行政.xlsx")
    ws = finance["收支"]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, _column(ws, "科目")).value == "销售收入")
    amount = ws.cell(row, _column(ws, "金额"))
    amount.value = amount.value + 100_000
    finance.save(folder / "财务行政.xlsx")
    return folder


def test_checks_across_team_files_are_the_same(team_month, tmp_path):
    results = _both_engines([str(team_month)], tmp_path)
    (code, local, local_book), (dask_code, dask, dask_book) = results["local"], results["dask"]
    assert code == dask_code == 1
    assert dask == local and dask_book == local_book
    rules = [f["rule"] for f in local["findings"]]
    assert rules.count("reference") == 1 and rules.count("reconcile") == 1 and rules.count("totals") == 1
    assert local["left_out"]["references"] == 1 and local["left_out"]["cross_checks"] == 1
    assert {h["team"] for h in local["status"]} == {p.stem for p in team_month.iterdir()}


def test_a_team_missing_and_every_file_left_out(team_month, month, tmp_path):
    # Without 仓储物流's file the figures by SKU (their grid is its 库存 list) are not made, and
    # 客服售后's references to 库存 cannot be checked; both engines say the same.
    present = [str(p) for p in sorted(team_month.iterdir()) if p.stem != "仓储物流"]
    results = _both_engines(present, tmp_path)
    (_, local, local_book), (_, dask, dask_book) = results["local"], results["dask"]
    assert dask == local and dask_book == local_book
    assert "仓储物流" in {h["team"] for h in local["status"] if h["state"] == "missing"}
    # Only a file with errors, left out whole: nothing is taken, and both say so alike.
    results = _both_engines([str(month / "店铺2.xlsx")], tmp_path / "alone")
    (code, local, local_book), (dask_code, dask, dask_book) = results["local"], results["dask"]
    assert code == dask_code and dask == local and dask_book == local_book
    assert [s["status"] for s in local["sources"]] == ["left_out"]


def test_files_given_by_url_figures_only_and_a_scratch_folder(month, tmp_path):
    # Workers read the files through fsspec (file:// stands in for s3:// and the like) and keep
    # the rows between steps in the scratch folder given, which is emptied after.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    url = f"file://{month.resolve()}"
    results = _both_engines([str(month)], tmp_path, "--data-rows", "0", "--scratch", str(scratch), dask_inputs=[url])
    (_, local, local_book), (_, dask, dask_book) = results["local"], results["dask"]
    for document in (local, dask):  # the files as given: a path, or a URL
        for source in document["sources"]:
            source["file"] = Path(source["file"].removeprefix("file://")).name
        for f in document["findings"]:
            f["file"] = Path(str(f["file"]).removeprefix("file://")).name
    dask_book = {
        sheet: sorted(
            (tuple(v.replace("file://", "") if isinstance(v, str) else v for v in row) for row in rows), key=repr
        )
        for sheet, rows in dask_book.items()
    }
    assert dask == local and dask_book == local_book
    # Without --include-invalid the file with errors is left out whole; --data-rows 0 writes
    # no data sheets.
    assert local["left_out"]["file_errors"] > 0 and "订单" not in local_book
    assert list(scratch.iterdir()) == []
    done = _run("consolidate", url, "-o", str(tmp_path / "x.xlsx"))
    assert done.returncode == 2 and "--engine dask" in done.stderr


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


def test_the_client_holds_no_rows_with_figures_only(month):
    """With --data-rows 0 the consolidation on the client has every table's count and figure
    but no table's rows; with --data-rows N, the first N rows local takes, in its order."""
    from dask.distributed import Client, LocalCluster

    from ecomsheets.process.isolate import ProcessLimits
    from ecomsheets.read.guard import Limits
    from ecomsheets.schema import load_catalog
    from ecomsheets.summarize.consolidate import consolidate
    from ecomsheets.summarize.dask_engine import consolidate_on_cluster
    from ecomsheets.validate.run import inspect_many

    catalog = load_catalog()
    files = sorted(month.glob("*.xlsx"))
    local = consolidate(inspect_many(files, catalog=catalog, keep="tables"), catalog, month="2026-11")
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
        runs = {
            n: consolidate_on_cluster(
                client,
                files,
                catalog,
                schema_dirs=(),
                month="2026-11",
                limits=Limits(),
                process=ProcessLimits(),
                data_rows=n,
            )
            for n in (0, 5)
        }
    assert runs[0].rows == local.rows and sum(local.rows.values()) > 500
    assert all(frame.empty for frame in runs[0].tables.values())
    assert [(v.name, v.group) for v in runs[0].metrics] == [(v.name, v.group) for v in local.metrics]
    for name, frame in runs[5].tables.items():
        pd.testing.assert_frame_equal(frame, local.tables[name].head(5), check_dtype=False)
