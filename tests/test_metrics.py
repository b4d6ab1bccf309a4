"""`evaluate_metrics` against figures worked out by hand.

Every table here is a handful of rows typed in this file (numbers as floats, dates as
pd.Timestamp, text as str), derived columns computed with `compute_derived` as the reader
does. Each expected value is written out as arithmetic next to the assertion, so a failure
points at one aggregate, one filter or one grid rule (SUMIFS/COUNTIFS semantics: a number
criterion matches only numbers, `<>` also matches blanks, SUM of nothing is 0, AVERAGE/MIN/MAX
of nothing and division by zero are blank).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ecomsheets.compute.derived import compute_derived
from ecomsheets.compute.metrics import evaluate_metrics
from ecomsheets.schema import load_catalog
from tests.helpers import CATALOG, MONTH

NaN = np.nan
NaT = pd.NaT
T = pd.Timestamp
DEPARTMENT = CATALOG.bundles["department"]
# Every value of an enum, in its declared order: the rows of a grid grouped by it.
CHANNELS = list(CATALOG.tables["orders"].column("channel").values)
COURIERS = list(CATALOG.tables["logistics"].column("courier").values)
COMPLAINT_TYPES = list(CATALOG.tables["complaints"].column("type").values)


def serial(d: date) -> float:
    """Excel's day number of a date (1899-12-30 is day 0)."""
    return float((d - date(1899, 12, 30)).days)


# --- hand-made tables --------------------------------------------------------------------------
def typed(table: str, rows: list[dict], catalog=CATALOG) -> pd.DataFrame:
    """A typed frame with every non-derived column of `table` (missing ones blank), plus the
    derived columns recomputed the way validation does."""
    spec = catalog.tables[table]
    columns = [c.name for c in spec.columns if not c.derived]
    frame = pd.DataFrame([{c: r.get(c, NaN) for c in columns} for r in rows], columns=columns)
    for c in spec.columns:
        if c.name in frame and c.type in ("date", "datetime"):
            frame[c.name] = pd.to_datetime(frame[c.name])
    frame.index = range(3, 3 + len(frame))  # Excel rows, as the reader indexes them
    return frame.assign(**compute_derived(frame, spec))


def order(oid, day, channel, sku, qty, price, discount=NaN, paid=NaN, province=NaN, status="已完成"):
    return dict(
        order_id=oid,
        order_date=T(day),
        customer_id="C001",
        channel=channel,
        sku=sku,
        quantity=qty,
        unit_price=price,
        discount=discount,
        paid_amount=paid,
        province=province,
        status=status,
    )


ORDERS = [
    # order  date          channel  sku  qty  price  discount paid   province  status      amount
    order("O1", "2026-11-01", "淘宝", "A", 2.0, 100.0, NaN, 200.0, "广东省"),  # 200
    order("O1", "2026-11-01", "淘宝", "B", 1.0, 50.0, 10.0, 40.0, "广东省"),  # 40
    order("O2", "2026-11-03", "京东", "A", 3.0, 100.0, 0.0, NaN, "浙江省", "待付款"),  # 300
    order("O3", "2026-11-08", "京东", "C", 1.0, 19.9, NaN, 19.9, NaN, "已发货"),  # 19.9
    order("O4", "2026-11-15", "抖音", "B", 4.0, 50.0, 20.0, 176.4, "北京市"),  # 180
    order("O5", "2026-11-30", "天猫", "A", 1.0, 100.0, NaN, 100.0, "广东省", "已退款"),  # 100
]


def ship(order_id, courier, tracking, shipped, delivered, status):
    return dict(
        order_id=order_id,
        courier=courier,
        tracking_no=tracking,
        ship_date=T(shipped),
        delivered_date=T(delivered) if delivered else NaT,
        status=status,
    )


