"""Issue 10: every count, total and verdict is the true one, and every file handed in shows up
in the output with what happened to it.

Inputs are made the way the problems arise: example workbooks edited with openpyxl (bad cells,
sheets removed, garbled headers), byte copies, a file of another month, files of other formats
dropped in the submissions folder (a real .ods written by LibreOffice). Counts and totals are
checked against an independent pandas computation of the same rows.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.report.annotate import write_annotated
from ecomsheets.report.console import render_console
from ecomsheets.report.html import write_html
from ecomsheets.summarize.consolidate import consolidate
from ecomsheets.validate import context as validate_context
from ecomsheets.validate.run import inspect_many
from tests.helpers import CATALOG, MONTH, NOW, run_cli, write_example
from tests.lo import SOFFICE, requires_libreoffice

ROWS = 60
FIRST_ROW = 3
BUNDLE = CATALOG.bundles["department"]


def _with_references(name: str) -> list[str]:
    """A table and every table it references, directly or through another, in bundle order."""
    needed, todo = set(), [name]
    while todo:
        table = todo.pop()
        if table not in needed:
            needed.add(table)
            todo += [c.ref_table for c in CATALOG.tables[table].columns if c.references]
    return [t for t in BUNDLE.tables if t in needed]


ORDER_COLUMNS = {"quantity": "F", "unit_price": "G", "channel": "D", "status": "L"}
# What a person might type into each column that is wrong in exactly one way.
BAD_VALUES = {"quantity": ["abc", 0, -3], "unit_price": ["x元", -1], "channel": ["火星商城"], "status": ["不知道"]}


# --- helpers -----------------------------------------------------------------------------------
def make_shop(path: Path, seed: int, *, month=MONTH, rows: int = ROWS, tables=None) -> dict:
    return write_example(path, rows=rows, seed=seed, month=month, now=NOW, tables=tables)


def inspect(paths, month=MONTH) -> list:
    return inspect_many(paths, catalog=CATALOG, month=month, isolate=False)


def order_totals(orders: pd.DataFrame) -> dict:
    """The orders' headline figures as pandas computes them from the rows."""
    discount = orders["discount"].fillna(0)
    amount = (orders["quantity"] * orders["unit_price"] - discount).round(2)
    return {
        "sales_total": amount.sum(),
        "units_sold": orders["quantity"].sum(),
        "paid_total": orders["paid_amount"].sum(),
        "order_count": orders["order_id"].nunique(),
    }


def metric_values(metrics) -> dict:
    return {m.name: m.value for m in metrics if m.group is None}


def corrupt(source: Path, out: Path, cells: dict[int, tuple[str, object]]) -> Path:
    """Write `out`: `source` with orders row i (0-based) given a bad value in one column."""
    wb = openpyxl.load_workbook(source)
    ws = wb["订单"]
    for i, (column, value) in cells.items():
        ws[f"{ORDER_COLUMNS[column]}{FIRST_ROW + i}"].value = value
    wb.save(out)
    return out


def annotated_counts(path: Path) -> tuple[int, int, int]:
    """(errors shown, warnings shown, red cells) of an annotated copy, as a person reads it."""
    wb = openpyxl.load_workbook(path)
    ws = wb["校验结果"]
    counts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 15)}
    red = sum(
        1
        for c in wb["订单"].iter_rows()
        for cell in c
        if cell.fill is not None
        and cell.fill.fgColor is not None
        and cell.comment is not None
        and "【错误】" in (cell.comment.text or "")
    )
    return counts["错误"], counts["提醒"], red


def console_counts(text: str) -> tuple[int, dict[str, int]]:
    """The file line's error count and each sheet header's."""
    head = re.search(r"：(\d+) 个错误", text.splitlines()[0])
    sheets = {m[1]: int(m[2]) for m in re.finditer(r"【(.+?)】(\d+) 个错误", text)}
    return int(head[1]) if head else 0, sheets


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("trust")


@pytest.fixture(scope="module")
def shop(base) -> SimpleNamespace:
    path = base / "shop1.xlsx"
    frames = make_shop(path, 1)
    return SimpleNamespace(path=path, frames=frames)


