"""One export's rows onto our tables, as its profile says: clean each cell the way exports
need, skip title and total rows (checking the totals), leave out rows that cannot be orders
(saying why), map the export's words onto our values and read every value as its column's
type, exactly as validation reads a typed cell. A value that cannot be read is kept as its
text, so that validating the imported workbook names it at its cell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ecomsheets import messages
from ecomsheets.compute.derived import compute_derived
from ecomsheets.findings import ERROR, WARNING, Finding, finding
from ecomsheets.months import Month
from ecomsheets.read.coerce import accepted_spellings, coerce_column
from ecomsheets.rules import Rule
from ecomsheets.schema import Catalog, TableSpec
from ecomsheets.schema.imports import ColumnSource, ImportProfile, TableImport

from .source import RawExport, Refused

ORDER_KEY = "_order"  # the order id of each row, kept beside the columns for merging exports
ROW = "_row"  # the export's row number
# What exports put around a value, and what a masked value looks like (****, ##密文, 密文).
_SPACE_CHARS = " \t\r\n\u3000\ufeff"
MASK_PATTERN = r"^(\*+|#+.*|\**密文\**)$"
_MASK_WORDS = "密文"
_CURRENCY_CHARS = "¥￥"
_FEW = 1000  # rows from which a column's distinct values are read once each
LISTED = 1000  # findings of one kind listed per export; the rest are counted in the import's lines


@dataclass
class Mapped:
    """One export read onto our tables."""

    raw: RawExport
    profile: ImportProfile
    frames: dict[str, pd.DataFrame]  # table -> typed values (texts where unreadable) + ORDER_KEY, ROW
    provided: dict[str, list[str]]  # table -> our columns the export gave
    newest: Callable[[], pd.Series]  # order id -> the latest of the export's own time columns for it
    total_rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    left_out: list[tuple[int, str]] = field(default_factory=list)  # (row, why) for the summary
    header_rows: int = 0  # order header rows of a line export (their lines are imported)

    @property
    def name(self) -> str:
        return self.raw.path.name

    @cached_property
    def recency(self) -> pd.Series:
        return self.newest()


def clean(values: pa.Array) -> pa.Array:
    """Cells as exports write them: ="…" and a leading ' or tab around ids, spaces around
    anything, fully masked values (****, ##密文) read as blank."""
    arr = pc.utf8_trim(values, characters=_SPACE_CHARS)
    first = pc.utf8_slice_codeunits(arr, 0, 1)
    marks = pc.unique(first).to_pylist()  # the few characters cells start with
    if "=" in marks:
        arr = pc.replace_substring_regex(arr, pattern=r'^="(.*)"$', replacement=r"\1")
    if "'" in marks:
        arr = pc.utf8_trim(pc.utf8_ltrim(arr, characters="'"), characters=_SPACE_CHARS)
    blank = pc.equal(pc.utf8_length(arr), 0)
    if "*" in marks or "#" in marks or pc.any(pc.match_substring(arr, _MASK_WORDS)).as_py():
        blank = pc.or_kleene(pc.match_substring_regex(arr, pattern=MASK_PATTERN), blank)
    return pc.if_else(pc.fill_null(blank, False), pa.scalar(None, pa.string()), arr)


class Cleaned:
    """An export's columns, cleaned once on first use."""

    def __init__(self, raw: RawExport):
        self.raw = raw
        self._done: dict[str, pa.Array] = {}

    def __contains__(self, key: str) -> bool:
        return key in self.raw.columns

    def get(self, key: str) -> pa.Array:
        if key not in self._done:
            self._done[key] = clean(self.raw.columns[key])
        return self._done[key]

    def source(self, src: ColumnSource) -> pa.Array | None:
        key = next((h for h in src.headers if h in self.raw.columns), None)
        if key is None:
            return None
        arr = self.get(key)
        if src.split:
            pieces = pd.Series(arr.to_pandas(), dtype=object).str.split(src.split, n=src.part + 1, regex=False)
            arr = clean(pa.array(pieces.str.get(src.part), type=pa.string()))
        return arr


def order_ids(profile: ImportProfile, cleaned: Cleaned) -> pa.Array:
    orders = profile.table("orders")
    assert orders is not None  # the loader refuses a profile without it
    src = dict(orders.columns)["order_id"]
    arr = cleaned.source(src)
    return arr if arr is not None else pa.nulls(len(cleaned.raw), pa.string())


def damaged_id(ids: pa.Array, from_book: bool) -> str | None:
    """An id showing that a spreadsheet program turned the ids into numbers (they keep 15
    significant digits): scientific notation, or every long id ending in zeros past its 15th
    digit; from an xlsx, every long id (two or more) exactly a float's value."""
    science = pc.fill_null(pc.match_substring_regex(ids, pattern=r"^\d+(\.\d+)?[eE]\+\d+$"), False)
    if pc.any(science).as_py():
        return str(ids.filter(science)[0])
    is_long = pc.fill_null(pc.match_substring_regex(ids, pattern=r"^\d{16,}$"), False)
    if not pc.any(is_long).as_py():
        return None
    long = ids.filter(is_long)
    if pc.all(pc.match_substring_regex(pc.utf8_slice_codeunits(long, 15), pattern="^0+$")).as_py():
        return str(long[0])
    if from_book and len(long) >= 2:
        try:
            exact = pc.cast(long, pa.uint64())
            through_float = pc.cast(pc.cast(exact, pa.float64(), safe=False), pa.uint64(), safe=False)
        except (pa.ArrowInvalid, OverflowError):  # longer than any number: never was one
            return None
        if pc.all(pc.equal(exact, through_float)).as_py():
            return str(long[0])
    return None


def total_row_mask(profile: ImportProfile, cleaned: Cleaned) -> np.ndarray:
    """Rows whose first filled cell (of the first three columns) starts with 合计/总计."""
    n = len(cleaned.raw)
    first = pa.nulls(n, pa.string())
    for key in cleaned.raw.keys[:3]:
        first = pc.coalesce(first, cleaned.get(key))
    hit = np.zeros(n, dtype=bool)
    for word in profile.total_words:
        hit |= pc.fill_null(pc.starts_with(first, word), False).to_numpy(zero_copy_only=False)
    return hit


def map_export(
    raw: RawExport, profile: ImportProfile, catalog: Catalog, month: Month | None, lang: str = "zh"
) -> Mapped:
    """The export's rows as typed frames of our tables, with what was left out and why."""
    cleaned = Cleaned(raw)
    name = raw.path.name
    n = len(raw)
    ids = order_ids(profile, cleaned)
    example = damaged_id(ids, raw.encoding in ("xlsx", "xls"))
    if example is not None:
        raise Refused(finding(Rule.IMPORT_ID_DAMAGED, ERROR, file=str(raw.path), value=example))
    totals = total_row_mask(profile, cleaned)
    keep = ~totals
    findings: list[Finding] = []
    left_out: list[tuple[int, str]] = []

    def left(row: int, severity: str, zh: str, en: str) -> None:
        left_out.append((row, zh))
        if len(left_out) <= LISTED:
            findings.append(
                finding(
                    Rule.IMPORT_ROW_LEFT_OUT,
                    severity,
                    file=name,
                    row=row,
                    origin=origin_text(name, row, lang),
                    why_zh=zh,
                    why_en=en,
                )
            )

    def leave(mask: np.ndarray, why: str, severity: str, **params) -> None:
        nonlocal keep
        zh, en = messages.both(f"why_{why}", **params)
        for pos in np.flatnonzero(mask & keep):
            left(int(raw.rows[pos]), severity, zh, en)
        keep = keep & ~mask

    header_rows = 0
    if profile.rows == "line" and profile.lines_with:
        present = [k for k in profile.lines_with if k in cleaned]
        if present:
            is_line = np.zeros(n, dtype=bool)
            for key in present:
                is_line |= pc.is_valid(cleaned.get(key)).to_numpy(zero_copy_only=False)
            header_rows = int((~is_line & keep).sum())
            keep &= is_line
    data_rows = keep.copy()  # what a total row adds up: every row but header and total rows
    leave(~pc.is_valid(ids).to_numpy(zero_copy_only=False), "import_no_order", ERROR)
    for bad in raw.bad_rows:
        left(bad, ERROR, *messages.both("why_import_fields"))

    frames: dict[str, pd.DataFrame] = {}
    provided: dict[str, list[str]] = {}
    # Orders first: their dates decide which rows are in the month, for every table.
    for spec in sorted(profile.tables, key=lambda t: t.table != "orders"):
        table = catalog.tables[spec.table]
        rows = keep.copy()
        for key in spec.rows_with:
            rows &= pc.is_valid(cleaned.get(key)).to_numpy(zero_copy_only=False) if key in cleaned else False
        typed, given = _typed(spec, table, cleaned, rows, catalog, month, profile, spec.table == "orders")
        dated = month_column(table)
        if spec.table == "orders" and month is not None and dated in typed:
            dates = pd.to_datetime(typed[dated], errors="coerce")
            first, after = pd.Timestamp(month.start), pd.Timestamp(month.end) + pd.Timedelta(days=1)
            outside = dates.notna() & ((dates < first) | (dates >= after))
            if outside.any():
                mask = np.zeros(n, dtype=bool)
                positions = np.flatnonzero(rows)[outside.to_numpy()]
                mask[positions] = True
                _leave_month(leave, mask, dates[outside], positions, month)
                typed = typed[~outside.to_numpy()].reset_index(drop=True)
                rows &= ~mask
        positions = np.flatnonzero(rows)
        typed[ORDER_KEY] = pd.Series(ids.take(pa.array(positions)).to_pylist() if len(positions) else [], dtype=object)
        typed[ROW] = raw.rows[positions]
        if table.origin:
            typed[table.origin] = origin_texts(name, raw.rows[positions], lang)
        if spec.table != "orders":
            # A parcel or a case repeated on each line of a line export is one row.
            typed = typed.drop_duplicates(subset=[c for c in typed.columns if c not in (ROW, table.origin)])
        if spec.order_level and profile.rows == "line":
            _split_order_level(typed, spec, table)
        frames[spec.table] = typed.reset_index(drop=True)
        provided[spec.table] = given
    return Mapped(
        raw,
        profile,
        frames,
        provided,
        lambda: _recency(profile, cleaned, ids, keep),  # only asked for when exports overlap
        total_rows=int(totals.sum()),
        findings=findings
        + _check_totals(profile, catalog.tables["orders"], cleaned, totals, data_rows, name, raw, lang),
        left_out=left_out,
        header_rows=header_rows,
    )


def _leave_month(leave, mask: np.ndarray, dates: pd.Series, positions: np.ndarray, month: Month) -> None:
    # One reason per date shown: the row's own date is in the message.
    for day, group in pd.Series(positions, index=dates.index).groupby(dates.dt.strftime("%Y-%m-%d").to_numpy()):
        sub = np.zeros(len(mask), dtype=bool)
        sub[group.to_numpy()] = True
        leave(sub, "import_month", WARNING, date=day, month=str(month))


def month_column(table: TableSpec) -> str | None:
    """The date that puts a row in a month (订单.下单日期): the table's first in-month column."""
    return next((c.name for c in table.columns if c.in_month), None)


def origin_text(file: str, row: int, lang: str = "zh") -> str:
    return messages.text("import_origin", lang, file=file, row=row)


def origin_texts(file: str, rows: np.ndarray, lang: str = "zh") -> pd.Series:
    """origin_text of many rows at once (a million rows: one format, then string arithmetic)."""
    before, after = messages.text("import_origin", lang, file="\0", row="\1").split("\1")
    prefix = before.replace("\0", file)
    return prefix + pd.Series(rows, dtype="int64").astype(str) + after.replace("\0", file)


def _typed(
    spec: TableImport,
    table: TableSpec,
    cleaned: Cleaned,
    rows: np.ndarray,
    catalog: Catalog,
    month: Month | None,
    profile: ImportProfile,
    is_orders: bool,
) -> tuple[pd.DataFrame, list[str]]:
    """Our columns for the chosen rows: typed values, or the cell's text where unreadable."""
    take = pa.array(np.flatnonzero(rows))
    out: dict[str, object] = {}
    given: list[str] = []
    constants = dict(spec.set)
    if is_orders and profile.channel and "channel" in table.by_name:
        constants.setdefault("channel", profile.channel)
    for col_name, src in spec.columns:
        arr = cleaned.source(src)
        if arr is None:
            continue
        given.append(col_name)
        out[col_name] = _read(arr.take(take), table.column(col_name), spec.value_map(col_name), catalog, month)
    for col_name, value in constants.items():
        if col_name in table.by_name and col_name not in out:
            given.append(col_name)
            arr = pa.array([value] * len(take), type=pa.string())
            out[col_name] = _read(arr, table.column(col_name), {}, catalog, month)
    return pd.DataFrame(out, index=pd.RangeIndex(len(take))), given


def _read(arr: pa.Array, col, words: dict[str, str], catalog: Catalog, month: Month | None) -> pd.Series:
    if col.values and len(arr) > _FEW:
        # A column of few distinct values (a status, a province, the channel) is read once per
        # value, then spread back over the rows.
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        encoded = pc.dictionary_encode(arr)
        if len(encoded.dictionary) * 4 < len(arr):
            once = _read(encoded.dictionary, col, words, catalog, month)
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            blank = encoded.indices.is_null().to_numpy(zero_copy_only=False)
            out = once.iloc[np.where(blank, 0, codes)].reset_index(drop=True)
            return out.where(~blank) if blank.any() else out
    if words:
        values = arr.to_pandas()
        arr = pa.array(values.map(lambda v: words.get(v, v) if isinstance(v, str) else v), type=pa.string())
    aliases, prefix = accepted_spellings(catalog, col)
    result = coerce_column(arr, col, month, aliases, blanks_done=True, prefix_match=prefix)
    values = result.values.reset_index(drop=True)
    if result.invalid.any():
        # Kept as the export wrote it: validating the workbook then names the cell.
        text = arr.to_pandas()
        values = values.astype(object)
        values[result.invalid] = text[result.invalid]
    return values


def _split_order_level(frame: pd.DataFrame, spec: TableImport, table: TableSpec) -> None:
    """An order's figure repeated on each of its lines, split over the lines in proportion to
    the profile's `split_by` column (cents to the last line), so that the lines add up to the
    order's figure; evenly when there is none. A `split_by` figure the export does not give per
    line is computed from the table's own formula (订单金额 = 数量 × 单价 − 优惠金额)."""
    if not len(frame):
        return
    columns = spec.order_level
    weight = None
    if spec.split_by:
        if spec.split_by in frame and spec.split_by not in columns:
            source = frame[spec.split_by]
        else:
            source = compute_derived(frame.drop(columns=[spec.split_by], errors="ignore"), table).get(spec.split_by)
        if source is not None:
            weight = pd.to_numeric(source, errors="coerce").fillna(0.0)
    groups = frame[ORDER_KEY]
    for col in columns:
        if col not in frame:
            continue
        value = pd.to_numeric(frame[col], errors="coerce")
        order_value = value.groupby(groups).transform("first")
        lines = groups.map(groups.value_counts())
        if weight is None:
            share = 1.0 / lines
        else:
            total = weight.groupby(groups).transform("sum")
            share = np.where(total > 0, weight / total.where(total > 0, 1.0), 1.0 / lines)
        part = (order_value * share).round(2)
        last = ~groups.duplicated(keep="last")
        rest = order_value - part.groupby(groups).transform("sum") + part
        frame[col] = np.where(last, rest.round(2), part).astype(float)
        frame.loc[order_value.isna(), col] = np.nan


def _recency(profile: ImportProfile, cleaned: Cleaned, ids: pa.Array, keep: np.ndarray) -> pd.Series:
    """Per order id, the latest time any of the export's own time columns gives it."""
    latest = None
    for key in profile.newest_by:
        if key not in cleaned:
            continue
        times = pd.to_datetime(cleaned.get(key).to_pandas(), errors="coerce", format="mixed")
        latest = times if latest is None else latest.where(latest >= times, times).fillna(latest)
    frame = pd.DataFrame({"id": ids.to_pandas(), "t": latest if latest is not None else pd.NaT})[keep]
    return frame.groupby("id")["t"].max()


def _check_totals(
    profile: ImportProfile,
    table: TableSpec,
    cleaned: Cleaned,
    totals: np.ndarray,
    keep: np.ndarray,
    name: str,
    raw: RawExport,
    lang: str,
) -> list[Finding]:
    """A total row's figures against the sum of the rows above it (the total row is skipped)."""
    out: list[Finding] = []
    if not totals.any():
        return out
    orders = profile.table("orders")
    if orders is None:
        return out
    for col_name, src in orders.columns:
        if not table.column(col_name).coltype.quantity:
            continue
        key = next((h for h in src.headers if h in cleaned), None)
        if key is None:
            continue
        values = pd.to_numeric(
            pd.Series(cleaned.get(key).to_pandas()).str.replace(",", "", regex=False).str.lstrip(_CURRENCY_CHARS),
            errors="coerce",
        )
        if values[keep].notna().sum() == 0:
            continue
        rows_sum = float(values[keep].sum())
        for pos in np.flatnonzero(totals):
            stated = values.iloc[pos]
            if pd.isna(stated) or abs(stated - rows_sum) <= 0.005 + 1e-9 * abs(rows_sum):
                continue
            row = int(raw.rows[pos])
            out.append(
                finding(
                    Rule.IMPORT_TOTAL_MISMATCH,
                    WARNING,
                    file=name,
                    row=row,
                    origin=origin_text(name, row, lang),
                    header=raw.headers[raw.keys.index(key)],
                    value=f"{stated:,.2f}",
                    expected=f"{rows_sum:,.2f}",
                )
            )
    return out


def provided_columns(mapped: list[Mapped]) -> list[dict]:
    """The workbook metadata's `imports`: per export, the columns it gave each table."""
    return [
        {
            "file": m.name,
            "platform": m.profile.name,
            "encoding": m.raw.encoding,
            "columns": {table: list(cols) for table, cols in m.provided.items()},
        }
        for m in mapped
    ]
