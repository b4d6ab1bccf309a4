"""`ecomsheets import` on each platform's and ERP's export as they write them (issue 16).

The exports are built by tests/platform_exports.py (the full Taobao 订单报表, JD, Pinduoduo,
Douyin, Kuaishou, 聚水潭, 旺店通), each with its quirks, and carry their truth, computed from the generated orders. Each
is imported once (`--month 2026-11 --format json`, platform auto-detected from a file name with
the platform's word); the tests then compare the JSON report, the 订单 and 物流 sheets read back
with openpyxl, and `summarize --format json` with that truth. Before that, the builders and the
profiles are checked on their own: the truth against a pandas reading of each file, every
status word against our statuses, and each profile's detection headers against every export.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from tests.helpers import cli
from tests.platform_exports import BUILDERS, COURIERS, FILE_NAMES, OURS, STATUS_WORDS, Export

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "schemas" / "imports"
MONTH = "2026-11"
SEED = 16
N_ORDERS = {"taobao": 90, "jd": 60, "pdd": 90, "douyin": 60, "kuaishou": 90, "jushuitan": 70, "wangdiantong": 90}
PLATFORMS = list(BUILDERS)
CJK = re.compile(r"[\u4e00-\u9fff]")
TIME_COLUMNS = {  # the time columns each export writes (all must fall within the month)
    "taobao": ["订单创建时间", "订单付款时间 ", "确认收货时间"],
    "jd": ["下单时间 ", "付款确认时间", "订单完成时间"],
    "pdd": ["支付时间", "发货时间", "确认收货时间", "承诺发货时间"],
    "douyin": ["订单提交时间", "支付完成时间", "订单完成时间", "发货时间"],
    "kuaishou": ["订单创建时间", "订单支付时间", "发货时间"],
    "jushuitan": ["下单时间", "付款时间", "发货时间"],
    "wangdiantong": ["下单时间", "付款时间", "发货时间"],
}


def build(platform: str, folder: Path, name: str | None = None, **kw) -> Export:
    return BUILDERS[platform](folder / (name or FILE_NAMES[platform]), N_ORDERS[platform], SEED, MONTH, **kw)


def header_key(text) -> str:
    """A header as docs/imports.md says they are matched: spaces dropped, full-width brackets
    unified, a trailing (元) dropped."""
    text = re.sub(r"\s+", "", str(text)).replace("（", "(").replace("）", ")")
    return text[: -len("(元)")] if text.endswith("(元)") else text


def read_export(export: Export) -> pd.DataFrame:
    """The export read with pandas, everything as text (an independent reading of the file)."""
    if export.path.suffix == ".xlsx":
        return pd.read_excel(export.path, header=export.header_row - 1, dtype=str)
    return pd.read_csv(export.path, dtype=str, encoding=export.encoding, keep_default_na=False)


def money(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace("", "0").fillna("0"))


BY_HEADERS = {"taobao": "tmall"}  # the profile headers alone choose (Taobao's report is Tmall's)


def load_profile(name: str) -> dict:
    """A profile as written, the keys it leaves out taken from the profile it is `like`."""
    profile = yaml.safe_load((PROFILES / f"{name}.yaml").read_text(encoding="utf-8"))
    if "like" in profile:
        base = load_profile(profile["like"])
        profile = {**base, **profile, "detect": {**base["detect"], **profile["detect"]}}
    return profile


# --- the builders and the profiles on their own ----------------------------------------------------


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, Export]:
    folder = tmp_path_factory.mktemp("exports")
    return {p: build(p, folder) for p in PLATFORMS}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_builders_are_deterministic(platform, tmp_path, exports):
    again = build(platform, tmp_path)
    first = exports[platform]
    pd.testing.assert_frame_equal(again.orders, first.orders)
    pd.testing.assert_frame_equal(again.lines, first.lines)
    pd.testing.assert_frame_equal(read_export(again), read_export(first))
    other = BUILDERS[platform](tmp_path / ("other" + first.path.suffix), N_ORDERS[platform], SEED + 1, MONTH)
    assert set(other.orders["order_id"]) != set(first.orders["order_id"])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_truth_equals_a_pandas_reading_of_the_file(platform, exports):
    """The truth the import tests compare with is what the file says, read another way."""
    export = exports[platform]
    df = read_export(export)
    truth = export.truth
    if platform == "wangdiantong":
        assert df.iloc[-1, 0] == "合计:"
        total, df = df.iloc[-1], df.iloc[:-1]
        for column in ("应收金额", "已付金额", "退款金额"):  # the 合计 row holds the columns' sums
            assert float(total[column]) == pytest.approx(money(df[column]).sum(), abs=0.001)
    key, amount, paid, refund, order_level = {
        "taobao": ("订单编号", "总金额", "买家实际支付金额", "退款金额", False),
        "jd": ("订单号", "订单金额", "应付金额", None, True),
        "pdd": ("订单号", "商品总价(元)", "用户实付金额(元)", None, False),
        "douyin": ("主订单编号", "商品金额", "订单应付金额", None, False),
        "kuaishou": ("订单号", None, "实付款（元）", "退款金额(元)", False),
        "jushuitan": ("线上订单号", "应付金额", "已付金额", "退款金额", False),
        "wangdiantong": ("线上订单号", "应收金额", "已付金额", "退款金额", False),
    }[platform]
    ids = df[key].str.strip()
    assert len(df) == truth["lines"]
    assert ids.nunique() == truth["orders"] == len(export.orders)
    if platform == "kuaishou":  # the export has no amount: 成交数量 × 商品单价 − 商家优惠
        amounts = money(df["成交数量"]) * money(df["商品单价(元)"]) - money(df["商家优惠(元)"])
    else:
        amounts = money(df[amount])
    per_order = df.assign(_id=ids, _amount=amounts).drop_duplicates("_id") if order_level else None
    assert (per_order["_amount"].sum() if order_level else amounts.sum()) == pytest.approx(truth["amount"], abs=0.001)
    paid_rows = df.assign(_id=ids).drop_duplicates("_id") if platform in ("jd", "douyin") else df
    assert money(paid_rows[paid]).sum() == pytest.approx(truth["paid"], abs=0.001)
    assert (money(df[refund]).sum() if refund else 0) == pytest.approx(truth["refund"], abs=0.001)
    assert truth["refund"] > 0 if refund else truth["refund"] == 0


@pytest.mark.parametrize("platform", PLATFORMS)
def test_exports_have_their_quirks(platform, exports):
    """Each file really carries what the import must cope with, and dates stay in the month."""
    export = exports[platform]
    raw = export.path.read_bytes()
    df = read_export(export)
    if platform == "taobao":
        text = raw.decode("gbk")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        first = text.splitlines()[1].split(",")
        assert re.fullmatch(r'="\d{19}"', first[0]) and first[0] == first[-1]  # 订单编号, 主订单编号
        assert "收货地址 " in df.columns and "订单付款时间 " in df.columns
        assert all(v.startswith("'1") for v in df["联系手机"])
    if platform == "jd":
        assert not raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8")
        assert "订单状态 " in df.columns and "下单时间 " in df.columns  # trailing spaces
        assert export.lines.groupby("order_id").size().max() > 1  # one row per SKU
    if platform in ("pdd", "wangdiantong"):
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("gbk")
        assert ("(元)" in text) == (platform == "pdd") and ("（元）" in text) == (platform == "pdd")
    if platform == "douyin":
        assert raw.startswith(b"\xef\xbb\xbf")
        assert all(v.startswith("\t") and len(v.strip()) == 19 for v in df["主订单编号"])
        assert "##密文" in export.masked
        assert export.lines.groupby("order_id").size().max() > 1  # several 子订单
    if platform == "kuaishou":
        ws = openpyxl.load_workbook(export.path).active
        cells = [ws.cell(r, 1) for r in range(2, ws.max_row + 1)]
        assert all(c.data_type == "s" and re.fullmatch(r"\d{19}", c.value) for c in cells)
    if platform == "jushuitan":
        ws = openpyxl.load_workbook(export.path).active
        assert export.header_row == 12 and ws.cell(12, 1).value == "内部订单号"
        assert ws.cell(1, 1).value and ws.merged_cells.ranges
        assert all(re.fullmatch(r"\d{19}", ws.cell(r, 2).value) for r in range(13, ws.max_row + 1))
    if platform == "wangdiantong":
        assert raw.decode("gbk").rstrip().splitlines()[-1].startswith("合计:")
    assert any("****" in v or "##密文" in v for v in export.masked)
    for column in TIME_COLUMNS[platform]:
        times = pd.to_datetime(df[column].where(df[column] != ""), format="mixed").dropna()
        assert len(times) and times.min() >= pd.Timestamp(MONTH + "-01") and times.max() < pd.Timestamp("2026-12-01")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_tracking_numbers_follow_the_courier_patterns(platform, exports):
    parcels = exports[platform].orders.query("tracking != ''")
    if platform == "jd":
        assert parcels.empty
        return
    assert len(parcels) >= 10 and parcels["tracking"].is_unique
    for tracking, courier in zip(parcels["tracking"], parcels["courier"], strict=True):
        assert re.fullmatch(COURIERS[courier][1], tracking), (courier, tracking)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_status_words_map_to_ours(platform):
    """Every status word a builder writes is read as the intended status of ours, through the
    orders table's value_aliases or the profile's `values:`."""
    table = yaml.safe_load((ROOT / "schemas" / "tables" / "orders.yaml").read_text(encoding="utf-8"))
    status = next(c for c in table["columns"] if c["name"] == "status")
    profile_values = load_profile(platform)["tables"]["orders"].get("values", {}).get("status", {})
    assert set(profile_values.values()) <= set(status["values"])
    for stage, words in STATUS_WORDS[platform].items():
        for word in words:
            read = profile_values.get(word) or status["value_aliases"].get(word) or word
            assert read == OURS[stage], (word, read)
            assert read in status["values"]


def test_profiles_detect_only_their_own_export(exports):
    """A profile's detection headers are all in its export's header and not all in any other
    (the Tmall and Taobao profiles recognise none of these)."""
    for name in [*PLATFORMS, "tmall", "taobao"]:
        profile = load_profile(name)
        wanted = {header_key(h) for h in profile["detect"]["headers"]}
        for platform, export in exports.items():
            have = {header_key(h) for h in read_export(export).columns}
            assert (wanted <= have) == (name in (platform, BY_HEADERS.get(platform))), (name, platform)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_profile_columns_are_in_the_export(platform, exports):
    """Every column a profile reads exists in the export (one of its spellings), and the
    profiles map the figures the truth is made of."""
    profile = load_profile(platform)
    have = {header_key(h) for h in read_export(exports[platform]).columns}
    for table in profile["tables"].values():
        for spec in table["columns"].values():
            source = spec["from"] if isinstance(spec, dict) else spec
            spellings = source if isinstance(source, list) else [source]
            assert any(header_key(s) in have for s in spellings), (platform, spellings)
        for header in table.get("rows_with", []):
            assert header_key(header) in have
    orders = profile["tables"]["orders"]["columns"]
    assert {"order_id", "order_date", "quantity", "paid_amount", "status"} <= set(orders)
    assert "sku" in orders or platform == "taobao"  # the order report names no goods by code
    assert "amount" in orders or {"unit_price", "quantity"} <= set(orders)
    assert ("refund_amount" in orders) == (exports[platform].truth["refund"] > 0)
    assert ("channel" in orders) != ("channel" in profile)


# --- importing ------------------------------------------------------------------------------------


@dataclass
class Imported:
    export: Export
    exit_code: int
    output: str
    report: dict
    workbook: Path


def run_import(*args) -> tuple[int, str, dict]:
    result = cli("import", *args, "--format", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = {}
    return result.exit_code, result.output, report


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """platform -> its export imported once (auto-detected), cached for the module."""
    cache: dict[str, Imported] = {}

    def get(platform: str) -> Imported:
        if platform not in cache:
            folder = tmp_path_factory.mktemp(f"import_{platform}")
            export = build(platform, folder)
            out = folder / "out.xlsx"
            code, output, report = run_import(export.path, "-o", out, "--month", MONTH)
            cache[platform] = Imported(export, code, output, report, out)
        return cache[platform]

    return get


def sheet_rows(path: Path, sheet: str) -> list[dict]:
    """The data rows of a generated sheet as {title: cell}, the header being the row whose first
    cell is 订单编号 (a trailing * marks a required column)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    rows = ws.iter_rows()
    for row in rows:
        if str(row[0].value or "").rstrip("*") == "订单编号":
            titles = [str(c.value or "").rstrip("*") for c in row]
            break
    else:
        raise AssertionError(f"no header row in {sheet}")
    out = []
    for row in rows:
        if all(c.value in (None, "") for c in row):
            continue
        out.append({t: c for t, c in zip(titles, row, strict=False) if t})
    return out


