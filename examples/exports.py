"""Tmall order reports as a shop downloads them (卖家中心 → 已卖出的宝贝 → 批量导出), for the demo
and the import benchmark: GBK by default, 19-digit order ids wrapped as ="…", headers with
their trailing spaces, the platform's own status words, couriers and tracking numbers, and
refunds. The month's orders are drawn from the seed alone, so two exports of overlapping days
share their orders; an export made on an earlier day (--as-of) shows them as they stood then
(not yet delivered), as a weekly export and a later re-export do.

    python examples/exports.py OUT.csv --orders 500 --month 2026-11 --days 1-14 --as-of 15 [--seed 1]
    python examples/exports.py OUT.csv --orders 1000000 --plain    # the seven columns of the real report, UTF-8
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

PROVINCES = [
    "上海",
    "北京",
    "浙江省 杭州市 西湖区",
    "广东省 深圳市 南山区",
    "江苏省 南京市",
    "内蒙古自治区",
    "四川省 成都市",
]
STATUSES = ["交易成功", "卖家已发货，等待买家确认", "买家已付款，等待卖家发货", "等待买家付款", "交易关闭"]
COURIERS = [("顺丰速运", "SF"), ("中通快递", "73"), ("圆通速递", "YT"), ("韵达快递", "43")]


def tmall(
    path: str, orders: int, month: str, days: tuple[int, int], seed: int, plain: bool, first_id: int, as_of: int = 99
) -> None:
    rng = np.random.default_rng(seed)
    n = orders
    start = pd.Timestamp(f"{month}-01")
    span = pd.Period(month).days_in_month * 86400
    created = start + pd.to_timedelta(np.sort(rng.integers(0, span, n)), unit="s")
    total = np.round(rng.uniform(9, 500, n), 1)
    status = np.array(STATUSES)[rng.choice(len(STATUSES), n, p=[0.55, 0.2, 0.1, 0.05, 0.1])]
    paid_mask = ~np.isin(status, ["等待买家付款", "交易关闭"])
    paid = np.where(paid_mask, total, 0.0)
    refund = np.where(paid_mask & (rng.random(n) < 0.08), np.round(total * 0.5, 1), 0.0)
    stamp = lambda t: t.strftime("%Y-%m-%d %H:%M:%S")  # noqa: E731
    pay_time = np.where(paid_mask, stamp(created + pd.to_timedelta(rng.integers(5, 600, n), unit="s")), "")
    ids = (first_id + np.arange(n)).astype(str)
    confirmed = created + pd.Timedelta(days=3)
    cutoff = start + pd.Timedelta(days=as_of)
    pending = (status == "交易成功") & (confirmed >= cutoff)  # delivered after this export was made
    status = np.where(pending, "卖家已发货，等待买家确认", status)
    frame = {
        "订单编号": ids if plain else np.char.add(np.char.add('="', ids), '"'),
        "总金额": total,
        "买家实际支付金额": paid,
        "收货地址 ": np.array(PROVINCES)[rng.integers(0, len(PROVINCES), n)],
        "订单创建时间": stamp(created),
        "订单付款时间 ": pay_time,
        "退款金额": refund,
    }
    if not plain:
        shipped = np.isin(status, ["交易成功", "卖家已发货，等待买家确认"])
        courier = rng.integers(0, len(COURIERS), n)
        digits = rng.integers(10**11, 10**12, n).astype(str)
        prefix = np.array([c[1] for c in COURIERS])[courier]
        tracking = np.char.add(np.char.add(prefix, np.where(np.char.str_len(prefix) == 2, "0", "")), digits)
        frame.update(
            {
                "买家会员名": np.char.add("t**", (rng.integers(0, 99, n)).astype(str)),
                "订单状态": status,
                "买家留言": np.where(rng.random(n) < 0.05, "请尽快发货", ""),
                "物流单号": np.where(shipped, np.char.add(tracking, ""), ""),
                "物流公司": np.where(shipped, np.array([c[0] for c in COURIERS])[courier], ""),
                "确认收货时间": np.where(status == "交易成功", stamp(confirmed), ""),
            }
        )
    table = pd.DataFrame(frame)
    day = created.day.to_numpy()
    table = table[(day >= days[0]) & (day <= days[1]) & (created < cutoff)]
    if plain:
        table.to_csv(path, index=False)
    else:
        with open(path, "w", encoding="gb18030", newline="") as fh:
            table.to_csv(fh, index=False)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--orders", type=int, default=500)
    ap.add_argument("--month", default="2026-11")
    ap.add_argument("--days", default="1-30", help="the days of the month the orders were placed on, e.g. 1-14")
    ap.add_argument(
        "--as-of", type=int, default=99, help="the day of the month the export was made (default: after it)"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first-id", type=int, default=3_800_000_000_000_000_000)
    ap.add_argument("--plain", action="store_true", help="the real report's seven columns, UTF-8, ids unwrapped")
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.days.split("-"))
    tmall(a.out, a.orders, a.month, (lo, hi), a.seed, a.plain, a.first_id, a.as_of)
