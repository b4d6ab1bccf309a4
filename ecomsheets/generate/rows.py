"""Data rows of a table sheet, written row by row (xlsxwriter constant-memory mode keeps
memory flat however many rows): typed values where data is given, and the derived columns'
formulas on every row down to the layout's last formula row (a blank template's reach below
its pre-formatted rows, for rows staff add). Text is always written as text, never as a formula."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ecomsheets.compute.derived import excel_formula
from ecomsheets.xlsx.layout import TableLayout
from ecomsheets.xlsx.sanitize import clean_text
from ecomsheets.xlsx.worksheet import formula_writer


def column_writer(ws, col, values: pd.Series) -> tuple[list, Callable]:
    """Python values of one column and the xlsxwriter call that writes one of them. A text
    in a column of another type (an imported value that could not be read as one) is kept
    as its text, cleaned, never as a formula."""
    ctype = col.coltype
    out = ctype.cell_values(values)
    write = getattr(ws, ctype.writer)
    if ctype.writer == "write_string":  # text from the data goes in as text, cleaned
        return [None if v is None else clean_text(str(v)) for v in out], write
    if values.dtype == object:
        texts = {i: clean_text(v) for i, v in enumerate(values.tolist()) if isinstance(v, str)}
        if texts:
            out = [_Text(texts[i]) if i in texts else v for i, v in enumerate(out)]

            def write_kept(r, c, v, *fmt):
                return ws.write_string(r, c, str(v), *fmt) if isinstance(v, _Text) else write(r, c, v, *fmt)

            return out, write_kept
    return out, write


class _Text(str):
    """A value kept as the text it was written as."""


def write_rows(ws, tl: TableLayout, frame: pd.DataFrame | None, styles, params: dict[str, str]) -> None:
    """`params`: each parameter's cell on the summary sheet, for formulas that read one."""
    table = tl.table
    first, last = tl.first_row - 1, tl.last_formula_row - 1
    formulas = []
    for ci, col in enumerate(table.columns):
        if col.derived and col.formula_ast is not None:
            # One formula text per column; only the row number changes.
            template = excel_formula(
                table, col, lambda n: f"{tl.letters[n]}{{r}}" if n in tl.letters else params[n].replace("{", "{{")
            )
            formulas.append((ci, template, styles.cell(col.coltype.num_format, True)))
    chunks = frame.chunks() if hasattr(frame, "chunks") else ([frame] if frame is not None else [])
    write_formula = formula_writer(ws)
    r = first
    for chunk in chunks:
        columns = [
            (ci, *column_writer(ws, col, chunk[col.name]))
            for ci, col in enumerate(table.columns)
            if col.name in chunk and not col.derived
        ]
        # A derived value the data gives (an imported figure without its inputs) is written
        # as that value; the formula everywhere else.
        given = {
            ci: column_writer(ws, col, chunk[col.name])
            for ci, col in enumerate(table.columns)
            if col.derived and col.name in chunk and chunk[col.name].notna().any()
        }
        for i in range(len(chunk)):
            for ci, values, write in columns:
                v = values[i]
                if v is not None:
                    write(r, ci, v)
            for ci, template, fmt in formulas:
                if ci in given and given[ci][0][i] is not None:
                    given[ci][1](r, ci, given[ci][0][i], fmt)
                else:
                    write_formula(r, ci, template.format(r=r + 1), fmt, "")
            r += 1
    for below in range(r, last + 1):  # rows below the data, and room to grow (layout.FORMULA_GROWTH)
        for ci, template, fmt in formulas:
            write_formula(below, ci, template.format(r=below + 1), fmt, "")
