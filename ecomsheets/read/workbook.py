"""Read a submitted workbook: match it to a bundle, find each table's sheet and header, and
load the rows as cell texts with their Excel row numbers (fastexcel, one pass per sheet)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from ecomsheets.generate.layout import LISTS_SHEET, META_SHEET
from ecomsheets.schema import Catalog, TableSpec, WorkbookSpec
from ecomsheets.findings import ERROR, WARNING, Finding, finding

from .formulas import formula_cells, sheet_parts
from .headers import HEAD_ROWS, find_header, norm, sheet_keys


@dataclass
class SheetData:
    """One table's rows as read: cell texts by column name, indexed by Excel row number."""

    table: TableSpec
    sheet: str
    header_row: int
    letters: dict[str, str]  # column name -> column letter in this file
    headers: dict[str, str]  # column name -> header text in this file
    raw: pd.DataFrame
    formulas: dict[tuple[int, str], str] = field(default_factory=dict)  # (row, letter) -> formula
    hidden: bool = False

    def cell(self, column: str, row: int) -> str:
        return f"{self.letters[column]}{row}"


@dataclass
class WorkbookData:
    path: str
    bundle: WorkbookSpec | None = None
    meta: dict | None = None
    sheets: dict[str, SheetData] = field(default_factory=dict)  # by table name
    findings: list[Finding] = field(default_factory=list)
    summary_cells: dict[str, str] = field(default_factory=dict)  # "B12" -> text, of the summary sheet
    summary_formulas: set[str] = field(default_factory=set)  # summary cells holding formulas
    summary_sheet: str | None = None
    unreadable: bool = False


def read_workbook(path: Path, catalog: Catalog, bundle_name: str | None = None) -> WorkbookData:
    """Read every recognisable table of a workbook; problems become findings."""
    import fastexcel

    path = Path(path)
    data = WorkbookData(str(path))
    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
        with zipfile.ZipFile(path) as zf:
            parts = sheet_parts(zf)
            data.meta = _read_meta(reader) if META_SHEET in names else None
            data.bundle = _pick_bundle(catalog, data.meta, names, bundle_name)
            if data.bundle is None:
                data.findings.append(finding("no_tables", ERROR, file=str(path)))
                return data
            _read_tables(data, reader, zf, parts, names, catalog)
    except Exception as exc:  # a parser failing on a damaged file is a finding, not a crash
        if isinstance(exc, (KeyboardInterrupt, MemoryError)):
            raise
        data.unreadable = True
        data.findings.append(finding("unreadable", ERROR, file=str(path), detail=_plain(exc), detail_en=_plain(exc)))
    return data


