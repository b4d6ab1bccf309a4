"""An annotated copy of a submitted workbook: cells with errors filled red and cells with
warnings yellow, each with a note (comment) that says what is wrong, and a first sheet
(校验结果) listing every finding with a link to its cell.

The submitted file itself is never written. Everything else in the copy is left as it was —
values, formulas, formats — except what openpyxl cannot carry (see `write_annotated`).
Text that came from the submitted file is written as plain text that can never become a
formula."""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from openpyxl.comments import Comment

from ecomsheets import messages
from ecomsheets.atomic import atomic_output
from ecomsheets.errors import UsageError
from ecomsheets.fileinfo import sha256
from ecomsheets.findings import ERROR, WARNING, Finding, Report
from ecomsheets.generate.layout import quote_sheet
from ecomsheets.schema.model import text_width

from .findings_view import (
    SEVERITY_ORDER,
    cell_position,
    clean_text,
    column_label,
    rule_label,
    severity_label,
    sort_key,
    truncated_items,
    where_label,
)

AUTHOR = "ecomsheets"
ERROR_FILL, WARNING_FILL = "FFFFC7CE", "FFFFEB9C"
ERROR_FONT, WARNING_FONT = "9C0006", "9C5700"
HEADER_FILL = "FF1F4E78"
CELL_LIMIT = 32767  # characters Excel keeps in a cell
COMMENT_LIMIT = 32000  # Excel cuts notes at 32,767 characters
VALUE_LIMIT = 1000  # characters of a value listed on the results sheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
COLUMNS = ("r_col_where", "r_col_sheet", "r_col_cell", "r_col_severity", "r_col_rule",
           "r_col_column", "r_col_value", "r_col_problem", "r_col_expected")
WIDTHS = (16, 12, 9, 8, 16, 14, 22, 60, 16)


def set_text(cell, value, limit: int = CELL_LIMIT) -> None:
    """Write `value` into `cell` as plain text that Excel will never read as a formula."""
    text = clean_text(value)
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    cell.value = text
    if text.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True  # editing the cell in Excel keeps it text too


def _sheet_name(lang: str) -> str:
    return messages.text("r_validation_sheet", lang)


def _link(sheet: str, cell: str) -> str:
    return quote_sheet(sheet) + "!" + cell


def _target(ws, row: int, col: int) -> tuple[int, int]:
    """Where to mark (row, col): the top-left cell of a merged range that covers it.
    Creates no cell."""
    from openpyxl.cell.cell import MergedCell

    if isinstance(ws._cells.get((row, col)), MergedCell):
        for rng in ws.merged_cells.ranges:
            if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
                return rng.min_row, rng.min_col
    return row, col


def _inherit_column_style(ws, cell) -> None:
    """A cell that did not exist takes its row's or column's style, as Excel shows an empty
    cell (so a text or date column stays one under the fill we add)."""
    row_dim = ws.row_dimensions.get(cell.row)
    if row_dim is not None and row_dim.customFormat and row_dim.has_style:
        cell._style = copy.copy(row_dim._style)
        return
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= cell.column <= dim.max and dim.has_style:
            cell._style = copy.copy(dim._style)
            return


def _previous_pattern(lang: str) -> re.Pattern:
    before, after = messages.MESSAGES["r_comment_previous"][0 if lang == "zh" else 1].split("{author}")
    return re.compile("\n" + re.escape(before) + "(.*?)" + re.escape(after) + "\n", re.S)


def _split_previous(text: str) -> tuple[str, str | None, str | None]:
    """Our note and the user's note we kept inside it: (ours, previous text, its author)."""
    for lang in ("zh", "en"):
        m = _previous_pattern(lang).search(text)
        if m:
            return text[:m.start()], text[m.end():], m.group(1)
    return text, None, None


def _comment_text(items: list[Finding], previous: Comment | None, lang: str) -> str:
    lines = []
    for f in sorted(items, key=sort_key):
        line = messages.text("r_comment_line", lang, severity=severity_label(f.severity, lang),
                             message=clean_text(f.text(lang)))
        expected = clean_text(f.expected)
        if expected and expected not in line:
            line += messages.text("r_comment_expected", lang, expected=expected)
        lines.append(line)
    text = "\n".join(lines)
    if previous is not None and previous.text:
        text += ("\n" + messages.text("r_comment_previous", lang, author=clean_text(previous.author))
                 + "\n" + clean_text(previous.text))
    if len(text) > COMMENT_LIMIT:
        cut = messages.text("r_comment_cut", lang, sheet=_sheet_name(lang))
        text = text[:COMMENT_LIMIT - len(cut) - 1] + "\n" + cut
    return text


