"""Synthetic order exports as the platforms and ERPs write them, with the truth they hold.

One builder per export format read by `schemas/imports/*.yaml` (the full Taobao/Tmall 订单报表, JD,
Pinduoduo, Douyin, Kuaishou, 聚水潭, 旺店通). Each builder takes
(path, n_orders, seed, month), writes the file with the platform's own headers (from
../shared/REFERENCE.md "Platform order exports") and quirks, and returns an `Export`: the path,
the profile that must be recognised, the encoding `import` should report, and the truth,
computed from the generated orders (integer cents), never by reading the file back:

- `truth`: orders, lines (data rows written), amount, paid, refund (yuan, two decimals),
  total_rows (合计 rows written), logistics (distinct tracking numbers);
- `orders`: one row per order: order_id, status (ours), status_word (the platform's), amount,
  paid, refund, province (ours, or None when the export does not say it);
- `lines`: one row per data row: order_id, sku, source (`FILE 第 N 行`, the row a spreadsheet
  program shows).

What each platform's figures mean here (and so what the profiles map):
- amount (订单金额): Taobao 总金额; JD Σ 京东价 × 订购数量 of the order's SKU rows (its 订单金额);
  PDD 商品总价; Douyin Σ 商品金额 of the 子订单; Kuaishou computed (成交数量 × 商品单价 − 商家优惠:
  the export has no such column); 聚水潭 应付金额 and 旺店通 应收金额 (= 数量 × 单价 − 优惠金额).
- paid (实付金额), as the export writes it: Taobao 买家实际支付金额 (0.00 unpaid); JD 应付金额 and
  Douyin 订单应付金额 (due, filled even before payment, order level); PDD 用户实付金额; Kuaishou
  实付款 and the ERPs' 已付金额 (0 unpaid).
- refund (退款金额): Taobao, Kuaishou, 聚水潭, 旺店通 carry it; JD, PDD and Douyin exports do not (0).

Everything is drawn from a seeded numpy Generator: the same arguments give the same bytes.
"""

from __future__ import annotations

import calendar
import csv
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

# --- our order statuses and the stages an order goes through ------------------------------------

OURS = {
    "unpaid": "待付款",
    "paid": "待发货",
    "shipped": "已发货",
    "done": "已完成",
    "cancelled": "已取消",
    "refunded": "已退款",
    "closed_refunded": "已取消",  # paid, refunded before shipping: the platform closes the order
}
PAYS = {"paid", "shipped", "done", "refunded", "closed_refunded"}  # stages where the buyer paid
SHIPS = {"shipped", "done"}  # stages with a parcel on its way or delivered

# The platforms' own status words for each stage (several: one is drawn per order). Each must be
# read as OURS[stage] through orders.yaml value_aliases or the profile's `values:` (checked by
# test_import_platforms.py::test_status_words_map_to_ours).
STATUS_WORDS = {
    "taobao": {
        "unpaid": ["等待买家付款"],
        "paid": ["买家已付款，等待卖家发货"],
        "shipped": ["卖家已发货，等待买家确认"],
        "done": ["交易成功"],
        "cancelled": ["交易关闭"],
        "closed_refunded": ["交易关闭"],
    },
    "jd": {
        "unpaid": ["等待付款"],
        "paid": ["等待出库"],
        "shipped": ["等待确认收货"],
        "done": ["完成"],
        "cancelled": ["已取消"],
    },
    "pdd": {
        "paid": ["待发货"],
        "shipped": ["已发货，待签收"],
        "done": ["已签收"],
        "closed_refunded": ["已取消"],
        "refunded": ["未发货，退款成功"],
    },
    "douyin": {
        "unpaid": ["待支付"],
        "paid": ["待发货"],
        "shipped": ["已发货"],
        "done": ["已完成"],
        "cancelled": ["已关闭"],
        "closed_refunded": ["已关闭"],
    },
    "kuaishou": {
        "unpaid": ["待付款"],
        "paid": ["待发货"],
        "shipped": ["已发货"],
        "done": ["交易成功", "已收货"],
        "cancelled": ["交易关闭"],
        "closed_refunded": ["交易关闭"],
    },
    "jushuitan": {
        "unpaid": ["待付款"],
        "paid": ["已付款待审核", "发货中"],
        "shipped": ["已发货"],
        "done": ["交易成功"],
        "cancelled": ["已取消"],
        "refunded": ["退款成功"],
    },
    "wangdiantong": {
        "unpaid": ["未付款"],
        "paid": ["待审核", "已审核"],
        "shipped": ["已发货"],
        "done": ["已完成"],
        "cancelled": ["已取消"],
        "refunded": ["已退款"],
    },
}

