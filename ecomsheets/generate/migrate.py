"""Move the data of a workbook made from older versions of its tables into the current
template of the same bundle and month, without losing a cell.

The old file is read and checked as `validate` does (guarded, in a child process), against
the versions it was made from (see validate.versions); its typed rows fill the current
template (`generate_workbook(..., data=...)`). Every non-blank cell of the old tables then has
a place in the new file:
- a column that still exists: its new place (same row order), written as its type;
- a cell that did not read as its type (text typed into a number column): its text, as text;
- a column the current version no longer has, a column the table never had, a row that is not
  a record (a total row): on the old-data sheet (messages: mig_old_sheet), one line per cell with its
  old place (Customers!H5), its header and its value.
Cells of derived columns are not data: the new template holds their formulas.

The generated template is patched at the zip level (cell texts, one added sheet) rather than
through openpyxl, which would drop the cached results of the template's formulas.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from ecomsheets import messages
from ecomsheets.atomic import atomic_output
from ecomsheets.errors import UsageError
from ecomsheets.findings import ERROR
from ecomsheets.months import parse_month
from ecomsheets.process.isolate import ProcessLimits
from ecomsheets.read.guard import Limits
from ecomsheets.schema import Catalog, TableSpec
from ecomsheets.schema.changes import TableChanges, column_changes
from ecomsheets.textsafe import shown_path
from ecomsheets.xlsx.sanitize import clean_text

from .masters_sheet import read_master_copies
from .workbook import generate_workbook

DEFAULT_ROWS = 500  # pre-formatted rows of a template when the old file does not say


@dataclass
class SheetMove:
    """What happened to one table: rows moved, columns changed, cells kept as text."""

    table: TableSpec
    sheet: str  # in the new file
    rows: int = 0
    present: bool = True  # the old file had this table
    changes: TableChanges | None = None  # None: made from the current version
    kept_text: int = 0


@dataclass
class MigrateResult:
    path: Path | None  # None: nothing to migrate (already current), nothing written
    bundle: str
    bundle_title: tuple[str, str]
    month: str | None
    sheets: list[SheetMove] = field(default_factory=list)
    leftovers: int = 0  # cells on the old-data sheet
    old_sheet: str = ""
    errors: int = 0  # errors the old file had (moved as they were)
    seconds: float = 0.0
    # The old file's read-only master copies not made again (no --masters given): their
    # sheets, for the command to say so (the copies come from the manager's master file).
    masters_not_copied: list[str] = field(default_factory=list)


def migrate_workbook(
    source: Path,
    output: Path,
    catalog: Catalog,
    *,
    force: bool = False,
    limits: Limits = Limits(),
    process: ProcessLimits = ProcessLimits(),
    master_files=(),
) -> MigrateResult:
    """Migrate `source` into a new workbook at `output` (atomically; `source` is only read).
    `master_files`: the manager's master files, from which a team workbook's read-only copies
    of the master lists are made afresh (as `generate --masters` does)."""
    import time

    from ecomsheets.validate.run import inspect_workbook

    started = time.perf_counter()
    source = Path(source)
    insp = inspect_workbook(source, catalog=catalog, keep="tables", limits=limits, process=process)
    report, data = insp.report, insp.data
    if data is None or insp.ctx is None or report.unreadable:
        first = next((f for f in report.findings if f.severity == ERROR), None)
        detail = messages.Both(first.message, first.message_en) if first else ""
        raise UsageError(*messages.both("mig_unreadable", path=shown_path(source), detail=detail))
    if not data.meta or data.bundle is None:
        raise UsageError(*messages.both("mig_not_ours", path=shown_path(source)))
    bundle = data.bundle
    newer = [name for name, (v, _) in data.versions.items() if v > catalog.tables[name].version]
    if newer:
        tables = messages.join(
            messages.Both(catalog.tables[n].title, catalog.tables[n].title_en or catalog.tables[n].title) for n in newer
        )
        raise UsageError(*messages.both("mig_newer", path=shown_path(source), tables=tables))
    month = parse_month(data.meta["month"]) if isinstance(data.meta.get("month"), str) else None
    result = MigrateResult(None, bundle.name, (bundle.title, bundle.title_en or bundle.title), str(month or "") or None)
    if not data.versions and data.meta.get("bundle_version") == bundle.version:
        return result  # already current
    lang = data.meta.get("lang") if data.meta.get("lang") in ("zh", "en") else "zh"
    result.old_sheet = messages.text("mig_old_sheet", lang)
    result.errors = report.errors
    masters = (
        read_master_copies(catalog, bundle.name, list(master_files), limits=limits, process=process)
        if master_files
        else None
    )
    result.masters_not_copied = [
        str(m.get("sheet")) for m in data.meta.get("masters", []) or [] if m.get("table") not in (masters or {})
    ]

    frames: dict[str, pd.DataFrame] = {}
    texts: dict[str, dict[tuple[int, int], str]] = {}  # table -> {(row position, column index): text}
    leftovers: list[tuple[str, str, object]] = []  # (old place, old header, value)
    pad = data.meta.get("rows") if isinstance(data.meta.get("rows"), int) and data.meta["rows"] > 0 else DEFAULT_ROWS
    # Sheets the metadata names whose table was not read (the bundle no longer has it, or its
    # header could not be found): every cell of theirs goes to the old-data sheet.
    read = {td.sheet.sheet for td in insp.ctx.tables.values()}
    gone = {
        t["sheet"]: t.get("header_row") or 1
        for t in data.meta.get("tables", [])
        if t["name"] not in insp.ctx.tables and t["sheet"] not in read
    }
    old_cells = _old_cells(source, {td.sheet.sheet: td.sheet.header_row for td in insp.ctx.tables.values()} | gone)
    fields: dict[str, dict[str, object]] = {}  # table -> form field -> value
    for name in bundle.tables:
        table = catalog.tables[name]
        move = SheetMove(table, table.sheet_name(lang))
        result.sheets.append(move)
        td = insp.ctx.tables.get(name)
        old = table
        if name in data.versions:
            version, columns = data.versions[name]
            old = catalog.table_version(name, version) or table
            move.changes = column_changes(table, catalog.table_version(name, version), columns, version)
        if td is None:
            move.present = False
            frames[name] = _padded(pd.DataFrame(columns=[c.name for c in table.columns if not c.derived]), pad)
            continue
        sheet_cells = old_cells.get(td.sheet.sheet, ({}, {}, {}))
        frame, kept, rest = _move_table(table, td, sheet_cells, catalog, data.versions)
        move.rows, move.kept_text = len(frame), len(kept)
        frames[name], texts[name] = _padded(frame, pad), kept
        leftovers.extend(rest)
        fields[name], rest = _form_fields(table, old, td.sheet.sheet, sheet_cells[2])
        leftovers.extend(rest)
    for sheet in gone:
        cells, headers, above = old_cells.get(sheet, ({}, {}, {}))
        leftovers.extend((f"{sheet}!{xl_col_to_name(ci)}{r}", "", v) for (r, ci), v in sorted(above.items()))
        header_row = gone[sheet]
        leftovers.extend((f"{sheet}!{xl_col_to_name(ci)}{header_row}", "", v) for ci, v in sorted(headers.items()))
        leftovers.extend(
            (f"{sheet}!{xl_col_to_name(ci)}{r}", headers.get(ci, ""), v) for (r, ci), v in sorted(cells.items())
        )
    # A file migrated before has its own old-data sheet: its lines come first, as they were.
    leftovers[:0] = _earlier_leftovers(source)
    result.leftovers = len(leftovers)

    with atomic_output(Path(output), force=force, inputs=(source,)) as tmp:
        side = tmp.with_name(tmp.name + ".new.xlsx")  # removed with tmp (atomic.remove_temporary)
        made = generate_workbook(
            catalog, bundle.name, side, month=month, lang=lang, force=True, data=frames, masters=masters or None
        )
        cells: dict[str, dict[tuple[int, int], object]] = {}
        for t in made.meta["tables"]:
            first, at = t["first_data_row"], cells.setdefault(t["sheet"], {})
            at.update({(first + i, ci): text for (i, ci), text in texts.get(t["name"], {}).items()})
            at.update(_field_cells(catalog.tables[t["name"]], fields.get(t["name"], {})))
        summary = made.meta.get("summary") or {}
        if summary.get("params"):
            cells.setdefault(summary["sheet"], {}).update(_param_cells(bundle, summary["params"], insp.ctx.params))
        _patch(side, tmp, cells, result.old_sheet if leftovers else None, leftovers, lang)
        side.unlink()
    result.path = Path(output)
    result.seconds = time.perf_counter() - started
    return result


def _padded(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    """Blank rows below the data, so that the new template has room (and formulas) to grow as
    the old one had."""
    if len(frame) >= rows:
        return frame
    return frame.reindex(range(rows))


def _old_cells(path: Path, sheets: dict[str, int]) -> dict[str, tuple[dict, dict, dict]]:
    """Each sheet's non-blank cells as the old file shows them (saved results): below its
    header {(row, column index): value}, its header texts {column index: text}, and the cells
    above the header (banner, form fields) {(row, column index): value}."""
    import warnings

    import openpyxl

    out = {}
    with warnings.catch_warnings():  # our own print areas are formulas openpyxl does not take
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet, header_row in sheets.items():
            if sheet not in wb.sheetnames:
                continue
            cells, headers, above = {}, {}, {}
            for row in wb[sheet].iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is None or (isinstance(value, str) and not value.strip()):
                        continue
                    if cell.row == header_row:
                        headers[cell.column - 1] = str(value)
                    elif cell.row > header_row:
                        cells[(cell.row, cell.column - 1)] = value
                    else:
                        above[(cell.row, cell.column - 1)] = value
            out[sheet] = (cells, headers, above)
    finally:
        wb.close()
    return out


def _earlier_leftovers(path: Path) -> list[tuple[str, str, object]]:
    """The lines of the old-data sheet of a file that was itself migrated."""
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = []
        for name in dict.fromkeys(messages.both("mig_old_sheet")):
            if name in wb.sheetnames:
                for row in wb[name].iter_rows(min_row=2, max_col=3, values_only=True):
                    place, header, value = (*row, None, None, None)[:3]
                    if place is not None or value is not None:
                        out.append(("" if place is None else str(place), "" if header is None else str(header), value))
        return out
    finally:
        wb.close()


def _field_rows(table: TableSpec) -> dict[str, int]:
    """A form's sheet-level fields: name -> the row of its value (column B), as
    generate.table_sheet lays them out below the banner and the form's note."""
    if table.form is None:
        return {}
    first = 2 + (1 if table.form.note else 0)
    return {name: first + i for i, (name, _t, _e) in enumerate(table.form.fields)}


