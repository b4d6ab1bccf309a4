"""Read a submitted workbook: match it to a bundle, find each table's sheet and header, and
load the rows as cell texts with their Excel row numbers (fastexcel, one pass per sheet)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from ecomsheets import messages
from ecomsheets.cells.text import as_text
from ecomsheets.findings import ERROR, WARNING, Finding, finding
from ecomsheets.rules import Rule
from ecomsheets.schema import BundleSpec, Catalog, TableSpec
from ecomsheets.schema.changes import as_made
from ecomsheets.textsafe import utf8_name
from ecomsheets.xlsx.layout import LISTS_SHEET, META_SHEET

from .formulas import has_formula, long_numbers, sheet_parts
from .headers import HEAD_ROWS, find_header, norm, sheet_keys
from .masters import MasterKeys, master_sheets, read_master_sheet
from .meta import BadMeta, parse_meta
from .scan import KEEP_PER_COLUMN, Background, keep_all
from .totals import find_total_rows, label_cells, text_cells

if TYPE_CHECKING:
    import pandas as pd

# Sheets ecomsheets itself adds to a workbook, which are not data.
# Sheets ecomsheets adds (instructions, the annotated copy's list, migrate's old columns).
OUR_SHEETS = (
    *messages.both("wb_instructions_sheet"),
    *messages.both("r_validation_sheet"),
    *messages.both("mig_old_sheet"),
)


@dataclass
class SheetData:
    """One table's rows as read: cell texts by column name, indexed by Excel row number."""

    table: TableSpec
    sheet: str
    header_row: int
    letters: dict[str, str]  # column name -> column letter in this file
    headers: dict[str, str]  # column name -> header text in this file
    raw: pd.DataFrame  # Arrow-backed strings: a blank cell is pd.NA
    formulas: dict[tuple[int, str], str] = field(default_factory=dict)  # data columns' formulas
    hidden: bool = False
    source: tuple[str, str] | None = None  # (file, xml part), to look up derived cells' formulas
    long_numbers: dict[tuple[int, str], str] = field(default_factory=dict)  # id cells stored as numbers
    total_labels: dict[int, tuple[str, str]] = field(default_factory=dict)  # row -> (letter, 合计 …), until read

    def derived_formulas(self, cells: list[tuple[int, str]]) -> set[tuple[int, str]]:
        """Which of these derived-column cells still hold their formula (read on demand)."""
        if not cells or self.source is None:
            return set()
        with zipfile.ZipFile(self.source[0]) as zf:
            return has_formula(zf.read(self.source[1]), cells)

    def cell(self, column: str, row: int) -> str:
        return f"{self.letters[column]}{row}"


@dataclass
class WorkbookData:
    path: str
    bundle: BundleSpec | None = None
    meta: dict | None = None
    sheets: dict[str, SheetData] = field(default_factory=dict)  # by table name
    findings: list[Finding] = field(default_factory=list)
    summary_cells: dict[str, str] = field(default_factory=dict)  # "B12" -> text, of the summary sheet
    summary_formulas: set[str] = field(default_factory=set)  # summary cells holding formulas
    summary_sheet: str | None = None
    unreadable: bool = False
    ours: bool = False  # a monthly summary ecomsheets wrote (left in the folder): not a submission
    # Tables the file's metadata says were made from another version of their schema:
    # name -> (that version, the columns it had). Columns added since are not "missing" there.
    versions: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    # The read-only copies of master lists a team workbook carries (主数据-员工 …), by table.
    masters: dict[str, MasterKeys] = field(default_factory=dict)