LOGISTICS = [
    #     order courier    tracking       shipped       delivered     status     transit_days
    ship("O1", "顺丰速运", "SF0000000001", "2026-11-01", "2026-11-03", "已签收"),  # 2
    ship("O2", "中通快递", "730000000002", "2026-11-02", "2026-11-06", "已签收"),  # 4
    ship("O3", "顺丰速运", "SF0000000003", "2026-11-05", None, "运输中"),  # blank
    ship("O4", "圆通速递", "YT0000000004", "2026-11-10", "2026-11-11", "已签收"),  # 1
    ship("O5", "中通快递", "730000000005", "2026-11-12", None, "已签收"),  # blank (no date)
    ship("O1", "顺丰速运", "SF0000000006", "2026-11-20", "2026-11-23", "已签收"),  # 3
    ship("O2", "韵达快递", "300000000007", "2026-11-25", None, NaN),  # blank, status blank
]


def complaint(cid, kind, received, responded, status):
    return dict(
        complaint_id=cid,
        type=kind,
        content="…",
        received_time=T(received),
        first_response_time=T(responded) if responded else NaT,
        status=status,
    )


COMPLAINTS = [
    #          id    type      received            first response      status   minutes
    complaint("K1", "物流慢", "2026-11-02 10:00", "2026-11-02 10:20", "已解决"),  # 20
    complaint("K2", "商品质量", "2026-11-05 09:00", "2026-11-05 09:45", "处理中"),  # 45
    complaint("K3", "物流慢", "2026-11-06 14:00", None, "待处理"),  # blank
    complaint("K4", "发错货", "2026-11-09 08:00", "2026-11-09 08:30", "已解决"),  # 30
    complaint("K5", "服务态度", "2026-11-10 12:00", "2026-11-10 13:01", "已关闭"),  # 61
]

EMPLOYEES = [
    dict(employee_id=e, name=n, position=p, team="运营组", hire_date=T("2025-01-01"), status=s)
    for e, n, p, s in [
        ("E01", "张三", "运营专员", "在职"),
        ("E02", "李四", "客服专员", "试用期"),
        ("E03", "王五", "运营专员", "离职"),
    ]
]
DAILY = [
    dict(report_date=T(d), employee_id=e, content="…")
    for d, e in [("2026-11-02", "E01"), ("2026-11-03", "E01"), ("2026-11-02", "E03"), ("2026-11-04", "E99")]
]
HEADCOUNT = [
    dict(position_id="P01", position_type="运营岗", position_name="运营专员", current=2.0, planned=3.0),
    dict(position_id="P02", position_type="客服岗", position_name="客服专员", current=1.0, planned=1.0),
]
INVENTORY = [
    # sku  opening  in    out   safety  cost      closing = opening + in - out; value = closing * cost
    dict(
        sku="A",
        product_name="保温杯",
        opening_stock=10.0,
        stock_in=5.0,
        stock_out=3.0,
        safety_stock=20.0,
        unit_cost=2.5,
    ),  # closing 12, value 30, below safety (12 < 20)
    dict(
        sku="B",
        product_name="帆布包",
        opening_stock=100.0,
        stock_in=NaN,
        stock_out=40.0,
        safety_stock=10.0,
        unit_cost=1.2,
    ),  # closing 60, value 72
    dict(
        sku="C", product_name="数据线", opening_stock=NaN, stock_in=8.0, stock_out=NaN, safety_stock=NaN, unit_cost=3.0
    ),  # closing 8, value 24, 8 < blank(0) is false
]
PRODUCT_SALES = [
    dict(sale_date=T(d), sku=s, quantity=q, sales_amount=a, province="广东省", channel="淘宝")
    for d, s, q, a in [
        ("2026-11-01", "A", 5.0, 500.0),
        ("2026-11-02", "A", 2.0, 200.0),
        ("2026-11-02", "C", 7.0, 139.3),
        ("2026-11-03", "ZZ", 100.0, 1.0),
    ]
]

ALL_ROWS = {
    "orders": ORDERS,
    "logistics": LOGISTICS,
    "complaints": COMPLAINTS,
    "employees": EMPLOYEES,
    "daily_reports": DAILY,
    "headcount_plan": HEADCOUNT,
    "inventory": INVENTORY,
    "product_sales": PRODUCT_SALES,
}