def order_frame(path: Path) -> pd.DataFrame:
    """订单 read back: one row per line, the derived 订单金额 evaluated where it is a formula
    (ROUND(数量 × 单价 − 优惠金额, 2), blank without 数量 or 单价)."""
    records = []
    for row in sheet_rows(path, "订单"):
        value = {t: c.value for t, c in row.items()}
        amount = value["订单金额"]
        if isinstance(amount, str) and amount.startswith("="):
            q, p, d = value["数量"], value["单价"], value["优惠金额"] or 0
            amount = None if q in (None, "") or p in (None, "") else round(q * p - d, 2)
        records.append(
            {
                "order_id": value["订单编号"],
                "id_is_text": row["订单编号"].data_type == "s",
                "sku": value["商品SKU"],
                "channel": value["渠道"],
                "amount": amount,
                "paid": value["实付金额"],
                "refund": value["退款金额"],
                "province": value["收货省份"],
                "status": value["订单状态"],
                "source": value["来源"],
                "order_date": value["下单日期"],
            }
        )
    return pd.DataFrame(records)


def error_count(validation: dict) -> int:
    """Errors of a `validate --format json` document (counted in its summary)."""
    return validation["summary"]["errors"] if "summary" in validation else validation["errors"]


def metric(summary: dict, name: str) -> float | None:
    return next(m["value"] for m in summary["metrics"] if m["name"] == name and m["group"] is None)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_import_reads_the_export_cleanly(platform, imported):
    run = imported(platform)
    assert run.exit_code == 0, run.output
    (file,) = run.report["files"]
    truth = run.export.truth
    assert file["file"] == run.export.path.name
    assert file["platform"] == platform
    assert file["title"] == load_profile(platform)["title"]
    assert file["encoding"] == run.export.encoding
    assert file["rows"] == truth["lines"] + truth["total_rows"]  # every row under the header
    assert file["orders"] == truth["orders"]
    assert file["total_rows"] == truth["total_rows"] and file["header_rows"] == 0
    assert file["replaced"] == 0 and file["left_out"] == []
    assert run.report["findings"] == []  # nothing left out, the 合计 row agrees, no conflicts
    assert run.report["month"] == MONTH and run.report["replaced"] == 0 and run.report["conflicts"] == 0
    assert run.report["tables"]["orders"] == truth["lines"]
    validation = run.report["validation"]
    errors = [f for f in validation["findings"] if f.get("severity") == "error"]
    assert error_count(validation) == 0, errors[:5]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_orders_sheet_holds_the_exports_figures(platform, imported):
    run = imported(platform)
    assert run.exit_code == 0, run.output
    got = order_frame(run.workbook)
    truth = run.export.truth
    assert len(got) == truth["lines"]
    assert got["order_id"].nunique() == truth["orders"]
    assert got["amount"].sum() == pytest.approx(truth["amount"], abs=0.005)
    assert got["paid"].fillna(0).sum() == pytest.approx(truth["paid"], abs=0.005)
    assert got["refund"].fillna(0).sum() == pytest.approx(truth["refund"], abs=0.005)
    # order by order: the lines' figures add up to the order's, and the status is ours
    per_order = (
        got.fillna({"paid": 0, "refund": 0})
        .groupby("order_id")
        .agg(amount=("amount", "sum"), paid=("paid", "sum"), refund=("refund", "sum"), status=("status", "first"))
    )
    expected = run.export.orders.set_index("order_id").loc[per_order.index]
    for column in ("amount", "paid", "refund"):
        assert (per_order[column] - expected[column]).abs().max() < 0.005, column
    assert (per_order["status"] == expected["status"]).all()
    # a line's share of an order's figure never exceeds the line's amount (paid ≤ amount)
    assert (got["paid"].fillna(0) <= got["amount"] + 0.001).all()
    # province: read from the province column or the start of the address
    provinces = got.groupby("order_id")["province"].first()
    assert (provinces == expected["province"]).all()
    # dates within the month; channel as the profile says, or as the ERP's 平台 column says
    assert got["order_date"].min() >= pd.Timestamp(MONTH + "-01")
    assert got["order_date"].max() < pd.Timestamp("2026-12-01")
    channels = got.groupby("order_id")["channel"].agg(set)
    assert (channels.map(len) == 1).all()
    assert (channels.map(min) == expected["channel"]).all()
    assert expected["channel"].nunique() == (1 if load_profile(platform).get("channel") else 5)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_ids_are_kept_as_text_and_rows_say_where_they_came_from(platform, imported):
    run = imported(platform)
    assert run.exit_code == 0, run.output
    got = order_frame(run.workbook)
    assert got["id_is_text"].all()
    assert set(got["order_id"]) == set(run.export.orders["order_id"])  # every digit, no float
    if platform in ("taobao", "douyin", "kuaishou", "jushuitan"):
        assert got["order_id"].str.fullmatch(r"\d{19}").all()
    expected = run.export.lines.set_index(["order_id", "sku"])["source"]
    sources = got.set_index(["order_id", "sku"])["source"]
    assert sources.index.is_unique
    assert sources.sort_index().equals(expected.sort_index())
    first = run.export.header_row + 1  # title rows above the header are counted as the file shows them
    assert f"{run.export.path.name} 第 {first} 行" in set(sources)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_summarize_totals_equal_the_export(platform, imported, tmp_path):
    run = imported(platform)
    assert run.exit_code == 0, run.output
    result = cli("summarize", run.workbook, "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    truth = run.export.truth
    assert metric(summary, "order_count") == truth["orders"]
    assert metric(summary, "sales_total") == pytest.approx(truth["amount"], abs=0.005)
    assert metric(summary, "paid_total") == pytest.approx(truth["paid"], abs=0.005)
    assert (metric(summary, "order_refund_total") or 0) == pytest.approx(truth["refund"], abs=0.005)
    assert metric(summary, "net_sales") == pytest.approx(truth["amount"] - truth["refund"], abs=0.005)


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p != "jd"])
def test_parcels_become_logistics_rows(platform, imported):
    """One 物流 row per parcel (a parcel repeated on an order's lines is one row)."""
    run = imported(platform)
    assert run.exit_code == 0, run.output
    truth = run.export.orders.query("tracking != ''").set_index("tracking")
    rows = sheet_rows(run.workbook, "物流")
    got = {r["快递单号"].value: (r["快递公司"].value, r["订单编号"].value) for r in rows}
    assert len(rows) == len(got) == run.export.truth["logistics"] == run.report["tables"]["logistics"]
    assert got == {t: (c, o) for t, c, o in zip(truth.index, truth["courier"], truth["order_id"], strict=True)}