# --- 1. every count is the true count, and the complete set of bad cells decides -------------
@pytest.fixture(scope="module")
def bad300(base) -> SimpleNamespace:
    path = base / "big.xlsx"
    frames = make_shop(path, 7, rows=320)
    assert len(frames["orders"]) >= 300
    bad = corrupt(path, base / "bad300.xlsx", {i: ("quantity", -2) for i in range(300)})
    return SimpleNamespace(path=bad, frames=frames)


def test_300_bad_cells_are_300_everywhere(bad300, base):
    (insp,) = inspect([bad300.path])
    report = insp.report
    assert report.errors == 300 and len(report.findings) == 300 and report.omitted == 0
    assert report.error_rows["orders"] == set(range(FIRST_ROW, FIRST_ROW + 300))
    file_line, sheets = console_counts(render_console(report))
    assert (file_line, sheets) == (300, {"订单": 300})
    doc = report.to_dict()
    assert doc["summary"]["errors"] == 300 and doc["summary"]["findings_omitted"] == 0
    assert sum(f["severity"] == "error" for f in doc["findings"]) == 300
    out = write_annotated(bad300.path, report, base / "bad300_校验.xlsx")
    assert annotated_counts(out) == (300, 0, 300)
    page = write_html([report], base / "bad300.html").read_text(encoding="utf-8")
    assert "300 个错误，0 个提醒" in page  # the sheet's heading
    assert page.count("必须 ≥ 1") == 300  # every finding is a row of the page


def test_max_findings_shortens_the_json_list_and_says_so(bad300):
    result = run_cli("validate", bad300.path, "--format", "json", "--max-findings", "25")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1
    assert len(doc["findings"]) == 25
    assert doc["summary"]["errors"] == 300 and doc["summary"]["findings_omitted"] == 275
    full = json.loads(run_cli("validate", bad300.path, "--format", "json").stdout)
    assert len(full["findings"]) == 300 and full["summary"]["findings_omitted"] == 0


def test_console_lists_the_first_per_sheet_and_says_how_many_more(bad300):
    text = run_cli("validate", bad300.path).stdout
    assert text.count("[错误] 订单!F") == 20
    assert "另有 280 条未列出" in text
    assert console_counts(text) == (300, {"订单": 300})


def test_include_invalid_takes_none_of_the_300_bad_rows(bad300):
    (insp,) = inspect([bad300.path])
    result = consolidate([insp], CATALOG, month=MONTH, include_invalid=True)
    orders = bad300.frames["orders"]
    good = orders.iloc[300:]
    assert len(result.tables["orders"]) == len(good)
    got = metric_values(result.metrics)
    for name, want in order_totals(good).items():
        assert got[name] == pytest.approx(want), name
    assert got["sales_total"] >= got["paid_total"]
    assert result.left_out["row_errors"] == 300
    (source,) = result.sources
    assert (source.errors, source.status) == (300, "partly")


def test_counts_past_the_safety_limit_are_still_true(bad300, monkeypatch):
    """A crafted file can hold millions of bad cells: past the listing limit they are counted,
    and still decide which rows are left out."""
    monkeypatch.setattr(validate_context, "MAX_PER_RULE", 40)
    (insp,) = inspect([bad300.path])
    report = insp.report
    assert len(report.findings) == 40 and report.omitted == 260 and report.errors == 300
    assert console_counts(render_console(report)) == (300, {"订单": 300})
    assert report.to_dict()["summary"]["findings_omitted"] == 260
    assert len(report.error_rows["orders"]) == 300
    result = consolidate([insp], CATALOG, month=MONTH, include_invalid=True)
    assert len(result.tables["orders"]) == len(bad300.frames["orders"]) - 300
    assert result.sources[0].errors == 300


