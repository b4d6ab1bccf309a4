"""The summary workbook's status sheet, side-by-side sheet, charts and change on last month.

A month of two shops: `ecomsheets example department` with two seeds (different keys), named
店铺1.xlsx and 店铺2.xlsx. Each shop's headline figures are computed here with pandas from the
shop's own sheets, read with openpyxl (derived columns, which the file holds as formulas, are
recomputed from their inputs as the formula says), and compared with the side-by-side sheet
read back; the rows of figures that add up must add up to the total, which must equal the
overview. Charts are checked in the zip (xl/charts/chart*.xml and the ranges they plot). Last
month's summary (a month of other seeds for 2026-10) gives the change on the overview and the
side-by-side totals; a file that is not a summary, or of another family, is refused.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ecomsheets.errors import UsageError
from ecomsheets.summarize.consolidate import consolidate
from ecomsheets.summarize.previous import FIGURES_SHEET, read_previous
from ecomsheets.summarize.status import MISSING, SUBMITTED, WITH_ERRORS, Handin
from ecomsheets.summarize.writer import write_summary_workbook
from ecomsheets.validate.run import inspect_many
from tests.helpers import CATALOG, MONTH, cli
from tests.helpers import sha256 as sha

ROWS = 40
SHOPS = {"店铺1.xlsx": 1, "店铺2.xlsx": 2}
FIRST_ROW = 3  # example sheets: title on row 1, headers on row 2
HEADLINE = [
    "订单数",
    "销售额",
    "实付金额合计",
    "订单退款金额合计",
    "净销售额",
    "退款金额合计",
    "库存总金额",
    "投诉数",
    "平均响应时长(分钟)",
    "部门出勤率",
]
ADDITIVE = ["订单数", "销售额", "实付金额合计", "订单退款金额合计", "净销售额", "退款金额合计", "库存总金额", "投诉数"]


# --- independent figures -----------------------------------------------------------------------
def sheet(path: Path, name: str) -> pd.DataFrame:
    """A sheet of an example workbook as pandas reads it (headers without the required mark)."""
    frame = pd.read_excel(path, sheet_name=name, header=FIRST_ROW - 2, engine="openpyxl")
    return frame.rename(columns=lambda c: str(c).rstrip("*"))


def excel_round(x: pd.Series, digits: int = 0) -> pd.Series:
    """Excel's ROUND: halves away from zero."""
    scale = 10.0**digits
    return np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale


def shop_figures(path: Path) -> dict[str, float]:
    """The headline figures of one shop's file, by their Chinese titles."""
    orders = sheet(path, "订单")
    amount = excel_round(orders["数量"] * orders["单价"] - orders["优惠金额"].fillna(0), 2)
    stock = sheet(path, "库存")
    end = stock["期初库存"].fillna(0) + stock["本月入库"].fillna(0) - stock["本月出库"].fillna(0)
    complaints = sheet(path, "投诉")
    minutes = excel_round(
        (pd.to_datetime(complaints["首次响应时间"]) - pd.to_datetime(complaints["接收时间"])).dt.total_seconds() / 60
    ).dropna()
    attendance = sheet(path, "考勤")
    attended = attendance["上班打卡"].notna() | attendance["下班打卡"].notna()
    return {
        "订单数": orders["订单编号"].nunique(),
        "销售额": amount.sum(),
        "实付金额合计": orders["实付金额"].sum(),
        "订单退款金额合计": orders["退款金额"].fillna(0).sum(),
        "净销售额": amount.sum() - orders["退款金额"].fillna(0).sum(),
        "退款金额合计": sheet(path, "售后")["退款金额"].fillna(0).sum(),
        "库存总金额": excel_round(end * stock["单位成本"], 2).sum(),
        "投诉数": complaints["投诉编号"].notna().sum(),
        "平均响应时长(分钟)": minutes[minutes >= 0].mean(),
        "部门出勤率": attended.sum() / len(attendance),
    }


