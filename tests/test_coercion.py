"""`coerce_column`: what staff really type into cells, per column type, in both directions.

Every present cell ends up exactly one of:
  accepted   – read as is, no note, not invalid;
  normalised – read, with a note (original, shown value, why code);
  invalid    – cannot be read as the column's type.
Enum columns are the exception for unknown values: they are kept as typed (not invalid, no
note) so that the enum check can report them together with the list of allowed values.

The column specs are declared inline below (a small catalogue written to a temporary folder and
loaded without the shipped one), so editing a schema YAML under schemas/ cannot change what
these tests check; the shipped columns are exercised through validation in test_validate.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from datetime import datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomsheets.months import parse_month
from ecomsheets.read.coerce import coerce_column
from ecomsheets.schema import load_catalog
from ecomsheets.schema.model import Catalog, ColumnSpec

MONTH = parse_month("2026-11")

# One column per kind of cell, declared as the department schemas declare such columns.
TABLE_YAML = r"""
name: cells
title: 单元格
sheet: 单元格
columns:
  - {name: quantity, title: 数量, type: integer, min: 1, max: 100000}
  - {name: unit_price, title: 单价, type: money, min: 0, max: 1000000}
  - {name: completion, title: 完成度, type: percent, min: 0, max: 1}
  - {name: work_hours, title: 工作时长, type: decimal}
  - {name: order_date, title: 下单日期, type: date, in_month: true}
  - {name: received_time, title: 接收时间, type: datetime, in_month: true}
  - {name: clock_in, title: 上班打卡, type: time}
  - {name: is_member, title: 是否会员, type: bool}
  - {name: phone, title: 手机号, type: phone, pattern: '^1[3-9]\d{9}$|^1[3-9]\d\*{4}\d{4}$'}
  - {name: order_id, title: 订单编号, type: string, pattern: '^[A-Za-z0-9_-]{4,40}$'}
  - {name: name, title: 客户名称, type: string, max_length: 50}
  - {name: status, title: 订单状态, type: enum, values: [待付款, 待发货, 已发货, 已完成, 已取消, 退款中, 已退款]}
  - {name: province, title: 省份, type: enum, values_from: provinces}
  - {name: remark, title: 备注, type: text}
"""
PROVINCES_YAML = """
name: provinces
title: 省份
items:
  - {value: 北京市, code: "110000", short: 北京}
  - {value: 上海市, code: "310000", short: 上海}
  - {value: 浙江省, code: "330000", short: 浙江}
  - {value: 广西壮族自治区, code: "450000", short: 广西}