# --- choosing the platform ------------------------------------------------------------------------


def test_headers_alone_tell_the_platform(imported, tmp_path):
    """File names without the platform's word, all six in one import: the headers decide, and
    the month's workbook holds every export's orders and figures."""
    plain = []
    for i, platform in enumerate(PLATFORMS):
        source = imported(platform).export
        plain.append(tmp_path / f"export_{i + 1}{source.path.suffix}")
        shutil.copy(source.path, plain[-1])
    out = tmp_path / "all.xlsx"
    code, output, report = run_import(*plain, "-o", out, "--month", MONTH)
    assert code == 0, output
    assert [f["platform"] for f in report["files"]] == [BY_HEADERS.get(p, p) for p in PLATFORMS]
    assert error_count(report["validation"]) == 0
    truths = [imported(p).export.truth for p in PLATFORMS]
    got = order_frame(out)
    assert len(got) == report["tables"]["orders"] == sum(t["lines"] for t in truths)
    assert got["order_id"].nunique() == sum(t["orders"] for t in truths)
    assert got["amount"].sum() == pytest.approx(sum(t["amount"] for t in truths), abs=0.01)
    assert got["paid"].fillna(0).sum() == pytest.approx(sum(t["paid"] for t in truths), abs=0.01)
    assert got["refund"].fillna(0).sum() == pytest.approx(sum(t["refund"] for t in truths), abs=0.01)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_right_platform_name_reads_it_the_same(platform, imported, tmp_path):
    """`--platform NAME` with the right name, on a file name that does not say it."""
    auto = imported(platform)
    plain = tmp_path / ("export" + auto.export.path.suffix)
    shutil.copy(auto.export.path, plain)
    code, output, named = run_import(plain, "-o", tmp_path / "named.xlsx", "--month", MONTH, "--platform", platform)
    assert code == 0, output
    assert named["files"][0]["platform"] == platform
    assert named["tables"] == auto.report["tables"] and error_count(named["validation"]) == 0
    got, before = order_frame(tmp_path / "named.xlsx"), order_frame(auto.workbook)
    columns = ["order_id", "sku", "amount", "paid", "refund", "status", "channel", "province"]
    pd.testing.assert_frame_equal(got[columns], before[columns])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_wrong_platform_name_is_refused(platform, imported, tmp_path):
    source = imported(platform).export
    wrong = PLATFORMS[(PLATFORMS.index(platform) + 1) % len(PLATFORMS)]
    out = tmp_path / "out.xlsx"
    code, output, _ = run_import(source.path, "-o", out, "--month", MONTH, "--platform", wrong)
    assert code == 2, output
    assert CJK.search(output), output
    assert "Traceback" not in output
    assert not out.exists()


