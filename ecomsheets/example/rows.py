"""Rows for every table of a bundle, drawn from each column's type and constraints.

References pick keys of the referenced table, keys are unique sequences (different per seed,
so files made with different seeds merge like files from different shops), dates fall in
the month, numbers inside their ranges. Derived columns are left to the formulas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomsheets.compute.derived import compute_derived, expression_input
from ecomsheets.compute.evaluate import to_pandas
from ecomsheets.months import Month
from ecomsheets.schema import Catalog, ColumnSpec, TableSpec, expr

MASTER_ROWS = 2000
CHUNK_ROWS = 50_000


class ChunkedRows:
    """Rows of a large table made chunk by chunk as they are written (memory stays flat)."""

    def __init__(self, count: int, make_chunk, chunk_rows: int = CHUNK_ROWS):
        self.count, self.make_chunk, self.chunk_rows = count, make_chunk, chunk_rows

    def __len__(self) -> int:
        return self.count

    def chunks(self):
        for start in range(0, self.count, self.chunk_rows):
            yield self.make_chunk(start, min(self.chunk_rows, self.count - start))


def example_frames(
    catalog: Catalog,
    bundle_name: str,
    month: Month,
    rows: int | dict[str, int] = 50,
    seed: int = 1,
    tables: list[str] | None = None,
    chunked: bool = False,
) -> dict:
    """Typed rows per table, in an order where references resolve: DataFrames, or (with
    `chunked`) ChunkedRows for large tables that nothing refers to."""
    bundle = catalog.bundle(bundle_name)
    names = [n for n in bundle.tables if tables is None or n in tables]
    rng = np.random.default_rng(seed)
    frames: dict = {}
    referenced = {c.ref_table for n in names for c in catalog.tables[n].columns if c.references}
    for index, name in enumerate(_reference_order(catalog, names)):
        table = catalog.tables[name]
        if isinstance(rows, dict):
            n = rows.get(name, 50)
        elif table.example_rows:
            n = min(rows, table.example_rows)
        elif name in referenced and not any(c.in_month for c in table.columns):
            n = min(rows, MASTER_ROWS)  # master data (customers, SKUs, staff) stays a real shop's size
        else:
            n = rows
        if chunked and name not in referenced and n > CHUNK_ROWS and _sequence_key(table):
            frames[name] = ChunkedRows(n, _chunk_maker(catalog, table, month, seed, index, dict(frames)))
        else:
            frames[name] = _table_rows(catalog, table, n, month, seed, rng, frames)
    _reconcile(bundle, catalog, {k: v for k, v in frames.items() if isinstance(v, pd.DataFrame)})
    return {n: frames[n] for n in names}


def _sequence_key(table: TableSpec) -> bool:
    """The table's key starts with a generated sequence, so chunks never repeat a key."""
    if not table.primary_key:
        return False
    col = table.column(table.primary_key[0])
    return col.coltype.holds_ids and not col.references and col.example_ast is None and not col.example_from


def _chunk_maker(catalog, table: TableSpec, month: Month, seed: int, index: int, masters: dict):
    def make(start: int, n: int) -> pd.DataFrame:
        rng = np.random.default_rng([seed, index, start])  # the same seed gives the same file
        return _table_rows(catalog, table, n, month, seed, rng, masters, offset=start)

    return make


def _reconcile(bundle, catalog: Catalog, frames: dict) -> None:
    """Make the bundle's cross-sheet reconciliations hold: the checked column is set to the
    aggregate it is checked against (e.g. headcount = employees in that position)."""
    from ecomsheets.compute.metrics import check_expected

    params = dict(bundle.parameters)
    for check in bundle.checks:
        if check.table in frames and check.source_table in frames:
            target = frames[check.table]
            expected = check_expected(
                check, frames[check.source_table], target, catalog.tables[check.source_table], params
            )
            target[check.column] = expected.fillna(0.0).to_numpy()


def _reference_order(catalog: Catalog, names: list[str]) -> list[str]:
    order: list[str] = []

    def visit(name, seen=()):
        if name in order or name in seen:
            return
        for col in catalog.tables[name].columns:
            if col.ref_table in names and col.ref_table != name:
                visit(col.ref_table, seen + (name,))
        order.append(name)

    for name in names:
        visit(name)
    return order


def _table_rows(
    catalog, table: TableSpec, n: int, month: Month, seed: int, rng, frames, offset: int = 0
) -> pd.DataFrame:
    data = {}
    for i, col in enumerate(table.columns):
        if col.derived or col.example_ast is not None:
            continue
        if col.example_from:
            pool = np.array(catalog.reference[col.example_from].values, dtype=object)
            if col.unique or table.primary_key == (col.name,):  # each value once, numbered after
                data[col.name] = [
                    pool[i % len(pool)] + ("" if i < len(pool) else str(i // len(pool) + 1)) for i in range(n)
                ]
            else:
                data[col.name] = rng.choice(pool, size=n)
        else:
            data[col.name] = _column(table, col, i, n, month, seed, rng, frames, offset)
    frame = pd.DataFrame(data)
    _fill_examples(table, frame, rng)
    if len(table.primary_key) > 1:
        frame = frame.drop_duplicates(subset=list(table.primary_key)).reset_index(drop=True)
    return frame


def _fill_examples(table: TableSpec, frame: pd.DataFrame, rng) -> None:
    """Columns whose values follow from others (`example:` expressions), in dependency order,
    with derived columns computed as the template's formulas would."""
    pending = [c for c in table.columns if c.example_ast is not None]

    def available(name: str) -> bool:
        col = table.by_name.get(name)
        if name == "_rand" or name in frame:
            return True
        return bool(
            col
            and col.derived
            and col.formula_ast is not None
            and all(available(n) for n in expr.names(col.formula_ast))
        )

    while pending:
        ready = [c for c in pending if all(available(n) for n in expr.names(c.example_ast))]
        if not ready:
            raise ValueError(f"example expressions of {table.name} refer to each other")
        derived = compute_derived(frame, table)
        for col in ready:
            values = {"_rand": rng.random(len(frame))}
            for name in expr.names(col.example_ast):
                if name != "_rand":
                    src = derived[name] if name in derived else frame[name]
                    values[name] = expression_input(src, table.column(name))
            frame[col.name] = col.coltype.example_from_number(
                np.asarray(to_pandas(col.example_ast)(values), dtype="float64")
            )
            pending.remove(col)


def _column(
    table: TableSpec, col: ColumnSpec, index: int, n: int, month: Month, seed: int, rng, frames, offset: int = 0
):
    is_key = (
        col.unique
        or table.primary_key == (col.name,)
        or (table.primary_key and table.primary_key[0] == col.name and col.coltype.holds_ids)
    )
    if col.references and col.ref_table in frames:
        pool = frames[col.ref_table][col.ref_column].dropna().to_numpy()
        if len(pool) and not is_key:
            return rng.choice(pool, size=n)
    if is_key and col.coltype.holds_ids:
        prefix = "".join(part[0] for part in table.name.split("_")).upper()
        if col.max_length:
            prefix = prefix[: max(1, col.max_length - 7)]
        return [f"{prefix}{seed % 100:02d}{offset + i + 1:05d}" for i in range(n)]
    if col.values:
        return rng.choice(np.array(col.values, dtype=object), size=n)
    return col.coltype.example(col, n, rng, month)
