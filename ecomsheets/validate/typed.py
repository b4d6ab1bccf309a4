"""From cell texts to typed columns: coercion findings (unreadable values, normalisations),
formulas found in plain data columns, and cells whose saved value is an error (#VALUE!…)."""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.findings import WARNING
from ecomsheets.read.coerce import accepted_spellings, coerce_column
from ecomsheets.read.formulas import error_cells, is_external
from ecomsheets.read.workbook import SheetData
from ecomsheets.rules import Rule

from .context import Context, TableData

PARALLEL_FROM = 20_000  # rows; below this, starting threads costs more than it saves


def type_table(ctx: Context, sheet: SheetData) -> TableData:
    table = sheet.table
    raw = sheet.raw
    typed = pd.DataFrame(index=raw.index)
    td = TableData(sheet, typed)
    rows = raw.index.to_numpy()
    letter_of = {letter: name for name, letter in sheet.letters.items()}
    for (row, letter), number in sheet.long_numbers.items():
        if row in raw.index:
            ctx.add(Rule.PRECISION_LOST, td, letter_of[letter], row, value=number)
    by_letter: dict[str, list] = {}
    for (row, letter), formula in sheet.formulas.items():
        by_letter.setdefault(letter, []).append((row, formula))
    coerced = _coerce_all(ctx, raw, [col for col in table.columns if col.name in raw])
    errors = _error_cells(sheet)
    textual: dict[str, dict[int, str]] = {}  # column -> {row: text} of cells a formula cannot take as a number
    for col in table.columns:
        if col.name not in raw:
            typed[col.name] = (
                pd.Series(np.nan, index=raw.index, dtype="float64")
                if col.coltype.kind == "number"
                else pd.Series(None, index=raw.index, dtype=object)
            )
            continue
        result = coerced[col.name]
        typed[col.name] = result.values.set_axis(raw.index)
        td.invalid[col.name] = result.invalid
        if errors:
            textual[col.name] = _textual(raw[col.name], rows, result)
        if col.derived:
            continue  # derived cells are recomputed; their typed values are checked in rules
        zh_type, en_type = (
            messages.type_label(col.type, "zh", ctx.month),
            messages.type_label(col.type, "en", ctx.month),
        )
        for pos in np.flatnonzero(result.invalid):
            if int(pos) in result.ambiguous:  # 11/3/2026: say both readings, not just "not a date"
                first, second = result.ambiguous[int(pos)]
                ctx.add(
                    Rule.AMBIGUOUS_DATE,
                    td,
                    col.name,
                    int(rows[pos]),
                    first=first.isoformat(),
                    second=second.isoformat(),
                )
                continue
            ctx.add(Rule.TYPE, td, col.name, int(rows[pos]), type_zh=zh_type, type_en=en_type)
        for pos, _original, shown, why in result.notes:
            why_zh, why_en = messages.both(f"why_{why}")
            ctx.add(
                Rule.NORMALIZED, td, col.name, int(rows[pos]), WARNING, normalized=shown, why_zh=why_zh, why_en=why_en
            )
        cached = raw[col.name]
        for row, formula in by_letter.get(sheet.letters[col.name], ()):
            if row in raw.index and (row, sheet.letters[col.name]) not in errors:
                if col.coltype.yes_no and formula.strip().upper() in ("TRUE()", "FALSE()"):
                    continue  # how LibreOffice saves a plain yes/no cell
                if is_external(formula):
                    rule = Rule.EXTERNAL_FORMULA
                elif pd.isna(cached.get(row)):  # no saved result
                    rule = Rule.FORMULA_NO_VALUE
                else:
                    rule = Rule.FORMULA_IN_DATA
                ctx.add(rule, td, col.name, row, WARNING, value="=" + formula if formula else "=…")
    if errors:
        _report_errors(ctx, td, errors, textual)
    return td


# Error values a cell can hold; the reader returns such a cell as blank, the XML scan finds it.
def _error_cells(sheet: SheetData) -> dict:
    """(row, letter) -> (error value, holds a formula) for the sheet's cells: found by the XML
    scan that also finds formulas (see read.scan); looked up in the sheet's XML only if the
    reader kept its formulas without them."""
    errors = getattr(sheet.formulas, "errors", None)
    if errors is None and sheet.source is not None:
        import zipfile

        with zipfile.ZipFile(sheet.source[0]) as zf:
            errors = error_cells(zf.read(sheet.source[1]))
    return errors or {}


_NOT_TEXT = ("serial", "integer")  # normalisations of cells that were numbers all along