def test_a_platform_no_profile_has_is_refused(imported, tmp_path):
    out = tmp_path / "out.xlsx"
    code, output, _ = run_import(imported("jd").export.path, "-o", out, "--platform", "amazon")
    assert code == 2, output
    assert CJK.search(output) and "amazon" in output and "jd" in output  # the names there are
    assert not out.exists()


def run_fresh(*args) -> tuple[int, str]:
    """`python -m ecomsheets import ARGS` in its own process, as a shop manager runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "ecomsheets", "import", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def test_a_wrong_platform_exits_2_in_a_fresh_process(imported, tmp_path):
    """A CSV export refused for the wrong --platform: exit 2 and the Chinese message, every time
    (a process that aborts on its way out exits 134, or -6 here)."""
    source = imported("jd").export
    for _ in range(4):
        code, said = run_fresh(source.path, "-o", tmp_path / "out.xlsx", "--platform", "pdd")
        assert code == 2, said
        assert CJK.search(said) and "Traceback" not in said, said
    assert not (tmp_path / "out.xlsx").exists()


def test_a_missing_export_is_refused(tmp_path):
    code, said = run_fresh(tmp_path / "不存在.csv", "-o", tmp_path / "out.xlsx")
    assert code == 2, said
    assert CJK.search(said) and "Traceback" not in said, said
    assert not (tmp_path / "out.xlsx").exists()


def test_douyin_main_order_rows_are_skipped(tmp_path):
    """An export that writes a 主订单 row (no 子订单编号) above each order's 子订单 rows: those
    rows are order headers, not lines, and the figures stay the export's."""
    export = build("douyin", tmp_path, order_rows=True)
    out = tmp_path / "out.xlsx"
    code, output, report = run_import(export.path, "-o", out, "--month", MONTH)
    assert code == 0, output
    (file,) = report["files"]
    assert file["orders"] == file["header_rows"] == export.truth["orders"]
    assert file["rows"] == export.truth["lines"] + export.truth["orders"]
    assert error_count(report["validation"]) == 0
    got = order_frame(out)
    assert len(got) == export.truth["lines"]
    assert got["amount"].sum() == pytest.approx(export.truth["amount"], abs=0.005)
    assert got["paid"].sum() == pytest.approx(export.truth["paid"], abs=0.005)
    expected = export.lines.set_index(["order_id", "sku"])["source"].sort_index()
    assert got.set_index(["order_id", "sku"])["source"].sort_index().equals(expected)