def _plain(exc: Exception) -> str:
    """A short, non-technical reason (never a traceback)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def _read_meta(reader) -> dict | None:
    frame = reader.load_sheet(META_SHEET, header_row=0, dtypes="string").to_pandas()
    if frame.shape[1] < 2:
        return None
    out = {}
    for key, value in zip(frame.iloc[:, 0], frame.iloc[:, 1]):
        if isinstance(key, str) and isinstance(value, str):
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
    return out if out.get("format", "").startswith("ecomsheets/") else None


def _pick_bundle(catalog: Catalog, meta, names, wanted) -> WorkbookSpec | None:
    if wanted:
        return catalog.workbook(wanted)
    if meta and meta.get("bundle") in catalog.workbooks:
        return catalog.workbooks[meta["bundle"]]
    found = {norm(n) for n in names}
    best, score = None, 0
    for bundle in catalog.workbooks.values():
        s = sum(bool(sheet_keys(catalog.tables[t]) & found) for t in bundle.tables)
        if s > score:
            best, score = bundle, s
    # Files renamed beyond recognition fall back to the only bundle, matched by headers.
    return best or (next(iter(catalog.workbooks.values())) if len(catalog.workbooks) == 1 else None)


def _read_tables(data: WorkbookData, reader, zf, parts, names, catalog: Catalog) -> None:
    bundle = data.bundle
    tables = [catalog.tables[t] for t in bundle.tables]
    by_meta = {t["sheet"]: t["name"] for t in (data.meta or {}).get("tables", [])}
    summary_names = {bundle.summary_sheet, bundle.summary_sheet_en}
    if data.meta and data.meta.get("summary"):
        summary_names.add(data.meta["summary"]["sheet"])
    skip = {LISTS_SHEET, META_SHEET, "说明", "Instructions"}
    heads: dict[str, list[list]] = {}
    assigned: dict[str, str] = {}  # table name -> sheet
    for name in names:
        if name in skip:
            continue
        if name in summary_names:
            data.summary_sheet = name
            continue
        table = by_meta.get(name) or next((t.name for t in tables if norm(name) in sheet_keys(t)), None)
        if table and table not in assigned:
            assigned[table] = name
    # Sheets not recognised by name: recognised by their headers, if they look like a table.
    for name in names:
        if name in skip or name in summary_names or name in assigned.values():
            continue
        heads[name] = _head(reader, name)
        best = max(((find_header(heads[name], t), t) for t in tables if t.name not in assigned),
                   key=lambda mt: mt[0].score if mt[0] else 0, default=(None, None))
        if best[0] is not None and best[0].score >= max(2, len([c for c in best[1].columns if c.required]) // 2):
            assigned[best[1].name] = name
        else:
            data.findings.append(finding("sheet_unknown", WARNING, file=data.path, sheet=name))
    for table in tables:
        sheet = assigned.get(table.name)
        if sheet is None:
            data.findings.append(finding("sheet_missing", WARNING, file=data.path, table=table.name,
                                         sheet=table.sheet, title=table.title, title_en=table.title_en))
            continue
        sd = _read_sheet(data, reader, zf, parts, sheet, table, heads.get(sheet))
        if sd is not None:
            data.sheets[table.name] = sd
    if data.summary_sheet:
        _read_summary(data, reader, zf, parts)


def _head(reader, sheet: str) -> list[list]:
    frame = reader.load_sheet(sheet, header_row=None, skip_rows=0, n_rows=HEAD_ROWS, dtypes="string").to_pandas()
    return _rows_with_offset(reader, sheet, frame)


def _rows_with_offset(reader, sheet, frame) -> list[list]:
    """Rows as lists indexed by absolute column (a sheet may not start in column A)."""
    info = reader.load_sheet(sheet, header_row=None, skip_rows=0, n_rows=1, dtypes="string").available_columns()
    offset = info[0].absolute_index if info else 0
    rows = []
    for values in frame.itertuples(index=False):
        rows.append([None] * offset + [None if (v is None or v != v) else v for v in values])
    return rows


def _read_sheet(data, reader, zf, parts, sheet, table: TableSpec, head) -> SheetData | None:
    head = head if head is not None else _head(reader, sheet)
    match = find_header(head, table)
    f = lambda rule, sev, **kw: finding(rule, sev, file=data.path, sheet=sheet, table=table.name, **kw)  # noqa
    if match is None:
        expected = "、".join(c.title for c in table.columns if c.required)
        data.findings.append(f("header_not_found", ERROR, expected=expected,
                               expected_en=", ".join(c.title_en or c.title for c in table.columns if c.required)))
        return None
    hr = match.row
    for ci, text in match.unknown:
        data.findings.append(f("column_unknown", WARNING, header=text, cell=f"{xl_col_to_name(ci)}{hr}", row=hr))
    for ci, text in match.duplicates:
        data.findings.append(f("column_duplicate", ERROR, header=text, cell=f"{xl_col_to_name(ci)}{hr}", row=hr))
    for col in table.columns:
        if col.name not in match.columns:
            severity = ERROR if col.required else WARNING
            data.findings.append(f("column_missing", severity, column=col.name, header=col.title))
    letters = {name: xl_col_to_name(ci) for name, ci in match.columns.items()}
    frame = reader.load_sheet(sheet, header_row=None, skip_rows=hr, dtypes="string",
                              use_columns=",".join(letters.values())).to_pandas()
    # Column names come back in sheet order; map them by position of the letters requested.
    order = sorted(match.columns.items(), key=lambda kv: kv[1])
    frame.columns = [name for name, _ in order]
    frame.index = pd.RangeIndex(hr + 1, hr + 1 + len(frame))
    filled = [c.name for c in table.columns if c.name in frame and not c.derived]
    keep = frame[filled].notna().any(axis=1) if filled else frame.notna().any(axis=1)
    if keep.any():
        text = frame[filled].astype("string")
        keep &= ~text.apply(lambda s: s.str.strip().eq("")).fillna(True).all(axis=1)
    frame = frame[keep]
    formulas = formula_cells(zf, parts[sheet]) if sheet in parts else {}
    return SheetData(table, sheet, hr, letters, match.headers, frame, formulas,
                     hidden=reader.load_sheet(sheet, n_rows=0, header_row=None).visible != "visible")


def _read_summary(data: WorkbookData, reader, zf, parts) -> None:
    sheet = data.summary_sheet
    frame = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_pandas()
    rows = _rows_with_offset(reader, sheet, frame)
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values):
            if v is not None:
                data.summary_cells[f"{xl_col_to_name(c)}{r}"] = v
    data.summary_formulas = {f"{col}{row}" for row, col in formula_cells(zf, parts[sheet])} if sheet in parts else set()