def frames(catalog=CATALOG, only=None) -> dict[str, pd.DataFrame]:
    return {n: typed(n, rows, catalog) for n, rows in ALL_ROWS.items() if only is None or n in only}


def values(metrics) -> dict:
    """{name: value} for ungrouped metrics, {name: {group: value}} for grouped ones."""
    out: dict = {}
    for m in metrics:
        if m.group is None:
            out[m.name] = m.value
        else:
            out.setdefault(m.name, {})[m.group] = m.value
    return out


@pytest.fixture(scope="module")
def dept() -> dict:
    return values(evaluate_metrics(DEPARTMENT, CATALOG.tables, frames(), MONTH))


# --- the derived columns the figures rest on ---------------------------------------------------
def test_hand_tables_derive_as_written_in_the_comments():
    f = frames()
    assert f["orders"]["amount"].tolist() == pytest.approx([200.0, 40.0, 300.0, 19.9, 180.0, 100.0])
    transit = f["logistics"]["transit_days"].tolist()
    assert transit[:2] == [2.0, 4.0] and np.isnan(transit[2]) and transit[3] == 1.0
    assert np.isnan(transit[4]) and transit[5] == 3.0 and np.isnan(transit[6])
    minutes = f["complaints"]["response_minutes"].tolist()
    assert [minutes[i] for i in (0, 1, 3, 4)] == [20.0, 45.0, 30.0, 61.0] and np.isnan(minutes[2])
    inv = f["inventory"]
    assert inv["closing_stock"].tolist() == [12.0, 60.0, 8.0]
    assert inv["stock_value"].tolist() == pytest.approx([30.0, 72.0, 24.0])
    assert inv["below_safety"].tolist() == [1.0, 0.0, 0.0]
    assert f["headcount_plan"]["change"].tolist() == [1.0, 0.0]


# --- stable names ------------------------------------------------------------------------------
def test_stable_metric_names_exist_with_their_aggregates():
    specs = {m.name: m for m in DEPARTMENT.metrics}
    assert (specs["order_count"].agg, specs["order_count"].table, specs["order_count"].column) == (
        "distinct",
        "orders",
        "order_id",
    )
    assert (specs["sales_total"].agg, specs["sales_total"].column) == ("sum", "amount")
    assert (specs["paid_total"].agg, specs["paid_total"].column) == ("sum", "paid_amount")
    assert specs["avg_order_value"].expr.replace(" ", "") == "sales_total/order_count"


# --- each aggregate kind -----------------------------------------------------------------------
def test_sum(dept):
    assert dept["sales_total"] == pytest.approx(200 + 40 + 300 + 19.9 + 180 + 100)  # 839.9
    # The unpaid order (blank paid amount) adds nothing.
    assert dept["paid_total"] == pytest.approx(200 + 40 + 19.9 + 176.4 + 100)  # 536.3
    assert dept["units_sold"] == 2 + 1 + 3 + 1 + 4 + 1
    assert dept["stock_value_total"] == pytest.approx(30 + 72 + 24)
    assert dept["headcount_current_total"] == 2 + 1
    assert dept["headcount_planned_total"] == 3 + 1


def test_distinct_counts_an_order_with_two_lines_once(dept):
    assert dept["order_count"] == 5  # O1 (two SKU lines), O2, O3, O4, O5


def test_count(dept):
    assert dept["complaint_count"] == 5
    assert dept["skus_below_safety"] == 1  # only A: 12 < 20


def test_avg_skips_rows_the_filter_leaves_out(dept):
    # Delivered with a transit time: 2, 4, 1, 3 (the delivered parcel without a date is out).
    assert dept["avg_transit_days"] == pytest.approx((2 + 4 + 1 + 3) / 4)
    # Complaints with a first response: 20, 45, 30, 61 minutes.
    assert dept["avg_response_minutes"] == pytest.approx((20 + 45 + 30 + 61) / 4)