@pytest.mark.parametrize("platform", ["jd", "douyin", "wangdiantong"])
def test_the_same_export_twice_is_one_month(platform, imported, tmp_path):
    """The same export given twice (a re-export): every order once, the rows of the file given
    last kept, each row of the first counted as replaced, none as a conflict."""
    source = imported(platform).export
    first, second = tmp_path / ("a_" + source.path.name), tmp_path / ("b_" + source.path.name)
    shutil.copy(source.path, first)
    shutil.copy(source.path, second)
    out = tmp_path / "out.xlsx"
    code, output, report = run_import(first, second, "-o", out, "--month", MONTH)
    assert code == 0, output
    truth = source.truth
    assert [f["platform"] for f in report["files"]] == [platform, platform]
    assert report["replaced"] == sum(f["replaced"] for f in report["files"]) == truth["lines"]
    assert report["conflicts"] == 0
    assert error_count(report["validation"]) == 0
    got = order_frame(out)
    assert len(got) == truth["lines"] and got["order_id"].nunique() == truth["orders"]
    assert got["amount"].sum() == pytest.approx(truth["amount"], abs=0.005)
    assert got["paid"].fillna(0).sum() == pytest.approx(truth["paid"], abs=0.005)
    assert got["source"].str.startswith(second.name + " ").all()