def test_consolidate_json_and_sheets_carry_the_true_count(bad300, shop, base):
    out = base / "summary300.xlsx"
    result = run_cli("consolidate", bad300.path, shop.path, "-o", out, "--month", "2026-11", "--format", "json")
    assert result.exit_code == 1  # a file was left out
    doc = json.loads(result.stdout)
    source = next(s for s in doc["sources"] if s["file"] == str(bad300.path))
    assert (source["errors"], source["status"]) == (300, "left_out")
    (left,) = [f for f in doc["findings"] if f["rule"] == "left_out_file"]
    assert left["message"].startswith("文件有 300 个错误，整份未计入（第一个：订单!F3 数量")
    wb = openpyxl.load_workbook(out)
    rows = {r[0]: r for r in wb["来源"].iter_rows(min_row=2, values_only=True)}
    assert rows[str(bad300.path)][4] == 300
    problems = [r for r in wb["问题"].iter_rows(min_row=2, values_only=True) if r[1] == str(bad300.path)]
    assert [r[3][:12] for r in problems] == ["文件有 300 个错误，"]


@pytest.mark.parametrize("value", ["abc", -2])
def test_a_bad_order_cell_is_one_finding_though_another_sheet_reconciles_with_it(base, value):
    """One bad cell, one finding: the after-sales rows of an order line whose quantity is bad
    are not reported again for being more than that line's quantity."""
    path = base / f"after_sales_{value}.xlsx"
    frames = make_shop(path, 1, rows=10, tables=_with_references("after_sales"))
    orders, claims = frames["orders"], frames["after_sales"]
    claimed = set(zip(claims["order_id"], claims["sku"]))
    i = next(k for k, (o, s) in enumerate(zip(orders["order_id"], orders["sku"])) if (o, s) in claimed)
    (insp,) = inspect([corrupt(path, base / f"after_sales_{value}_bad.xlsx", {i: ("quantity", value)})])
    assert [(f.sheet, f.cell) for f in insp.report.findings if f.severity == "error"] == [("订单", f"F{FIRST_ROW + i}")]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_bad_cells_agree_everywhere_and_leave_out_exactly_their_rows(shop, base, data):
    """For random sets of corrupted cells: the same error count on the console, in the JSON and
    in the annotated copy, and --include-invalid totals equal those of the untouched rows."""
    n = len(shop.frames["orders"])
    rows = data.draw(st.sets(st.integers(0, n - 1), max_size=n), label="rows")
    cells = {}
    for i in sorted(rows):
        column = data.draw(st.sampled_from(sorted(BAD_VALUES)), label=f"column {i}")
        cells[i] = (column, data.draw(st.sampled_from(BAD_VALUES[column]), label=f"value {i}"))
    with tempfile.TemporaryDirectory(dir=base) as d:
        path = corrupt(shop.path, Path(d) / "shop.xlsx", cells)
        (insp,) = inspect([path])
        report = insp.report
        assert report.errors == len(cells)
        assert console_counts(render_console(report))[0] == len(cells)
        doc = report.to_dict()
        assert doc["summary"]["errors"] == sum(f["severity"] == "error" for f in doc["findings"]) == len(cells)
        if cells:
            out = write_annotated(path, report, Path(d) / "annotated.xlsx")
            errors_shown, _, red = annotated_counts(out)
            assert errors_shown == red == len(cells)
        result = consolidate([insp], CATALOG, month=MONTH, include_invalid=True)
        untouched = shop.frames["orders"].drop(index=shop.frames["orders"].index[sorted(cells)])
        got = metric_values(result.metrics)
        for name, want in order_totals(untouched).items():
            if len(untouched):
                assert got[name] == pytest.approx(want), name
        assert len(result.tables["orders"]) == len(untouched)


