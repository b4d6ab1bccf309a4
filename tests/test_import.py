"""`ecomsheets import`: the real Tmall order report (UTF-8, GBK, xlsx) against pandas, and the
behaviours every export meets, on small Tmall-format exports the tests write: lineage, ids,
title and total rows, overlapping exports, months, imported rows checked as strictly as typed
ones, and hostile files. The other platforms' formats are in test_import_platforms.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.helpers import cli, run_cli, sha256
from tests.lo import convert, requires_libreoffice

SHARED = Path(os.environ.get("ECOMSHEETS_SHARED", Path(__file__).resolve().parents[2] / "shared"))
TMALL = SHARED / "data" / "tmall_order_report.csv"
needs_tmall = pytest.mark.skipif(not TMALL.is_file(), reason="../shared/data/tmall_order_report.csv is absent")

HEADER = [
    "订单编号",
    "买家会员名",
    "总金额",
    "买家实际支付金额",
    "订单状态",
    "收货地址 ",
    "订单创建时间",
    "订单付款时间 ",
]
HEADER += ["物流单号", "物流公司", "确认收货时间", "退款金额", "买家留言"]


def order(i: int, **over) -> dict:
    row = {
        "订单编号": f'="{3_800_000_000_000_000_000 + i}"',  # 19 digits, as Taobao wraps them
        "买家会员名": "t**4",
        "总金额": f"{100 + i}.50",
        "买家实际支付金额": f"{100 + i}.50",
        "订单状态": "买家已付款，等待卖家发货",
        "收货地址 ": "浙江省 杭州市 西湖区 文三路 1 号",
        "订单创建时间": f"2026-11-{1 + i % 28:02d} 10:00:00",
        "订单付款时间 ": f"2026-11-{1 + i % 28:02d} 10:05:00",
        "物流单号": "",
        "物流公司": "",
        "确认收货时间": "",
        "退款金额": "0.00",
        "买家留言": "",
    }
    row.update(over)
    return row


def write_export(path: Path, rows: list[dict], *, encoding="gb18030", title_rows=(), total=None) -> Path:
    frame = pd.DataFrame(rows, columns=HEADER)
    lines = [",".join(t) for t in title_rows]
    body = frame.to_csv(index=False, lineterminator="\n")
    text = "\n".join(lines + [body.rstrip("\n")])
    if total is not None:
        text += "\n" + ",".join(total)
    path.write_bytes((text + "\n").encode(encoding))
    return path


def run_import(tmp_path, *files, expect=0, name="out.xlsx", extra=()):
    out = tmp_path / name
    result = run_cli("import", *files, "-o", out, "--format", "json", *extra)
    assert result.exit_code == expect, result.output
    return out, json.loads(result.stdout) if result.stdout.strip().startswith("{") else None


def metrics(path) -> dict:
    result = run_cli("summarize", path, "--format", "json")
    assert result.exit_code == 0, result.output
    return {m["name"]: m["value"] for m in json.loads(result.stdout)["metrics"] if m.get("group") is None}


def orders_sheet(path) -> tuple[list[str], list[list]]:
    ws = openpyxl.load_workbook(path, read_only=True)["订单"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("订单编号"))
    body = [r for r in rows[header_at + 1 :] if r[0] is not None]
    return [str(h).rstrip("*") for h in rows[header_at]], body


def header_of(ws) -> list[str]:
    """The 订单 sheet's column titles (row 2), without the * of required columns."""
    return [str(c.value or "").rstrip("*") for c in ws[2]]


# --- the real Tmall report ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tmall_truth():
    frame = pd.read_csv(TMALL, dtype={"订单编号": str})
    return {
        "order_count": frame["订单编号"].nunique(),
        "sales_total": frame["总金额"].sum(),
        "paid_total": frame["买家实际支付金额"].sum(),
        "order_refund_total": frame["退款金额"].sum(),
    }