def test_expr_metrics(dept):
    assert dept["avg_order_value"] == pytest.approx(839.9 / 5)
    assert dept["on_time_rate"] == pytest.approx(3 / 5)  # within 3 days: 2, 1, 3 of 5 delivered
    assert dept["resolution_rate"] == pytest.approx(2 / 5)  # K1, K4 of 5


def test_expr_division_by_zero_is_blank():
    empty = {"orders": typed("orders", [])}
    got = values(evaluate_metrics(DEPARTMENT, CATALOG.tables, empty, MONTH))
    assert got["sales_total"] == 0.0 and got["order_count"] == 0.0 and got["paid_total"] == 0.0
    assert got["avg_order_value"] is None  # 0 / 0
    # The grid is still whole, with zeros.
    assert got["sales_by_channel"] == {c: 0.0 for c in CHANNELS}
    assert len(got["sales_by_day"]) == 30 and set(got["sales_by_day"].values()) == {0.0}


def test_only_metrics_whose_tables_are_given():
    got = values(evaluate_metrics(DEPARTMENT, CATALOG.tables, frames(only={"complaints"}), MONTH))
    assert {
        "complaint_count",
        "complaints_by_type",
        "resolved_count",
        "resolution_rate",
        "avg_response_minutes",
        "over_limit_responses",
    } <= set(got)
    assert not {"sales_total", "order_count", "avg_order_value", "delivered_count", "on_time_rate"} & set(got)


# --- where filters -----------------------------------------------------------------------------
def test_where_text_equals(dept):
    assert dept["delivered_count"] == 5  # 已签收: parcels 1, 2, 4, 5, 6
    assert dept["resolved_count"] == 2  # 已解决: K1, K4


def test_where_number_comparisons(dept):
    # AND(status = "已签收", transit_days >= 0, transit_days <= 3): 2, 1, 3 (a blank is no number).
    assert dept["on_time_count"] == 3


def test_where_bundle_parameter(dept):
    # response_minutes > response_limit_minutes (30): 45 and 61; 30 itself is not over.
    assert DEPARTMENT.parameter("response_limit_minutes") == 30
    assert dept["over_limit_responses"] == 2


def test_where_parameter_given_by_the_caller():
    got = values(
        evaluate_metrics(
            DEPARTMENT, CATALOG.tables, frames(only={"complaints"}), MONTH, params={"response_limit_minutes": 50}
        )
    )
    assert got["over_limit_responses"] == 1  # only 61 > 50
    got = values(
        evaluate_metrics(
            DEPARTMENT, CATALOG.tables, frames(only={"complaints"}), MONTH, params={"response_limit_minutes": 10}
        )
    )
    assert got["over_limit_responses"] == 4  # 20, 45, 30, 61; the blank one is no number


# --- groupings ---------------------------------------------------------------------------------
def test_by_enum_every_value_in_order_zero_when_missing(dept):
    assert list(dept["sales_by_channel"]) == CHANNELS
    assert dept["sales_by_channel"] == pytest.approx(
        {c: 0 for c in CHANNELS} | {"淘宝": 200 + 40, "天猫": 100, "京东": 300 + 19.9, "抖音": 180}
    )
    provinces = list(CATALOG.tables["orders"].column("province").values)
    assert list(dept["sales_by_province"]) == provinces and len(provinces) == 34
    expected = {p: 0.0 for p in provinces} | {"广东省": 200 + 40 + 100, "浙江省": 300, "北京市": 180}
    assert dept["sales_by_province"] == pytest.approx(expected)
    # The order without a province (19.9) is on no row of the grid.
    assert sum(dept["sales_by_province"].values()) == pytest.approx(839.9 - 19.9)


def test_count_by_enum(dept):
    assert list(dept["complaints_by_type"]) == COMPLAINT_TYPES
    assert dept["complaints_by_type"] == {t: 0 for t in COMPLAINT_TYPES} | {
        "物流慢": 2,
        "商品质量": 1,
        "发错货": 1,
        "服务态度": 1,
    }
    assert dept["shipments_by_courier"] == {c: 0 for c in COURIERS} | {
        "顺丰速运": 3,
        "中通快递": 2,
        "圆通速递": 1,
        "韵达快递": 1,
    }