"""


def _inline_catalog() -> Catalog:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "tables").mkdir()
        (root / "reference").mkdir()
        (root / "tables" / "cells.yaml").write_text(TABLE_YAML, encoding="utf-8")
        (root / "reference" / "provinces.yaml").write_text(PROVINCES_YAML, encoding="utf-8")
        return load_catalog([root], builtin=False)


CATALOG = _inline_catalog()
CELLS = CATALOG.tables["cells"]

COLUMNS: dict[str, ColumnSpec] = {
    "integer": CELLS.column("quantity"),
    "money": CELLS.column("unit_price"),
    "percent": CELLS.column("completion"),
    "decimal": CELLS.column("work_hours"),
    "date": CELLS.column("order_date"),
    "datetime": CELLS.column("received_time"),
    "time": CELLS.column("clock_in"),
    "bool": CELLS.column("is_member"),
    "phone": CELLS.column("phone"),
    "id": CELLS.column("order_id"),  # string with a pattern: full-width folded
    "name": CELLS.column("name"),  # string without a pattern: kept as typed
    "status": CELLS.column("status"),  # enum with a fixed list
    "province": CELLS.column("province"),  # enum from the provinces list (short forms)
    "text": CELLS.column("remark"),
}


def _province_aliases() -> dict[str, str]:
    """Short spellings of provinces (北京 → 北京市) and their codes, as validation passes them."""
    out = {}
    for item in CATALOG.reference["provinces"].items:
        for key in ("short", "code"):
            if item.get(key):
                out[str(item[key])] = item["value"]
    return out


ALIASES = {"province": _province_aliases()}


def _sanity_check_columns():
    expected = {
        "integer": "integer",
        "money": "money",
        "percent": "percent",
        "decimal": "decimal",
        "date": "date",
        "datetime": "datetime",
        "time": "time",
        "bool": "bool",
        "phone": "phone",
        "id": "string",
        "name": "string",
        "status": "enum",
        "province": "enum",
        "text": "text",
    }
    for key, col in COLUMNS.items():
        assert col.type == expected[key], (key, col.type)
    assert COLUMNS["id"].pattern and not COLUMNS["name"].pattern


_sanity_check_columns()


def test_columns_come_from_the_inline_catalogue_alone():
    """Nothing here is read from the shipped schemas: only the table and list declared above."""
    assert set(CATALOG.tables) == {"cells"} and set(CATALOG.reference) == {"provinces"}
    assert not CATALOG.bundles
    assert ALIASES["province"] == {
        "北京": "北京市",
        "110000": "北京市",
        "上海": "上海市",
        "310000": "上海市",
        "浙江": "浙江省",
        "330000": "浙江省",
        "广西": "广西壮族自治区",
        "450000": "广西壮族自治区",
    }


# --- outcomes ----------------------------------------------------------------------------------
def ok(value):
    """Accepted silently with this value."""
    return ("ok", value, None)


def norm(value, why):
    """Accepted with a note of this why code."""
    return ("norm", value, why)


INVALID = ("invalid", None, None)


BLANK = ("blank", None, None)  # present in the file, but nothing is left once cleaned


def kept(value):
    """Enum only: an unknown value kept as typed for the enum check (not invalid, no note)."""
    return ("kept", value, None)


def D(y, m, d, hh=0, mm=0, ss=0):
    return pd.Timestamp(datetime(y, m, d, hh, mm, ss))


def T(h, m, s=0):
    return time(h, m, s)


NBSP, IDEO = "\u00a0", "\u3000"

# (column key, cell text, with the workbook month?, outcome)
CASES = [
    # --- integers ---
    ("integer", "12", True, ok(12.0)),
    ("integer", "-5", True, ok(-5.0)),
    ("integer", "12.0", True, ok(12.0)),
    ("integer", "1e3", True, ok(1000.0)),  # scientific notation is a plain numeral
    ("integer", "１２３", True, norm(123.0, "fullwidth")),
    ("integer", " 12 ", True, norm(12.0, "spaces")),
    ("integer", NBSP + "12", True, norm(12.0, "spaces")),
    ("integer", "12" + IDEO, True, norm(12.0, "spaces")),
    ("integer", "\t12", True, norm(12.0, "spaces")),
    ("integer", "1,234", True, norm(1234.0, "currency")),  # thousands separator
    ("integer", "1.5", True, INVALID),
    ("integer", "12%", True, INVALID),
    ("integer", "abc", True, INVALID),
    ("integer", "inf", True, INVALID),
    ("integer", "-inf", True, INVALID),
    ("integer", "nan", True, INVALID),
    ("integer", "NaN", True, INVALID),
    ("integer", "Infinity", True, INVALID),
    # "１２３，４５" folds to "123,45": a decimal comma (123.45) or a misplaced thousands
    # separator (12345)? Ambiguous, so it is refused rather than guessed (documented in
    # normalize.ascii_fold and number: only well-formed 1,234 groups are thousands).
    ("integer", "１２３，４５", True, INVALID),
    ("integer", "1,23", True, INVALID),
    ("integer", "1.234,5", True, INVALID),
    ("integer", "--5", True, INVALID),
    ("integer", "(12)", True, INVALID),
    # --- money ---
    ("money", "1234.5", True, ok(1234.5)),
    ("money", "-3.5", True, ok(-3.5)),  # negative numbers read; the min check judges them
    ("money", "¥1,234.50", True, norm(1234.5, "currency")),
    ("money", "￥1234.5", True, norm(1234.5, "currency")),  # full-width yen sign
    ("money", "1,234.50元", True, norm(1234.5, "currency")),
    ("money", "RMB 12", True, norm(12.0, "currency")),
    ("money", "CNY12", True, norm(12.0, "currency")),
    ("money", "12元", True, norm(12.0, "currency")),
    ("money", "-¥12", True, norm(-12.0, "currency")),
    ("money", "¥-12", True, norm(-12.0, "currency")),
    ("money", "１２３，４５６", True, norm(123456.0, "currency")),  # well-formed groups once folded
    ("money", " 88.8" + NBSP, True, norm(88.8, "spaces")),
    ("money", "12%", True, INVALID),  # a percentage is not an amount
    ("money", "１２３，４５", True, INVALID),
    ("money", "123,45", True, INVALID),
    ("money", "1.2.3", True, INVALID),
    ("money", "¥", True, INVALID),
    ("money", "inf", True, INVALID),
    ("money", "1e400", True, INVALID),  # overflows to inf
    ("money", "-1e400", True, INVALID),
    ("money", "nan", True, INVALID),
    # --- percent ---
    ("percent", "0.12", True, ok(0.12)),
    ("percent", "12%", True, norm(0.12, "percent")),
    ("percent", "12 %", True, norm(0.12, "percent")),
    ("percent", "１２％", True, norm(0.12, "percent")),
    ("percent", "-5%", True, norm(-0.05, "percent")),
    ("percent", "150%", True, norm(1.5, "percent")),  # read; the max check judges it
    ("percent", "inf", True, INVALID),
    ("percent", "百分之十", True, INVALID),
    # --- decimal ---
    ("decimal", "1.5", True, ok(1.5)),
    ("decimal", "１．５", True, norm(1.5, "fullwidth")),
    ("decimal", " 3 ", True, norm(3.0, "spaces")),
    ("decimal", "1。5", True, norm(1.5, "fullwidth")),
    # --- dates ---
    ("date", "2026-11-03", True, ok(D(2026, 11, 3))),
    ("date", "2026-11-03 00:00:00", True, ok(D(2026, 11, 3))),  # how the reader gives a date cell
    ("date", "2026/11/3", True, norm(D(2026, 11, 3), "date_text")),
    ("date", "2026-11-3", True, norm(D(2026, 11, 3), "date_text")),
    ("date", "2026.11.3", True, norm(D(2026, 11, 3), "date_text")),
    ("date", "2026年11月3日", True, norm(D(2026, 11, 3), "date_text")),
    ("date", "20261103", True, norm(D(2026, 11, 3), "date_text")),
    ("date", "2026/11/3 9:05", True, norm(D(2026, 11, 3), "date_text")),
    ("date", "11月3日", True, norm(D(2026, 11, 3), "date_text")),  # year from the workbook month
    ("date", "11/3", True, norm(D(2026, 11, 3), "date_text")),
    ("date", "11月3日", False, INVALID),  # no month known: no year to put it in
    ("date", "11/3", False, INVALID),
    ("date", "46329", True, norm(D(2026, 11, 3), "serial")),  # Excel serial stored as text
    ("date", "46329", False, norm(D(2026, 11, 3), "serial")),
    ("date", "２０２６－１１－０３", True, norm(D(2026, 11, 3), "fullwidth")),
    ("date", " 2026-11-03", True, norm(D(2026, 11, 3), "spaces")),
    ("date", "2026-02-30", True, INVALID),
    ("date", "2026-13-01", True, INVALID),
    ("date", "2026-11-31", True, INVALID),
    ("date", "3/11/2026", True, INVALID),
    ("date", "明天", True, INVALID),
    ("date", "0", True, INVALID),
    # --- datetimes ---
    ("datetime", "2026-11-03 09:05:00", True, ok(D(2026, 11, 3, 9, 5))),
    ("datetime", "2026-11-03 09:05", True, ok(D(2026, 11, 3, 9, 5))),
    ("datetime", "2026-11-03", True, ok(D(2026, 11, 3))),
    ("datetime", "2026/11/3 9:05", True, norm(D(2026, 11, 3, 9, 5), "date_text")),
    ("datetime", "2026-11-03 9:05", True, norm(D(2026, 11, 3, 9, 5), "date_text")),
    ("datetime", "2026/11/3 9点05分", True, norm(D(2026, 11, 3, 9, 5), "date_text")),
    ("datetime", "2026年11月3日", True, norm(D(2026, 11, 3), "date_text")),
    ("datetime", "11月3日 14:30", True, norm(D(2026, 11, 3, 14, 30), "date_text")),
    ("datetime", "2026-11-03 25:00", True, INVALID),
    ("datetime", "2026-02-30 09:00", True, INVALID),
    ("datetime", "2026-11-03T09:05", True, INVALID),
    ("datetime", "46329.5", True, norm(D(2026, 11, 3, 12, 0), "serial")),
    # --- times ---
    ("time", "09:05", True, ok(T(9, 5))),
    ("time", "09:05:00", True, ok(T(9, 5))),
    ("time", "1899-12-31 09:30:00", True, ok(T(9, 30))),  # how the reader gives a time cell
    ("time", "1899-12-30 09:30:00", True, ok(T(9, 30))),
    ("time", "9:05", True, norm(T(9, 5), "time_text")),
    ("time", "9点05分", True, norm(T(9, 5), "time_text")),
    ("time", "9：05", True, norm(T(9, 5), "time_text")),
    ("time", " 09:05", True, norm(T(9, 5), "spaces")),
    ("time", "0.375", True, norm(T(9, 0), "serial")),
    ("time", "0.5", True, norm(T(12, 0), "serial")),
    ("time", "25:00", True, INVALID),
    ("time", "12:60", True, INVALID),
    ("time", "9:05 AM", True, INVALID),
    ("time", "早上九点", True, INVALID),
    # --- yes/no ---
    ("bool", "是", True, ok("是")),
    ("bool", "否", True, ok("否")),
    ("bool", "true", True, ok("是")),  # how the reader gives a TRUE/FALSE cell
    ("bool", "false", True, ok("否")),
    ("bool", "Y", True, norm("是", "bool")),
    ("bool", "N", True, norm("否", "bool")),
    ("bool", "yes", True, norm("是", "bool")),
    ("bool", "no", True, norm("否", "bool")),
    ("bool", "TRUE", True, norm("是", "bool")),
    ("bool", "FALSE", True, norm("否", "bool")),
    ("bool", "1", True, norm("是", "bool")),
    ("bool", "0", True, norm("否", "bool")),
    ("bool", "√", True, norm("是", "bool")),
    ("bool", "×", True, norm("否", "bool")),
    ("bool", "是 ", True, norm("是", "spaces")),
    ("bool", "maybe", True, INVALID),
    ("bool", "是的吧", True, INVALID),
    # --- phones ---
    ("phone", "13812345678", True, ok("13812345678")),
    ("phone", "186****6198", True, ok("186****6198")),  # masked numbers from platform exports
    ("phone", "+86 138 1234 5678", True, norm("13812345678", "phone")),
    ("phone", "0086-13812345678", True, norm("13812345678", "phone")),
    ("phone", "8613812345678", True, norm("13812345678", "phone")),
    ("phone", "'13812345678", True, norm("13812345678", "prefix")),  # the leading ' is an export prefix
    ("phone", "138 1234 5678", True, norm("13812345678", "phone")),
    ("phone", "138-1234-5678", True, norm("13812345678", "phone")),
    ("phone", "１３８１２３４５６７８", True, norm("13812345678", "fullwidth")),
    ("phone", "12345", True, INVALID),
    ("phone", "23812345678", True, INVALID),
    ("phone", "1381234567", True, INVALID),
    ("phone", "138123456789", True, INVALID),
    ("phone", "010-12345678", True, INVALID),  # a landline is not a mobile number
    ("phone", "13812345678.0", True, norm("13812345678", "phone")),
    # --- identifiers (string with a pattern) ---
    ("id", "O0100001", True, ok("O0100001")),
    ("id", '="4012345678901234"', True, norm("4012345678901234", "prefix")),  # Taobao export form
    ("id", "'O0100001", True, norm("O0100001", "prefix")),
    ("id", "\tO0100001", True, norm("O0100001", "prefix")),
    ("id", " O0100001 ", True, norm("O0100001", "spaces")),
    ("id", "\u200bO0100001", True, norm("O0100001", "spaces")),
    ("id", "ＡＢ１２３", True, norm("AB123", "fullwidth")),
    ("id", "O０１００００１", True, norm("O0100001", "fullwidth")),
    ("id", "=O123", True, ok("=O123")),  # not an export prefix: kept for the pattern check
    ("id", '=""', True, BLANK),
    ("id", "'", True, BLANK),
    # --- short text without a pattern: never folded ---
    ("name", "张三", True, ok("张三")),
    ("name", "ＡＢ１２３", True, ok("ＡＢ１２３")),
    ("name", "张三 ", True, norm("张三", "spaces")),
    ("name", IDEO + "张三", True, norm("张三", "spaces")),
    ("name", '="张三"', True, norm("张三", "prefix")),
    ("name", '=""', True, BLANK),
    # --- enums ---
    ("status", "已完成", True, ok("已完成")),
    ("status", " 已完成 ", True, norm("已完成", "spaces")),
    ("status", "已完成" + IDEO, True, norm("已完成", "spaces")),
    ("status", "已发", True, kept("已发")),  # unknown: left for the enum check
    ("province", "北京市", True, ok("北京市")),
    ("province", "北京", True, norm("北京市", "alias")),
    ("province", "浙江", True, norm("浙江省", "alias")),
    ("province", "广西", True, norm("广西壮族自治区", "alias")),
    ("province", "110000", True, norm("北京市", "alias")),  # GB/T 2260 code
    ("province", " 北京 ", True, norm("北京市", "alias")),
    ("province", "火星", True, kept("火星")),
    ("province", "Beijing", True, kept("Beijing")),
    # --- free text: trimmed, never refused ---
    ("text", "  备注 ", True, ok("备注")),
    ("text", "第一行\n第二行", True, ok("第一行\n第二行")),
]


def _case_id(case) -> str:
    values = case.values if hasattr(case, "values") else case
    return f"{values[0]}:{values[1]!r}" + ("" if values[2] else ":no-month")


def _coerce(key: str, texts: list, month=True):
    return coerce_column(
        pd.Series(texts, dtype=object),
        COLUMNS[key],
        MONTH if month else None,
        ALIASES.get(key),
        prefix_match=key == "province",
    )


def _outcome(result, pos: int):
    notes = [n for n in result.notes if n[0] == pos]
    assert len(notes) <= 1
    value = result.values.iat[pos]
    if result.invalid[pos]:
        assert not notes, "a cell is never both normalised and invalid"
        return INVALID[0], value, None
    if notes:
        return "norm", value, notes[0][3]
    return "ok", value, None


def _same(got, want) -> bool:
    if isinstance(want, float):
        return isinstance(got, (float, np.floating)) and abs(float(got) - want) < 1e-9
    if isinstance(want, pd.Timestamp):
        return isinstance(got, (pd.Timestamp, datetime)) and pd.Timestamp(got) == want
    return type(got) is type(want) and got == want


# A cell is checked in two columns: among blanks only (where a column of plain numerals or
# dates takes the whole-column fast path), and next to junk (which sends the other cells
# through the per-cell path). Either way it must come out the same.
CONTEXTS = {"blanks": [None, "{}", " "], "mixed": [None, "{}", " ", "?x"]}


@pytest.mark.parametrize("context", sorted(CONTEXTS))
@pytest.mark.parametrize("key, text, with_month, expected", CASES, ids=[_case_id(c) for c in CASES])
def test_cell(key, text, with_month, expected, context):
    # The cell sits between a blank and a space-only cell: positions must line up.
    cells = [text if c == "{}" else c for c in CONTEXTS[context]]
    result = _coerce(key, cells, with_month)
    kind, value, why = _outcome(result, 1)
    want_kind, want_value, want_why = expected
    if want_kind == "blank":
        assert (kind, why) == ("ok", None) and pd.isna(value), f"{text!r} read as {value!r} ({kind}, {why})"
    elif want_kind == "kept":
        assert (kind, why) == ("ok", None), f"{text!r}: unknown enum values are neither noted nor invalid"
        assert value == want_value
    elif want_kind == "invalid":
        assert kind == "invalid", f"{text!r} read as {value!r} ({why})"
        if COLUMNS[key].type != "enum":
            assert pd.isna(value)
    else:
        assert (kind, why) == (want_kind, want_why), f"{text!r} read as {value!r} ({kind}, {why})"
        assert _same(value, want_value), f"{text!r}: {value!r} != {want_value!r}"
    # The blank neighbours stay blank, unflagged.
    for pos in (0, 2):
        assert pd.isna(result.values.iat[pos]) and not result.invalid[pos]
        assert not [n for n in result.notes if n[0] == pos]


def test_overflowing_numeral_is_invalid_whatever_the_neighbours():
    """Regression: when the whole-column cast failed (a non-numeral anywhere in the column),
    the fallback cast kept '1e400' as inf, a valid amount."""
    for cells in (["1e400"], ["1e400", "abc"], ["12", "-1e400", "¥3"]):
        result = _coerce("money", cells)
        pos = next(i for i, c in enumerate(cells) if "e400" in c)
        assert result.invalid[pos] and pd.isna(result.values.iat[pos]), (cells, result.values.tolist())


def test_note_carries_original_and_shown_value():
    result = _coerce("money", ["¥1,234.50", "12"])
    assert result.notes == [(0, "¥1,234.50", "1234.5", "currency")]
    result = _coerce("date", ["2026年11月3日"])
    assert result.notes == [(0, "2026年11月3日", "2026-11-03", "date_text")]
    result = _coerce("time", ["9点05分"])
    assert result.notes == [(0, "9点05分", "09:05", "time_text")]
    result = _coerce("datetime", ["2026/11/3 9:05"])
    assert result.notes == [(0, "2026/11/3 9:05", "2026-11-03 09:05", "date_text")]


def _plain_cases():
    return [c for c in CASES if isinstance(c, tuple)]


@pytest.mark.parametrize("key", sorted(COLUMNS))
def test_whole_column_at_once_matches_cell_by_cell(key):
    """The vectorised path (fast path + one parse per distinct text) gives each cell the
    outcome it gets alone, whatever its neighbours, and repeated texts agree."""
    for with_month in (True, False):
        texts = [c[1] for c in _plain_cases() if c[0] == key and c[2] == with_month]
        if not texts:
            continue
        column = texts + texts[::-1] + [None, "", IDEO]
        together = _coerce(key, column, with_month)
        for i, text in enumerate(column):
            alone = _coerce(key, [text], with_month)
            a, b = _outcome(together, i), _outcome(alone, 0)
            assert a[0] == b[0] and a[2] == b[2], (text, a, b)
            assert (pd.isna(a[1]) and pd.isna(b[1])) or a[1] == b[1], (text, a, b)


BLANKS = [None, float("nan"), "", " ", "   ", NBSP, IDEO, "\u200b", "\ufeff", "\t", "\n", IDEO + NBSP + " "]


@pytest.mark.parametrize("key", sorted(COLUMNS))
def test_blank_cells_are_absent(key):
    result = _coerce(key, BLANKS)
    assert result.values.isna().all(), result.values.tolist()
    assert not result.invalid.any()
    assert result.notes == []


def test_result_dtypes():
    assert _coerce("integer", ["1", "x"]).values.dtype == np.float64
    assert _coerce("money", ["¥1", None]).values.dtype == np.float64
    assert pd.api.types.is_datetime64_any_dtype(_coerce("date", ["2026-11-03", "2026/11/4", None]).values)
    assert pd.api.types.is_datetime64_any_dtype(_coerce("datetime", ["2026-11-03 09:00:00", None]).values)


def test_index_is_reset_positions_refer_to_order():
    """Notes and invalid flags are positions in the given order, whatever the Series index is
    (the validator passes columns indexed by Excel row numbers)."""
    raw = pd.Series(["12", "1,2", "¥5"], index=[7, 9, 12], dtype=object)
    result = coerce_column(raw, COLUMNS["money"])
    assert result.invalid.tolist() == [False, True, False]
    assert [n[0] for n in result.notes] == [2]
    assert list(result.values.index) == [0, 1, 2]


# --- property: never raises, every present cell has exactly one outcome ----------------------
_TYPED_COLUMNS = sorted(COLUMNS)

_cell_text = st.one_of(
    st.none(),
    st.text(),  # includes control characters, emoji, any plane
    st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)),  # full-width
    st.text(alphabet="0123456789 .,-+:/%¥￥元年月日点分秒时eE\u3000\u00a0'=\"\t"),
    st.from_regex(r"[+-]?\d{0,6}([.,]\d{0,4})?(%|元)?", fullmatch=True),
    st.text(min_size=1000, max_size=5000),
    st.sampled_from(
        [
            "1e400",
            "-1e400",
            "46329.5",
            "0.999999",
            "1899-12-31 23:59:59",
            '=""',
            "'",
            "😀",
            "１２３，４５",
            "\x00",
            "\x1b[31m",
            "\ud7ff",
            "9" * 400,
        ]
    ),
)


def _blank(text) -> bool:
    if text is None or (isinstance(text, float) and text != text):
        return True
    return (
        text.strip(
            " \t\n\r\x0b\x0c\u00a0\u3000\u200b\ufeff\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
            "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\x1c\x1d\x1e\x1f\x85"
        )
        == ""
    )


NUMERIC = ("integer", "decimal", "money", "percent")


_SPACES = " \t\n\r\u00a0\u3000\u200b\u2002\u2003\u2009\ufeff"


def _export_blank(text: str) -> bool:
    """Nothing but an export prefix: =\"\" or a leading ' (or tab) before nothing."""
    t = text.strip(_SPACES)
    if text.startswith(("'", "\t")) or t.startswith("'"):
        return t.lstrip("'\t").strip(_SPACES) == ""
    m = re.fullmatch(r'="(.*)"', t, re.S)
    return bool(m) and m[1].strip(_SPACES) == ""


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(_cell_text, min_size=1, max_size=12), key=st.sampled_from(_TYPED_COLUMNS), with_month=st.booleans()
)
def test_property_every_present_cell_has_exactly_one_outcome(cells, key, with_month):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy on inf; not what is tested
        result = _coerce(key, cells, with_month)
    assert len(result.values) == len(cells) == len(result.invalid)
    noted = [n[0] for n in result.notes]
    assert len(noted) == len(set(noted)), "at most one note per cell"
    for pos, original, shown, why in result.notes:
        assert original == cells[pos]
        assert isinstance(shown, str) and isinstance(why, str) and why
    for i, text in enumerate(cells):
        note = i in noted
        bad = bool(result.invalid[i])
        assert not (note and bad), f"{text!r} is both normalised and invalid"
        value = result.values.iat[i]
        if _blank(text):
            assert not note and not bad and pd.isna(value), f"blank {text!r} read as {value!r}"
        elif bad:
            assert pd.isna(value), f"invalid {text!r} still has a value {value!r}"
        elif _export_blank(text) and COLUMNS[key].type in ("string", "enum"):
            # Nothing but an export prefix (="" or a lone '): a blank cell, no note.
            assert not note and not bad and pd.isna(value), (text, value)
        else:
            assert not pd.isna(value), f"{text!r} accepted without a value"
            if COLUMNS[key].coltype.kind == "number" and COLUMNS[key].type in NUMERIC:
                assert np.isfinite(value), f"{text!r} read as {value!r}"