def _comment_size(text: str) -> tuple[int, int]:
    """(width, height) in pixels, enough to read the note without resizing it."""
    width = 300
    per_line = 40  # half-width characters per line at this width
    lines = 0
    for line in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)
        lines += max(1, -(-units // per_line))
    return width, min(max(60, 16 * lines + 14), 600)


def _mark_cells(wb, findings: list[Finding], lang: str) -> None:
    from openpyxl.styles import PatternFill

    grids = {ws.title for ws in wb.worksheets}  # not chart sheets
    by_cell: dict[tuple[str, int, int], list[Finding]] = defaultdict(list)
    for f in findings:
        pos = cell_position(f.cell)
        if f.sheet and pos and f.sheet in grids:
            by_cell[(f.sheet, *pos)].append(f)
    fills = {ERROR: PatternFill("solid", fgColor=ERROR_FILL),
             WARNING: PatternFill("solid", fgColor=WARNING_FILL)}
    targets: dict[tuple[str, int, int], list[Finding]] = defaultdict(list)
    for (sheet, row, col), items in by_cell.items():
        targets[(sheet, *_target(wb[sheet], row, col))].extend(items)
    for (sheet, row, col), items in targets.items():
        ws = wb[sheet]
        existed = (row, col) in ws._cells
        cell = ws.cell(row=row, column=col)
        if not existed:
            _inherit_column_style(ws, cell)
        worst = min((f.severity for f in items), key=lambda s: SEVERITY_ORDER.get(s, 2))
        if worst in fills:
            cell.fill = copy.copy(fills[worst])
        text = _comment_text(items, cell.comment, lang)
        width, height = _comment_size(text)
        cell.comment = Comment(text, AUTHOR, width=width, height=height)


def _drop_old_annotations(wb, lang: str) -> None:
    """Re-annotating an annotated copy: replace our results sheet, and our old notes by the
    user's notes they held."""
    ours = {messages.text("r_sheet_title", lg) for lg in ("zh", "en")}
    for lg in ("zh", "en"):
        name = _sheet_name(lg)
        if name in wb.sheetnames:
            ws = wb[name]
            a1 = getattr(ws, "_cells", {}).get((1, 1))
            if lg == lang or (a1 is not None and clean_text(a1.value) in ours):
                wb.remove(ws)
    for ws in wb.worksheets:
        for cell in list(ws._cells.values()):
            if cell.comment is not None and cell.comment.author == AUTHOR:
                _, previous, author = _split_previous(cell.comment.text or "")
                cell.comment = Comment(previous, author or "") if previous else None


def _results_sheet(wb, report: Report, findings: list[Finding], source: Path, lang: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    base = wb._fonts[0] if len(wb._fonts) else Font()

    def font(**kw) -> Font:
        """The workbook's own default font (name, size) with some changes."""
        return Font(name=base.name, sz=kw.pop("size", base.sz), family=base.family,
                    charset=base.charset, scheme=base.scheme, **kw)

    ws = wb.create_sheet(_sheet_name(lang), 0)
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.sheet_view.showGridLines = False
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    set_text(ws["A1"], messages.text("r_sheet_title", lang))
    ws["A1"].font = font(size=16, bold=True, color=HEADER_FILL)
    ws.row_dimensions[1].height = 26
    set_text(ws["A2"], messages.text("r_sheet_file", lang, file=source.name))
    set_text(ws["A3"], messages.text("r_generated", lang, time=datetime.now().strftime("%Y-%m-%d %H:%M")))
    set_text(ws["A4"], messages.text("r_sheet_hint", lang))
    for r in (2, 3, 4):
        ws.cell(r, 1).font = font(color="5F6B7A")

    status = "unreadable" if report.unreadable else ("valid" if report.valid else "invalid")
    counts = [("r_result", messages.text(f"r_{status}", lang)),
              ("r_errors", report.errors), ("r_warnings", report.warnings),
              ("r_rows", report.rows_checked), ("r_sheets", report.sheets_checked)]
    colours = {"r_result": "17703A" if status == "valid" else ERROR_FONT,
               "r_errors": ERROR_FONT if report.errors else None,
               "r_warnings": WARNING_FONT if report.warnings else None}
    row = 5
    for code, value in counts:
        row += 1
        set_text(ws.cell(row, 1), messages.text(code, lang))
        ws.cell(row, 1).font = font(bold=True)
        target = ws.cell(row, 2)
        if isinstance(value, int):
            target.value = value
            target.alignment = Alignment(horizontal="left")
        else:
            set_text(target, value)
        target.font = font(bold=True, color=colours.get(code))

    truncated = truncated_items(report, lang)
    if truncated:
        row += 1
        set_text(ws.cell(row, 1), messages.text("r_truncated", lang, count=sum(i.count for i in truncated)))
        ws.cell(row, 1).font = font(italic=True, color="5F6B7A")
        for item in truncated:
            row += 1
            set_text(ws.cell(row, 1), "  " + item.text(lang))
            ws.cell(row, 1).font = font(color="5F6B7A")

    row += 2
    header_row = row
    for ci, code in enumerate(COLUMNS, start=1):
        cell = ws.cell(header_row, ci)
        set_text(cell, messages.text(code, lang))
        cell.font = font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center")
    ws.row_dimensions[header_row].height = 20
    ws.freeze_panes = ws.cell(header_row + 1, 1)

    sev_fill = {ERROR: PatternFill("solid", fgColor=ERROR_FILL),
                WARNING: PatternFill("solid", fgColor=WARNING_FILL)}
    sev_font = {ERROR: font(bold=True, color=ERROR_FONT), WARNING: font(bold=True, color=WARNING_FONT)}
    sheets = {w.title for w in wb.worksheets} - {ws.title}
    for f in findings:
        row += 1
        values = (where_label(f, lang), f.sheet or "", f.cell or "", severity_label(f.severity, lang),
                  rule_label(f.rule, lang), column_label(f), clean_text(f.value, VALUE_LIMIT, lang),
                  f.text(lang), clean_text(f.expected, VALUE_LIMIT, lang))
        for ci, value in enumerate(values, start=1):
            cell = ws.cell(row, ci)
            set_text(cell, value)
            cell.alignment = wrap if ci in (7, 8) else top
            cell.number_format = "@"
        # Spreadsheet programs do not grow wrapped rows on load: size the row for its text.
        lines = max(-(-text_width(str(v or "")) // max(1, int(WIDTHS[ci - 1]) - 1))
                    for ci, v in ((7, values[6]), (8, values[7])))
        if lines > 1:
            ws.row_dimensions[row].height = 15 * min(lines, 12)
        sev = ws.cell(row, 4)
        if f.severity in sev_fill:
            sev.fill = copy.copy(sev_fill[f.severity])
            sev.font = copy.copy(sev_font[f.severity])
        pos = cell_position(f.cell)
        if f.sheet and pos and f.sheet in sheets:
            where = ws.cell(row, 1)
            where.hyperlink = Hyperlink(ref=where.coordinate, location=_link(f.sheet, f.cell.strip().upper()))
            where.font = font(color="0563C1", underline="single")
    if findings:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(COLUMNS))}{row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_annotated(source: Path, report: Report, out: Path, *, force: bool = False,
                    lang: str = "zh") -> Path:
    """Write an annotated copy of `source` to `out` (always an .xlsx: macros of an .xlsm are
    not carried over, and another extension is replaced by .xlsx). Returns the path written.

    Refuses an `out` that is `source`, exists (without force) or cannot be written, and a
    source that changed since `report` was made. openpyxl does not carry images, charts and
    shapes into the copy, and formulas keep no cached results (Excel recalculates on open)."""
    import openpyxl

    lang = "en" if lang == "en" else "zh"
    source, out = Path(source), Path(out)
    if out.suffix.lower() != ".xlsx":
        out = out.with_suffix(".xlsx")
    if out.resolve() == source.resolve():
        raise UsageError(*messages.both("cli_is_input", path=out))
    if report.unreadable or not source.is_file():
        first = report.findings[0] if report.findings else None
        zh, en = (first.message, first.message_en) if first else (str(source), str(source))
        raise UsageError(messages.text("r_cannot_annotate", "zh", detail=zh),
                         messages.text("r_cannot_annotate", "en", detail=en))
    if report.sha256 and report.sha256 != sha256(source):
        raise UsageError(*messages.both("r_source_changed", path=source))
    try:
        wb = openpyxl.load_workbook(source, keep_vba=False, rich_text=True, keep_links=True)
    except Exception as exc:  # a file the validator could read but openpyxl cannot
        raise UsageError(*messages.both("r_cannot_annotate", detail=f"{type(exc).__name__}: {exc}")) from exc

    order = {name: i for i, name in enumerate(wb.sheetnames)}
    findings = sorted(report.findings, key=lambda f: (
        SEVERITY_ORDER.get(f.severity, 2), -1 if not f.sheet else order.get(f.sheet, len(order)),
        *sort_key(f)[1:]))
    wb.template = False
    _drop_old_annotations(wb, lang)
    _mark_cells(wb, report.findings, lang)
    _results_sheet(wb, report, findings, source, lang)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    wb.active = 0
    wb.worksheets[0].sheet_view.tabSelected = True
    with atomic_output(out, force=force, inputs=(source,)) as tmp:
        wb.save(tmp)
    return out