def test_by_day_every_day_of_the_month(dept):
    days = dept["sales_by_day"]
    assert list(days) == [f"2026-11-{d:02d}" for d in range(1, 31)]
    expected = {d: 0.0 for d in days} | {
        "2026-11-01": 200 + 40,
        "2026-11-03": 300,
        "2026-11-08": 19.9,
        "2026-11-15": 180,
        "2026-11-30": 100,
    }
    assert days == pytest.approx(expected)


def test_by_day_leaves_days_of_other_months_off_the_grid():
    rows = ORDERS + [order("O9", "2026-12-01", "淘宝", "A", 1.0, 7.0), order("O8", "2026-10-31", "淘宝", "A", 1.0, 5.0)]
    got = values(evaluate_metrics(DEPARTMENT, CATALOG.tables, {"orders": typed("orders", rows)}, MONTH))
    assert list(got["sales_by_day"]) == [f"2026-11-{d:02d}" for d in range(1, 31)]
    assert sum(got["sales_by_day"].values()) == pytest.approx(839.9)
    assert got["sales_total"] == pytest.approx(839.9 + 7 + 5)  # an ungrouped sum takes every row


def test_by_day_without_a_month_takes_the_month_of_the_rows():
    got = values(evaluate_metrics(DEPARTMENT, CATALOG.tables, frames(only={"orders"}), None))
    assert list(got["sales_by_day"]) == [f"2026-11-{d:02d}" for d in range(1, 31)]
    assert got["sales_by_day"]["2026-11-03"] == 300


def test_by_reference_column_keys_are_the_master_rows(dept):
    # daily_reports.employee_id references employees: one key per employee, in sheet order;
    # E99 is no employee and is on no row.
    assert dept["reports_by_employee"] == {"E01": 2, "E02": 0, "E03": 1}
    # product_sales.sku references inventory.sku: A 5 + 2, B none, C 7; ZZ is not in stock.
    assert dept["units_by_sku"] == {"A": 7, "B": 0, "C": 7}


def test_by_key_column_of_the_table_itself(dept):
    assert dept["stock_value_by_sku"] == pytest.approx({"A": 30, "B": 72, "C": 24})
    assert dept["headcount_current_by_position"] == {"运营专员": 2, "客服专员": 1}
    assert dept["headcount_planned_by_position"] == {"运营专员": 3, "客服专员": 1}
    assert dept["headcount_change_by_position"] == {"运营专员": 3 - 2, "客服专员": 1 - 1}


def test_by_reference_without_the_master_table_is_not_computed():
    got = values(evaluate_metrics(DEPARTMENT, CATALOG.tables, frames(only={"daily_reports"}), MONTH))
    assert "reports_by_employee" not in got


def test_grouped_metric_names_and_titles():
    got = evaluate_metrics(DEPARTMENT, CATALOG.tables, frames(only={"orders"}), MONTH, lang="en")
    titles = {m.name: m.title for m in got}
    assert titles["sales_total"] == "Sales" and titles["sales_by_channel"] == "Sales by channel"
    got = evaluate_metrics(DEPARTMENT, CATALOG.tables, frames(only={"orders"}), MONTH)
    assert {m.name: m.title for m in got}["sales_total"] == "销售额"