def _form_fields(table: TableSpec, old: TableSpec, sheet: str, above: dict):
    """({field: value} the old sheet's form holds for fields the current form still has,
    [(old place, field title, value)] for the fields it no longer has)."""
    now = _field_rows(table)
    titles = {name: title for name, title, _ in (old.form.fields if old.form else ())}
    keep, rest = {}, []
    for name, row in _field_rows(old).items():
        value = above.get((row, 1))
        if value is None:
            continue
        if name in now:
            keep[name] = value
        else:
            rest.append((f"{sheet}!B{row}", titles.get(name, name), value))
    return keep, rest


def _field_cells(table: TableSpec, values: dict) -> dict[tuple[int, int], object]:
    rows = _field_rows(table)
    return {(rows[name], 1): _as_text(v) for name, v in values.items() if name in rows}


def _param_cells(bundle, places: dict, params: dict) -> dict[tuple[int, int], object]:
    """The department's settings as the old file held them, where the new template would
    show another value (it fills a blank setting with the example's)."""
    out = {}
    for spec in bundle.parameter_specs:
        place = places.get(spec.name)
        if not isinstance(place, str) or spec.name not in params:
            continue
        value = params[spec.name]
        if value == spec.filled_value():
            continue
        r, c = xl_cell_to_rowcol(place.replace("$", ""))
        if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
            h, m = value.split(":")
            value = (int(h) * 60 + int(m)) / 1440  # a time of day, as Excel keeps it
        out[(r + 1, c)] = value
    return out