def _textual(raw: pd.Series, rows: np.ndarray, result) -> dict[int, str]:
    """Cells of a column that hold text a formula cannot calculate with: unreadable ones, and
    ones read only after normalising (２, ¥1,234, 2026年11月3日)."""
    out = {int(rows[pos]): str(raw.iat[pos]) for pos in np.flatnonzero(result.invalid)}
    for pos, original, _shown, why in result.notes:
        if why not in _NOT_TEXT:
            out.setdefault(int(rows[pos]), str(original))
    return out


_CELL_REF = re.compile(r"(?<![A-Za-z0-9_!.'\]])\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})(?![0-9(A-Za-z_!])")


def _report_errors(ctx: Context, td: TableData, errors: dict, textual: dict) -> None:
    """Every record cell whose saved value is an error is an error finding, naming the cell in
    the same row that causes it where it can be found (a derived column's input holding text)."""
    sheet, table = td.sheet, td.table
    letter_of = {letter: name for name, letter in sheet.letters.items()}
    index = set(sheet.raw.index.tolist())
    # Cells people fill first, derived ones after: a derived cell whose input's own formula
    # failed is explained by that input's finding.
    cells = sorted(
        ((row, letter), value) for (row, letter), value in errors.items() if letter in letter_of and row in index
    )
    cells.sort(key=lambda item: table.column(letter_of[item[0][1]]).derived)
    for (row, letter), (code, has_formula) in cells:
        name = letter_of[letter]
        col = table.column(name)
        if not has_formula:
            ctx.add(Rule.ERROR_VALUE, td, name, row, value=code)
            continue
        if col.derived and col.formula_ast is not None:
            inputs = td.table.columns_in(col.formula_ast)
        else:  # a formula someone wrote: the cells of this sheet it refers to
            formula = sheet.formulas.get((row, letter), "")
            inputs = [
                letter_of[m.group(1)]
                for m in _CELL_REF.finditer(formula)
                if m.group(1) in letter_of and int(m.group(2)) == row
            ]
        causes = _causes(td, row, inputs, errors, textual, set())
        if causes and all((table.name, name_, row) in ctx.bad_cells for name_, *_ in causes):
            # One bad cell, one finding: 数量 "三个" is already an error, and correcting it
            # corrects the #VALUE! it causes here (and in 汇总).
            continue
        if causes:
            cells = messages.join(
                [
                    messages.Both(
                        messages.text("cause_cell_text", "zh", cell=cell, header=header, text=text),
                        messages.text("cause_cell_text", "en", cell=cell, header=header_en, text=text),
                    )
                    for _, cell, header, header_en, text in causes
                ]
            )
            cause_zh, cause_en = messages.both("cause_not_number", cells=cells, n=len(causes))
        else:
            shown = [sheet.cell(n, row) for n in dict.fromkeys(inputs) if n in sheet.letters]
            cause_zh, cause_en = (
                messages.both("cause_check_row_cells", cells=messages.join(shown))
                if shown
                else messages.both("cause_check_cells")
            )
        ctx.add(Rule.FORMULA_ERROR, td, name, row, value=code, cause_zh=cause_zh, cause_en=cause_en)


def _causes(td: TableData, row: int, inputs, errors: dict, textual: dict, seen: set) -> list:
    """[(column, cell, header, English header, text)] of input cells in `row` holding text, following
    derived inputs that are errors themselves back to the cells they come from."""
    sheet, table = td.sheet, td.table
    out = []
    for name in dict.fromkeys(inputs):
        if name in seen or name not in sheet.letters:
            continue
        seen.add(name)
        col = table.column(name)
        if col.derived and col.formula_ast is not None:
            if (row, sheet.letters[name]) in errors:
                out.extend(_causes(td, row, table.columns_in(col.formula_ast), errors, textual, seen))
            continue
        text = textual.get(name, {}).get(row)
        if text is None and (row, sheet.letters[name]) in errors:
            text = errors[(row, sheet.letters[name])][0]  # an input whose own formula failed
        if text is not None:
            out.append((name, sheet.cell(name, row), col.title, col.title_en or col.title, text[:40]))
    return out


def _coerce_all(ctx: Context, raw: pd.DataFrame, columns: list) -> dict:
    """Every column's typed values, several columns at once: the work is Arrow compute, which
    releases the GIL, so the columns share the cores."""
    from concurrent.futures import ThreadPoolExecutor

    # The columns are taken here, in the calling thread: the workers touch no DataFrame.
    work = [(col, raw[col.name], *accepted_spellings(ctx.catalog, col)) for col in columns]

    def coerce(item):  # the reader has already turned blank cells into nulls
        col, values, aliases, prefix = item
        return coerce_column(values, col, ctx.month, aliases, blanks_done=True, prefix_match=prefix)

    if len(raw) < PARALLEL_FROM or len(columns) < 2:
        return {col.name: coerce(item) for item, col in zip(work, columns)}
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return dict(zip((col.name for col in columns), pool.map(coerce, work)))