# --- a bundle of our own: min, max, weeks, <>, grouped formulas ---------------------------------
CUSTOM = """\
name: handcheck
title: 手工核对
version: 1
tables: [employees, headcount_plan, inventory, orders, product_sales, logistics, complaints]
parameters:
  response_limit_minutes: {value: 30, title: 响应时限}
  slow_days: {value: 3, title: 慢件天数}
metrics:
  - {name: sales_total, title: 销售额, agg: sum, table: orders, column: amount, format: money}
  - {name: min_price, title: 最低单价, agg: min, table: orders, column: unit_price, format: money}
  - {name: max_price, title: 最高单价, agg: max, table: orders, column: unit_price, format: money}
  - {name: avg_price, title: 平均单价, agg: avg, table: orders, column: unit_price, format: money}
  - {name: first_order_day, title: 最早下单日, agg: min, table: orders, column: order_date, format: date}
  - {name: last_order_day, title: 最晚下单日, agg: max, table: orders, column: order_date, format: date}
  - {name: min_transit, title: 最短运输天数, agg: min, table: logistics, column: transit_days}
  - {name: max_transit, title: 最长运输天数, agg: max, table: logistics, column: transit_days}
  - {name: min_paid_unpaid, title: 待付款最低实付, agg: min, table: orders, column: paid_amount, where: status = "待付款"}
  - {name: max_transit_by_courier, title: 各快递最长运输天数, agg: max, table: logistics, column: transit_days, by: courier}
  - {name: min_transit_by_courier, title: 各快递最短运输天数, agg: min, table: logistics, column: transit_days, by: courier}
  - {name: within_3_days, title: 3天内, agg: count, table: logistics, where: transit_days <= 3}
  - {name: slow_parcels, title: 慢件, agg: count, table: logistics, where: transit_days > slow_days}
  - {name: not_delivered, title: 未签收, agg: count, table: logistics, where: status <> "已签收"}
  - {name: transit_not_2, title: 运输天数不是2, agg: count, table: logistics, where: transit_days <> 2}
  - {name: not_taobao_sales, title: 非淘宝销售额, agg: sum, table: orders, column: amount, where: channel <> "淘宝"}
  - {name: sales_by_week, title: 每周销售额, agg: sum, table: orders, column: amount, by: order_date, period: week}
  - {name: orders_by_week, title: 每周订单数, agg: distinct, table: orders, column: order_id, by: order_date, period: week}
  - {name: avg_order_by_week, title: 每周客单价, expr: sales_by_week / orders_by_week}
  - {name: orders_by_channel, title: 各渠道订单数, agg: distinct, table: orders, column: order_id, by: channel}
  - {name: sales_by_channel, title: 各渠道销售额, agg: sum, table: orders, column: amount, by: channel}
  - {name: channel_share, title: 各渠道销售占比, expr: sales_by_channel / sales_total, format: percent}
  - {name: shipments_by_courier, title: 各快递发货数, agg: count, table: logistics, by: courier}
  - {name: delivered_by_courier, title: 各快递签收数, agg: count, table: logistics, by: courier, where: status = "已签收"}
  - {name: delivery_rate_by_courier, title: 各快递签收率, expr: delivered_by_courier / shipments_by_courier, format: percent}
  - {name: avg_minutes_by_type, title: 各类型平均响应, agg: avg, table: complaints, column: response_minutes, by: type}
  - {name: over_limit_by_type, title: 各类型超时数, agg: count, table: complaints, by: type, where: response_minutes > response_limit_minutes}
"""


@pytest.fixture(scope="module")
def custom(tmp_path_factory):
    root = tmp_path_factory.mktemp("schemas")
    (root / "workbooks").mkdir()
    (root / "workbooks" / "handcheck.yaml").write_text(CUSTOM, encoding="utf-8")
    catalog = load_catalog([root])
    bundle = catalog.bundles["handcheck"]
    return values(evaluate_metrics(bundle, catalog.tables, frames(catalog), MONTH))


def test_custom_bundle_loads_min_max_metrics(custom):
    assert {"min_price", "max_price", "max_transit_by_courier", "delivery_rate_by_courier"} <= set(custom)


def test_min_max(custom):
    assert custom["min_price"] == 19.9  # prices 100, 50, 100, 19.9, 50, 100
    assert custom["max_price"] == 100.0
    assert custom["avg_price"] == pytest.approx((100 + 50 + 100 + 19.9 + 50 + 100) / 6)
    assert custom["min_transit"] == 1.0 and custom["max_transit"] == 4.0  # 2, 4, 1, 3; blanks skipped
    # Dates are compared as Excel day numbers (as MIN/MAX on a date column would give).
    assert custom["first_order_day"] == serial(date(2026, 11, 1))
    assert custom["last_order_day"] == serial(date(2026, 11, 30))
    # MIN of nothing (the only unpaid order has a blank paid amount) is blank, not 0.
    assert custom["min_paid_unpaid"] is None