def all_figures(paths: list[Path]) -> dict[str, float]:
    """The month's headline figures on all shops' rows together (not from the shops' figures)."""
    frames = {name: pd.concat([sheet(p, name) for p in paths]) for name in ("投诉", "考勤")}
    complaints = frames["投诉"]
    minutes = excel_round(
        (pd.to_datetime(complaints["首次响应时间"]) - pd.to_datetime(complaints["接收时间"])).dt.total_seconds() / 60
    ).dropna()
    attendance = frames["考勤"]
    attended = attendance["上班打卡"].notna() | attendance["下班打卡"].notna()
    return {"平均响应时长(分钟)": minutes[minutes >= 0].mean(), "部门出勤率": attended.sum() / len(attendance)}


# --- reading the summary back ------------------------------------------------------------------
def table(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def sides(wb) -> SimpleNamespace:
    """The side-by-side sheet: heads, one dict per source row, and the labelled rows below."""
    rows = table(wb["横向对比"])
    heads = rows[0]
    first = heads.index(HEADLINE[0])
    body, below = [], {}
    for r in rows[1:]:
        if r[0] is None:
            continue
        entry = dict(zip(heads[first:], r[first:]))
        if r[0] in ("全部门",) or str(r[0]).startswith(("上月", "环比")):
            below[r[0]] = entry
        elif not str(r[0]).startswith("注"):
            body.append((r[0], r[1:first], entry))
    notes = [r[0] for r in rows if isinstance(r[0], str) and r[0].startswith("注")]
    return SimpleNamespace(heads=heads, rows=body, below=below, notes=notes, first=first)


def overview(wb) -> dict:
    """{figure title: row values (value, last month, change, change %)} from the overview."""
    rows = table(wb["概览"])
    assert rows[5][:2] == ["指标", "数值"]
    return {r[0]: r[1:] for r in rows[6:] if r[0] and r[0] != "其他指标"}


def charts(path: Path) -> dict[str, list[str]]:
    """Sheet name -> the ranges its charts plot (the chart parts, as written in the zip)."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        book = z.read("xl/workbook.xml").decode()
        sheet_names = re.findall(r'<sheet name="([^"]+)"', book)
        out: dict[str, list[str]] = {}
        for i, name in enumerate(sheet_names, start=1):
            rels = f"xl/worksheets/_rels/sheet{i}.xml.rels"
            if rels not in names:
                continue
            for drawing in re.findall(r'Target="../drawings/(drawing\d+\.xml)"', z.read(rels).decode()):
                drels = z.read(f"xl/drawings/_rels/{drawing}.rels").decode()
                for chart in re.findall(r'Target="../charts/(chart\d+\.xml)"', drels):
                    xml = z.read(f"xl/charts/{chart}").decode()
                    out.setdefault(name, []).extend(re.findall(r"<c:f>([^<]+)</c:f>", xml))
    return out


# --- fixtures ----------------------------------------------------------------------------------
def make_month(folder: Path, month: str, seeds: dict[str, int]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, seed in seeds.items():
        path = folder / name
        result = cli("example", "department", "--month", month, "--seed", seed, "--rows", ROWS, "-o", path)
        assert result.exit_code == 0, result.output
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> SimpleNamespace:
    base = tmp_path_factory.mktemp("sides")
    paths = make_month(base / "2026-11", "2026-11", SHOPS)
    before = make_month(base / "2026-10", "2026-10", {"店铺1.xlsx": 3, "店铺2.xlsx": 4})
    inspections = inspect_many(paths, catalog=CATALOG, month=MONTH, isolate=False)
    result = consolidate(inspections, CATALOG, month=MONTH)
    result.status = []  # one row per file (the roster's rows are tested below)
    out = base / "月度汇总_2026-11.xlsx"
    write_summary_workbook(result, CATALOG, out, inputs=tuple(paths))
    return SimpleNamespace(base=base, paths=paths, before=before, result=result, path=out)


@pytest.fixture(scope="module")
def previous(month) -> SimpleNamespace:
    """October's summary, then November's with --previous October's (through the API)."""
    from ecomsheets.months import parse_month

    october = parse_month("2026-10")
    inspections = inspect_many(month.before, catalog=CATALOG, month=october, isolate=False)
    result = consolidate(inspections, CATALOG, month=october)
    old = month.base / "月度汇总_2026-10.xlsx"
    write_summary_workbook(result, CATALOG, old, inputs=tuple(month.before))
    out = month.base / "月度汇总_2026-11_环比.xlsx"
    write_summary_workbook(month.result, CATALOG, out, inputs=(*month.paths, old), previous=read_previous(old))
    return SimpleNamespace(old=old, path=out, october=result)


# --- side by side --------------------------------------------------------------------------------
def test_side_by_side_rows_are_each_shops_own_figures(month):
    wb = openpyxl.load_workbook(month.path)
    got = sides(wb)
    assert got.heads[: got.first] == ["文件"]
    assert got.heads[got.first :] == HEADLINE
    assert [name for name, _, _ in got.rows] == list(SHOPS)
    for (name, _, row), path in zip(got.rows, month.paths):
        want = shop_figures(path)
        for title in HEADLINE:
            assert row[title] == pytest.approx(want[title]), (name, title)


def test_totals_add_up_and_equal_the_overview(month):
    wb = openpyxl.load_workbook(month.path)
    got = sides(wb)
    total = got.below["全部门"]
    shown = overview(wb)
    for title in HEADLINE:
        assert total[title] == pytest.approx(shown[title][0]), title
    for title in ADDITIVE:
        assert sum(row[title] for _, _, row in got.rows) == pytest.approx(total[title]), title
        assert total[title] == pytest.approx(sum(shop_figures(p)[title] for p in month.paths)), title
    # Averages and rates: the figure on all rows, not the average of the shops' figures.
    everything = all_figures(month.paths)
    for title in ("平均响应时长(分钟)", "部门出勤率"):
        assert total[title] == pytest.approx(everything[title]), title
    (note,) = got.notes
    assert "平均响应时长(分钟)" in note and "部门出勤率" in note and "订单数" not in note


def test_overview_puts_the_headline_first_then_every_other_figure(month):
    wb = openpyxl.load_workbook(month.path)
    shown = overview(wb)
    ungrouped = {v.title: v.value for v in month.result.metrics if v.group is None}
    assert set(shown) == set(ungrouped)
    assert set(list(shown)[: len(HEADLINE)]) == set(HEADLINE)
    for title, value in ungrouped.items():
        assert shown[title][0] == pytest.approx(value), title
    rows = [r[0] for r in table(wb["概览"])]
    assert rows.index("其他指标") > max(rows.index(t) for t in HEADLINE)


def test_sheet_order_and_hidden_figures(month):
    wb = openpyxl.load_workbook(month.path)
    assert wb.sheetnames[:2] == ["概览", "横向对比"]
    assert wb.sheetnames[-1] == FIGURES_SHEET
    assert wb[FIGURES_SHEET].sheet_state == "hidden"
    pairs = dict((k, v) for k, v in table(wb[FIGURES_SHEET]) if k != "figure")
    assert pairs["format"] == "ecomsheets/summary" and json.loads(pairs["month"]) == "2026-11"
    figures = [json.loads(v) for k, v in table(wb[FIGURES_SHEET]) if k == "figure"]
    assert {n for n, _ in figures} == {v.name for v in month.result.metrics if v.group is None}


def test_chart_parts_plot_the_right_ranges(month):
    got = charts(month.path)
    n = len(SHOPS)
    # Side by side: sales and paid by shop (the first two money figures), shop names as categories.
    side = [f.split("!")[1] for f in got["横向对比"]]
    assert side == ["$C$1", f"$A$2:$A${n + 1}", f"$C$2:$C${n + 1}", "$D$1", f"$A$2:$A${n + 1}", f"$D$2:$D${n + 1}"]
    wb = openpyxl.load_workbook(month.path)
    assert [wb["横向对比"].cell(1, c).value for c in (3, 4)] == ["销售额", "实付金额合计"]
    # Overview: the money headline figures (rows 7-12), this month.
    over = got["概览"]
    assert [f.split("!")[1] for f in over] == ["$A$7:$A$12", "$B$7:$B$12"]
    assert [wb["概览"].cell(r, 1).value for r in range(7, 13)] == [
        "销售额",
        "实付金额合计",
        "订单退款金额合计",
        "净销售额",
        "退款金额合计",
        "库存总金额",
    ]


# --- the roster's rows ---------------------------------------------------------------------------
def test_status_sheet_first_and_rows_per_roster_entry(month, tmp_path):
    one, two = (str(p) for p in month.paths)
    title = CATALOG.bundles["department"].title
    month.result.status = [
        Handin("店铺甲", "department", title, SUBMITTED, [one], 0, 0, 10),
        Handin("店铺乙", "department", title, WITH_ERRORS, [two], 3, 1, 20),
        Handin("店铺丙", "department", title, MISSING, []),
    ]
    try:
        out = tmp_path / "status.xlsx"
        write_summary_workbook(month.result, CATALOG, out, inputs=tuple(month.paths))
    finally:
        month.result.status = []
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["交表情况", "概览", "横向对比"]
    rows = table(wb["交表情况"])
    assert rows[0][0] == "应交 3 份：已交 2 份（其中有错误 1 份），未交 1 份"
    assert rows[2] == ["小组/店铺", "工作簿", "状态", "文件", "错误", "提醒", "计入行数"]
    assert rows[3:] == [
        ["店铺甲", title, "已交", "店铺1.xlsx", 0, 0, 10],
        ["店铺乙", title, "有错误", "店铺2.xlsx", 3, 1, 20],
        ["店铺丙", title, "未交", None, 0, 0, 0],
    ]
    fills = [wb["交表情况"].cell(r, 3).fill.fgColor.rgb for r in (4, 5, 6)]
    assert len(set(fills)) == 3  # each state its colour
    got = sides(wb)
    assert got.heads[: got.first] == ["小组/店铺", "工作簿", "状态"]
    assert [(n, extra) for n, extra, _ in got.rows] == [
        ("店铺甲", [title, "已交"]),
        ("店铺乙", [title, "有错误"]),
        ("店铺丙", [title, "未交"]),
    ]
    by_team = {n: row for n, _, row in got.rows}
    for team, path in (("店铺甲", month.paths[0]), ("店铺乙", month.paths[1])):
        want = shop_figures(path)
        for t in HEADLINE:
            assert by_team[team][t] == pytest.approx(want[t]), (team, t)
    assert all(v is None for v in by_team["店铺丙"].values())  # missing: blank, not zero
    for t in ADDITIVE:
        assert by_team["店铺甲"][t] + by_team["店铺乙"][t] == pytest.approx(got.below["全部门"][t])


def test_files_no_entry_names_get_a_row_of_their_own(month, tmp_path):
    title = CATALOG.bundles["department"].title
    month.result.status = [Handin("店铺甲", "department", title, SUBMITTED, [str(month.paths[0])])]
    try:
        out = tmp_path / "other.xlsx"
        write_summary_workbook(month.result, CATALOG, out, inputs=tuple(month.paths))
    finally:
        month.result.status = []
    got = sides(openpyxl.load_workbook(out))
    assert [n for n, _, _ in got.rows] == ["店铺甲", "其他来源"]
    assert got.rows[1][2]["销售额"] == pytest.approx(shop_figures(month.paths[1])["销售额"])
    for t in ADDITIVE:
        assert sum(r[t] for _, _, r in got.rows) == pytest.approx(got.below["全部门"][t])


# --- change on last month ------------------------------------------------------------------------
def test_previous_month_shows_the_change(month, previous):
    wb = openpyxl.load_workbook(previous.path)
    before = {v.title: v.value for v in previous.october.metrics if v.group is None}
    now = {v.title: v.value for v in month.result.metrics if v.group is None}
    rows = table(wb["概览"])
    assert rows[5] == ["指标", "数值", "上月（2026-10）", "环比变化", "环比 %"]
    shown = overview(wb)
    assert set(shown) == set(now)
    for title, value in now.items():
        got_value, got_before, diff, pct = shown[title]
        old = before.get(title)
        assert got_value == pytest.approx(value), title
        assert got_before == pytest.approx(old), title
        if value is None or old is None:
            assert diff is None and pct is None, title
            continue
        assert diff == pytest.approx(value - old), title
        assert pct == (pytest.approx((value - old) / abs(old)) if old else None), title
    got = sides(wb)
    last, change, pct = got.below["上月（2026-10）"], got.below["环比变化"], got.below["环比 %"]
    total = got.below["全部门"]
    old_sales = sum(shop_figures(p)["销售额"] for p in month.before)  # independent, from October's files
    assert last["销售额"] == pytest.approx(old_sales)
    assert change["销售额"] == pytest.approx(total["销售额"] - old_sales)
    assert pct["销售额"] == pytest.approx((total["销售额"] - old_sales) / old_sales)
    # The overview's chart compares this month with last month.
    assert [f.split("!")[1] for f in charts(previous.path)["概览"]] == [
        "$A$7:$A$12",
        "$B$7:$B$12",
        "$C$6",
        "$A$7:$A$12",
        "$C$7:$C$12",
    ]


def test_previous_that_is_not_a_summary_is_refused(month, tmp_path):
    with pytest.raises(UsageError) as err:
        read_previous(month.paths[0])  # a shop's workbook
    assert "不是本工具写出的月度汇总工作簿" in err.value.message
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        read_previous(text)
    assert "notes.xlsx" in err.value.message


def test_previous_with_edited_figures_is_refused(month, previous, tmp_path):
    wb = openpyxl.load_workbook(previous.old)
    ws = wb[FIGURES_SHEET]
    for row in ws.iter_rows():
        if row[0].value == "figure":
            row[1].value = '["sales_total", "lots"]'
            break
    bad = tmp_path / "edited.xlsx"
    wb.save(bad)
    with pytest.raises(UsageError) as err:
        read_previous(bad)
    assert FIGURES_SHEET in err.value.message and "edited.xlsx" in err.value.message


def test_previous_of_another_family_or_a_later_month_is_refused(month, previous, tmp_path):
    from ecomsheets.summarize.previous import check_previous

    old = read_previous(previous.old)
    check_previous(old, month.result)  # October before November, same family: fine
    with pytest.raises(UsageError) as err:
        check_previous(old, previous.october)  # October's own summary as its previous month
    assert "不早于" in err.value.message
    other = type(old)(old.path, "shop", "shop", old.month, old.figures)
    with pytest.raises(UsageError) as err:
        check_previous(other, month.result)
    assert "不能对比" in err.value.message


def test_inputs_and_last_months_summary_are_not_modified(month, previous):
    before = sha(previous.old)
    read_previous(previous.old)
    assert sha(previous.old) == before


# --- the command line ----------------------------------------------------------------------------
def _has_previous_option() -> bool:
    from ecomsheets.cli.consolidate import consolidate as command

    return any(p.name == "previous" for p in command.params)


@pytest.mark.skipif(not _has_previous_option(), reason="consolidate has no --previous yet")
def test_cli_previous(month, previous, tmp_path):
    for p in month.paths:
        shutil.copy(p, tmp_path / p.name)
    out = tmp_path / "月度汇总_2026-11.xlsx"
    result = cli("consolidate", tmp_path / "店铺1.xlsx", tmp_path / "店铺2.xlsx", "-o", out, "--previous", previous.old)
    assert result.exit_code in (0, 1), result.output
    wb = openpyxl.load_workbook(out)
    shown = overview(wb)
    assert shown["销售额"][1] == pytest.approx(sum(shop_figures(p)["销售额"] for p in month.before))
    # The command's roster rows (one per file here) hold each file's own figures.
    got = sides(wb)
    assert sorted(row["销售额"] for _, _, row in got.rows) == pytest.approx(
        sorted(shop_figures(p)["销售额"] for p in month.paths)
    )
    assert got.below["全部门"]["销售额"] == pytest.approx(shown["销售额"][0])
    wrong = tmp_path / "月度汇总_wrong.xlsx"
    result = cli("consolidate", tmp_path / "店铺1.xlsx", "-o", wrong, "--previous", month.paths[1])
    assert result.exit_code == 2, result.output
    assert "不是本工具写出的月度汇总工作簿" in result.output
    assert not wrong.exists()