def _move_table(table: TableSpec, td, old: tuple[dict, dict, dict], catalog: Catalog, versions: dict):
    """(typed rows for the current template, {(row position, column index): text} of cells
    kept as text, [(old place, header, value)] of cells with no column in the new table)."""
    cells, headers, _above = old
    sheet = td.sheet
    rows = list(td.typed.index)
    position = {r: i for i, r in enumerate(rows)}
    current = {c.name: (i, c) for i, c in enumerate(table.columns)}
    keep = [c.name for c in table.columns if not c.derived and c.name in td.typed]
    frame = td.typed[keep].reset_index(drop=True)
    written = {}  # column name -> [value written or None]
    for name in keep:
        col = current[name][1]
        written[name] = col.coltype.cell_values(frame[name])
    letter_of = {xl_cell_to_rowcol(f"{letter}1")[1]: name for name, letter in sheet.letters.items()}
    old_derived = _old_derived(table, sheet, headers, catalog, versions)
    kept: dict[tuple[int, int], str] = {}
    rest: list[tuple[str, str, object]] = []
    for (r, ci), value in sorted(cells.items()):
        name = letter_of.get(ci)
        col = current[name][1] if name in current else None
        if ci in old_derived and (col is None or col.derived):
            continue  # a formula's result then, and now computed by the template (or gone)
        if col is not None and not col.derived and name in written and r in position:
            if written[name][position[r]] is None:
                kept[(position[r], current[name][0])] = _as_text(value)
            continue
        place = f"{sheet.sheet}!{xl_col_to_name(ci)}{r}"
        rest.append((place, headers.get(ci, ""), value))
    return frame, kept, rest


