"""Derived columns supplied without their inputs (issue 10, item 5).

A platform export has 总金额 (an alias of the derived 订单金额) but no 数量/单价 columns. The
supplied values are taken as given, with one warning per column naming what is missing;
when the inputs are there and disagree, `derived_mismatch` errors stand. Every figure is
compared with a pandas computation of the same rows.

The sheets are written with openpyxl from scratch, with headers as the exports write them
(trailing spaces included), or a generated template filled and typed over.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ecomsheets.compute.derived import compute_derived, given_columns
from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.validate.run import inspect_workbook
from tests.fill import fill_template, read_meta
from tests.helpers import CATALOG, MONTH, NOW, cli

ORDERS = CATALOG.tables["orders"]
INVENTORY = CATALOG.tables["inventory"]

# A Tmall 订单报表, as exported (its real header, trailing spaces and all).
TMALL_HEADERS = ["订单编号", "总金额", "买家实际支付金额", "收货地址 ", "订单创建时间", "订单付款时间 ", "退款金额"]


def tmall_rows(n: int = 25, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    provinces = ["上海", "浙江省", "广东省", "北京", "内蒙古自治区", "湖南省"]
    rows = []
    for i in range(n):
        total = float(rng.integers(500, 40000)) / 100
        paid = total if rng.random() < 0.8 else 0.0  # an unpaid order: 0 and no payment time
        created = datetime(2026, 11, 1 + i % 28, 10 + i % 12, 5)
        rows.append(
            {
                "订单编号": str(20261100001 + i),
                "总金额": total,
                "买家实际支付金额": paid,
                "收货地址 ": provinces[i % len(provinces)],
                "订单创建时间": created,
                "订单付款时间 ": created if paid else None,
                "退款金额": 0.0,
            }
        )
    return pd.DataFrame(rows, columns=TMALL_HEADERS)


def write_sheet(path: Path, sheet: str, frame: pd.DataFrame) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and np.isnan(v)) or v is None else v for v in record])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    wb.save(path)
    return path


def metrics(insp) -> dict:
    return {m.name: m.value for m in insp.metrics if m.group is None}


def rules(report, rule: str) -> list:
    return [f for f in report.findings if f.rule == rule]


def brief(findings) -> list[tuple]:
    return [(f.severity, f.rule, f.sheet, f.cell, f.value) for f in findings]


# --- an export with the amount and none of its inputs -----------------------------------------
def test_platform_export_amount_is_taken_as_given(tmp_path):
    frame = tmall_rows()
    path = write_sheet(tmp_path / "tmall.xlsx", "订单", frame)
    insp = inspect_workbook(path, month="2026-11", keep="metrics")
    given = rules(insp.report, "derived_given")
    assert [(f.severity, f.sheet, f.column, f.header, f.cell) for f in given] == [
        ("warning", "订单", "amount", "总金额", None)
    ], brief(insp.report.findings)
    assert "数量、单价、优惠金额" in given[0].message and "已直接采用" in given[0].message
    assert "Quantity, Unit price, Discount" in given[0].message_en
    assert rules(insp.report, "derived_mismatch") == []
    got = metrics(insp)
    assert got["sales_total"] == pytest.approx(frame["总金额"].sum(), abs=1e-6)  # before: 0, no word said
    assert got["paid_total"] == pytest.approx(frame["买家实际支付金额"].sum(), abs=1e-6)
    assert got["order_count"] == frame["订单编号"].nunique()
    # The same figure through the command line.
    result = cli("summarize", path, "--format", "json", "--month", "2026-11")
    assert result.exit_code == 0, result.output
    sales = next(m for m in json.loads(result.output)["metrics"] if m["name"] == "sales_total")
    assert sales["value"] == pytest.approx(frame["总金额"].sum(), abs=1e-6)


def test_unreadable_given_amount_is_a_type_error(tmp_path):
    frame = tmall_rows(6)
    frame["总金额"] = frame["总金额"].astype(object)
    frame.loc[2, "总金额"] = "待定"
    path = write_sheet(tmp_path / "tmall_bad.xlsx", "订单", frame)
    insp = inspect_workbook(path, month="2026-11", keep="metrics")
    assert [(f.severity, f.cell, f.value) for f in rules(insp.report, "type") if f.column == "amount"] == [
        ("error", "B4", "待定")
    ]
    assert len(rules(insp.report, "derived_given")) == 1
    readable = pd.to_numeric(frame["总金额"], errors="coerce").sum()
    assert metrics(insp)["sales_total"] == pytest.approx(readable, abs=1e-6)


def test_some_inputs_present_is_still_taken_as_given(tmp_path):
    """数量 is there, 单价 is not: computing 数量 × (nothing) would be computing from blanks."""
    frame = tmall_rows(10)
    frame.insert(2, "购买数量", [1 + i % 3 for i in range(len(frame))])
    path = write_sheet(tmp_path / "partial.xlsx", "订单", frame)
    insp = inspect_workbook(path, month="2026-11", keep="metrics")
    given = rules(insp.report, "derived_given")
    assert len(given) == 1 and "单价、优惠金额" in given[0].message and "数量" not in given[0].message.split("没有")[1]
    assert rules(insp.report, "derived_mismatch") == []
    assert metrics(insp)["sales_total"] == pytest.approx(frame["总金额"].sum(), abs=1e-6)
    assert metrics(insp)["units_sold"] == pytest.approx(frame["购买数量"].sum())


# --- inputs present: the formula decides, and a disagreement is an error ----------------------
def test_inputs_present_and_disagreeing_is_a_mismatch(tmp_path):
    frame = pd.DataFrame(
        {
            "订单编号": ["JD1001", "JD1002", "JD1003"],
            "订购数量": [2, 1, 3],
            "京东价": [19.9, 5.0, 10.0],
            "优惠": [0.0, 0.0, 1.0],
            "订单金额": [39.8, 7.0, 29.0],
            "下单时间": [datetime(2026, 11, d) for d in (3, 4, 5)],
        }
    )
    path = write_sheet(tmp_path / "jd.xlsx", "订单", frame)
    insp = inspect_workbook(path, month="2026-11", keep="metrics")
    assert rules(insp.report, "derived_given") == []
    assert [(f.severity, f.cell, f.value, f.expected) for f in rules(insp.report, "derived_mismatch")] == [
        ("error", "E3", "7", 5.0)
    ]
    recomputed = (frame["订购数量"] * frame["京东价"] - frame["优惠"]).round(2).sum()
    assert metrics(insp)["sales_total"] == pytest.approx(recomputed, abs=1e-6)


def test_template_amount_typed_over_is_a_mismatch_not_given(tmp_path):
    template = generate_workbook(CATALOG, "department", tmp_path / "template.xlsx", month=MONTH, rows=30, now=NOW).path
    frames = example_frames(CATALOG, "department", MONTH, rows=20, seed=8)
    path = fill_template(template, frames, tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(path)
    info = next(t for t in read_meta(wb)["tables"] if t["name"] == "orders")
    ws = wb[info["sheet"]]
    col = info["columns"].index("amount") + 1
    for i in (0, 5):
        ws.cell(info["first_data_row"] + i, col, 1.0)
    wb.save(path)
    insp = inspect_workbook(path, keep="metrics")
    assert rules(insp.report, "derived_given") == []
    mismatches = rules(insp.report, "derived_mismatch")
    assert [f.row for f in mismatches] == [info["first_data_row"], info["first_data_row"] + 5]
    orders = frames["orders"]
    amount = (orders["quantity"] * orders["unit_price"] - orders["discount"].fillna(0)).round(2)
    assert metrics(insp)["sales_total"] == pytest.approx(amount.sum(), abs=1e-6)


# --- derived columns computed from a derived column given -------------------------------------
def inventory_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "商品SKU": ["SKU-1", "SKU-2", "SKU-3", "SKU-4"],
            "商品名称": ["托特包", "陶瓷杯", "毛巾", "雨伞"],
            "库存数量": [120, 3, 40, 0],
            "安全库存": [20, 5, 10, 2],
            "成本价": [8.5, 2.0, 3.25, 12.0],
        }
    )


def test_closing_stock_given_and_stock_value_computed_from_it(tmp_path):
    """An ERP stock list: 库存数量 (期末库存) without 期初/入库/出库; 库存金额 and 低于安全库存 are
    computed from the figure given."""
    frame = inventory_frame()
    path = write_sheet(tmp_path / "stock.xlsx", "库存", frame)
    insp = inspect_workbook(path, month="2026-11", keep="metrics")
    given = rules(insp.report, "derived_given")
    assert [(f.column, f.header) for f in given] == [("closing_stock", "库存数量")], brief(insp.report.findings)
    assert "期初库存、本月入库、本月出库" in given[0].message
    got = metrics(insp)
    assert got["stock_value_total"] == pytest.approx((frame["库存数量"] * frame["成本价"]).round(2).sum(), abs=1e-6)
    assert got["skus_below_safety"] == (frame["库存数量"] < frame["安全库存"]).sum()


def test_value_disagreeing_with_a_given_input_is_a_mismatch(tmp_path):
    frame = inventory_frame()
    frame["库存金额"] = (frame["库存数量"] * frame["成本价"]).round(2)
    frame.loc[1, "库存金额"] = 999.0
    path = write_sheet(tmp_path / "stock_value.xlsx", "库存", frame)
    insp = inspect_workbook(path, month="2026-11", keep="metrics")
    assert [f.column for f in rules(insp.report, "derived_given")] == ["closing_stock"]
    assert [(f.column, f.row, f.expected) for f in rules(insp.report, "derived_mismatch")] == [("stock_value", 3, 6.0)]


# --- the rule itself -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "present, given",
    [
        ({"order_id", "amount"}, {"amount": ["quantity", "unit_price", "discount"]}),
        ({"amount", "quantity"}, {"amount": ["unit_price", "discount"]}),
        ({"amount", "quantity", "unit_price", "discount"}, {}),
        ({"quantity", "unit_price"}, {}),  # the amount is not supplied: computed (discount counts as 0)
        (set(), {}),
    ],
)
def test_given_columns_orders(present, given):
    assert given_columns(ORDERS, present) == given


@pytest.mark.parametrize(
    "present, given",
    [
        ({"closing_stock", "unit_cost"}, {"closing_stock": ["opening_stock", "stock_in", "stock_out"]}),
        # stock_value supplied, closing_stock neither supplied nor computable: stock_value is given.
        ({"stock_value", "unit_cost"}, {"stock_value": ["closing_stock"]}),
        # closing_stock computable from its inputs: stock_value is checked, not given.
        ({"opening_stock", "stock_in", "stock_out", "unit_cost", "stock_value", "safety_stock", "below_safety"}, {}),
    ],
)
def test_given_columns_chains(present, given):
    assert given_columns(INVENTORY, present) == given


def test_compute_derived_takes_given_values_and_computes_from_them():
    frame = pd.DataFrame(
        {"closing_stock": [10.0, np.nan, 4.0], "unit_cost": [2.0, 3.0, np.nan], "safety_stock": [5.0, 1.0, 5.0]},
        index=[3, 4, 5],
    )
    out = compute_derived(frame, INVENTORY, given={"closing_stock"})
    assert out["closing_stock"].tolist()[0::2] == [10.0, 4.0] and np.isnan(out["closing_stock"][4])
    assert out["stock_value"][3] == 20.0 and np.isnan(out["stock_value"][4])
    assert out["below_safety"][3] == 0 and out["below_safety"][5] == 1
    plain = compute_derived(frame, INVENTORY)  # without: computed from the (absent) inputs
    assert plain["closing_stock"].isna().all()
