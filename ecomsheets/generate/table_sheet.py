"""One table sheet of a generated workbook: banner, header, formats, validation, formulas."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from ecomsheets import messages
from ecomsheets.coltypes import SheetContext
from ecomsheets.months import Month
from ecomsheets.schema import TableSpec
from ecomsheets.schema import describe as prompts
from ecomsheets.schema.model import FormSpec
from ecomsheets.xlsx.layout import MAX_ROW, TableLayout, WorkbookLayout, quote_sheet
from ecomsheets.xlsx.printing import print_setup
from ecomsheets.xlsx.styles import Styles
from ecomsheets.xlsx.worksheet import add_worksheet

from .rows import write_rows


def write_table_sheet(
    wb,
    styles: Styles,
    layout: WorkbookLayout,
    tl: TableLayout,
    tables: dict[str, TableSpec],
    month: Month | None,
    list_source,
    frame=None,
) -> None:
    table, lang = tl.table, layout.lang
    ws = add_worksheet(wb, tl.sheet)
    ncols = len(table.columns)
    hrow = tl.header_row - 1  # xlsxwriter rows are 0-based
    ctx = SheetContext(
        month_start=month.start if month else None,
        month_end=month.end if month else None,
        lang=lang,
        list_source=list_source,
    )

    banner = messages.text("wb_banner", lang, title=table.display_title(lang), month=month.label(lang) if month else "")
    if hrow > 0:
        ws.merge_range(0, 0, 0, max(ncols - 1, 1), banner, styles.banner)
        ws.set_row(0, 24)
    if table.form is not None:
        _form(ws, table.form, max(ncols - 1, 1), styles, lang)
    ws.set_row(hrow, 32)

    for i, col in enumerate(table.columns):
        ctype = col.coltype
        ws.set_column(i, i, col.display_width(), styles.cell(ctype.num_format, col.derived, ctype.wrap))
        title = col.header(lang)
        if col.derived:
            ws.write_string(hrow, i, title, styles.header_derived)
        elif col.required:
            ws.write_rich_string(hrow, i, title, styles.star, "*", styles.header)
        else:
            ws.write_string(hrow, i, title, styles.header)
        _validation(ws, table, col, i, tl, ctx, month, tables)

    write_rows(ws, tl, frame, styles, layout.params)

    ws.freeze_panes(hrow + 1, 0)
    ws.autofilter(hrow, 0, tl.last_formula_row - 1, ncols - 1)
    # Landscape whatever the width (tests/test_generate.py pins it): of the department's
    # tables only 销售 would fit across A4 portrait.
    print_setup(ws, [c.display_width() for c in table.columns], title_row=hrow, landscape=True)
    wb.define_name(f"{quote_sheet(tl.sheet)}!_xlnm.Print_Area", "=" + tl.print_area())
    ws.hide_gridlines(0)  # print the grid: a table on paper reads by its lines


def _form(ws, form: FormSpec, last_col: int, styles, lang: str) -> None:
    """A form's note and its sheet-level fields between the banner and the header; its
    sign-off line at the foot of every printed page."""
    en = lang == "en"
    row = 1
    if form.note:
        ws.merge_range(row, 0, row, last_col, (form.note_en if en and form.note_en else form.note), styles.text)
        ws.set_row(row, 30)
        row += 1
    for _name, title, title_en in form.fields:
        ws.write_string(row, 0, title_en if en and title_en else title, styles.table_head)
        ws.merge_range(row, 1, row, last_col, "", styles.table_cell)
        ws.set_row(row, 45)
        row += 1
    if form.signoff:
        parts = [
            messages.text("wb_signoff", lang, title=(t_en if en and t_en else t)).replace("&", "&&")
            for t, t_en in form.signoff
        ]
        footer = (
            "".join(f"&{side}{part}" for side, part in zip("LCR", parts))
            if len(parts) <= 3
            else "&L" + "    ".join(parts)
        )
        ws.set_footer(footer)


def _validation(ws, table, col, ci, tl: TableLayout, ctx, month, tables) -> None:
    """One column's check and prompt, on every row of the sheet (rows added below the
    pre-formatted ones are checked too: one range in the file, whatever its size)."""
    lang = ctx.lang
    first = tl.first_row - 1
    error_message = prompts.error_message(table, col, lang, month, tables)
    if col.derived:
        # Typing over a formula is refused with an explanation; sorting, filtering and adding
        # rows keep working (sheet protection would block sorting).
        options = {"validate": "custom", "value": "=FALSE"}
    elif col.references and (source := ctx.list_source(col)):
        options = {"validate": "list", "source": source}
    elif col.unique or table.primary_key == (col.name,):
        # Refuse a value already used above. SUMPRODUCT(=) compares text exactly, where
        # COUNTIF would read 18-digit order numbers as 15-digit numbers. Over `reach_row`
        # rows, not the whole column: LibreOffice stops responding on that (see layout.GROWTH).
        letter, top = xl_col_to_name(ci), first + 1
        cell, rng = f"{letter}{top}", f"${letter}${top}:${letter}${tl.reach_row}"
        test = f"SUMPRODUCT(--({rng}={cell}))<=1"
        if col.max_length:
            test = f"AND({test},LEN({cell})<={col.max_length})"
        options = {"validate": "custom", "value": "=" + test}
        error_message = messages.text("desc_unique_alert", lang)
    else:
        options = col.coltype.validation(col, ctx)
    if options is None:
        options = {"validate": "any"}
    title = col.header(lang)[:32]
    options.update(
        {
            "input_title": title,
            "input_message": prompts.input_message(table, col, lang, month, tables),
            "error_title": title,
            "error_message": error_message,
            "error_type": "stop",
            "ignore_blank": True,
        }
    )
    if options["validate"] == "any":
        for key in ("error_title", "error_message", "error_type"):
            options.pop(key)
    ws.data_validation(first, ci, MAX_ROW - 1, ci, options)
