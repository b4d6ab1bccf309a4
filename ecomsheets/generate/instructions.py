"""The instructions sheet (说明), rendered from templates/instructions.txt.j2."""

from __future__ import annotations

import re

from ecomsheets import messages
from ecomsheets.months import Month
from ecomsheets.resources import builtin_dir
from ecomsheets.schema import BundleSpec, TableSpec
from ecomsheets.schema import describe as prompts
from ecomsheets.schema.model import text_width
from ecomsheets.xlsx.layout import WorkbookLayout
from ecomsheets.xlsx.printing import print_setup
from ecomsheets.xlsx.styles import Styles

_SEP = "\x1f"


def render_instructions(
    bundle: BundleSpec, layout: WorkbookLayout, tables: dict[str, TableSpec], month: Month | None, generated_at: str
) -> list[str]:
    """The sheet's lines (see the template for the line markers)."""
    import jinja2

    lang = layout.lang
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(builtin_dir("templates")),
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
    )
    env.globals.update(
        _=lambda zh, en: en if lang == "en" else zh,
        th=lambda *cells: "@th" + _SEP + _SEP.join(str(c) for c in cells),
        tr=lambda *cells: "@tr" + _SEP + _SEP.join(str(c) for c in cells),
    )
    sep = messages.text("sep_clause", lang)
    sheets = []
    for tl in layout.tables.values():
        t = tl.table
        sheets.append(
            {
                "sheet": tl.sheet,
                "title": t.display_title(lang),
                "description": t.description_en if lang == "en" and t.description_en else t.description,
                "key": " + ".join(t.column(k).header(lang) for k in t.primary_key),
                "columns": [
                    {
                        "letter": tl.letters[c.name],
                        "header": c.header(lang),
                        "type": prompts.type_label(c, lang, month),
                        "rules": sep.join(prompts.rules(t, c, lang, month, tables)),
                        "note": (c.note_en if lang == "en" else c.note) or "",
                    }
                    for c in t.columns
                ],
                "rules": [r.message_en if lang == "en" else r.message for r in t.rules],
            }
        )
    title = bundle.title_en if lang == "en" and bundle.title_en else bundle.title
    text = env.get_template("instructions.txt.j2").render(
        title=title,
        month=month.label(lang) if month else "",
        bundle=bundle,
        description=bundle.description_en if lang == "en" and bundle.description_en else bundle.description,
        generated_at=generated_at,
        tables=sheets,
        header_row=min((tl.header_row for tl in layout.tables.values()), default=2),
        example_day=month.start.replace(day=5).isoformat() if month else "2026-11-05",
    )
    return [line.rstrip() for line in text.splitlines()]


WIDTHS = (14, 22, 18, 44, 40)


def write_instructions_sheet(wb, styles: Styles, lines: list[str], lang: str) -> None:
    ws = wb.add_worksheet(messages.text("wb_instructions_sheet", lang))
    for i, width in enumerate(WIDTHS):
        ws.set_column(i, i, width)
    ws.hide_gridlines(2)
    print_setup(ws, WIDTHS)
    row = 0
    for line in lines:
        if line.startswith("@th" + _SEP) or line.startswith("@tr" + _SEP):
            fmt = styles.table_head if line.startswith("@th") else styles.table_cell
            cells = line.split(_SEP)[1:]
            for ci, cell in enumerate(cells):
                if re.fullmatch(r"[1-9][0-9]{0,8}|0", cell):
                    ws.write_number(row, ci, int(cell), fmt)
                else:
                    ws.write_string(row, ci, cell, fmt)
            # Spreadsheet programs do not grow rows for wrapped text on load; size them here.
            lines_needed = max(-(-text_width(c) // (WIDTHS[min(i, len(WIDTHS) - 1)] - 1)) for i, c in enumerate(cells))
            if lines_needed > 1:
                ws.set_row(row, 14 * lines_needed)
        elif line.startswith("## "):
            row += 1 if row else 0
            ws.write_string(row, 0, line[3:], styles.subheading)
        elif line.startswith("# "):
            ws.write_string(row, 0, line[2:], styles.heading)
            ws.set_row(row, 26)
        elif line:
            ws.write_string(row, 0, line, styles.base_text)
        else:
            continue
        row += 1