@needs_tmall
@pytest.mark.slow
@pytest.mark.parametrize("form", ["utf-8", "gbk", "xlsx"])
def test_the_real_tmall_report_imports_with_the_exports_own_totals(tmp_path, tmall_truth, form):
    if form == "utf-8":
        source = TMALL
    elif form == "gbk":
        source = tmp_path / "天猫订单报表.csv"
        source.write_bytes(TMALL.read_text(encoding="utf-8").encode("gbk"))
    else:
        source = tmp_path / "天猫订单报表.xlsx"
        pd.read_csv(TMALL, dtype=str).to_excel(source, index=False)
    before = sha256(source)
    out, doc = run_import(tmp_path, source)
    assert sha256(source) == before  # the export is never touched
    (line,) = doc["files"]
    assert line["platform"] == "tmall"
    assert line["encoding"] == {"utf-8": "utf-8", "gbk": "gb18030", "xlsx": "xlsx"}[form]
    assert line["rows"] == line["orders"] == 28_010 == tmall_truth["order_count"]
    assert doc["month"] == "2020-02"
    assert doc["validation"]["summary"]["errors"] == 0, doc["validation"]["findings"][:5]
    got = metrics(out)
    assert got["order_count"] == tmall_truth["order_count"]
    for name in ("sales_total", "paid_total", "order_refund_total"):
        assert got[name] == pytest.approx(tmall_truth[name], abs=0.005), name
    assert got["net_sales"] == pytest.approx(tmall_truth["sales_total"] - tmall_truth["order_refund_total"], abs=0.01)
    header, body = orders_sheet(out)
    source_col = header.index("来源")
    assert body[0][source_col] == f"{source.name} 第 2 行"
    assert body[-1][source_col] == f"{source.name} 第 28011 行"


# --- what every export meets (small Tmall-format files) --------------------------------------------


def test_lineage_ids_and_a_bad_value_named_at_its_cell_and_its_export_row(tmp_path):
    rows = [order(i) for i in range(1, 6)]
    rows[2]["总金额"] = "一百"  # export row 4 (header on row 1)
    export = write_export(tmp_path / "天猫订单.csv", rows)
    out, doc = run_import(tmp_path, export, "--month", "2026-11", expect=1)
    header, body = orders_sheet(out)
    ids = [r[header.index("订单编号")] for r in body]
    assert ids == [str(3_800_000_000_000_000_000 + i) for i in range(1, 6)]  # 19 digits, as text
    assert [r[header.index("来源")] for r in body] == [f"天猫订单.csv 第 {n} 行" for n in range(2, 7)]
    assert body[2][header.index("订单金额")] == "一百"  # kept as written, never lost
    errors = [f for f in doc["validation"]["findings"] if f["severity"] == "error"]
    assert [(f["rule"], f["row"], f["origin"]) for f in errors] == [("type", 5, "天猫订单.csv 第 4 行")]
    assert errors[0]["message"].endswith("（来自 天猫订单.csv 第 4 行）")
    # Province read from the address; platform statuses as ours; the channel from the profile.
    assert {r[header.index("收货省份")] for r in body} == {"浙江省"}
    assert {r[header.index("订单状态")] for r in body} == {"待发货"}
    assert {r[header.index("渠道")] for r in body} == {"天猫"}


def test_a_sound_export_validates_clean_and_typed_rows_stay_strict(tmp_path):
    export = write_export(tmp_path / "天猫订单.csv", [order(i) for i in range(1, 9)])
    out, doc = run_import(tmp_path, export, "--month", "2026-11")
    assert doc["validation"]["summary"]["errors"] == 0
    # A row typed below the imported ones (no 来源) must have everything a typed row needs.
    wb = openpyxl.load_workbook(out)
    ws = wb["订单"]
    header = header_of(ws)
    r = next(i for i in range(4, 40) if ws.cell(i, 1).value is None)
    ws.cell(r, header.index("订单编号") + 1, "TYPED001")
    ws.cell(r, header.index("订单金额") + 1, 99)
    wb.save(out)
    result = cli("validate", out, "--format", "json")
    typed = {f["column"] for f in json.loads(result.stdout)["findings"] if f["row"] == r and f["rule"] == "required"}
    assert {"order_date", "customer_id", "channel", "sku", "quantity", "unit_price", "status"} <= typed


def test_inputs_typed_into_an_imported_row_are_checked_against_its_amount(tmp_path):
    export = write_export(tmp_path / "天猫订单.csv", [order(i) for i in range(1, 4)])
    out, _ = run_import(tmp_path, export, "--month", "2026-11")
    wb = openpyxl.load_workbook(out)
    ws = wb["订单"]
    header = header_of(ws)
    ws.cell(3, header.index("数量") + 1, 2)
    ws.cell(3, header.index("单价") + 1, 10)
    wb.save(out)
    found = json.loads(cli("validate", out, "--format", "json").stdout)["findings"]
    # 订单金额 is now recomputed (2 × 10), and disagrees with the export's, as does 实付金额 with it.
    assert sorted((f["rule"], f["row"]) for f in found if f["severity"] == "error") == [
        ("derived_mismatch", 3),
        ("row_rule", 3),
    ]