def test_a_total_row_that_disagrees_is_said(imported, tmp_path):
    """旺店通's 合计 row is skipped; when its figure is not the sum of the rows above, the import
    warns at that row (and the rows are imported as they are)."""
    source = imported("wangdiantong").export
    text = source.path.read_bytes().decode("gbk").rstrip("\r\n").split("\r\n")
    header, total = next(csv.reader([text[0]])), next(csv.reader([text[-1]]))
    column = header.index("应收金额")
    total[column] = f"{float(total[column]) + 100:.2f}"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(total)
    tampered = tmp_path / source.path.name
    tampered.write_bytes(("\r\n".join(text[:-1]) + "\r\n" + buf.getvalue()).encode("gbk"))
    code, output, report = run_import(tampered, "-o", tmp_path / "out.xlsx", "--month", MONTH)
    assert code == 0, output
    assert report["files"][0]["total_rows"] == 1 and report["tables"]["orders"] == source.truth["lines"]
    (warning,) = report["findings"]
    assert warning["rule"] == "import_total_mismatch" and warning["severity"] == "warning"
    assert warning["origin"] == f"{tampered.name} 第 {source.truth['lines'] + 2} 行"
    assert float(warning["expected"].replace(",", "")) == pytest.approx(source.truth["amount"], abs=0.005)