# How often each stage occurs (normalised per platform).
STAGE_WEIGHTS = {
    "taobao": {"unpaid": 5, "paid": 15, "shipped": 20, "done": 45, "cancelled": 5, "closed_refunded": 10},
    "jd": {"unpaid": 5, "paid": 15, "shipped": 20, "done": 50, "cancelled": 10},
    "pdd": {"paid": 20, "shipped": 20, "done": 45, "closed_refunded": 5, "refunded": 10},
    "douyin": {"unpaid": 5, "paid": 15, "shipped": 20, "done": 45, "cancelled": 10, "closed_refunded": 5},
    "kuaishou": {"unpaid": 5, "paid": 15, "shipped": 20, "done": 45, "cancelled": 5, "closed_refunded": 10},
    "jushuitan": {"unpaid": 5, "paid": 15, "shipped": 20, "done": 45, "cancelled": 5, "refunded": 10},
    "wangdiantong": {"unpaid": 5, "paid": 15, "shipped": 20, "done": 45, "cancelled": 5, "refunded": 10},
}

# The channel (订单.渠道) of a platform's own export; an ERP's orders say theirs row by row.
CHANNELS = {"taobao": "淘宝", "jd": "京东", "pdd": "拼多多", "douyin": "抖音", "kuaishou": "快手"}

# --- couriers (REFERENCE.md "Couriers and tracking numbers") -------------------------------------


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, n))


_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# name -> (tracking number maker, the pattern REFERENCE.md gives)
COURIERS: dict[str, tuple[Callable[[np.random.Generator], str], str]] = {
    "顺丰速运": (lambda r: "SF" + _ALNUM[r.integers(0, 36)] + _digits(r, 12), r"^SF[A-Z0-9]\d{12}$"),
    "中通快递": (lambda r: "7" + "345668"[r.integers(0, 6)] + _digits(r, 12), r"^7[3-68]\d{12}$"),
    "圆通速递": (lambda r: "YT" + _digits(r, 13), r"^YT\d{13}$"),
    "申通快递": (lambda r: ("77", "43")[r.integers(0, 2)] + _digits(r, int(r.integers(12, 16))), r"^(77|43)\d{12,15}$"),
    "韵达快递": (lambda r: "34"[r.integers(0, 2)] + _digits(r, 14), r"^[34]\d{14}$|^5\d{12}$"),
    "极兔速递": (lambda r: "JT" + _digits(r, 13), r"^JT\d{13}$"),
    "邮政EMS": (lambda r: "981"[r.integers(0, 3)] + _digits(r, 12), r"^[981]\d{12}$|^P[A-Z]\d{11}$"),
    "京东物流": (
        lambda r: "JD" + _ALNUM[r.integers(0, 26)] + _ALNUM[r.integers(0, 36)] + _digits(r, 11),
        r"^JD[A-Z0-9]{2}\d{11}$",
    ),
    "德邦快递": (lambda r: "DPK" + _digits(r, 12), r"^DPK\d{12}$"),
}

PLATFORM_COURIERS = {
    "taobao": ["中通快递", "圆通速递", "申通快递", "韵达快递", "顺丰速运", "邮政EMS"],
    "jd": [],  # the JD order export has no parcel columns
    "pdd": ["中通快递", "韵达快递", "极兔速递", "圆通速递", "申通快递", "邮政EMS"],
    "douyin": ["顺丰速运", "中通快递", "圆通速递", "韵达快递", "极兔速递", "德邦快递"],
    "kuaishou": ["中通快递", "圆通速递", "申通快递", "韵达快递", "极兔速递"],
    "jushuitan": list(COURIERS),
    "wangdiantong": list(COURIERS),
}

# --- goods and places ------------------------------------------------------------------------------

# (merchant code, name, spec, price in cents, platform product id)
PRODUCTS = [
    ("TS-1001", "纯棉短袖T恤", "白色 XL", 5990, "100012345601"),
    ("TS-1002", "纯棉短袖T恤", "黑色 L", 5990, "100012345602"),
    ("BK-2001", "保温杯", "500ml 星空蓝", 8900, "100012345603"),
    ("BK-2002", "保温杯", "350ml 樱花粉", 7900, "100012345604"),
    ("SH-3001", "轻便跑步鞋", "42码 灰色", 19900, "100012345605"),
    ("SH-3002", "轻便跑步鞋", "38码 白色", 19900, "100012345606"),
    ("BG-4001", "双肩电脑包", "15.6英寸 黑色", 12900, "100012345607"),
    ("SK-5001", "保湿面霜", "50g", 16800, "100012345608"),
    ("SK-5002", "洁面乳", "120g", 4990, "100012345609"),
    ("FD-6001", "坚果礼盒", "1.2kg", 9880, "100012345610"),
    ("FD-6002", "挂耳咖啡", "10袋装", 3990, "100012345611"),
    ("HM-7001", "四件套床品", "1.8m 灰色", 29900, "100012345612"),
]

# (province as exports write it, ours, city, district)
PLACES = [
    ("广东省", "广东省", "深圳市", "南山区"),
    ("浙江省", "浙江省", "杭州市", "西湖区"),
    ("江苏省", "江苏省", "南京市", "鼓楼区"),
    ("北京市", "北京市", "北京市", "海淀区"),
    ("上海市", "上海市", "上海市", "浦东新区"),
    ("四川省", "四川省", "成都市", "武侯区"),
    ("湖北省", "湖北省", "武汉市", "洪山区"),
    ("山东省", "山东省", "青岛市", "市南区"),
    ("福建省", "福建省", "厦门市", "思明区"),
    ("河南省", "河南省", "郑州市", "金水区"),
]