def read_workbook(
    path: Path, catalog: Catalog, bundle_name: str | None = None, while_parsing=None, scan_in_process: bool = True
) -> WorkbookData:
    """Read every recognisable table of a workbook; problems become findings.

    `while_parsing` is called once parsing is about to start (after any process is forked).
    `scan_in_process=False` scans the XML in a thread (when other files use the other cores).
    """
    import fastexcel

    path = Path(path)
    data = WorkbookData(str(path))
    try:
        # A name that is not UTF-8 (GBK bytes from a Windows archive) cannot be handed to the
        # reader as text: it gets the file's bytes instead.
        reader = fastexcel.read_excel(str(path) if utf8_name(path) else path.read_bytes())
        names = list(reader.sheet_names)
        with zipfile.ZipFile(path) as zf:
            parts = sheet_parts(zf)
            data.meta = _read_meta(reader, data) if META_SHEET in names else None
            zipped = set(zf.namelist())
            if "xl/vbaProject.bin" in zipped:
                data.findings.append(finding(Rule.MACROS, WARNING, file=str(path)))
            if any(n.startswith("xl/externalLinks/") for n in zipped):
                data.findings.append(finding(Rule.EXTERNAL_LINKS, WARNING, file=str(path)))
            if _our_summary(names):
                data.ours = True
                data.findings.append(finding(Rule.OUR_SUMMARY, WARNING, file=str(path)))
                return data
            data.bundle = _pick_bundle(catalog, data.meta, names, bundle_name)
            if data.bundle is None:
                data.findings.append(finding(Rule.NO_TABLES, ERROR, file=str(path), **_no_bundle_words(catalog, names)))
                return data
            _read_tables(data, reader, zf, parts, names, catalog, while_parsing, scan_in_process)
    except _PARSE_ERRORS as exc:  # a parser failing on a damaged file is a finding, not a crash
        data.unreadable = True
        if _damaged(exc):  # broken compression or checksum: say so plainly
            data.findings.append(finding(Rule.CORRUPT, ERROR, file=str(path)))
        else:
            data.findings.append(
                finding(Rule.UNREADABLE, ERROR, file=str(path), detail=_plain(exc), detail_en=_plain(exc))
            )
    return data


def _our_summary(names: list[str]) -> bool:
    """A monthly summary workbook ecomsheets wrote: its overview, sources and findings sheets."""
    return any(
        {messages.text(c, lang) for c in ("s_overview", "s_sources", "s_findings")} <= set(names)
        for lang in ("zh", "en")
    )


def _no_bundle_words(catalog: Catalog, names: list[str]) -> dict:
    """What a workbook matching no bundle was expected to hold, and what it holds."""
    sheets = [t.sheet for b in catalog.bundles.values() for t in map(catalog.tables.get, b.tables) if t]
    sheets_en = [t.sheet_name("en") for b in catalog.bundles.values() for t in map(catalog.tables.get, b.tables) if t]
    shown = [n for n in names if not n.startswith("_")][:12]
    expected, expected_en = messages.text("sep_list", "zh"), messages.text("sep_list", "en")
    expected, expected_en = expected.join(dict.fromkeys(sheets[:12])), expected_en.join(dict.fromkeys(sheets_en[:12]))
    found, found_en = messages.join(shown) if shown else messages.both("no_sheet")
    return {"expected": expected, "expected_en": expected_en, "found": found, "found_en": found_en}


def _parse_errors() -> tuple:
    """What the parsers raise on a damaged file (anything else is our own bug and is raised)."""
    import xml.etree.ElementTree as ET
    import zlib

    import fastexcel
    from defusedxml import DefusedXmlException

    return (
        fastexcel.FastExcelError,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        KeyError,
        OSError,
        EOFError,
        UnicodeDecodeError,
        ET.ParseError,
        DefusedXmlException,
        pa.ArrowInvalid,
    )


_PARSE_ERRORS = _parse_errors()


def _damaged(exc: Exception) -> bool:
    import zlib

    return isinstance(exc, (zlib.error, zipfile.BadZipFile, EOFError)) or "CRC" in str(exc)


