"""Rows for every table of a bundle, drawn from each column's type and constraints.

References pick keys of the referenced table, keys are unique sequences (different per seed,
so files made with different seeds merge like files from different shops), dates fall in
the month, numbers inside their ranges. Derived columns are left to the formulas.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from ecomsheets.compute.derived import compute_derived, expression_inputs
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
    if bundle.family:
        # A team's rows are its share of the department's (same seed): the five team files of
        # a month hold exactly the department example's rows, and their references resolve.
        family = example_frames(catalog, bundle.family, month, rows, seed, chunked=chunked)
        return {n: family[n] for n in names}
    params = {p.name: p.filled_value() for p in bundle.parameter_specs}
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
            frames[name] = ChunkedRows(n, _chunk_maker(catalog, table, month, seed, index, dict(frames), params))
        else:
            # Each table draws from its own stream: a column added to one table leaves the
            # other tables' example rows as they were.
            rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
            frame = _table_rows(catalog, table, n, month, seed, rng, frames, params=params)
            frames[name] = _keep_rule_abiding(table, frame, [r for r in bundle.rules if r.table == name], params)
            _satisfy_checks(bundle, catalog, frames, name, rng, params)
    _satisfy_totals(bundle, catalog, frames, month, params)
    return {n: frames[n] for n in names}


def _sequence_key(table: TableSpec) -> bool:
    """The table's key starts with a generated sequence, so chunks never repeat a key."""
    if not table.primary_key:
        return False
    col = table.column(table.primary_key[0])
    return col.coltype.holds_ids and not col.references and col.example_ast is None and not col.example_from


def _chunk_maker(catalog, table: TableSpec, month: Month, seed: int, index: int, masters: dict, params: dict):
    def make(start: int, n: int) -> pd.DataFrame:
        rng = np.random.default_rng([seed, index, start])  # the same seed gives the same file
        return _table_rows(catalog, table, n, month, seed, rng, masters, offset=start, params=params)

    return make


def _satisfy_checks(bundle, catalog: Catalog, frames: dict, made: str, rng, params: dict) -> None:
    """Make the bundle's cross-sheet checks that involve the table just made hold, as a
    department's real rows would: a checked number is set to (or kept within) the aggregate it
    is checked against, pairs matched on several columns are drawn from the other sheet's rows,
    and a row no change can mend is left out. Example columns computed from a changed one are
    drawn again, so the table's own rules still hold."""
    from ecomsheets.compute.metrics import check_expected, holds

    for check in bundle.checks:
        if made not in (check.table, check.source_table):
            continue
        target, source = frames.get(check.table), frames.get(check.source_table)
        if not isinstance(target, pd.DataFrame) or not isinstance(source, pd.DataFrame):
            continue
        table, source_table = catalog.tables[check.table], catalog.tables[check.source_table]
        src = source.assign(**compute_derived(source, source_table, params=params))
        if made == check.table and _pairs(check, table):
            picks = rng.integers(0, len(src), size=len(target)) if len(src) else None
            for t, s_ in check.match:
                if picks is not None:
                    target[t] = src[s_].to_numpy()[picks]
        col = table.column(check.column)
        tgt = target.assign(**compute_derived(target, table, params=params))
        expected = check_expected(check, src, tgt, source_table, params)
        if check.value is None and not col.derived and (col.coltype.quantity or col.coltype.dated):
            target[check.column] = _within(check, col, target[check.column], expected)
            _redraw_dependents(table, target, {check.column}, rng, params)
            tgt = target.assign(**compute_derived(target, table, params=params))
        actual = (
            pd.Series(float(check.value), index=tgt.index)
            if check.value is not None
            else col.coltype.to_number(tgt[check.column])
        )
        applies = actual.notna().to_numpy() & expected.notna().to_numpy()
        if check.when_ast is not None:
            applies &= np.asarray(to_pandas(check.when_ast)(_inputs(table, tgt, check.when_ast, params)), dtype=bool)
        ok = holds(actual.to_numpy(dtype="float64"), check.op, expected.to_numpy(dtype="float64"), 0.0)
        keep = ~applies | ok
        if table.primary_key:  # a moved date may now repeat another row's key
            keep &= ~target.duplicated(subset=list(table.primary_key)).to_numpy()
        if not keep.all():
            frames[check.table] = target[keep].reset_index(drop=True)


