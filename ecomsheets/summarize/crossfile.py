"""Checks of one month across its files: what single-file validation could not do, because the
two sides of a check are in different files (a team's file holds its team's tables).

- References: a row whose own file did not hold the referenced table (an after-sales row of
  客服售后's file, its order in 运营推广's) is checked against every key of that table read this
  month. An unknown key is a `reference` error at the row's cell, and the row is left out, like
  a row with an error in its own file: the summary does not count an after-sales row for an
  order nobody has. A key whose row was itself left out (an error, another month, a conflict)
  still counts as known: the order exists, its own file says what is wrong with it. When no
  file of the month holds the referenced table, one `reference_absent` warning per column says
  it was not checked and why (its team's file missing, or left out); the rows are kept.
- The family's row checks (`BundleSpec.checks`) on the merged tables, for rows whose own file
  did not hold the other table; errors leave the row out, as above.
- The family's totals checks on the month's figures, when no single file held both sides'
  tables (a file that did has checked them itself).
Checks are not cascaded: a row left out here does not make rows referring to it unknown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.compute.derived import expression_inputs
from ecomsheets.compute.evaluate import to_pandas
from ecomsheets.compute.metrics import MetricValue, check_expected, holds, key_text, tolerance_of
from ecomsheets.findings import ERROR, WARNING, Finding, finding
from ecomsheets.rules import Rule
from ecomsheets.schema import BundleSpec, Catalog, ColumnSpec, TableSpec, expr
from ecomsheets.validate.context import shown_number
from ecomsheets.validate.cross import reconcile_words, totals_words

SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW = "_source_file", "_source_sheet", "_source_row"
LINEAGE = (SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW)


@dataclass
class MonthRows:
    """What the consolidation knows of the month, for the checks across files."""

    tables: dict[str, pd.DataFrame]  # merged rows (derived columns included) with lineage
    held: dict[str, set[str]]  # each file taken -> the tables it holds itself
    # (table, column) -> that column of every file taken, all its rows read (keys only compared
    # when a file refers to a table it does not hold: a month of department files never is).
    known: dict[tuple[str, str], list[pd.Series]]
    letters: dict[tuple[str, str], dict[str, str]]  # (file, table) -> column letters in its sheet
    params: dict[str, Any]  # the family's settings, as the files give them
    absent: dict[str, messages.Both] = field(default_factory=dict)  # table no file gives -> why
    # each file taken -> the master lists its own validation checked references against
    mastered: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Checked:
    tables: dict[str, pd.DataFrame]  # the merged tables without the rows left out
    findings: list[Finding]
    left_out: Counter  # reason -> rows
    dropped: Counter  # file -> rows left out
    errors: Counter  # file -> errors found
    partial: set[str] = field(default_factory=set)  # tables some of whose rows were left out here


def check_rows(month: MonthRows, family: BundleSpec, catalog: Catalog) -> Checked:
    """References and row checks across files on the merged tables (see the module's note)."""
    out = Checked(dict(month.tables), [], Counter(), Counter(), Counter())
    drops = {name: np.zeros(len(frame), dtype=bool) for name, frame in month.tables.items()}
    for name in family.tables:
        frame = month.tables.get(name)
        if frame is not None and not frame.empty:
            bad = _references(month, catalog, catalog.tables[name], frame, out)
            drops[name] |= bad
            out.left_out["references"] += int(bad.sum())
    # The row checks see the tables without the rows that refer to nothing.
    kept = {n: f[~drops[n]] for n, f in month.tables.items()}
    positions = {n: np.flatnonzero(~drops[n]) for n in month.tables}
    for check in family.checks:
        target = kept.get(check.table)
        if target is None or target.empty or check.source_table not in kept:
            continue
        bad = _row_check(month, catalog, check, target, kept[check.source_table], out)
        if bad.any():
            rows = positions[check.table][bad]
            out.left_out["cross_checks"] += int((~drops[check.table][rows]).sum())
            drops[check.table][rows] = True
    for name, mask in drops.items():
        if mask.any():
            out.partial.add(name)
            frame = month.tables[name]
            out.dropped.update(frame.loc[mask, SOURCE_FILE].value_counts().to_dict())
            out.tables[name] = frame[~mask].reset_index(drop=True)
    out.left_out = +out.left_out  # no zero counts
    return out


def check_totals(
    metrics: list[MetricValue], month: MonthRows, family: BundleSpec, catalog: Catalog, partial: Collection[str] = ()
) -> list[Finding]:
    """The family's totals checks on the month's figures, where both sides' tables are in the
    month whole (not `partial`: a figure missing the rows left out for errors cannot be held
    against the other's) and no file held both (see validate.cross.check_totals for one file)."""
    values = {m.name: m.value for m in metrics if m.group is None}
    by_name = {m.name: m for m in family.metrics}
    out: list[Finding] = []
    for check in family.totals_checks:
        m, other = by_name[check.metric], by_name[check.against]
        sides = (m.table, other.table)
        if any(t is None or t not in month.tables or month.tables[t].empty or t in partial for t in sides):
            continue  # a figure of no one table, a sheet not in the month (or left empty), or not whole
        holders = [h for h in month.held.values() if sides[0] in h or sides[1] in h]
        if all(sides[0] in h and sides[1] in h for h in holders):
            continue  # each file held both sheets and checked them itself
        left, right = values.get(check.metric), values.get(check.against)
        tol = tolerance_of(check.tolerance, month.params)
        if left is None or right is None or tol is None:
            continue
        if holds(np.float64(left), check.op, np.float64(right), tol):
            continue
        table = catalog.tables[m.table or ""]
        out.append(
            finding(
                Rule.TOTALS,
                check.severity,
                file=_names(month.tables[table.name][SOURCE_FILE]),
                sheet=table.sheet,
                table=table.name,
                column=m.column,
                **totals_words(check, m, other, left, right, tol),
            )
        )
    return out


def _elsewhere(month: MonthRows, frame: pd.DataFrame, table: str) -> np.ndarray:
    """Rows whose own file did not hold `table` (the ones single-file validation could not check)."""
    files = frame[SOURCE_FILE]
    held = {f: table not in month.held.get(f, ()) for f in files.unique()}
    return files.map(held).to_numpy(dtype=bool)


def _references(month: MonthRows, catalog: Catalog, table: TableSpec, frame: pd.DataFrame, out: Checked) -> np.ndarray:
    """Rows referring to a key no file of the month has; findings added to `out`."""
    bad = np.zeros(len(frame), dtype=bool)
    for col in table.columns:
        name = col.ref_table
        if name is None or col.name not in frame or (name not in month.tables and name not in month.absent):
            continue
        values = key_text(frame[col.name])
        ask = _elsewhere(month, frame, name) & values.notna().to_numpy()
        if not ask.any():
            continue
        target = catalog.tables[name]
        tcol = target.column(col.ref_column or "")
        heads = {
            "target_header": tcol.title,
            "target_header_en": tcol.title_en or tcol.title,
        }
        if name not in month.tables:
            # A file that checked against a master list (its copy, or --masters) has been answered.
            ask &= ~frame[SOURCE_FILE].map(lambda f: name in month.mastered.get(f, ())).to_numpy(dtype=bool)
            if not ask.any():
                continue
            why = month.absent[name]
            out.findings.append(
                finding(
                    Rule.REFERENCE_ABSENT,
                    WARNING,
                    file=_names(frame.loc[ask, SOURCE_FILE]),
                    sheet=str(frame.loc[ask, SOURCE_SHEET].iloc[0]),
                    table=table.name,
                    column=col.name,
                    header=col.title,
                    n=int(ask.sum()),
                    target_title=target.sheet,
                    target_title_en=target.sheet_name("en"),
                    why=why[0],
                    why_en=why[1],
                    **heads,
                )
            )
            continue
        keys = [key_text(k).dropna() for k in month.known.get((name, col.ref_column or ""), [])]
        unknown = ask & ~values.isin(pd.concat(keys) if keys else []).to_numpy()
        for pos in np.flatnonzero(unknown):
            out.findings.append(
                _at(
                    month,
                    table,
                    frame,
                    int(pos),
                    col,
                    Rule.REFERENCE,
                    ERROR,
                    value=str(values.iloc[pos]),
                    target_sheet=target.sheet,
                    target_sheet_en=target.sheet_name("en"),
                    **heads,
                )
            )
            out.errors[frame[SOURCE_FILE].iloc[pos]] += 1
        bad |= unknown
    return bad


def _row_check(
    month: MonthRows, catalog: Catalog, check, target: pd.DataFrame, source: pd.DataFrame, out: Checked
) -> np.ndarray:
    """Rows of `target` (whose file did not hold the check's other table) failing a check of
    the family (see validate.cross.check_reconciliations); findings added to `out`."""
    fails = np.zeros(len(target), dtype=bool)
    ask = _elsewhere(month, target, check.source_table)
    if not ask.any() or (source.empty and check.value is None):
        return fails  # a sheet left blank is not kept this month, not a month of zeros
    tol = tolerance_of(check.tolerance, month.params)
    if tol is None or (check.when_ast is not None and _unset(check.when_ast, month.params)):
        return fails
    table, other = catalog.tables[check.table], catalog.tables[check.source_table]
    expected = check_expected(check, source, target, other, month.params)
    col = table.column(check.column)
    if check.value is not None:
        actual = pd.Series(float(check.value), index=target.index).where(target[check.column].notna())
    else:
        actual = col.coltype.to_number(target[check.column])
    applies = ask & (actual.notna() & expected.notna()).to_numpy() & _whole(month, check, target, source)
    if check.when_ast is not None:
        inputs = expression_inputs(
            table, check.when_ast, lambda n: _with_default(target, table.column(n)), month.params
        )
        applies &= np.asarray(to_pandas(check.when_ast)(inputs), dtype=bool)
    ok = holds(actual.to_numpy(dtype="float64"), check.op, expected.to_numpy(dtype="float64"), tol)
    source_col = other.column(check.source_column) if check.source_column else None
    for pos in np.flatnonzero(applies & ~ok):
        out.findings.append(
            _at(
                month,
                table,
                target,
                int(pos),
                col,
                Rule.RECONCILE,
                check.severity,
                value=_shown(target[check.column].iloc[pos], col),
                **reconcile_words(check, float(expected.iloc[pos]), source_col),
            )
        )
        if check.severity == ERROR:
            out.errors[target[SOURCE_FILE].iloc[pos]] += 1
            fails[pos] = True
    return fails


def _whole(month: MonthRows, check, target: pd.DataFrame, source: pd.DataFrame) -> np.ndarray:
    """Rows of `target` whose matching rows of the other table are all in the month: an order
    with a line left out (an error in its own file, with --include-invalid) cannot say how
    much was bought, and its after-sales rows are not judged by what is left of it."""
    if not check.match:
        return np.ones(len(target), dtype=bool)
    mine, theirs = check.match[0]
    read = month.known.get((check.source_table, theirs), [])
    if not read:
        return np.ones(len(target), dtype=bool)
    counts = pd.concat([key_text(k) for k in read]).value_counts()
    taken = key_text(source[theirs]).value_counts().reindex(counts.index, fill_value=0)
    short = set(counts.index[(counts > taken).to_numpy()])
    return ~key_text(target[mine]).isin(short).to_numpy()


def _at(
    month: MonthRows, table: TableSpec, frame: pd.DataFrame, pos: int, col: ColumnSpec, rule, severity, **fields
) -> Finding:
    """A finding at the cell a merged row came from (its file, sheet and Excel row)."""
    file, sheet, row = (frame[c].iloc[pos] for c in LINEAGE)
    letter = month.letters.get((file, table.name), {}).get(col.name)
    return finding(
        rule,
        severity,
        file=file,
        sheet=sheet,
        table=table.name,
        cell=f"{letter}{int(row)}" if letter else None,
        row=int(row),
        column=col.name,
        header=col.title,
        **fields,
    )


def _with_default(frame: pd.DataFrame, col: ColumnSpec) -> pd.Series:
    """A column as row rules read it: a blank cell of a column with a default is that default."""
    values = frame[col.name] if col.name in frame else pd.Series(np.nan, index=frame.index)
    return values.fillna(col.default) if col.default is not None and not col.derived else values


def _unset(node, params: dict) -> bool:
    """An expression reads a setting left blank: the check cannot be made (the file that holds
    the setting already said so)."""
    return any(n in params and params[n] is None for n in expr.names(node))


def _shown(value: Any, col: ColumnSpec | None) -> str:
    """A value as people write it: a date as 2026-11-03, a number as 1,573.2."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if col is not None and col.coltype.temporal:
        if isinstance(value, (int, float, np.floating)):
            value = col.coltype.from_number(pd.Series([value]))[0]
        try:
            return pd.Timestamp(value).strftime("%Y-%m-%d")
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return shown_number(float(value))
    return str(value)


def _names(files) -> str:
    """File names of the rows given, joined (a finding about several files)."""
    return messages.join(sorted({Path(str(f)).name for f in files}))[0]