def _plain(exc: Exception) -> str:
    """A short, non-technical reason (never a traceback)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def _read_meta(reader, data: WorkbookData) -> dict | None:
    """The metadata sheet, checked as untrusted input (see read.meta): metadata that does not
    fit is one warning, and the workbook is recognised by its sheets and headers instead."""
    table = reader.load_sheet(META_SHEET, header_row=0, dtypes="string", n_rows=200).to_arrow()
    if table.num_columns < 2:
        return None
    try:
        return parse_meta(zip(table.column(0).to_pylist(), table.column(1).to_pylist()))
    except BadMeta as exc:
        data.findings.append(
            finding(Rule.META_INVALID, WARNING, file=data.path, detail=messages.Both(exc.args[0], exc.args[-1]))
        )
        return None


def _pick_bundle(catalog: Catalog, meta, names, wanted) -> BundleSpec | None:
    if wanted:
        return catalog.bundle(wanted)
    if meta and meta.get("bundle") in catalog.bundles:
        return catalog.bundles[meta["bundle"]]
    found = {norm(n) for n in names}
    best, rank = None, (0, 0)
    for bundle in catalog.bundles.values():
        s = sum(bool(sheet_keys(catalog.tables[t]) & found) for t in bundle.tables)
        # The most sheets recognised; of bundles recognising as many, the one with the fewest
        # sheets it would miss (a team's file typed by hand is that team's, not the whole
        # department's with twenty sheets missing).
        if s and (s, -len(bundle.tables)) > rank:
            best, rank = bundle, (s, -len(bundle.tables))
    if best is not None:
        return best
    # Files renamed beyond recognition fall back to the one bundle every other is part of,
    # matched by headers.
    roots = {b.family_name for b in catalog.bundles.values()}
    return catalog.bundles.get(next(iter(roots))) if len(roots) == 1 else None


class _Sheets:
    """Each sheet parsed once, as cell texts (Arrow strings) with Excel row numbers:
    row i of the batch is Excel row i + 1, column j is Excel column offset + j.

    Sheets are parsed in a thread of their own (the parser releases the GIL), in the order the
    reader will use them, one ahead: the caller works on one sheet, and the checks' libraries
    load, while the next is parsed. At most two parsed sheets are held at once."""

    def __init__(self, reader, order: list[str]):
        from concurrent.futures import ThreadPoolExecutor

        self.reader = reader
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.order = list(order)
        self.cache: dict = {}
        self._parse_next()

    def _parse_next(self) -> None:
        while self.order:
            name = self.order.pop(0)
            if name not in self.cache:
                self.cache[name] = self.pool.submit(self._parse, name)
                return

    def _parse(self, name: str) -> tuple:
        sheet = self.reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        columns = sheet.available_columns()
        offset = columns[0].absolute_index if columns else 0
        return sheet.to_arrow(), offset, sheet.visible

    def get(self, name: str) -> tuple:
        if name not in self.cache:
            self.cache[name] = self.pool.submit(self._parse, name)
        self._parse_next()
        return self.cache[name].result()

    def close(self) -> None:
        """Stop parsing (no thread may outlive the read: the next file forks)."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.cache.clear()

    def drop(self, name: str) -> None:
        self.cache.pop(name, None)

    def head(self, name: str) -> list[list]:
        batch, offset, _ = self.get(name)
        rows = []
        for values in zip(*(c.to_pylist() for c in batch.slice(0, HEAD_ROWS).columns)):
            rows.append([None] * offset + list(values))
        return rows


