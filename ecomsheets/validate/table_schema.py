"""Per-table checks with pandera: required, unique, composite primary key, ranges, allowed
values, patterns and lengths, built from the TableSpec and run lazily (all failures at once).
Failure cases become findings at their cells."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomsheets.rules import Rule
from ecomsheets.schema import TableSpec

from .context import Context, TableData


def check_table(ctx: Context, td: TableData) -> None:
    import pandera.pandas as pa

    table: TableSpec = td.table
    typed = td.typed
    # Only columns the sheet has: a missing column is one column_missing finding, not an
    # empty cell on every row.
    present = [c for c in table.columns if not c.derived and c.name in td.sheet.raw]
    checks = {c.name: c.coltype.checks(c) for c in present}  # (rule, pandera check, message fields)
    columns = {}
    for col in present:
        unique = col.unique or table.primary_key == (col.name,)
        columns[col.name] = pa.Column(
            checks=[chk for _, chk, _ in checks[col.name]],
            # Imported rows need not have what their export lacks (validate.imported): such a
            # column's blanks are judged below, row by row, not as a million failure cases.
            nullable=not col.required or col.name in td.waived,
            unique=unique,
            report_duplicates="exclude_first",
            required=False,
            coerce=False,
        )
    composite = list(table.primary_key) if len(table.primary_key) > 1 else None
    if composite and not all(k in td.sheet.raw for k in composite):
        composite = None
    schema = pa.DataFrameSchema(columns, unique=composite, report_duplicates="exclude_first", coerce=False)
    frame = typed[[c.name for c in present if c.name in typed]].reset_index(drop=True)
    rows = typed.index.to_numpy()
    for col in present:
        if col.required and col.name in td.waived:
            blank = typed[col.name].isna().to_numpy() & ~td.waived[col.name]
            if col.name in td.invalid:
                blank &= ~td.invalid[col.name]  # already reported as unreadable
            for pos in np.flatnonzero(blank):
                ctx.add(Rule.REQUIRED, td, col.name, int(rows[pos]))
    try:
        schema.validate(frame, lazy=True)
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases[cases["index"].notna()]
    reported_pk: set[int] = set()
    firsts: dict[tuple, np.ndarray] = {}

    def first_row(key: list[str], pos: int) -> int:
        if tuple(key) not in firsts:
            firsts[tuple(key)] = _first_rows(typed, key)
        return int(firsts[tuple(key)][pos])

    for column, check, number, index in zip(cases["column"], cases["check"], cases["check_number"], cases["index"]):
        pos = int(index)
        row = int(rows[pos])
        if column in td.invalid and td.invalid[column][pos]:
            continue  # already reported as unreadable
        if check == "not_nullable":
            ctx.add(Rule.REQUIRED, td, column, row)
        elif check == "field_uniqueness":
            ctx.add(Rule.UNIQUE, td, column, row, other_row=first_row([column], pos))
        elif check == "multiple_fields_uniqueness":
            if pos in reported_pk:
                continue
            reported_pk.add(pos)
            key = table.primary_key
            titles = [table.column(k).title for k in key]
            ctx.add(
                Rule.PRIMARY_KEY,
                td,
                key[0],
                row,
                other_row=first_row(list(key), pos),
                key_zh="+".join(titles),
                key_en="+".join(table.column(k).title_en or k for k in key),
            )
        elif number is not None and not (isinstance(number, float) and np.isnan(number)):
            rule, _, params = checks[column][int(number)]
            ctx.add(rule, td, column, row, **params)


def warm_up() -> None:
    """pandera registers its pandas backends on the first validation (~0.1 s): do it now, so a
    background thread can pay for it while the sheets are parsed."""
    import pandera.pandas as pa

    frame = pd.DataFrame({"a": [1.0, 2.0]})
    pa.DataFrameSchema({"a": pa.Column(checks=[pa.Check.ge(0)], unique=True)}).validate(frame, lazy=True)


def _first_rows(typed: pd.DataFrame, key: list[str]) -> np.ndarray:
    """For every row, the Excel row where its key value first appears."""
    rows = pd.Series(typed.index.to_numpy(), index=pd.RangeIndex(len(typed)))
    keys = typed[key].reset_index(drop=True).astype(str)
    # dropna=False: a key that is blank in a row (a merged or formula cell) is a group too, not
    # a NaN row number.
    return rows.groupby([keys[k] for k in key], sort=False, dropna=False).transform("first").to_numpy()