@pytest.mark.parametrize("platform, advance_from", [("taobao", ("shipped",)), ("douyin", ("paid", "shipped"))])
def test_a_re_export_after_status_changes_wins_by_its_own_times(platform, advance_from, tmp_path):
    """A re-export a few days on, given first: for the orders whose status moved on, its rows win
    by the export's own time columns; for the others the times are equal and the file given last
    wins. Every order once; its rows replaced in one file; a conflict per order that changed.
    (Taobao's report has no 发货时间: only orders it shows received have a later time there.)"""
    stem, suffix = FILE_NAMES[platform].rsplit(".", 1)
    before = build(platform, tmp_path, f"{stem}_1125.{suffix}")
    after = build(platform, tmp_path, f"{stem}_1201.{suffix}", advance=0.5, advance_from=advance_from)
    changed = set(after.orders["order_id"][after.orders["status"] != before.orders["status"]])
    assert len(changed) >= 5 and set(before.orders["order_id"]) == set(after.orders["order_id"])
    out = tmp_path / "out.xlsx"
    code, output, report = run_import(after.path, before.path, "-o", out, "--month", MONTH)
    assert code == 0, output
    assert error_count(report["validation"]) == 0
    lines = after.lines.groupby("order_id").size()
    in_changed = int(lines[lines.index.isin(changed)].sum())
    assert [f["replaced"] for f in report["files"]] == [after.truth["lines"] - in_changed, in_changed]
    assert report["replaced"] == after.truth["lines"]
    assert report["conflicts"] == len(changed)
    conflicts = {f["value"] for f in report["findings"] if f["rule"] == "import_conflict"}
    assert conflicts == changed
    got = order_frame(out)
    assert len(got) == after.truth["lines"]
    statuses = got.groupby("order_id")["status"].first()
    assert (statuses == after.orders.set_index("order_id")["status"].loc[statuses.index]).all()
    from_after = got["source"].str.startswith(after.path.name + " ")
    assert set(got["order_id"][from_after]) == changed
    assert got["amount"].sum() == pytest.approx(after.truth["amount"], abs=0.005)
    assert got["paid"].fillna(0).sum() == pytest.approx(after.truth["paid"], abs=0.005)