SURNAMES = "张王李赵刘陈杨黄周吴"


# --- the generated orders ------------------------------------------------------------------------


@dataclass
class Line:
    sku: str
    name: str
    spec: str
    qty: int
    price: int  # cents
    product_id: str
    sub_id: str = ""  # Douyin 子订单编号

    @property
    def goods(self) -> int:
        return self.qty * self.price


@dataclass
class Order:
    order_id: str
    stage: str
    word: str
    created: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    finished_at: datetime | None
    lines: list[Line]
    discount: int  # the shop's discount, cents
    platform_discount: int  # the platform's subsidy, cents
    refund: int  # cents
    courier: str
    tracking: str
    place: tuple[str, str, str, str]
    phone: str
    name: str
    extra_id: str = ""  # an ERP's own order number
    channel: str = ""  # ours (订单.渠道)

    @property
    def goods(self) -> int:
        return sum(line.goods for line in self.lines)

    @property
    def due(self) -> int:
        """What the buyer owes (no freight: every order ships free)."""
        return self.goods - self.discount - self.platform_discount

    @property
    def paid(self) -> int:
        return self.due if self.stage in PAYS else 0


@dataclass
class Export:
    path: Path
    platform: str  # the profile `import` must recognise
    encoding: str  # what `import` must report
    truth: dict
    orders: pd.DataFrame
    lines: pd.DataFrame
    header_row: int = 1
    masked: list[str] = field(default_factory=list)  # masked values written (for the quirk checks)


def _rng(seed: int, platform: str) -> np.random.Generator:
    """A platform's own stream for a seed: two platforms' exports of one seed share nothing
    (no tracking number or id in common)."""
    return np.random.default_rng([seed, zlib.crc32(platform.encode())])


def _month_bounds(month: str) -> tuple[datetime, datetime]:
    year, mon = (int(p) for p in month.split("-"))
    days = calendar.monthrange(year, mon)[1]
    return datetime(year, mon, 1), datetime(year, mon, days, 23, 59, 59)


def _unique_ids(rng: np.random.Generator, n: int, make: Callable[[np.random.Generator], str]) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < n:
        seen.setdefault(make(rng), None)
    return list(seen)


def _address(place: tuple[str, str, str, str], sep: str = "") -> str:
    """Province, city (not repeated for 北京市 and the like) and district."""
    parts = [place[0], place[2], place[3]] if place[2] != place[0] else [place[0], place[3]]
    return sep.join(parts)


def _masked_phone(rng: np.random.Generator) -> str:
    return "1" + "3456789"[rng.integers(0, 7)] + _digits(rng, 1) + "****" + _digits(rng, 4)