def test_min_max_by_group_blank_where_nothing(custom):
    # 顺丰: 2, blank, 3; 中通: 4, blank; 圆通: 1; 韵达: blank only; the rest: no parcels.
    assert custom["max_transit_by_courier"] == {c: None for c in COURIERS} | {
        "顺丰速运": 3,
        "中通快递": 4,
        "圆通速递": 1,
    }
    assert custom["min_transit_by_courier"] == {c: None for c in COURIERS} | {
        "顺丰速运": 2,
        "中通快递": 4,
        "圆通速递": 1,
    }


def test_number_criteria_skip_blanks(custom):
    assert custom["within_3_days"] == 3  # 2, 1, 3
    assert custom["slow_parcels"] == 1  # transit_days > slow_days (3): 4


def test_not_equal_matches_blanks_like_countifs(custom):
    # status <> "已签收": 运输中 (parcel 3) and the parcel whose status is blank (7).
    assert custom["not_delivered"] == 2
    # transit_days <> 2: 4, blank, 1, blank, 3, blank; only parcel 1 (2 days) fails.
    assert custom["transit_not_2"] == 6
    # channel <> "淘宝": every order line but the two of O1.
    assert custom["not_taobao_sales"] == pytest.approx(300 + 19.9 + 180 + 100)


def test_by_week_five_weeks_last_to_month_end(custom):
    weeks = custom["sales_by_week"]
    assert list(weeks) == [
        "第1周（1–7日）",
        "第2周（8–14日）",
        "第3周（15–21日）",
        "第4周（22–28日）",
        "第5周（29日–月末）",
    ]
    # Days 1 and 3: 240 + 300; day 8: 19.9; day 15: 180; none in 22–28; day 30: 100.
    assert list(weeks.values()) == pytest.approx([240 + 300, 19.9, 180, 0, 100])
    assert list(custom["orders_by_week"].values()) == [2, 1, 1, 0, 1]  # O1, O2 | O3 | O4 | - | O5


def test_grouped_expr_per_group(custom):
    # Average order value per week: sales / distinct orders; week 4 is 0 / 0, blank.
    assert list(custom["avg_order_by_week"].values()) == pytest.approx([540 / 2, 19.9, 180, None, 100])
    # A grouped metric over an ungrouped one: each channel's share of sales.
    assert custom["orders_by_channel"] == {c: 0 for c in CHANNELS} | {"淘宝": 1, "天猫": 1, "京东": 2, "抖音": 1}
    assert custom["channel_share"] == pytest.approx(
        {c: 0.0 for c in CHANNELS}
        | {"淘宝": 240 / 839.9, "天猫": 100 / 839.9, "京东": 319.9 / 839.9, "抖音": 180 / 839.9}
    )
    # Delivered / shipped per courier; couriers without parcels are 0 / 0, blank.
    assert custom["delivery_rate_by_courier"] == pytest.approx(
        {c: None for c in COURIERS} | {"顺丰速运": 2 / 3, "中通快递": 2 / 2, "圆通速递": 1 / 1, "韵达快递": 0 / 1}
    )


def test_grouped_avg_and_parameter_filter(custom):
    # 物流慢: 20 and blank -> 20; 商品质量 45; 发错货 30; 服务态度 61; the others have none.
    assert custom["avg_minutes_by_type"] == {t: None for t in COMPLAINT_TYPES} | {
        "物流慢": 20.0,
        "商品质量": 45.0,
        "发错货": 30.0,
        "服务态度": 61.0,
    }
    # Over 30 minutes: 商品质量 (45), 服务态度 (61).
    assert custom["over_limit_by_type"] == {t: 0 for t in COMPLAINT_TYPES} | {"商品质量": 1, "服务态度": 1}
