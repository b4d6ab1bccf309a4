"""From cell texts to typed columns: coercion findings (unreadable values, normalisations) and
formulas found in plain data columns."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.findings import WARNING
from ecomsheets.read.coerce import coerce_column
from ecomsheets.read.formulas import is_external
from ecomsheets.read.workbook import SheetData

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
            ctx.add("precision_lost", td, letter_of[letter], row, value=number)
    by_letter: dict[str, list] = {}
    for (row, letter), formula in sheet.formulas.items():
        by_letter.setdefault(letter, []).append((row, formula))
    coerced = _coerce_all(ctx, raw, [col for col in table.columns if col.name in raw])
    for col in table.columns:
        if col.name not in raw:
            typed[col.name] = pd.Series(np.nan, index=raw.index, dtype="float64") if col.coltype.kind == "number" \
                else pd.Series(None, index=raw.index, dtype=object)
            continue
        result = coerced[col.name]
        typed[col.name] = result.values.set_axis(raw.index)
        td.invalid[col.name] = result.invalid
        if col.derived:
            continue  # derived cells are recomputed; their typed values are checked in rules
        zh_type, en_type = messages.type_label(col.type, "zh", ctx.month), messages.type_label(col.type, "en", ctx.month)
        for pos in np.flatnonzero(result.invalid):
            ctx.add("type", td, col.name, int(rows[pos]), type_zh=zh_type, type_en=en_type)
        for pos, original, shown, why in result.notes:
            why_zh, why_en = messages.both(f"why_{why}")
            ctx.add("normalized", td, col.name, int(rows[pos]), WARNING, normalized=shown,
                    why_zh=why_zh, why_en=why_en)
        cached = raw[col.name]
        for row, formula in by_letter.get(sheet.letters[col.name], ()):
            if row in raw.index:
                if is_external(formula):
                    rule = "external_formula"
                elif pd.isna(cached.get(row)):  # no saved result
                    rule = "formula_no_value"
                else:
                    rule = "formula_in_data"
                ctx.add(rule, td, col.name, row, WARNING, value="=" + formula if formula else "=…")
    return td


def _coerce_all(ctx: Context, raw: pd.DataFrame, columns: list) -> dict:
    """Every column's typed values, several columns at once: the work is Arrow compute, which
    releases the GIL, so the columns share the cores."""
    from concurrent.futures import ThreadPoolExecutor

    # The columns are taken here, in the calling thread: the workers touch no DataFrame.
    work = [(col, raw[col.name], _aliases(ctx, col)) for col in columns]

    def coerce(item):  # the reader has already turned blank cells into nulls
        col, values, aliases = item
        return coerce_column(values, col, ctx.month, aliases, blanks_done=True)

    if len(raw) < PARALLEL_FROM or len(columns) < 2:
        return {col.name: coerce(item) for item, col in zip(work, columns)}
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return dict(zip((col.name for col in columns), pool.map(coerce, work)))


def _aliases(ctx: Context, col) -> dict:
    """Short spellings of reference values (北京 → 北京市) accepted with a warning."""
    out = {}
    for ref in ctx.catalog.reference.values():
        if col.values and set(col.values) <= set(ref.values):
            for item in ref.items:
                for key in ("short", "code"):
                    if item.get(key):
                        out[str(item[key])] = item["value"]
    return out