def _orders(
    platform: str,
    rng: np.random.Generator,
    n: int,
    month: str,
    make_id: Callable[[np.random.Generator], str],
    *,
    max_lines: int = 1,
    platform_discounts: bool = False,
    refunds: bool = False,
    advance: float = 0.0,
    advance_from: tuple[str, ...] = ("paid", "shipped"),
) -> list[Order]:
    """`n` orders of `platform` created within `month`, every time within the month.

    `advance`: the share of the orders at a stage of `advance_from` moved one stage on (paid →
    shipped, shipped → done) with a later time, as a re-export a few days on shows them. The
    orders are otherwise the same as without it (the moves draw from their own stream)."""
    start, end = _month_bounds(month)
    seconds = int((end - start).total_seconds())
    weights = STAGE_WEIGHTS[platform]
    stages = list(weights)
    p = np.array([weights[s] for s in stages], dtype=float)
    p /= p.sum()
    couriers = PLATFORM_COURIERS[platform]
    ids = _unique_ids(rng, n, make_id)
    out = []
    for order_id in ids:
        stage = stages[int(rng.choice(len(stages), p=p))]
        words = STATUS_WORDS[platform][stage]
        word = words[int(rng.integers(0, len(words)))]
        created = start + timedelta(seconds=int(rng.integers(0, seconds - 3 * 86400)))

        def later(t: datetime, lo: int, hi: int) -> datetime:
            return min(t + timedelta(seconds=int(rng.integers(lo, hi))), end)

        paid_at = later(created, 5, 1800) if stage in PAYS else None
        shipped_at = later(paid_at, 3600, 2 * 86400) if stage in SHIPS and paid_at else None
        finished_at = later(shipped_at, 86400, 5 * 86400) if stage == "done" and shipped_at else None
        count = 1 if max_lines == 1 else int(rng.choice([1, 1, 1, 2, 2, 3]))
        picks = rng.choice(len(PRODUCTS), size=count, replace=False)
        lines = []
        for k in picks:
            sku, name, spec, price, product_id = PRODUCTS[int(k)]
            qty = int(rng.choice([1, 1, 1, 2, 3]))
            lines.append(Line(sku, name, spec, qty, price, product_id))
        goods = sum(line.goods for line in lines)
        discount = int(rng.choice([0, 0, 0, 500, 1000, 2000]))
        discount = discount if discount < goods // 2 else 0
        subsidy = int(rng.choice([0, 0, 100, 300])) if platform_discounts else 0
        subsidy = subsidy if subsidy < (goods - discount) // 2 else 0
        o = Order(
            order_id=order_id,
            stage=stage,
            word=word,
            created=created,
            paid_at=paid_at,
            shipped_at=shipped_at,
            finished_at=finished_at,
            lines=lines,
            discount=discount,
            platform_discount=subsidy,
            refund=0,
            courier="",
            tracking="",
            place=PLACES[int(rng.integers(0, len(PLACES)))],
            phone=_masked_phone(rng),
            name=SURNAMES[int(rng.integers(0, len(SURNAMES)))] + "**",
        )
        if refunds:
            if stage in ("refunded", "closed_refunded"):
                o.refund = o.paid
            elif stage == "done" and rng.random() < 0.15:
                o.refund = min(o.paid, 100 * int(rng.integers(1, max(2, o.paid // 200))))
        if stage in SHIPS and couriers:
            o.courier = couriers[int(rng.integers(0, len(couriers)))]
            o.tracking = COURIERS[o.courier][0](rng)
        out.append(o)
    if advance:
        _advance(platform, out, advance, advance_from, end)
    return out


def _advance(platform: str, orders: list[Order], share: float, stages: tuple[str, ...], end: datetime) -> None:
    rng = np.random.default_rng([zlib.crc32(orders[0].order_id.encode()), 7])
    couriers = PLATFORM_COURIERS[platform]
    for o in orders:
        draw = rng.random()
        latest = max(t for t in (o.created, o.paid_at, o.shipped_at) if t is not None)
        if o.stage not in stages or draw >= share or latest >= end - timedelta(days=1):
            continue
        later = latest + timedelta(seconds=int(rng.integers(3600, 86400)))
        if o.stage == "paid":
            o.stage, o.shipped_at = "shipped", later
            if couriers:
                o.courier = couriers[int(rng.integers(0, len(couriers)))]
                o.tracking = COURIERS[o.courier][0](rng)
        else:
            o.stage, o.finished_at = "done", later
        o.word = STATUS_WORDS[platform][o.stage][0]


# --- writing -------------------------------------------------------------------------------------


def yuan(cents: int) -> str:
    """Cents as an export writes money: 123.40."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _time(t: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return t.strftime(fmt) if t else ""


class Raw(str):
    """A cell written into a CSV line as it is, unquoted (Taobao's `="…"` around ids)."""


def _write_csv(path: Path, header: list[str], rows: list[list], encoding: str) -> None:
    text = "".join(
        ",".join(c if isinstance(c, Raw) else _quoted(c) for c in cells) + "\r\n" for cells in [header, *rows]
    )
    path.write_bytes(text.encode(encoding))


def _quoted(cell) -> str:
    """One cell as csv writes it (quoted only when it must be)."""
    if cell == "":
        return ""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([cell])
    return buf.getvalue()


def _truth(platform: str, orders: list[Order], *, amount, paid, refund, province=True) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [o.order_id for o in orders],
            "status": [OURS[o.stage] for o in orders],
            "status_word": [o.word for o in orders],
            "amount": [amount(o) / 100 for o in orders],
            "paid": [paid(o) / 100 for o in orders],
            "refund": [refund(o) / 100 for o in orders],
            "province": [o.place[1] if province else None for o in orders],
            "tracking": [o.tracking for o in orders],
            "courier": [o.courier for o in orders],
            "channel": [o.channel or CHANNELS[platform] for o in orders],
        }
    )


def _export(path, platform, encoding, orders_frame, line_rows, header_row=1, total_rows=0, masked=()) -> Export:
    lines = pd.DataFrame(line_rows, columns=["order_id", "sku", "row"])
    lines["source"] = [f"{Path(path).name} 第 {r} 行" for r in lines["row"]]
    cents = {k: int(round(orders_frame[k].sum() * 100)) for k in ("amount", "paid", "refund")}
    truth = {
        "orders": len(orders_frame),
        "lines": len(lines),
        "amount": cents["amount"] / 100,
        "paid": cents["paid"] / 100,
        "refund": cents["refund"] / 100,
        "total_rows": total_rows,
        "logistics": int((orders_frame["tracking"] != "").sum()),
    }
    return Export(Path(path), platform, encoding, truth, orders_frame, lines, header_row, list(masked))


# --- Taobao / Tmall (淘宝/天猫 订单报表, the full one) ------------------------------------------------

TAOBAO_HEADER = [
    "订单编号", "买家会员名", "买家支付宝账号", "支付单号", "支付详情", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额",
    "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式",
    "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类", "物流单号 ", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单", "分阶段订单信息",
    "特权订金订单id", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名", "修改后的sku", "修改后的收货地址",
    "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易", "退款金额", "预约门店", "确认收货时间", "打款商家金额",
    "含应开票给个人的个人红包", "主订单编号",
]  # fmt: skip


def build_taobao(path, n_orders: int, seed: int, month: str = "2026-11", **advance) -> Export:
    """淘宝 订单报表 (the full 卖家中心 export; Tmall's is the same): GBK CSV, one row per order,
    19-digit 订单编号 and 支付单号 written `="…"` (unquoted, as Excel reads them as text),
    phones prefixed with `'` and masked, masked names and 支付宝 accounts, headers with trailing
    spaces; 买家实际支付金额 0.00 before payment; 退款金额 full for orders closed after
    payment, partial for some finished ones. Read with the `taobao` profile (`tmall` by headers
    alone). `advance=`, `advance_from=`: a later re-export of the same orders (see `_orders`)."""
    rng = _rng(seed, "taobao")
    orders = _orders("taobao", rng, n_orders, month, lambda r: "3" + _digits(r, 18), refunds=True, **advance)
    rows, line_rows, masked = [], [], []
    for o in orders:
        (line,) = o.lines
        wrapped = Raw(f'="{o.order_id}"')
        pay_no = Raw(f'="{o.paid_at:%Y%m%d}22001{_digits(rng, 19)}"') if o.paid_at else ""
        closed = (
            "买家申请退款"
            if o.stage == "closed_refunded"
            else ("未付款自动关闭" if o.stage == "cancelled" else "订单未关闭")
        )
        account = "a***@163.com"
        rows.append(
            [
                wrapped, "t***8", account, pay_no, "", yuan(o.due), "0.00", "0", yuan(o.due), "0", yuan(o.paid), "0",
                o.word, "", o.name, _address(o.place, " ") + " ****", "快递", "", "'" + o.phone, _time(o.created),
                _time(o.paid_at), f"{line.name} {line.spec}", "1", o.tracking, o.courier, "", line.qty,
                "123456789", "某某旗舰店", closed, "0", "0", "", "手机订单", "", "", "否", "否", "否", "", "", "", "", "0.00",
                "0.00", "否", yuan(o.refund), "", _time(o.finished_at), yuan(o.paid - o.refund) if o.finished_at else "0.00",
                "0.00", wrapped,
            ]
        )  # fmt: skip
        line_rows.append((o.order_id, None, len(rows) + 1))
        masked += [o.name, account, "'" + o.phone]
    _write_csv(Path(path), TAOBAO_HEADER, rows, "gbk")
    frame = _truth("taobao", orders, amount=lambda o: o.due, paid=lambda o: o.paid, refund=lambda o: o.refund)
    return _export(path, "taobao", "gb18030", frame, line_rows, masked=masked)


# --- JD (京东 POP) -----------------------------------------------------------------------------------

JD_HEADER = [
    "订单号", "商品ID", "商品名称", "订购数量", "支付方式", "下单时间 ", "京东价", "订单金额", "结算金额", "余额支付",
    "应付金额", "订单状态 ", "订单类型", "下单帐号", "客户姓名", "客户地址", "联系电话", "订单备注", "运费金额",
    "付款确认时间", "货号", "订单完成时间", "订单来源", "订单渠道",
]  # fmt: skip


def build_jd(path, n_orders: int, seed: int, month: str = "2026-11") -> Export:
    """京东 POP order export: UTF-8 CSV, one row per SKU with the order's figures (订单金额,
    应付金额, 运费金额) repeated on each; 12-digit order ids; masked names and phones; two headers
    with a trailing space."""
    rng = _rng(seed, "jd")
    orders = _orders("jd", rng, n_orders, month, lambda r: "3" + _digits(r, 11), max_lines=3)
    rows, line_rows, masked = [], [], []
    for o in orders:
        for line in o.lines:
            address = _address(o.place) + "****"
            rows.append(
                [
                    o.order_id, line.product_id, f"{line.name} {line.spec}", line.qty, "在线支付", _time(o.created),
                    yuan(line.price), yuan(o.goods), yuan(o.due), "0.00", yuan(o.due), o.word, "普通订单",
                    "jd_****", o.name, address, o.phone, "", "0.00", _time(o.paid_at), line.sku,
                    _time(o.finished_at), "移动端", "京东商城",
                ]
            )  # fmt: skip
            line_rows.append((o.order_id, line.sku, len(rows) + 1))
            masked += [o.name, o.phone]
    _write_csv(Path(path), JD_HEADER, rows, "utf-8")
    frame = _truth("jd", orders, amount=lambda o: o.goods, paid=lambda o: o.due, refund=lambda o: 0)
    return _export(path, "jd", "utf-8", frame, line_rows, masked=masked)


# --- Pinduoduo (拼多多) -------------------------------------------------------------------------------

PDD_HEADER = [
    "商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣（元）", "平台优惠折扣(元)", "邮费（元）", "用户实付金额(元)",
    "商品数量(件)", "收货人", "手机", "省", "市", "区", "街道", "支付时间", "拼单成功时间", "订单确认时间", "承诺发货时间",
    "发货时间", "确认收货时间", "商品id", "商品规格", "商家编码-SKU维度", "快递单号", "快递公司", "售后状态", "买家留言",
]  # fmt: skip


def _pdd_id(r: np.random.Generator) -> str:
    return f"2611{int(r.integers(1, 31)):02d}-" + _digits(r, 15)


def build_pdd(path, n_orders: int, seed: int, month: str = "2026-11") -> Export:
    """拼多多 order export: GBK CSV, one row per order, `(元)` and `（元）` both, 商品数量(件),
    masked recipient (李**, 186****6198, 街道 ****); only paid orders (PDD lists no unpaid ones: its
    已取消 orders were paid, then cancelled and refunded)."""
    rng = _rng(seed, "pdd")
    orders = _orders("pdd", rng, n_orders, month, _pdd_id, platform_discounts=True)
    rows, line_rows, masked = [], [], []
    for o in orders:
        (line,) = o.lines
        after_sale = "退款成功" if o.stage == "refunded" else "无售后或售后取消"
        promise = _time(min(o.paid_at + timedelta(hours=48), _month_bounds(month)[1])) if o.paid_at else ""
        rows.append(
            [
                line.name, o.order_id, o.word, yuan(o.goods), yuan(o.discount), yuan(o.platform_discount), "0.00",
                yuan(o.paid), line.qty, o.name, o.phone, o.place[0], o.place[2], o.place[3], "****",
                _time(o.paid_at), _time(o.paid_at), _time(o.paid_at), promise, _time(o.shipped_at),
                _time(o.finished_at), line.product_id, line.spec, line.sku, o.tracking, o.courier, after_sale, "",
            ]
        )  # fmt: skip
        line_rows.append((o.order_id, line.sku, len(rows) + 1))
        masked += [o.name, o.phone, "****"]
    _write_csv(Path(path), PDD_HEADER, rows, "gbk")
    frame = _truth("pdd", orders, amount=lambda o: o.goods, paid=lambda o: o.paid, refund=lambda o: 0)
    return _export(path, "pdd", "gb18030", frame, line_rows, masked=masked)


# --- Douyin (抖店) ---------------------------------------------------------------------------------

DOUYIN_HEADER = [
    "主订单编号", "子订单编号", "选购商品", "商品规格", "商品数量", "商品ID", "商家编码", "商品金额", "订单应付金额", "运费",
    "收件人", "收件人手机号", "详细地址", "订单提交时间", "支付完成时间", "订单完成时间", "发货时间", "订单状态", "售后状态",
    "快递信息", "商家备注",
]  # fmt: skip


def build_douyin(
    path, n_orders: int, seed: int, month: str = "2026-11", *, order_rows: bool = False, **advance
) -> Export:
    """抖店 order export: UTF-8 with BOM, one row per 子订单 (1–3 per 主订单) with the order's
    订单应付金额 repeated on each; 19-digit ids prefixed with a tab; recipient fields `##密文`;
    快递信息 `TRACKING-COURIER`; times written 2026/11/03 14:22:10. `order_rows`: a 主订单 row
    (no 子订单编号) above each order's 子订单 rows, as some export settings write. `advance=`,
    `advance_from=`: a later re-export of the same orders (see `_orders`)."""
    rng = _rng(seed, "douyin")
    orders = _orders("douyin", rng, n_orders, month, lambda r: "69" + _digits(r, 17), max_lines=3, **advance)
    fmt = "%Y/%m/%d %H:%M:%S"
    rows, line_rows, masked = [], [], []
    for o in orders:
        for line in o.lines:
            line.sub_id = "69" + _digits(rng, 17)
        after_sale = "退款成功" if o.stage == "closed_refunded" else "-"
        parcel = f"{o.tracking}-{o.courier}" if o.tracking else ""
        recipient = ["##密文", "##密文" if rng.random() < 0.5 else o.phone]
        address = _address(o.place) + "##密文"
        times = [_time(o.created, fmt), _time(o.paid_at, fmt), _time(o.finished_at, fmt), _time(o.shipped_at, fmt)]
        if order_rows:
            rows.append(
                ["\t" + o.order_id, "", "", "", "", "", "", "", yuan(o.due), "0.00", *recipient, address, *times,
                 o.word, after_sale, parcel, ""]
            )  # fmt: skip
        for line in o.lines:
            rows.append(
                [
                    "\t" + o.order_id, "\t" + line.sub_id, line.name, line.spec, line.qty, "\t" + line.product_id,
                    line.sku, yuan(line.goods), yuan(o.due), "0.00", *recipient, address, *times, o.word,
                    after_sale, parcel, "",
                ]
            )  # fmt: skip
            line_rows.append((o.order_id, line.sku, len(rows) + 1))
        masked += recipient
    _write_csv(Path(path), DOUYIN_HEADER, rows, "utf-8-sig")
    frame = _truth("douyin", orders, amount=lambda o: o.goods, paid=lambda o: o.due, refund=lambda o: 0)
    return _export(path, "douyin", "utf-8-sig", frame, line_rows, masked=masked)


# --- Kuaishou (快手小店) -------------------------------------------------------------------------------

KUAISHOU_HEADER = [
    "订单号", "订单创建时间", "订单支付时间", "订单状态", "商品ID", "商品名称", "商品规格", "SKU编码", "商品单价(元)",
    "成交数量", "商品总价(元)", "运费(元)", "商家优惠(元)", "平台补贴(元)", "实付款（元）", "退款金额(元)", "收货人",
    "收货人电话", "收货地址", "快递公司", "快递单号", "发货时间", "售后状态", "买家留言", "商家备注",
]  # fmt: skip


def build_kuaishou(path, n_orders: int, seed: int, month: str = "2026-11") -> Export:
    """快手小店 order export: xlsx, one row per order, 19-digit ids as text cells, times as
    date cells, money as numbers; 实付款 0 before payment; 退款金额 (full for orders closed
    after payment, partial for some finished ones). Kuaishou's header list is not in
    REFERENCE.md: this one follows the 快手小店 order list's columns."""
    from openpyxl import Workbook

    rng = _rng(seed, "kuaishou")
    orders = _orders(
        "kuaishou", rng, n_orders, month, lambda r: "24" + _digits(r, 17), platform_discounts=True, refunds=True
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "订单列表"
    ws.append(KUAISHOU_HEADER)
    line_rows, masked = [], []
    for o in orders:
        (line,) = o.lines
        after_sale = "退款成功" if o.refund else ""
        address = _address(o.place) + "****"
        ws.append(
            [
                o.order_id, o.created, o.paid_at, o.word, line.product_id, line.name, line.spec, line.sku,
                line.price / 100, line.qty, line.goods / 100, 0, o.discount / 100, o.platform_discount / 100,
                o.paid / 100, o.refund / 100, o.name, o.phone, address, o.courier or None, o.tracking or None,
                o.shipped_at, after_sale or None, None, None,
            ]
        )  # fmt: skip
        r = ws.max_row
        for col in (1, 5):  # ids are text cells
            ws.cell(r, col).data_type = "s"
            ws.cell(r, col).number_format = "@"
        for col in (2, 3, 22):
            ws.cell(r, col).number_format = "yyyy-mm-dd hh:mm:ss"
        line_rows.append((o.order_id, line.sku, r))
        masked += [o.name, o.phone]
    wb.save(path)
    frame = _truth(
        "kuaishou", orders, amount=lambda o: o.goods - o.discount, paid=lambda o: o.paid, refund=lambda o: o.refund
    )
    return _export(path, "kuaishou", "xlsx", frame, line_rows, masked=masked)


# --- 聚水潭 (ERP report with title rows) ---------------------------------------------------------------

JUSHUITAN_HEADER = [
    "内部订单号", "线上订单号", "店铺", "平台", "订单状态", "下单时间", "付款时间", "发货时间", "发货仓", "款号", "商品编码",
    "颜色及规格", "数量", "单价", "成本价", "优惠金额", "应付金额", "已付金额", "退款金额", "快递公司", "快递单号", "收货人",
    "手机", "省", "市", "区", "买家留言", "卖家备注",
]  # fmt: skip

JUSHUITAN_SHOPS = [
    ("天猫", "天猫旗舰店"),
    ("淘宝", "淘宝企业店"),
    ("京东", "京东旗舰店"),
    ("拼多多", "拼多多专营店"),
    ("抖音", "抖音小店"),
]


def build_jushuitan(path, n_orders: int, seed: int, month: str = "2026-11") -> Export:
    """聚水潭 order detail report: xlsx with 11 title rows (merged) above the header, one row per
    order from several shops (平台 says which), 19-digit 线上订单号 as text beside the ERP's
    numeric 内部订单号; 应付金额 = 数量 × 单价 − 优惠金额; phones prefixed with `'` and masked."""
    from openpyxl import Workbook

    rng = _rng(seed, "jushuitan")
    start, end = _month_bounds(month)
    orders = _orders("jushuitan", rng, n_orders, month, lambda r: "3" + _digits(r, 18), refunds=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "订单明细"
    titles = [
        "订单明细报表",
        "",
        "公司：某某电子商务有限公司",
        "店铺：全部店铺",
        f"时间范围：{_time(start)} 至 {_time(end)}",
        "订单状态：全部",
        "发货仓：全部",
        "导出人：admin",
        f"导出时间：{_time(end + timedelta(hours=9, minutes=30))}",
        "说明：金额单位为元",
        "",
    ]
    for text in titles:
        ws.append([text or None])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(JUSHUITAN_HEADER))
    ws.append(JUSHUITAN_HEADER)
    header_row = ws.max_row
    line_rows, masked = [], []
    for i, o in enumerate(orders):
        (line,) = o.lines
        channel, shop = JUSHUITAN_SHOPS[int(rng.integers(0, len(JUSHUITAN_SHOPS)))]
        o.channel = channel
        o.extra_id = str(1_000_000 + i * 7 + int(rng.integers(0, 7)))
        ws.append(
            [
                int(o.extra_id), o.order_id, shop, channel, o.word, _time(o.created), _time(o.paid_at),
                _time(o.shipped_at), "杭州一号仓", line.sku.split("-")[0], line.sku, line.spec, line.qty,
                line.price / 100, round(line.price * 0.45) / 100, o.discount / 100, o.due / 100, o.paid / 100,
                o.refund / 100, o.courier or None, o.tracking or None, o.name, "'" + o.phone, o.place[0],
                o.place[2], o.place[3], None, None,
            ]
        )  # fmt: skip
        r = ws.max_row
        ws.cell(r, 2).data_type = "s"
        ws.cell(r, 2).number_format = "@"
        line_rows.append((o.order_id, line.sku, r))
        masked += [o.name, "'" + o.phone]
    wb.save(path)
    frame = _truth("jushuitan", orders, amount=lambda o: o.due, paid=lambda o: o.paid, refund=lambda o: o.refund)
    return _export(path, "jushuitan", "xlsx", frame, line_rows, header_row=header_row, masked=masked)


# --- 旺店通 (ERP CSV ending in a 合计 row) ----------------------------------------------------------------

WANGDIANTONG_HEADER = [
    "订单编号", "线上订单号", "店铺", "店铺平台", "订单状态", "下单时间", "付款时间", "发货时间", "发货仓", "商品编码",
    "货品名称", "颜色及规格", "货品数量", "货品单价", "货品总额", "优惠金额", "应收金额", "已付金额", "退款金额", "成本价",
    "物流公司", "物流单号", "收件人", "手机", "省市县", "客户备注",
]  # fmt: skip

WANGDIANTONG_SHOPS = [
    ("天猫", "天猫旗舰店"),
    ("淘宝", "淘宝店"),
    ("京东", "京东专卖店"),
    ("拼多多", "拼多多店"),
    ("抖店", "抖音小店"),
]


def build_wangdiantong(path, n_orders: int, seed: int, month: str = "2026-11") -> Export:
    """旺店通 order export: GBK CSV, one row per order, 18-digit 线上订单号 beside the ERP's own
    订单编号 (JY…); 店铺平台 writes 抖店 for Douyin; ends with a `合计:` row whose figures are the
    columns' sums."""
    rng = _rng(seed, "wangdiantong")
    orders = _orders("wangdiantong", rng, n_orders, month, lambda r: "2" + _digits(r, 17), refunds=True)
    rows, line_rows, masked = [], [], []
    for i, o in enumerate(orders):
        (line,) = o.lines
        channel, shop = WANGDIANTONG_SHOPS[int(rng.integers(0, len(WANGDIANTONG_SHOPS)))]
        o.channel = "抖音" if channel == "抖店" else channel
        o.extra_id = f"JY{o.created:%Y%m%d}{i + 1:05d}"
        rows.append(
            [
                o.extra_id, o.order_id, shop, channel, o.word, _time(o.created), _time(o.paid_at), _time(o.shipped_at),
                "华东仓", line.sku, line.name, line.spec, line.qty, yuan(line.price), yuan(line.goods),
                yuan(o.discount), yuan(o.due), yuan(o.paid), yuan(o.refund), yuan(round(line.price * 0.45)),
                o.courier, o.tracking, o.name, o.phone, _address(o.place, " "), "",
            ]
        )  # fmt: skip
        line_rows.append((o.order_id, line.sku, len(rows) + 1))
        masked += [o.name, o.phone]
    total = [""] * len(WANGDIANTONG_HEADER)
    total[0] = "合计:"
    sums = {
        "货品数量": str(sum(o.lines[0].qty for o in orders)),
        "货品总额": yuan(sum(o.goods for o in orders)),
        "优惠金额": yuan(sum(o.discount for o in orders)),
        "应收金额": yuan(sum(o.due for o in orders)),
        "已付金额": yuan(sum(o.paid for o in orders)),
        "退款金额": yuan(sum(o.refund for o in orders)),
    }
    for name, value in sums.items():
        total[WANGDIANTONG_HEADER.index(name)] = value
    rows.append(total)
    _write_csv(Path(path), WANGDIANTONG_HEADER, rows, "gbk")
    frame = _truth("wangdiantong", orders, amount=lambda o: o.due, paid=lambda o: o.paid, refund=lambda o: o.refund)
    return _export(path, "wangdiantong", "gb18030", frame, line_rows, total_rows=1, masked=masked)


# --- the set ---------------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[..., Export]] = {
    "taobao": build_taobao,
    "jd": build_jd,
    "pdd": build_pdd,
    "douyin": build_douyin,
    "kuaishou": build_kuaishou,
    "jushuitan": build_jushuitan,
    "wangdiantong": build_wangdiantong,
}

# The file names a shop would give them (the platform's own word in each).
FILE_NAMES = {
    "taobao": "淘宝订单报表.csv",
    "jd": "京东订单.csv",
    "pdd": "拼多多订单.csv",
    "douyin": "抖店订单.csv",
    "kuaishou": "快手订单.xlsx",
    "jushuitan": "聚水潭订单明细.xlsx",
    "wangdiantong": "旺店通订单.csv",
}
