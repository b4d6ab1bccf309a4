"""Rows that came from a platform export (`ecomsheets import`): their 来源 cell names the
export file and row, and the workbook's metadata says which columns each export gave. A
column an export did not have is not required of its rows; a derived figure it gave without
the inputs (总金额 without 数量 and 单价) is taken as the export wrote it. Everything the export
gave is checked as strictly as a typed row."""

from __future__ import annotations

import numpy as np

from ecomsheets import messages
from ecomsheets.compute.derived import blank_inputs
from ecomsheets.rules import Rule

from .context import Context, TableData


def mark_imported(ctx: Context, td: TableData) -> None:
    """Fill td.waived and td.given_rows for the table's imported rows."""
    table = td.table
    name = table.origin
    raw = td.sheet.raw
    if name is None or name not in raw or not ctx.imports:
        return
    origin = raw[name].astype("string")
    if origin.isna().all():
        return
    imported = np.zeros(len(raw), dtype=bool)
    for entry in ctx.imports:
        columns = _columns(entry, table.name)
        if columns is None:
            continue
        rows = origin.str.startswith(entry["file"] + " ").fillna(False).to_numpy(dtype=bool)
        if not rows.any():
            continue
        imported |= rows
        for col in table.columns:
            if col.required and not col.derived and col.name not in columns:
                td.waived[col.name] = td.waived.get(col.name, np.zeros(len(raw), dtype=bool)) | rows
    if not imported.any():
        return
    rows = td.typed.index.to_numpy()
    for col in table.columns:
        if not col.derived or col.name not in td.typed:
            continue
        names, mode = blank_inputs(table, col)
        blanks = [td.typed[n].isna().to_numpy() for n in names if n in td.typed]
        if not blanks:
            continue
        lacking = np.logical_or.reduce(blanks) if mode == "any" else np.logical_and.reduce(blanks)
        given = imported & lacking & td.typed[col.name].notna().to_numpy()
        if given.any():
            td.given_rows[col.name] = given
        # A figure taken as the export wrote it is not recomputed: one that cannot be read is
        # said here, or nothing would.
        invalid = td.invalid.get(col.name)
        if invalid is not None:
            zh, en = messages.type_label(col.type, "zh", ctx.month), messages.type_label(col.type, "en", ctx.month)
            for pos in np.flatnonzero(imported & lacking & invalid):
                ctx.add(Rule.TYPE, td, col.name, int(rows[pos]), type_zh=zh, type_en=en)


def _columns(entry: object, table: str) -> set[str] | None:
    """The columns one export gave to `table`, from the (untrusted) metadata."""
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str) or not entry["file"]:
        return None
    columns = entry.get("columns")
    if not isinstance(columns, dict):
        return None
    names = columns.get(table)
    if not isinstance(names, list):
        return None
    return {n for n in names if isinstance(n, str)}