def test_title_rows_and_a_total_row_are_skipped_and_the_total_checked(tmp_path):
    rows = [order(i) for i in range(1, 5)]
    total = sum(100 + i + 0.5 for i in range(1, 5))
    titles = [["订单报表"], ["导出时间：2026-12-01 09:00"], [""]]
    right = write_export(tmp_path / "right.csv", rows, title_rows=titles, total=["合计:", "", f"{total:.2f}"])
    _, doc = run_import(tmp_path, right, "--month", "2026-11", name="a.xlsx")
    assert doc["files"][0]["total_rows"] == 1 and doc["files"][0]["rows"] == 5
    assert doc["tables"]["orders"] == 4
    assert not [f for f in doc["findings"] if f["rule"] == "import_total_mismatch"]
    wrong = write_export(tmp_path / "wrong.csv", rows, title_rows=titles, total=["合计:", "", f"{total + 1:.2f}"])
    _, doc = run_import(tmp_path, wrong, "--month", "2026-11", name="b.xlsx")
    (mismatch,) = [f for f in doc["findings"] if f["rule"] == "import_total_mismatch"]
    assert mismatch["row"] == 9 and mismatch["value"] == f"{total + 1:,.2f}" and mismatch["expected"] == f"{total:,.2f}"
    assert "wrong.csv 第 9 行是合计行" in mismatch["message"]


def test_overlapping_exports_keep_the_newest_row_of_each_order(tmp_path):
    week1 = [order(i) for i in range(1, 11)]
    week2 = [order(i) for i in range(6, 16)]
    for n, row in enumerate(week2[:3]):  # orders 6-8 were delivered since the first export
        row.update(
            订单状态="交易成功", 确认收货时间="2026-11-29 12:00:00", 物流单号=f"SF123456789012{n}", 物流公司="顺丰速运"
        )
    a = write_export(tmp_path / "第1周.csv", week1)
    b = write_export(tmp_path / "第2周.csv", week2)
    # The newer export wins by its own time columns, whatever the order the files are given in.
    for files in ((a, b), (b, a)):
        out, doc = run_import(tmp_path, *files, "--month", "2026-11", "--force", name="merged.xlsx")
        assert doc["tables"]["orders"] == 15
        assert doc["replaced"] == 5 and doc["conflicts"] == 3
        assert doc["validation"]["summary"]["errors"] == 0
        header, body = orders_sheet(out)
        by_id = {r[0]: r for r in body}
        for i in (6, 7, 8):
            row = by_id[str(3_800_000_000_000_000_000 + i)]
            assert row[header.index("订单状态")] == "已完成"
            assert row[header.index("来源")].startswith("第2周.csv")
        conflicts = [f for f in doc["findings"] if f["rule"] == "import_conflict"]
        assert len(conflicts) == 3 and all(f["file"] == "第2周.csv" for f in conflicts)
        assert doc["tables"]["logistics"] == 3
    # Without time columns that tell them apart, the file given last wins.
    same = [order(i, **{"订单状态": "交易关闭"}) for i in range(1, 3)]
    c = write_export(tmp_path / "重导.csv", same)
    _, doc = run_import(tmp_path, a, c, "--month", "2026-11", "--force", name="merged.xlsx")
    assert doc["replaced"] == 2 and doc["conflicts"] == 2


def test_orders_of_another_month_are_left_out_with_why(tmp_path):
    rows = [order(i) for i in range(1, 5)]
    rows[0]["订单创建时间"] = "2026-10-31 23:59:00"
    export = write_export(tmp_path / "天猫订单.csv", rows)
    _, doc = run_import(tmp_path, export, "--month", "2026-11")
    assert doc["tables"]["orders"] == 3
    (left,) = doc["files"][0]["left_out"]
    assert left["row"] == 2 and "2026-10-31" in left["why"]
    # Without --month: the month most orders were placed in.
    _, doc = run_import(tmp_path, export, "--force")
    assert doc["month"] == "2026-11"


def test_platform_named_and_platform_not_fitting(tmp_path):
    export = write_export(tmp_path / "orders.csv", [order(i) for i in range(1, 3)])
    _, doc = run_import(tmp_path, export, "--platform", "taobao", "--month", "2026-11")
    assert doc["files"][0]["platform"] == "taobao"
    _, body = orders_sheet(tmp_path / "out.xlsx")
    assert {row[3] for row in body} == {"淘宝"}  # 渠道: the platform named
    result = cli("import", export, "-o", tmp_path / "x.xlsx", "--platform", "nosuch")
    assert result.exit_code == 2 and "没有叫“nosuch”的平台" in result.output
    # Auto: the shop's own word in the file name tells Taobao from Tmall.
    taobao = write_export(tmp_path / "淘宝订单.csv", [order(1)])
    _, doc = run_import(tmp_path, taobao, "--month", "2026-11", name="t.xlsx")
    assert doc["files"][0]["platform"] == "taobao"