def _read_tables(
    data: WorkbookData, reader, zf, parts, names, catalog: Catalog, while_parsing=None, scan_in_process: bool = True
) -> None:
    bundle = data.bundle
    expected = [t["name"] for t in (data.meta or {}).get("tables", []) if t.get("name") in bundle.tables]
    for t in (data.meta or {}).get("tables", []):
        current = catalog.tables.get(t["name"])
        if current is not None and isinstance(t.get("version"), int) and t["version"] != current.version:
            data.versions[current.name] = (t["version"], tuple(str(c) for c in t.get("columns") or ()))
    tables = [_as_made(catalog, data, t) for t in (expected or bundle.tables)]
    by_meta = {t["sheet"]: t["name"] for t in (data.meta or {}).get("tables", [])}
    summary_names = {bundle.summary_sheet, bundle.summary_sheet_en}
    if data.meta and data.meta.get("summary"):
        summary_names.add(data.meta["summary"]["sheet"])
    copies = master_sheets(names, data.meta, catalog)  # never taken for the tables themselves
    skip = {LISTS_SHEET, META_SHEET} | set(OUR_SHEETS) | set(copies)
    assigned: dict[str, str] = {}  # table name -> sheet, recognised by its name
    for name in names:
        if name in skip:
            continue
        if name in summary_names:
            data.summary_sheet = name
            continue
        table = by_meta.get(name) or next((t.name for t in tables if norm(name) in sheet_keys(t)), None)
        if table and table not in assigned:
            assigned[table] = name
    unknown = [n for n in names if n not in skip and n not in summary_names and n not in assigned.values()]
    order = unknown + [assigned[t.name] for t in tables if t.name in assigned] + [data.summary_sheet]
    # The XML scan (formulas, hidden rows) runs in another process while the sheets are parsed.
    scan = Background(
        data.path,
        {
            n: (parts[n], 10**9 if n in summary_names else KEEP_PER_COLUMN)
            for n in names
            if n not in skip and n in parts
        },
        in_process=scan_in_process,
    )
    try:
        sheets = _Sheets(reader, [n for n in order if n])
        if while_parsing:
            while_parsing()
        try:
            _read_sheets(data, sheets, zf, parts, unknown, tables, assigned)
            for sheet, (table, entry) in copies.items():
                batch, offset, _ = sheets.get(sheet)
                copy = read_master_sheet(sheets.head(sheet), batch, offset, catalog.tables[table], sheet, entry)
                sheets.drop(sheet)
                if copy is not None:
                    data.masters.setdefault(table, copy)
        finally:
            sheets.close()
    except BaseException:
        scan.close()
        raise
    scans = scan.result()
    for sd in data.sheets.values():
        _apply_scan(data, sd, scans.get(sd.sheet), zf, parts)
    if data.summary_sheet in scans:
        data.summary_formulas = keep_all(scans[data.summary_sheet])


def _as_made(catalog: Catalog, data: WorkbookData, name: str) -> TableSpec:
    """The table as the file was made: an earlier version still kept in the catalogue's
    history is read with its own columns and rules (see schema.changes.as_made)."""
    table = catalog.tables[name]
    made = data.versions.get(name)
    old = catalog.table_version(name, made[0]) if made and made[0] < table.version else None
    return as_made(table, old) if old is not None else table