def _keep_rule_abiding(table: TableSpec, frame: pd.DataFrame, bundle_rules: list, params: dict) -> pd.DataFrame:
    """The rows that keep every row rule of the table (a weekend row without the note its rule
    asks for is not a row a careful clerk writes): example expressions make most rows right,
    this leaves out the few they cannot."""
    keep = np.ones(len(frame), dtype=bool)
    full = frame.assign(**compute_derived(frame, table, params=params))
    for rule in (*table.rules, *bundle_rules):
        if rule.severity != "error" or any(params.get(n, 0) is None for n in expr.names(rule.check_ast)):
            continue
        used = table.columns_in(rule.check_ast, blank_tests=False)
        applies = np.ones(len(frame), dtype=bool)
        for name in used:
            applies &= full[name].notna().to_numpy()
        if rule.when_ast is not None:
            applies &= np.asarray(to_pandas(rule.when_ast)(_inputs(table, full, rule.when_ast, params)), dtype=bool)
        ok = np.asarray(to_pandas(rule.check_ast)(_inputs(table, full, rule.check_ast, params)), dtype=bool)
        keep &= ~applies | ok
    return frame if keep.all() else frame[keep].reset_index(drop=True)


def _pairs(check, table: TableSpec) -> bool:
    """A check matching on several columns that are not the row's own key (an after-sales
    row's order and SKU): such pairs are taken from the other sheet's rows together."""
    local = [t for t, _ in check.match]
    return len(local) > 1 and not set(local) <= set(table.primary_key)


def _within(check, col: ColumnSpec, values: pd.Series, expected: pd.Series) -> object:
    """The column's values moved to what the check allows."""
    numbers = col.coltype.to_number(values)
    want = expected.astype("float64")
    if check.op == "=":
        out = want.fillna(0.0)
    elif check.op in ("<=", "<"):
        out = np.fmin(numbers, want - (0 if check.op == "<=" else col.coltype.step))
    else:
        out = np.fmax(numbers, want + (0 if check.op == ">=" else col.coltype.step))
    out = out.where(numbers.notna(), numbers)  # a blank cell stays blank
    if col.min is not None:
        out = out.where(out >= col.min, numbers)  # out of range: the row is left out below instead
    return col.coltype.example_from_number(np.asarray(out, dtype="float64"))


def _redraw_dependents(table: TableSpec, frame: pd.DataFrame, changed: set[str], rng, params: dict) -> None:
    """Draw again the example columns computed from `changed` (and from those, in turn)."""
    todo = set(changed)
    redraw = []
    grew = True
    while grew:
        grew = False
        for col in table.columns:
            if col.example_ast is not None and col.name not in todo and todo & set(expr.names(col.example_ast)):
                todo.add(col.name)
                redraw.append(col.name)
                grew = True
    if redraw:
        for name in redraw:
            del frame[name]
        _fill_examples(table, frame, rng, params, only=set(redraw))


def _satisfy_totals(bundle, catalog: Catalog, frames: dict, month: Month, params: dict) -> None:
    """Make the bundle's totals checks hold: a figure summed from a column of filtered rows
    (the finance sheet's sales income) is scaled to the figure it must agree with; when no row
    passes the filter (a few example rows), one is added that does."""
    from ecomsheets.compute.metrics import evaluate_metrics, where_mask
    from ecomsheets.schema.metrics_loader import where_terms

    metrics = {m.name: m for m in bundle.metrics}
    for check in bundle.totals_checks:
        m = metrics[check.metric]
        frame = frames.get(m.table or "")
        if m.agg != "sum" or not isinstance(frame, pd.DataFrame) or m.column not in frame:
            continue
        table = catalog.tables[m.table or ""]
        col = table.column(m.column or "")
        if col.derived or not col.coltype.quantity:
            continue
        typed = {k: v for k, v in frames.items() if isinstance(v, pd.DataFrame)}
        full = {k: v.assign(**compute_derived(v, catalog.tables[k], params=params)) for k, v in typed.items()}
        values = {v.name: v.value for v in evaluate_metrics(bundle, catalog.tables, full, month, params=params)}
        have, want = values.get(m.name), values.get(check.against)
        if want is None or len(frame) == 0:
            continue
        mask = where_mask(m.where_ast, full[m.table or ""], table, params)
        rows = np.flatnonzero(mask) if mask is not None else np.arange(len(frame))
        if not have:
            added = _row_passing(table, frame, where_terms(m.where_ast) if m.where_ast is not None else [])
            if added is None:
                continue
            frame = frames[m.table or ""] = pd.concat([frame, added], ignore_index=True)
            rows, have = np.array([len(frame) - 1]), 1.0
            frame.loc[len(frame) - 1, m.column] = 1.0
        numbers = col.coltype.to_number(frame[m.column]).to_numpy(dtype="float64").copy()
        scaled = np.round(numbers[rows] * (want / have), 2)
        scaled[-1] = round(want - (scaled[:-1].sum()), 2)  # the rounding's cents go to the last row
        numbers[rows] = scaled
        frame[m.column] = col.coltype.example_from_number(numbers)