# --- hostile and broken files -------------------------------------------------------------------------


def test_formula_text_never_becomes_a_formula(tmp_path):
    rows = [order(1, 订单状态='=HYPERLINK("http://x","y")'), order(2, 买家留言="=1+1")]
    export = write_export(tmp_path / "=cmd.csv", rows)
    out, doc = run_import(tmp_path, export, "--month", "2026-11", expect=1)
    wb = openpyxl.load_workbook(out)
    ws = wb["订单"]
    texts = [c for row in ws.iter_rows(min_row=3, max_row=4) for c in row if isinstance(c.value, str)]
    assert texts and all(c.data_type == "s" for c in texts)
    assert any("HYPERLINK" in c.value for c in texts) and any(c.value.startswith("=cmd.csv") for c in texts)


def test_broken_files_are_refused_with_a_message(tmp_path):
    cases = {
        "one_line.csv": b"\xe8\xae\xa2\xe5\x8d\x95\xe7\xbc\x96\xe5\x8f\xb7," + b"x" * (3 << 20),  # no line break
        "bomb.csv": ",".join(HEADER).encode("utf-8") + b"\n" + b'"' + b"a" * (3 << 20) + b'"\n',
        "binary.csv": bytes(range(256)) * 64,
        "notes.csv": "今天的备忘\n明天再说\n".encode(),
        "encrypted.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"),
        "empty.csv": b"",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = cli("import", path, "-o", tmp_path / f"{name}.xlsx")
        assert result.exit_code == 2, (name, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.output)
        assert "没有导入" in result.output or "没有可以导入" in result.output, (name, result.output)
        assert "Traceback" not in result.output
        assert not (tmp_path / f"{name}.xlsx").exists()


def test_an_oversized_export_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.write(",".join(HEADER).encode("gb18030") + b"\n")
        fh.truncate(100 * 2**20)  # 100 MB
    result = cli("import", big, "-o", tmp_path / "out.xlsx", "--max-file-mb", "50")
    assert result.exit_code == 2 and "文件过大" in result.output, result.output
    result = cli("import", big, "-o", tmp_path / "out.xlsx")  # within the limit: read, and found to hold no rows
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output


def test_one_good_export_and_one_refused_writes_the_good_one_and_exits_2(tmp_path):
    good = write_export(tmp_path / "天猫订单.csv", [order(i) for i in range(1, 4)])
    bad = tmp_path / "notes.csv"
    bad.write_text("备忘\n", encoding="utf-8")
    out, doc = run_import(tmp_path, good, bad, "--month", "2026-11", expect=2)
    assert out.exists() and doc["tables"]["orders"] == 3
    assert doc["files"][1]["refused"]


def test_imported_workbooks_consolidate_with_their_lineage(tmp_path):
    a = write_export(tmp_path / "店铺A.csv", [order(i) for i in range(1, 4)])
    b = write_export(tmp_path / "店铺B.csv", [order(i) for i in range(10, 12)])
    wa, _ = run_import(tmp_path, a, "--month", "2026-11", "--shop", "店铺A", name="店铺A_2026-11.xlsx")
    wb_, _ = run_import(tmp_path, b, "--month", "2026-11", "--shop", "店铺B", name="店铺B_2026-11.xlsx")
    summary = tmp_path / "汇总.xlsx"
    result = run_cli("consolidate", wa, wb_, "-o", summary, "--month", "2026-11", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    got = {m["name"]: m["value"] for m in doc["metrics"] if m.get("group") is None}
    assert got["order_count"] == 5
    assert [entry["team"] for entry in doc["status"]] == ["店铺A", "店铺B"]  # --shop, not the file names
    assert got["sales_total"] == pytest.approx(sum(100 + i + 0.5 for i in (1, 2, 3, 10, 11)))
    book = openpyxl.load_workbook(summary, read_only=True)
    texts = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    assert "店铺B.csv 第 3 行" in texts


@requires_libreoffice
@pytest.mark.libreoffice
def test_an_old_xls_export_imports(tmp_path):
    """An .xls export (as older ERP versions write them), made by LibreOffice from an xlsx."""
    rows = [order(i) for i in range(1, 6)]
    for row in rows:
        row["订单编号"] = row["订单编号"][2:-1]  # a spreadsheet holds the id itself, as text
    source = tmp_path / "src" / "旧版导出.xlsx"
    source.parent.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["订单报表（旧版 ERP）"])
    ws.append(HEADER)
    for row in rows:
        ws.append([row[h] for h in HEADER])
    wb.save(source)
    xls = convert(source, tmp_path, "xls:MS Excel 97")
    assert xls.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    out, doc = run_import(tmp_path, xls, "--month", "2026-11")
    assert doc["files"][0]["encoding"] == "xls" and doc["tables"]["orders"] == 5
    assert doc["validation"]["summary"]["errors"] == 0
    header, body = orders_sheet(out)
    assert [r[0] for r in body] == [str(3_800_000_000_000_000_000 + i) for i in range(1, 6)]
    assert body[0][header.index("来源")] == "旧版导出.xls 第 3 行"