def _read_sheets(
    data: WorkbookData, sheets: _Sheets, zf, parts, unknown: list[str], tables, assigned: dict[str, str]
) -> None:
    # Sheets not recognised by name: recognised by their headers, if they look like a table.
    for name in unknown:
        head = sheets.head(name)
        best = max(
            ((find_header(head, t), t) for t in tables if t.name not in assigned),
            key=lambda mt: mt[0].score if mt[0] else 0,
            default=(None, None),
        )
        if best[0] is not None and best[0].score >= max(2, len([c for c in best[1].columns if c.required]) // 2):
            assigned[best[1].name] = name
        else:
            data.findings.append(finding(Rule.SHEET_UNKNOWN, WARNING, file=data.path, sheet=name))
            sheets.drop(name)
    for table in tables:
        sheet = assigned.get(table.name)
        if sheet is None:
            data.findings.append(
                finding(
                    Rule.SHEET_MISSING,
                    WARNING,
                    file=data.path,
                    table=table.name,
                    sheet=table.sheet,
                    title=table.title,
                    title_en=table.title_en,
                )
            )
            continue
        sd = _read_sheet(data, sheets, zf, parts, sheet, table)
        if sd is not None:
            data.sheets[table.name] = sd
    if data.summary_sheet:
        _read_summary(data, sheets)


def _read_sheet(data, sheets: _Sheets, zf, parts, sheet, table: TableSpec) -> SheetData | None:
    match = find_header(sheets.head(sheet), table)
    f = lambda rule, sev, **kw: finding(rule, sev, file=data.path, sheet=sheet, table=table.name, **kw)  # noqa
    if match is None:
        expected = messages.text("sep_list", "zh").join(c.title for c in table.columns if c.required)
        data.findings.append(
            f(
                Rule.HEADER_NOT_FOUND,
                ERROR,
                expected=expected,
                expected_en=messages.text("sep_list", "en").join(
                    c.title_en or c.title for c in table.columns if c.required
                ),
            )
        )
        return None
    hr = match.row
    for ci, text in match.unknown:
        data.findings.append(f(Rule.COLUMN_UNKNOWN, WARNING, header=text, cell=f"{xl_col_to_name(ci)}{hr}", row=hr))
    for ci, text in match.duplicates:
        data.findings.append(f(Rule.COLUMN_DUPLICATE, ERROR, header=text, cell=f"{xl_col_to_name(ci)}{hr}", row=hr))
    made_with = data.versions.get(table.name, (0, ()))[1]
    for col in table.columns:
        if made_with and col.name not in made_with:
            continue  # added after the version the file was made from (see validate.versions)
        if col.origin:
            continue  # filled by `import` only: a typed sheet has no reason to carry it
        if col.name not in match.columns:
            severity = ERROR if col.required and not col.derived else WARNING
            data.findings.append(f(Rule.COLUMN_MISSING, severity, column=col.name, header=col.title))
    batch, offset, visible = sheets.get(sheet)
    body = batch.slice(hr)  # rows below the header (batch row i is Excel row i + 1)
    columns = {
        name: as_text(body.column(ci - offset))
        for name, ci in match.columns.items()
        if 0 <= ci - offset < body.num_columns
    }
    # Records are rows with something in a column people fill in (blank and formatted rows go).
    filled = [columns[c.name] for c in table.columns if c.name in columns and not c.derived] or list(columns.values())
    keep = np.zeros(body.num_rows, dtype=bool)
    for arr in filled:
        keep |= arr.is_valid().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(keep)
    if len(rows) < body.num_rows:
        take = pa.array(rows)
        columns = {name: arr.take(take) for name, arr in columns.items()}
    labels = _total_labels(body, offset, rows, match.columns, columns, hr)
    # Imported here: it loads in the background while the sheets are parsed (see validate.run).
    import pandas as pd

    index = pd.Index(rows + hr + 1)
    # Arrow-backed columns: no Python string per cell.
    frame = pd.DataFrame(
        {name: pd.Series(arr, dtype=pd.ArrowDtype(arr.type), index=index, copy=False) for name, arr in columns.items()},
        index=index,
    )
    sheets.drop(sheet)  # the parsed sheet is no longer needed; keep memory to one copy
    letters = {name: xl_col_to_name(ci) for name, ci in match.columns.items()}
    if visible != "visible" and len(index):
        data.findings.append(f(Rule.HIDDEN_SHEET, WARNING))
    return SheetData(
        table,
        sheet,
        hr,
        letters,
        match.headers,
        frame,
        hidden=visible != "visible",
        source=(data.path, parts[sheet]) if sheet in parts else None,
        total_labels=labels,
    )


def _total_labels(body, offset: int, rows, positions: dict[str, int], columns: dict, hr: int) -> dict:
    """Records whose first cells hold a total label (合计 …), in any column, known or not:
    {Excel row: (column letter, text)}. Read now, while the whole row is at hand."""
    name_of = {ci: name for name, ci in positions.items() if name in columns}
    order = []
    for j in range(body.num_columns):
        ci = offset + j
        if ci in name_of:
            order.append((ci, columns[name_of[ci]]))
        else:  # a column the table does not have: taken only for the rows still open
            order.append((ci, lambda at, col=body.column(j): text_cells(col, rows[at])))
    found = label_cells(order, len(rows))
    return {int(rows[p]) + hr + 1: (xl_col_to_name(ci), text) for p, (ci, text) in found.items()}


def _apply_scan(data, sd: SheetData, scan, zf, parts) -> None:
    """Formulas in data columns, hidden rows/columns with data, long numbers: from the XML."""
    table = sd.table
    f = lambda rule, sev, **kw: finding(rule, sev, file=data.path, sheet=sd.sheet, table=table.name, **kw)  # noqa
    derived = {sd.letters[c.name] for c in table.columns if c.derived and c.name in sd.letters}
    if scan is not None:
        sd.formulas = scan.data_formulas(derived)
    if scan is not None and scan.merges:
        _fill_merges(data, sd, scan.merges)
    _drop_total_rows(data, sd, scan.formulas if scan is not None else {})
    if scan is not None:
        rows = [r for r in sorted(scan.hidden_rows) if r in sd.raw.index]
        if rows:
            shown = messages.join(rows[:20])
            if len(rows) > 20:
                shown = messages.Both(shown[0] + "…", shown[1] + "…")
            data.findings.append(f(Rule.HIDDEN_ROWS, WARNING, n=len(rows), rows=shown))
        for name, letter in sd.letters.items():
            if xl_cell_to_rowcol(f"{letter}1")[1] + 1 in scan.hidden_columns and len(sd.raw):
                data.findings.append(f(Rule.HIDDEN_COLUMNS, WARNING, column=name, header=sd.headers[name]))
    # A 16+ digit numeral in a text column may be a number cell that lost digits: confirm in the XML.
    suspects = {
        sd.letters[c.name]
        for c in table.columns
        if c.name in sd.raw
        and c.coltype.holds_digits
        and pc.any(pc.match_substring_regex(pa.array(sd.raw[c.name]), r"^\d{16,}$")).as_py()
    }
    if suspects and sd.sheet in parts:
        sd.long_numbers = long_numbers(zf.read(parts[sd.sheet]), suspects)


def _fill_merges(data, sd: SheetData, merges: list) -> None:
    """A value merged down over rows (two lines of one order under one merged 订单编号) counts
    for each row the merge covers: the reader sees it in the first row only. One warning per
    merge, at the cell that shows the value."""
    import pandas as pd

    name_of = {letter: name for name, letter in sd.letters.items()}
    raw = sd.raw
    for first, first_letter, last, last_letter in merges:
        name = name_of.get(first_letter)
        if name is None or last <= first or first <= sd.header_row or first not in raw.index:
            continue  # a merge within one row, above the table, or outside its columns
        value = raw.at[first, name]
        covered = [r for r in raw.index[(raw.index > first) & (raw.index <= last)]]
        if pd.isna(value) or not covered:
            continue
        raw.loc[covered, name] = value
        data.findings.append(
            finding(
                Rule.MERGED_CELLS,
                WARNING,
                file=data.path,
                sheet=sd.sheet,
                table=sd.table.name,
                column=name,
                header=sd.headers.get(name),
                cell=f"{first_letter}{first}",
                row=first,
                value=value,
                range=f"{first_letter}{first}:{last_letter}{last}",
                first=first,
                last=last,
            )
        )


def _drop_total_rows(data, sd: SheetData, formulas: dict) -> None:
    """Total rows (合计 …, or SUM/SUBTOTAL formulas of the rows above) are not records: one
    warning each, and they leave the table before anything checks, counts or merges its rows."""
    labels, sd.total_labels = sd.total_labels, {}
    found = find_total_rows(sd.table, sd.raw, sd.letters, labels, formulas, sd.header_row)
    if not found:
        return
    for total in found:
        data.findings.append(
            finding(
                Rule.TOTAL_ROW,
                WARNING,
                file=data.path,
                sheet=sd.sheet,
                table=sd.table.name,
                cell=total.cell,
                row=total.row,
                value=total.shown,
            )
        )
    gone = {total.row for total in found}
    sd.raw = sd.raw.drop(index=sorted(gone & set(sd.raw.index)))
    # In place: the reader's formulas carry more (the sheet's error cells), of those rows too.
    for key in [k for k in sd.formulas if k[0] in gone]:
        del sd.formulas[key]
    if getattr(sd.formulas, "errors", None):
        sd.formulas.errors = {k: v for k, v in sd.formulas.errors.items() if k[0] not in gone}
    sd.long_numbers = {k: v for k, v in sd.long_numbers.items() if k[0] not in gone}


def _read_summary(data: WorkbookData, sheets: _Sheets) -> None:
    batch, offset, _ = sheets.get(data.summary_sheet)
    for j, column in enumerate(batch.columns):
        letter = xl_col_to_name(offset + j)
        for i, v in enumerate(column.to_pylist()):
            if v is not None:
                data.summary_cells[f"{letter}{i + 1}"] = v