def _row_passing(table: TableSpec, frame: pd.DataFrame, terms: list) -> pd.DataFrame | None:
    """A copy of the last row with the filter's `column = value` terms made true and a new key
    (the key's number one past the largest); None when the filter is not of that kind."""
    row = frame.iloc[[-1]].copy()
    for term in terms:
        if not (isinstance(term, expr.Binary) and term.op == "=" and isinstance(term.right, (expr.Str, expr.Num))):
            return None
        row[term.left.name] = term.right.value  # type: ignore[union-attr]
    for name in table.primary_key:
        taken = set(frame[name].astype(str))
        value = str(row[name].iloc[0])
        head, digits = value.rstrip("0123456789"), value[len(value.rstrip("0123456789")) :]
        if not digits:
            return None
        n = int(digits)
        while f"{head}{n:0{len(digits)}d}" in taken:
            n += 1
        row[name] = f"{head}{n:0{len(digits)}d}"
    return row


def _inputs(table: TableSpec, frame: pd.DataFrame, node, params: dict) -> dict:
    blank = pd.Series(np.nan, index=frame.index)
    return expression_inputs(table, node, lambda n: frame[n] if n in frame else blank, params)


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
    catalog, table: TableSpec, n: int, month: Month, seed: int, rng, frames, offset: int = 0, params=None
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
    _fill_examples(table, frame, rng, params or {})
    if len(table.primary_key) > 1:
        frame = frame.drop_duplicates(subset=list(table.primary_key)).reset_index(drop=True)
    return frame


def _fill_examples(table: TableSpec, frame: pd.DataFrame, rng, params: dict, only: set[str] | None = None) -> None:
    """Columns whose values follow from others (`example:` expressions), in dependency order,
    with derived columns computed as the template's formulas would (`only`: just these)."""
    pending = [c for c in table.columns if c.example_ast is not None and (only is None or c.name in only)]

    def available(name: str) -> bool:
        col = table.by_name.get(name)
        if name == "_rand" or name in frame or (col is None and name in params):
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
        derived = compute_derived(frame, table, params=params)
        full = frame.assign(**derived)
        for col in ready:
            values = _inputs(table, full, col.example_ast, params)
            values["_rand"] = rng.random(len(frame))
            result = to_pandas(col.example_ast)(values)
            if col.coltype.kind == expr.TEXT:  # IF(purpose = "其他", "…", ""): texts, "" is blank
                texts = pd.Series(np.broadcast_to(np.asarray(result, dtype=object), len(frame)), index=frame.index)
                frame[col.name] = texts.where(texts.astype(str) != "", None)
                pending.remove(col)
                continue
            numbers = np.asarray(result, dtype="float64")
            frame[col.name] = col.coltype.example_from_number(np.broadcast_to(numbers, len(frame)).copy())
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
        # Two digits of the seed, or all of them past 99, so that up to 1,000 shops' keys differ.
        shop = f"{seed % 100:02d}" if not 100 <= seed < 1000 else str(seed)
        if col.max_length:
            prefix = prefix[: max(1, col.max_length - 5 - len(shop))]
        return [f"{prefix}{shop}{offset + i + 1:05d}" for i in range(n)]
    if col.values:
        return rng.choice(np.array(col.values, dtype=object), size=n)
    return col.coltype.example(col, n, rng, month)