def test_ids_turned_into_numbers_by_excel_are_refused(tmp_path):
    rounded = [order(i, 订单编号=f"{28173645123456 + i}00000") for i in range(1, 4)]  # 19 digits, 15 kept
    science = [order(i, 订单编号="3.8E+18") for i in range(1, 4)]
    for name, rows in (("另存过.csv", rounded), ("科学计数.csv", science)):
        export = write_export(tmp_path / name, rows)
        result = cli("import", export, "-o", tmp_path / f"{name}.xlsx", "--month", "2026-11")
        assert result.exit_code == 2, result.output
        assert "订单编号被电子表格软件改过" in result.output and "不要先用 Excel 打开再保存" in result.output
        assert not (tmp_path / f"{name}.xlsx").exists()


def test_an_export_with_no_order_in_the_month_writes_nothing(tmp_path):
    export = write_export(tmp_path / "天猫订单.csv", [order(i) for i in range(1, 4)])
    result = cli("import", export, "-o", tmp_path / "out.xlsx", "--month", "2026-12")
    assert result.exit_code == 2, result.output
    assert "不在 2026-12" in result.output and "没有可以导入的订单" in result.output
    assert not (tmp_path / "out.xlsx").exists()
    result = cli("import", export, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2 and "要以 .xlsx 结尾" in result.output


def test_when_times_do_not_tell_the_order_further_along_wins(tmp_path):
    # The same order exported twice, neither with a time that moved: the closed one is newer.
    waiting = write_export(tmp_path / "后导出.csv", [order(1, 订单状态="等待买家付款", **{"订单付款时间 ": ""})])
    closed = write_export(tmp_path / "先导出.csv", [order(1, 订单状态="交易关闭", **{"订单付款时间 ": ""})])
    out, doc = run_import(tmp_path, closed, waiting, "--month", "2026-11")
    header, body = orders_sheet(out)
    assert [r[header.index("订单状态")] for r in body] == ["已取消"]
    (conflict,) = [f for f in doc["findings"] if f["rule"] == "import_conflict"]
    assert "订单状态更靠后" in conflict["message"]


def test_the_same_headers_of_two_platforms_are_said(tmp_path):
    export = write_export(tmp_path / "ExportOrderList.csv", [order(1)])
    result = run_cli("import", export, "-o", tmp_path / "out.xlsx", "--month", "2026-11")
    assert "表头也像淘宝订单报表" in result.output and "--platform taobao" in result.output


def test_one_order_in_two_imported_workbooks_is_a_repeat_not_a_conflict(tmp_path):
    a = write_export(tmp_path / "a.csv", [order(i) for i in range(1, 4)])
    b = write_export(tmp_path / "b.csv", [order(i) for i in range(3, 5)])  # order 3 again, the same
    wa, _ = run_import(tmp_path, a, "--month", "2026-11", name="A.xlsx")
    wb_, _ = run_import(tmp_path, b, "--month", "2026-11", name="B.xlsx")
    result = run_cli("consolidate", wa, wb_, "-o", tmp_path / "m.xlsx", "--month", "2026-11", "--format", "json")
    doc = json.loads(result.stdout)
    rules = [f["rule"] for f in doc["findings"]]
    assert "conflict" not in rules and "duplicate_rows" in rules, result.stdout[:2000]
    got = {m["name"]: m["value"] for m in doc["metrics"] if m.get("group") is None}
    assert got["order_count"] == 4


def test_an_xlsx_whose_ids_are_numbers_is_refused(tmp_path):
    """Opened in Excel, an export's long ids become numbers: 15 significant digits, the rest made up."""
    path = tmp_path / "天猫_Excel打开过.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(1, 4):
        row = order(i)
        row["订单编号"] = float(3_800_000_000_000_000_000 + i * 1_000_003)  # what Excel keeps
        ws.append([row[h] for h in HEADER])
    wb.save(path)
    result = cli("import", path, "-o", tmp_path / "out.xlsx", "--month", "2026-11")
    assert result.exit_code == 2 and "订单编号被电子表格软件改过" in result.output, result.output