# --- 2. nothing recognisable is a refusal; a blank template is not a pass --------------------
@pytest.fixture(scope="module")
def unusable(base, shop) -> dict[str, Path]:
    out = {}
    wb = openpyxl.Workbook()
    wb.active.title = "进货单"
    wb.active.append(["日期", "供货商", "品名", "件数"])
    wb.active.append(["2026-11-02", "义乌小商品", "发夹", 30])
    wb.save(out.setdefault("unrelated", base / "unrelated.xlsx"))
    openpyxl.Workbook().save(out.setdefault("empty", base / "empty.xlsx"))
    # A CSV of the orders converted with the wrong character set: GBK bytes read as UTF-8.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    heads = ["订单编号", "下单日期", "客户编号", "渠道", "商品SKU", "数量", "单价", "订单状态"]
    ws.append([h.encode("gbk").decode("utf-8", errors="replace") for h in heads])
    ws.append(["T1001", "2026-11-03", "C001", "淘宝", "SKU-1", 1, 9.9, "已完成"])
    wb.save(out.setdefault("garbled", base / "garbled.xlsx"))
    blank = generate_workbook(CATALOG, "department", base / "blank.xlsx", month=MONTH, rows=20, now=NOW).path
    out["blank"] = Path(blank)
    return out


@pytest.mark.parametrize("case", ["unrelated", "empty", "garbled"])
def test_nothing_recognisable_is_refused(unusable, case):
    result = run_cli("validate", unusable[case], "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert not doc["valid"] and doc["summary"]["rows_checked"] == 0
    (refusal,) = [f for f in doc["findings"] if f["severity"] == "error"]
    assert refusal["rule"] == "no_tables"
    expected = "、".join(CATALOG.tables[t].sheet for t in BUNDLE.tables[:5])  # 员工、定岗定编、客户 …
    assert f"应有的工作表是 {expected}" in refusal["message"]
    found = {"unrelated": "进货单", "empty": "Sheet", "garbled": "Sheet1"}[case]
    assert f"文件里找到的是 {found}" in refusal["message"]
    text = run_cli("validate", unusable[case]).stdout
    assert "✓" not in text and "没有找到任何可识别的表格" in text


def test_blank_template_is_an_error_not_a_pass(unusable):
    result = run_cli("validate", unusable["blank"], "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    (no_data,) = [f for f in doc["findings"] if f["severity"] == "error"]
    assert no_data["rule"] == "no_data" and "空白模板" in no_data["message"]


def test_consolidate_leaves_unusable_files_out_and_says_why(unusable, shop, base):
    folder = base / "unusable_in"
    folder.mkdir()
    for p in [shop.path, *unusable.values()]:
        shutil.copy(p, folder / p.name)
    result = run_cli("consolidate", folder, "-o", base / "unusable_summary.xlsx", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    status = {Path(s["file"]).name: s["status"] for s in doc["sources"]}
    assert status == {
        "shop1.xlsx": "taken",
        "unrelated.xlsx": "unreadable",
        "empty.xlsx": "unreadable",
        "garbled.xlsx": "unreadable",
        "blank.xlsx": "left_out",
    }
    why = {Path(f["file"]).name: f["message"] for f in doc["findings"]}
    assert "没有找到任何可识别的表格" in why["unrelated.xlsx"]
    assert "空白模板" in why["blank.xlsx"]
    got = {m["name"]: m["value"] for m in doc["metrics"] if m["group"] is None}
    for name, want in order_totals(shop.frames["orders"]).items():
        assert got[name] == pytest.approx(want)


def test_nothing_usable_is_exit_code_2(unusable, base):
    result = run_cli("consolidate", unusable["unrelated"], unusable["empty"], "-o", base / "none.xlsx")
    assert result.exit_code == 2
    assert not (base / "none.xlsx").exists()


# --- 8. copies, conflicts and what each kind of problem removed -------------------------------
@pytest.fixture(scope="module")
def month_files(base, shop) -> SimpleNamespace:
    folder = base / "month"
    (folder / "店B").mkdir(parents=True)
    shutil.copy(shop.path, folder / "shop1.xlsx")
    shutil.copy(shop.path, folder / "店B" / "shop1_again.xlsx")  # the same file handed in twice
    path2 = folder / "shop2.xlsx"
    frames2 = example_frames(CATALOG, "department", MONTH, rows=ROWS, seed=2)
    # shop2 also holds one of shop1's order ids, with another SKU: the same order in two files.
    first = shop.frames["orders"].iloc[0]
    other_sku = next(s for s in frames2["inventory"]["sku"] if s != first["sku"])
    line = frames2["orders"].iloc[[0]].assign(order_id=first["order_id"], sku=other_sku)
    frames2["orders"] = pd.concat([frames2["orders"], line], ignore_index=True)
    generate_workbook(CATALOG, "department", path2, month=MONTH, data=frames2, now=NOW)
    result = run_cli("consolidate", folder, "-o", base / "month_summary.xlsx", "--format", "json")
    return SimpleNamespace(
        folder=folder,
        frames2=frames2,
        first=first,
        result=result,
        doc=json.loads(result.stdout),
        out=base / "month_summary.xlsx",
    )


def test_identical_files_are_named_as_copies_and_counted_once(month_files, shop):
    doc = month_files.doc
    status = {Path(s["file"]).name: s["status"] for s in doc["sources"]}
    assert status["shop1_again.xlsx"] == "copy"
    (copy,) = [f for f in doc["findings"] if f["rule"] == "left_out_copy"]
    assert Path(copy["file"]).name == "shop1_again.xlsx"
    assert copy["message"] == "与 shop1.xlsx 是同一个文件（内容完全相同），只计一次"
    rows = {Path(s["file"]).name: s["rows_taken"] for s in doc["sources"]}
    assert rows["shop1_again.xlsx"] == 0


def test_an_order_id_in_two_files_is_a_conflict_even_with_another_sku(month_files, shop):
    doc, first = month_files.doc, month_files.first
    (conflict,) = [f for f in doc["findings"] if f["rule"] == "conflict"]
    assert conflict["severity"] == "error"
    assert f"{first['order_id']} 同时出现在 shop1.xlsx、shop2.xlsx 中" in conflict["message"]
    lines1 = shop.frames["orders"][shop.frames["orders"]["order_id"] == first["order_id"]]
    for k in range(len(lines1)):
        assert f"shop1.xlsx 订单!A{FIRST_ROW + int(lines1.index[k])}" in conflict["message"]
    assert f"shop2.xlsx 订单!A{FIRST_ROW + len(month_files.frames2['orders']) - 1}" in conflict["message"]
    # The totals tell one story: neither version of the order is in any figure.
    kept1 = shop.frames["orders"][shop.frames["orders"]["order_id"] != first["order_id"]]
    kept2 = month_files.frames2["orders"][month_files.frames2["orders"]["order_id"] != first["order_id"]]
    got = {m["name"]: m["value"] for m in doc["metrics"] if m["group"] is None}
    for name, want in order_totals(pd.concat([kept1, kept2])).items():
        assert got[name] == pytest.approx(want), name
    assert doc["left_out"]["conflicts"] == len(lines1) + 1


def test_duplicate_messages_name_their_files_and_the_overview_counts_each_kind(month_files):
    doc = month_files.doc
    for f in doc["findings"]:
        assert f["file"] or f["rule"] == "conflict", f
    assert month_files.result.exit_code == 1  # a copy and a conflict
    ws = openpyxl.load_workbook(month_files.out)["概览"]
    left = ws["A3"].value
    assert left.startswith("未计入：")
    assert f"主键冲突 {doc['left_out']['conflicts']} 行" in left
    assert f"重复提交的文件 {doc['left_out']['copies']} 行" in left
    text = run_cli("consolidate", month_files.folder, "-o", month_files.out, "--force").stdout
    assert "[提醒] shop1_again.xlsx 与 shop1.xlsx 是同一个文件" in text


# --- 9. every file in a folder is accounted for ----------------------------------------------
def _to_ods(xlsx: Path, outdir: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "ods",
                "--outdir",
                str(outdir),
                str(xlsx),
            ],
            capture_output=True,
            timeout=180,
            check=True,
        )
    return outdir / (xlsx.stem + ".ods")


@requires_libreoffice
@pytest.mark.libreoffice
def test_every_file_in_a_folder_is_read_or_named_with_how_to_convert(shop, base):
    folder = base / "交回"
    (folder / "子文件夹").mkdir(parents=True)
    shutil.copy(shop.path, folder / "店铺1.xlsx")
    ods = _to_ods(shop.path, base)
    shutil.copy(ods, folder / "店铺2.ods")
    (folder / "店铺3.csv").write_bytes("订单编号,数量\nT1,2\n".encode("gbk"))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024
    (folder / "子文件夹" / "店铺4.xls").write_bytes(ole)
    (folder / "店铺5.et").write_bytes(ole + b"WPS")
    shutil.copy(shop.path, folder / "~$店铺1.xlsx")  # Excel's lock file: skipped silently
    (folder / ".店铺1.xlsx.swp").write_bytes(b"x")  # hidden: skipped silently
    result = run_cli("validate", folder, "--format", "json")
    assert result.exit_code == 2
    docs = {Path(d["file"]).name: d for d in json.loads(result.stdout)}
    assert set(docs) == {"店铺1.xlsx", "店铺2.ods", "店铺3.csv", "店铺4.xls", "店铺5.et"}
    rule = {name: [f["rule"] for f in d["findings"]] for name, d in docs.items() if name != "店铺1.xlsx"}
    assert rule == {"店铺2.ods": ["ods"], "店铺3.csv": ["not_xlsx"], "店铺4.xls": ["old_xls"], "店铺5.et": ["wps_et"]}
    assert "OpenDocument 电子表格" in docs["店铺2.ods"]["findings"][0]["message"]
    assert "另存为" in docs["店铺3.csv"]["findings"][0]["message"]
    assert docs["店铺1.xlsx"]["valid"]
    text = run_cli("consolidate", folder, "-o", base / "folder_summary.xlsx").stdout
    assert "汇总完成：5 个文件，计入 1 个" in text
    for name in ("店铺2.ods", "店铺3.csv", "店铺4.xls", "店铺5.et"):
        assert f"[错误] {name} 文件无法读取，未计入" in text


# --- 10. exit codes ---------------------------------------------------------------------------
def test_consolidate_exit_code_0_only_when_everything_was_taken(shop, base):
    other = base / "shop9.xlsx"
    make_shop(other, 9)
    assert run_cli("consolidate", shop.path, other, "-o", base / "ok.xlsx").exit_code == 0
    bad = corrupt(shop.path, base / "one_bad.xlsx", {0: ("channel", "火星商城")})
    assert run_cli("consolidate", bad, other, "-o", base / "one_bad_summary.xlsx").exit_code == 1
    assert run_cli("consolidate", bad, other, "-o", base / "one_bad_rows.xlsx", "--include-invalid").exit_code == 1


def test_consolidate_names_the_same_error_count_as_validate(shop, base):
    """A date outside the month is an error like any other in the count, though alone it would
    not leave the file out (its row is left out by month)."""
    wb = openpyxl.load_workbook(shop.path)
    wb["订单"]["D3"].value = "火星商城"
    wb["订单"]["B4"].value = datetime(2026, 10, 31)
    path = base / "two_errors.xlsx"
    wb.save(path)
    doc = json.loads(run_cli("validate", path, "--format", "json", "--month", "2026-11").stdout)
    assert doc["summary"]["errors"] == 2
    result = json.loads(
        run_cli(
            "consolidate",
            path,
            shop.path,
            "-o",
            base / "two_errors_summary.xlsx",
            "--month",
            "2026-11",
            "--format",
            "json",
        ).stdout
    )
    (left,) = [f for f in result["findings"] if f["rule"] == "left_out_file"]
    assert left["message"].startswith("文件有 2 个错误，整份未计入")
    assert next(s for s in result["sources"] if s["file"] == str(path))["errors"] == 2


def test_of_two_identical_files_the_original_is_taken_not_the_copy(shop, base):
    folder = base / "copy_names"
    folder.mkdir()
    shutil.copy(shop.path, folder / "店铺1.xlsx")
    shutil.copy(shop.path, folder / "店铺1 - 副本.xlsx")  # sorts before the original
    doc = json.loads(run_cli("consolidate", folder, "-o", base / "copy_names.xlsx", "--format", "json").stdout)
    status = {Path(s["file"]).name: s["status"] for s in doc["sources"]}
    assert status == {"店铺1.xlsx": "taken", "店铺1 - 副本.xlsx": "copy"}