def _old_derived(table: TableSpec, sheet, headers: dict, catalog: Catalog, versions: dict) -> set[int]:
    """Columns (indexes) of the old sheet that were derived in the version it was made from
    (the current version's when the catalogue does not keep that one)."""
    version = versions.get(table.name, (table.version, ()))[0]
    old = catalog.table_version(table.name, version) or table
    derived = {key for c in old.columns if c.derived for key in (c.title, c.title_en, *c.aliases, c.name) if key}
    out = {ci for ci, text in headers.items() if text.strip() in derived}
    out |= {
        xl_cell_to_rowcol(f"{sheet.letters[c.name]}1")[1] for c in old.columns if c.derived and c.name in sheet.letters
    }
    return out


def _as_text(value) -> str:
    """A cell's value as people saw it, for a cell carried over as text."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- the zip-level patch of the generated workbook ------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_TYPE = _REL + "/worksheet"
_SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _patch(src: Path, dst: Path, cells: dict[str, dict[tuple[int, int], object]], old_sheet, leftovers, lang) -> None:
    """Copy the workbook `src` to `dst` with cells set ({sheet: {(row, column index): value}})
    and, when there are leftovers, a sheet listing them."""
    with zipfile.ZipFile(src) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
        infos = {i.filename: i for i in zin.infolist()}
    paths = _sheet_paths(parts)
    for sheet, wanted in cells.items():
        part = paths.get(sheet)
        if part is not None and wanted:
            parts[part] = _set_cells(parts[part].decode("utf-8"), wanted).encode("utf-8")
    order = list(parts)
    if old_sheet:
        part = _add_sheet(parts, old_sheet)
        order.append(part)
        parts[part] = _leftover_sheet(leftovers, lang).encode("utf-8")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in order:
            info = infos.get(name)
            zout.writestr(info if info is not None else name, parts[name], zipfile.ZIP_DEFLATED)


def _sheet_paths(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> its part (xl/worksheets/sheetN.xml)."""
    book = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    targets = {m[1]: m[2] for m in re.finditer(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets |= {m[2]: m[1] for m in re.finditer(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    out = {}
    for m in re.finditer(r"<sheet\b([^>]*)/>", book):
        name = re.search(r'\bname="([^"]*)"', m[1])
        rid = re.search(r'\br:id="([^"]*)"', m[1])
        if name and rid and rid[1] in targets:
            target = targets[rid[1]]
            out[html.unescape(name[1])] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def _inline(ref: str, text: str, style: str | None) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(clean_text(text))}</t></is></c>'


def _cell(ref: str, value, style: str | None) -> str:
    """One cell: text as inline text (never a formula), a number, TRUE/FALSE, or blank (None)."""
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)) and value == value and abs(value) != float("inf"):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    return _inline(ref, value if isinstance(value, str) else _as_text(value), style)


def _set_cells(xml: str, wanted: dict[tuple[int, int], object]) -> str:
    """Sheet XML with the cells (row, column index) set to values (see `_cell`)."""
    styles = _column_styles(xml)
    by_row: dict[int, dict[int, object]] = {}
    for (r, ci), text in wanted.items():
        by_row.setdefault(r, {})[ci] = text
    start = xml.index("<sheetData")
    head_end = xml.index(">", start) + 1
    if xml[head_end - 2] == "/":  # <sheetData/>: no rows at all
        body, tail = "", xml[head_end:]
        head = xml[:start] + "<sheetData>"
        tail = "</sheetData>" + tail
    else:
        end = xml.index("</sheetData>", head_end)
        head, body, tail = xml[:head_end], xml[head_end:end], xml[end:]
    rows = [(int(m[1]), m[0]) for m in re.finditer(r'<row\b[^>]*?\br="(\d+)"[^>]*?(?:/>|>.*?</row>)', body, re.S)]
    have = {r for r, _ in rows}
    for r in by_row:
        if r not in have:
            rows.append((r, f'<row r="{r}"/>'))
    out = []
    for r, text in sorted(rows):
        out.append(_set_row(text, r, by_row[r], styles) if r in by_row else text)
    return head + "".join(out) + tail


def _set_row(row_xml: str, r: int, wanted: dict[int, object], styles: dict[int, str]) -> str:
    m = re.match(r"<row\b([^>]*?)(/?)>", row_xml)
    attrs = re.sub(r'\s+spans="[^"]*"', "", m[1])  # the spans hint would no longer hold
    inner = "" if m[2] else row_xml[m.end() : -len("</row>")]
    cells = []
    for c in re.finditer(r'<c\b[^>]*?\br="([A-Z]+)\d+"[^>]*?(?:/>|>.*?</c>)', inner, re.S):
        cells.append((xl_cell_to_rowcol(c[1] + "1")[1], c[0]))
    present = dict(cells)
    for ci, text in wanted.items():
        old = present.get(ci)
        style = re.search(r'\bs="(\d+)"', old)[1] if old and re.search(r'\bs="(\d+)"', old) else styles.get(ci)
        present[ci] = _cell(f"{xl_col_to_name(ci)}{r}", text, style)
    return f"<row{attrs}>" + "".join(present[ci] for ci in sorted(present)) + "</row>"


def _column_styles(xml: str) -> dict[int, str]:
    """Column index -> the style its <col> gives (a new cell takes its column's format)."""
    out = {}
    for m in re.finditer(r"<col\b([^>]*)/>", xml):
        lo, hi, st = (re.search(rf'\b{k}="(\d+)"', m[1]) for k in ("min", "max", "style"))
        if lo and hi and st:
            for ci in range(int(lo[1]) - 1, min(int(hi[1]), int(lo[1]) + 16384)):
                out[ci] = st[1]
    return out


def _add_sheet(parts: dict[str, bytes], name: str) -> str:
    """Register a new worksheet (last tab) named `name`; returns its part name."""
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in parts:
        n += 1
    part = f"xl/worksheets/sheet{n}.xml"
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    ids = {int(i) for i in re.findall(r'Id="rId(\d+)"', rels)}
    rid = f"rId{max(ids, default=0) + 1}"
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="{rid}" Type="{_SHEET_TYPE}" Target="worksheets/sheet{n}.xml"/></Relationships>',
    )
    parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    book = parts["xl/workbook.xml"].decode("utf-8")
    sheet_ids = [int(i) for i in re.findall(r'<sheet\b[^>]*?\bsheetId="(\d+)"', book)]
    entry = f'<sheet name={quoteattr(name)} sheetId="{max(sheet_ids, default=0) + 1}" r:id="{rid}"/>'
    parts["xl/workbook.xml"] = book.replace("</sheets>", entry + "</sheets>").encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    override = f'<Override PartName="/{part}" ContentType="{_SHEET_CT}"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode("utf-8")
    return part


def _leftover_sheet(leftovers: list[tuple[str, str, object]], lang: str) -> str:
    """The old-data sheet: a header row (old place, old header, value), then a cell a line."""
    head = [messages.text(c, lang) for c in ("mig_old_place", "mig_old_header", "mig_old_value")]
    rows = [_text_row(1, head)]
    for i, (place, header, value) in enumerate(leftovers, start=2):
        shown = value if isinstance(value, (int, float)) and not isinstance(value, bool) else _as_text(value)
        cells = [_inline(f"A{i}", place, None), _inline(f"B{i}", header, None), _cell(f"C{i}", shown, None)]
        rows.append(f'<row r="{i}">' + "".join(cells) + "</row>")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        '<cols><col min="1" max="1" width="18" customWidth="1"/><col min="2" max="2" width="18" customWidth="1"/>'
        '<col min="3" max="3" width="40" customWidth="1"/></cols>'
        "<sheetData>" + "".join(rows) + "</sheetData></worksheet>"
    )


def _text_row(r: int, texts: list[str]) -> str:
    return (
        f'<row r="{r}">' + "".join(_inline(f"{xl_col_to_name(i)}{r}", t, None) for i, t in enumerate(texts)) + "</row>"
    )
