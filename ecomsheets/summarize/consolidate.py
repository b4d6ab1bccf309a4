"""Merge many submitted workbooks of one family of bundles (the department's workbook, its teams'
workbooks) into one set of tables, with the lineage of every row (source file, sheet, Excel row),
check the month across files, then recompute the family bundle's metrics.

Every input appears in the result as a Source with what happened to it:
- the family is the one most readable files belong to; a file of another family is left out;
- each table is merged from whichever files carry it (a team's file carries its team's tables);
- a byte-identical copy of another input is named as such and counted once;
- a file made for another month (its metadata, or, without metadata, all of its dated rows)
  contributes nothing;
- by default only files without errors are taken; with include_invalid, the rows of invalid
  files that carry no error (the complete set of bad cells decides, not the listed findings);
- rows outside the month are left out and counted;
- a key found in several files is taken once when the rows are identical, and left out
  everywhere (with a finding naming each file and cell) when they differ. The key is the
  table's `file_key` where declared (an order belongs to one file, whatever its lines), else its
  primary key; a table whose key is unique per file only (`key_per_file`) has no such conflicts;
- rows that refer to another file's table (an after-sales row in 客服售后's file, its order in
  运营推广's) and the family's checks between tables of different files are checked on the merged
  month (summarize.crossfile); rows failing them with an error are left out, like row errors.
The month's status (who on the family's roster handed in what) is `Consolidation.status`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.compute.metrics import MetricValue, evaluate_metrics
from ecomsheets.findings import ERROR, ROW_NEUTRAL, WARNING, Finding, finding
from ecomsheets.months import Month, parse_month
from ecomsheets.schema import BundleSpec, Catalog, TableSpec
from ecomsheets.summarize import crossfile
from ecomsheets.summarize.crossfile import LINEAGE, SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET
from ecomsheets.summarize.status import MISSING, REFUSED, SUBMITTED, WITH_ERRORS, Handin, hand_ins
from ecomsheets.validate.run import Inspection

__all__ = ["LINEAGE", "SOURCE_FILE", "SOURCE_ROW", "SOURCE_SHEET", "Consolidation", "Source", "consolidate"]

# Source.status values; all but TAKEN mean that something of the file is not in the summary.
TAKEN, PARTLY, LEFT_OUT, UNREADABLE, COPY, OTHER_MONTH, SKIPPED, OTHER_FAMILY = (
    "taken",
    "partly",
    "left_out",
    "unreadable",
    "copy",
    "other_month",
    "skipped",
    "other_family",
)


@dataclass
class Source:
    path: str
    sha256: str | None
    rows_read: int
    rows_taken: int
    errors: int
    warnings: int
    status: str  # see the status values above
    bundle: str | None = None  # the bundle the file was read as (None: unreadable)
    label: str = ""  # the file as people tell it apart (its path below the folder given)
    shop: str | None = None  # the shop its metadata names (import --shop): how the status names it
    month_errors: int = 0  # errors found across files: references, checks, key conflicts
    # Why nothing of the file was taken (a refused file: unreadable, another month or family).
    reason: str = ""
    reason_en: str = ""

    @property
    def state(self) -> str | None:
        """The file as the month's status sees it (summarize.status): handed in, with errors
        (rows or the whole file left out, or errors found), refused; None for a copy of
        another file or one of our summaries."""
        if self.status in (COPY, SKIPPED):
            return None
        if self.status in (UNREADABLE, OTHER_MONTH, OTHER_FAMILY):
            return REFUSED
        if self.status == LEFT_OUT or self.errors or self.month_errors:
            return WITH_ERRORS
        return SUBMITTED


@dataclass
class Consolidation:
    bundle: BundleSpec  # the family bundle (department), whatever bundles the files were
    month: Month | None
    tables: dict[str, pd.DataFrame]  # merged typed rows (derived included) + lineage columns
    sources: list[Source]
    findings: list[Finding]
    metrics: list[MetricValue] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)  # reason -> rows
    status: list[Handin] = field(default_factory=list)  # one per roster entry (or file), see summarize.status
    # Rows per table, where `tables` holds only some (the Dask engine: the first --data-rows).
    counts: dict[str, int] | None = None
    sides: Any = None  # the side-by-side (summarize.sides.Sides), where computed with the rows

    @property
    def rows(self) -> dict[str, int]:
        """Rows taken per table."""
        return self.counts if self.counts is not None else {n: len(f) for n, f in self.tables.items()}

    @property
    def missing(self) -> list[Handin]:
        return [h for h in self.status if h.state == MISSING]

    @property
    def complete(self) -> bool:
        """Every file taken whole, no row left out or in conflict, and nobody on the roster missing."""
        # Identical rows repeated across files (shared master data) lose nothing.
        return (
            all(s.status in (TAKEN, SKIPPED) for s in self.sources)
            and not any(n for reason, n in self.left_out.items() if reason != "duplicates")
            and not self.missing
        )


def consolidate(
    inspections: list[Inspection],
    catalog: Catalog,
    *,
    month: Month | str | None = None,
    include_invalid: bool = False,
    engine: Merger | None = None,
) -> Consolidation:
    """Merge inspected workbooks (see validate.run.inspect_workbook), here in pandas or, with
    another `engine` (summarize.dask_engine), on a cluster holding the files' rows."""
    taking = take(inspections, catalog, month=month, include_invalid=include_invalid)
    return _merge(taking, catalog, engine or LocalMerge())


@dataclass
class Taking:
    """What each file gives the month, before the merge: every source's fate, the findings so
    far, and each table's parts (the rows taken from each file, in the order files are taken)."""

    bundle: BundleSpec | None
    month: Month | None
    sources: list[Source]
    findings: list[Finding]
    parts: dict[str, list]  # table -> its parts (a pandas frame with lineage here; see Merger)
    letters: dict[tuple[str, str], dict[str, str]]  # (file, table) -> column letters
    left_out: Counter
    held: dict[str, set[str]]  # file taken -> the tables it holds itself
    mastered: dict[str, set[str]]  # file taken -> master lists its validation checked against
    partial: set[str]  # tables some of whose rows were left out (errors, conflicts)
    not_taken: set[str]  # tables of the family held by files of this family left out whole
    known: dict[tuple[str, str], list]  # (table, column) -> that column of every file taken
    params: dict


def take(
    inspections: list[Inspection], catalog: Catalog, *, month: Month | str | None = None, include_invalid: bool = False
) -> Taking:
    """Decide the fate of every file (family, copies, month, errors) and take its rows."""
    month = parse_month(month) if isinstance(month, str) else month
    readable = [i for i in inspections if i.ctx is not None and not i.report.skipped]
    bundle = _family(readable, catalog)
    if month is None:
        months = Counter(i.report.meta_month or (str(i.ctx.month) if i.ctx.month else None) for i in readable)
        months.pop(None, None)
        month = parse_month(months.most_common(1)[0][0]) if months else None
    findings: list[Finding] = []
    sources: list[Source] = []
    parts: dict[str, list] = {}
    letters: dict[tuple[str, str], dict[str, str]] = {}  # (file, table) -> column letters
    left_out: Counter = Counter()
    first_of: dict[str, str] = {}  # sha256 -> the file taken for it
    held: dict[str, set[str]] = {}  # file taken -> the tables it holds itself
    mastered: dict[str, set[str]] = {}  # file taken -> master lists its validation checked against
    partial: set[str] = set()  # tables some of whose rows were left out (errors, conflicts)
    not_taken: set[str] = set()  # tables of the family held by files of this family left out whole
    # Key texts of every row read from the files taken (rows left out included): a reference
    # to an order whose row had an error is not "an order nobody has".
    targets = _reference_targets(bundle, catalog) if bundle is not None else set()
    known: dict[tuple[str, str], list] = {}
    params: dict = dict(bundle.parameters) if bundle is not None else {}
    from_files: set[str] = set()
    # Of byte-identical files the one that does not look like a copy (店铺1.xlsx before
    # "店铺1 - 副本.xlsx") is taken, whatever the order the names sort in.
    same: dict[str, list[str]] = {}
    for i in inspections:
        if i.report.sha256:
            same.setdefault(i.report.sha256, []).append(i.report.file)
    originals = {sha: min(files, key=_copy_rank) for sha, files in same.items()}
    for insp in sorted(
        inspections, key=lambda i: (i.report.file != originals.get(i.report.sha256, i.report.file), i.report.file)
    ):
        rep = insp.report
        source = Source(rep.file, rep.sha256, rep.rows_checked, 0, rep.errors, rep.warnings, TAKEN)
        source.label = rep.label or Path(rep.file).name
        source.shop = rep.shop
        source.bundle = insp.ctx.bundle.name if insp.ctx is not None else None
        sources.append(source)
        if rep.skipped:  # a summary we wrote, left among the submissions
            source.status = SKIPPED
            findings.append(finding("our_summary", WARNING, file=rep.file))
            continue
        if insp.ctx is None:
            source.status = UNREADABLE
            reason = next((f for f in rep.findings if f.severity == ERROR), None)
            findings.append(
                finding(
                    "left_out_unreadable",
                    ERROR,
                    file=rep.file,
                    reason=reason.message if reason else "",
                    reason_en=reason.message_en if reason else "",
                )
            )
            _refused(source, findings[-1])
            continue
        if bundle is not None and insp.ctx.bundle.family_name != bundle.name:
            source.status = OTHER_FAMILY
            left_out["other_family"] += rep.rows_checked
            findings.append(
                finding(
                    "left_out_family",
                    ERROR,
                    file=rep.file,
                    bundle_title=insp.ctx.bundle.label("zh"),
                    bundle_title_en=insp.ctx.bundle.label("en"),
                    family_title=bundle.label("zh"),
                    family_title_en=bundle.label("en"),
                )
            )
            _refused(source, findings[-1])
            continue
        if rep.sha256 in first_of:
            source.status = COPY
            left_out["copies"] += rep.rows_checked
            findings.append(finding("left_out_copy", WARNING, file=rep.file, original=Path(first_of[rep.sha256]).name))
            continue
        first_of[rep.sha256] = rep.file
        other = _other_month(insp, month)
        if other:
            source.status = OTHER_MONTH
            left_out["other_month"] += rep.rows_checked
            findings.append(finding("left_out_other_month", ERROR, file=rep.file, its_month=other, month=str(month)))
            _refused(source, findings[-1])
            not_taken.update(_table_names(insp))
            continue
        # Dates outside the month are left out by month below, not counted as file errors.
        errors = rep.count(ERROR, skip_rules=ROW_NEUTRAL)
        if errors and not include_invalid:
            source.status = LEFT_OUT
            left_out["file_errors"] += rep.rows_checked
            first = next((f for f in rep.findings if f.severity == ERROR and f.rule not in ROW_NEUTRAL), None)
            findings.append(
                finding(
                    "left_out_file",
                    WARNING,
                    file=rep.file,
                    errors=rep.errors,  # the true count
                    first=_quote(first, "zh"),
                    first_en=_quote(first, "en"),
                )
            )
            not_taken.update(_table_names(insp))
            continue
        # Every table of the file's bundle: one it lacks a sheet for was named in validation
        # (sheet_missing), and its references are not for another team's file to answer.
        held[rep.file] = set(insp.ctx.bundle.tables)
        mastered[rep.file] = set(insp.ctx.checked_by_master)
        for name, value in insp.ctx.params.items():
            # The settings the files hold (a blank one stays the declared value); the first
            # file that has one gives it.
            if value is not None and name not in from_files:
                params[name] = value
                from_files.add(name)
        for part in file_tables(insp):
            name = part.name
            letters[(rep.file, name)] = part.letters
            for table, column in targets:
                if table == name and part.has(column):
                    known.setdefault((table, column), []).append(part.column(column))
            if part.errors:
                source.status = PARTLY
                partial.add(name)
                left_out["row_errors"] += part.errors
                findings.append(
                    finding(
                        "left_out_rows",
                        WARNING,
                        file=rep.file,
                        sheet=part.sheet,
                        table=name,
                        n=part.errors,
                        **_titles(part.table),
                    )
                )
            n = part.outside(month)
            if n:
                source.status = PARTLY
                left_out["out_of_month"] += n
                findings.append(
                    finding(
                        "left_out_month",
                        WARNING,
                        file=rep.file,
                        sheet=part.sheet,
                        table=name,
                        n=n,
                        month=str(month),
                        **_titles(part.table),
                    )
                )
            parts.setdefault(name, []).append(part.taken(rep.file, month))
    taking = Taking(
        bundle, month, sources, findings, parts, letters, left_out, held, mastered, partial, not_taken, known, params
    )
    return taking


def _merge(taking: Taking, catalog: Catalog, engine: Merger) -> Consolidation:
    """The month's tables merged from the parts taken, keys resolved across files, the checks
    across files made and the figures computed, by `engine` (here, or on a Dask cluster)."""
    bundle, month, sources, findings, left_out = (
        taking.bundle,
        taking.month,
        taking.sources,
        taking.findings,
        taking.left_out,
    )
    partial, parts, letters = taking.partial, taking.parts, taking.letters
    month_rows = None
    tables: dict[str, pd.DataFrame] = {}
    in_conflict: Counter = Counter()  # file -> rows left out as conflicts
    month_errors: Counter = Counter()  # file -> errors found across files
    if bundle is not None:
        engine.prepare({n: parts[n] for n in bundle.tables if n in parts}, catalog)
        for name in bundle.tables:
            if name not in parts:
                continue
            merged, dropped, dupes = engine.merge(parts[name], catalog.tables[name], findings, letters)
            left_out["conflicts"] += sum(dropped.values())
            left_out["duplicates"] += dupes
            in_conflict.update(dropped)
            if dropped:
                partial.add(name)
            tables[name] = merged
        month_errors.update(in_conflict)
        # Who is missing or refused does not depend on the checks across files.
        handed = hand_ins(bundle, catalog, sources)
        absent = {t: _why_absent(t, catalog, handed, taking.not_taken) for t in bundle.tables if t not in tables}
        month_rows = crossfile.MonthRows(
            tables, taking.held, taking.known, letters, taking.params, absent, taking.mastered
        )
        checked = engine.check_rows(month_rows, bundle, catalog)
        tables = checked.tables
        partial |= checked.partial
        findings.extend(checked.findings)
        left_out.update(checked.left_out)
        month_errors.update(checked.errors)
        # Rows taken per source, after conflicts and cross-file errors were removed.
        taken = engine.rows_per_file(tables)
        for source in sources:
            source.rows_taken = int(taken.get(source.path, 0))
            source.month_errors = int(month_errors.get(source.path, 0))
            if source.status == TAKEN and (in_conflict[source.path] or checked.dropped[source.path]):
                source.status = PARTLY
    result = Consolidation(bundle, month, {}, sources, findings, left_out=left_out)
    if bundle is not None:
        assert month_rows is not None
        result.metrics = engine.metrics(bundle, catalog, tables, month)
        month_rows.tables = engine.files_of(tables)
        findings.extend(crossfile.check_totals(result.metrics, month_rows, bundle, catalog, partial))
        result.status = hand_ins(bundle, catalog, sources)
    engine.finish(result, tables, catalog)
    return result


class FileTable:
    """One table of one file as the consolidation takes it: here, its rows read in this
    process (the Dask engine has its own, whose rows stay on the cluster)."""

    def __init__(self, td, error_rows) -> None:
        self.name, self.table, self.sheet = td.table.name, td.table, td.sheet.sheet
        self.letters = dict(td.sheet.letters)
        self.frame = td.typed.assign(**td.derived)
        self.keep = ~self.frame.index.isin(list(error_rows))
        self.errors = int((~self.keep).sum())
        self._outside: np.ndarray | None = None

    def has(self, column: str) -> bool:
        return column in self.frame

    def column(self, column: str) -> pd.Series:
        """The column's values in every row read (rows with errors included)."""
        return self.frame[column]

    def outside(self, month: Month | None) -> int:
        """Rows without errors dated outside `month`."""
        self._outside = outside_month(self.frame[self.keep], self.table, month)
        return int(self._outside.sum())

    def taken(self, file: str, month: Month | None) -> pd.DataFrame:
        """The rows taken, with their lineage (after outside())."""
        frame = self.frame[self.keep]
        if self._outside is not None and self._outside.any():
            frame = frame[~self._outside]
        return with_lineage(frame, file, self.sheet)


def with_lineage(frame: pd.DataFrame, file: str, sheet: str) -> pd.DataFrame:
    """A file's rows (index: Excel rows) with their lineage columns, renumbered from 0."""
    frame = frame.assign(**{SOURCE_FILE: file, SOURCE_SHEET: sheet, SOURCE_ROW: frame.index.to_numpy()})
    return frame.reset_index(drop=True)


def _table_names(insp: Inspection) -> list[str]:
    return [t.name for t in insp.remote] if insp.remote is not None else list(insp.ctx.tables)


def file_tables(insp: Inspection) -> list:
    """The tables of a file taken, as views the consolidation reads (see FileTable)."""
    if insp.remote is not None:
        return insp.remote
    return [FileTable(td, insp.report.error_rows.get(name, ())) for name, td in insp.ctx.tables.items()]


class LocalMerge:
    """The merge in this process, over pandas frames (the parts are FileTable.taken frames)."""

    def prepare(self, parts: dict[str, list[pd.DataFrame]], catalog: Catalog) -> None:
        """Work done for every table at once before merge() (nothing here)."""

    def merge(self, parts: list[pd.DataFrame], table: TableSpec, findings: list, letters: dict):
        """A table's parts as one frame, keys resolved across files (see resolve_keys)."""
        return resolve_keys(pd.concat(parts, ignore_index=True), table, findings, letters)

    def check_rows(self, month_rows, bundle: BundleSpec, catalog: Catalog):
        return crossfile.check_rows(month_rows, bundle, catalog)

    def rows_per_file(self, tables: dict[str, pd.DataFrame]) -> Counter:
        taken: Counter = Counter()
        for frame in tables.values():
            taken.update(frame[SOURCE_FILE].value_counts().to_dict())
        return taken

    def metrics(self, bundle: BundleSpec, catalog: Catalog, tables: dict, month: Month | None) -> list[MetricValue]:
        frames = {n: f.drop(columns=list(LINEAGE)) for n, f in tables.items()}
        return evaluate_metrics(bundle, catalog.tables, frames, month)

    def files_of(self, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """The tables as the month's totals checks read them (which files gave rows)."""
        return tables

    def finish(self, result: Consolidation, tables: dict[str, pd.DataFrame], catalog: Catalog) -> None:
        result.tables = tables


Merger = LocalMerge  # the interface every engine gives (summarize.dask_engine.DaskMerge)


def dated_months(insp: Inspection) -> Counter:
    """How many dated cells (columns counted in the month) of a file fall in each month."""
    if insp.remote is not None:
        return Counter(insp.dated)
    seen: Counter = Counter()
    for td in insp.ctx.tables.values():
        for col in td.table.columns:
            if col.in_month and col.name in td.typed:
                values = pd.to_datetime(td.typed[col.name], errors="coerce").dropna()
                seen.update(values.dt.strftime("%Y-%m").value_counts().to_dict())
    return seen


def _refused(source: Source, reason: Finding) -> None:
    source.reason, source.reason_en = reason.message, reason.message_en


def _family(readable: list[Inspection], catalog: Catalog) -> BundleSpec | None:
    """The family bundle of the month: that of most readable files (a tie: the first file's)."""
    names = Counter(i.ctx.bundle.family_name for i in readable)
    if not names:
        return None
    name = names.most_common(1)[0][0]
    return catalog.bundles.get(name) or next(i.ctx.bundle for i in readable if i.ctx.bundle.name == name)


def _reference_targets(bundle: BundleSpec, catalog: Catalog) -> set[tuple[str, str]]:
    """(table, column) pairs the family's tables refer to, and the other table's first match
    column of each of its checks (whose rows read are counted against the rows taken)."""
    refs = {
        (c.ref_table, c.ref_column)
        for name in bundle.tables
        for c in catalog.tables[name].columns
        if c.references and c.ref_table in bundle.tables
    }
    return refs | {(c.source_table, c.match[0][1]) for c in bundle.checks if c.match}


def _why_absent(table: str, catalog: Catalog, status: list[Handin], not_taken: set) -> messages.Both:
    """Why no file of the month gives a table: its team's file is missing or was refused (named
    from the roster), or the file that holds it was left out."""
    spec = catalog.tables[table]
    names = {"title": spec.sheet, "title_en": spec.sheet_name("en")}

    def teams(state: str) -> list[str]:
        return [
            h.team
            for h in status
            if h.state == state and h.bundle in catalog.bundles and table in catalog.bundles[h.bundle].tables
        ]

    for state, code in ((MISSING, "xf_absent_missing"), (REFUSED, "xf_absent_refused")):
        if teams(state):
            return messages.Both(*messages.both(code, teams=messages.join(teams(state)), **names))
    if table in not_taken:
        return messages.Both(*messages.both("xf_absent_left_out", **names))
    return messages.Both(*messages.both("xf_absent_none", **names))


_COPY_MARK = re.compile(r"副本|拷贝|复制|\bcopy\b|\(\d+\)|（\d+）|-\s*\d+$", re.I)


def _copy_rank(file: str) -> tuple:
    """Names that look like a copy (副本, Copy, (1)) rank after the original, then longer ones."""
    stem = Path(file).stem
    return (bool(_COPY_MARK.search(stem)), len(stem), file)


def _quote(f: Finding | None, lang: str) -> str:
    """A file's first error, quoted in the message that leaves it out."""
    if f is None:
        return ""
    where = f"{f.sheet}!{f.cell} " if f.sheet and f.cell else (f"{f.sheet} " if f.sheet else "")
    return where + f.text(lang)


def _other_month(insp: Inspection, month: Month | None) -> str | messages.Both | None:
    """The month a file was made for, when it is not `month`: its metadata's month, or without
    metadata the one month all of its dated rows fall in (None: the file belongs to `month`)."""
    if month is None:
        return None
    if insp.report.meta_month:
        return insp.report.meta_month if insp.report.meta_month != str(month) else None
    seen = dated_months(insp)
    dated, inside = sum(seen.values()), seen.pop(str(month), 0)
    if dated and not inside:
        return messages.join(sorted(seen)) if len(seen) <= 3 else f"{min(seen)}…{max(seen)}"
    return None


def _titles(table: TableSpec) -> dict:
    return {"table_title": table.title, "table_title_en": table.display_title("en")}


def outside_month(frame: pd.DataFrame, table: TableSpec, month: Month | None) -> np.ndarray:
    mask = np.zeros(len(frame), dtype=bool)
    if month is None:
        return mask
    lo, hi = pd.Timestamp(month.start), pd.Timestamp(month.end) + pd.Timedelta(days=1)
    for col in table.columns:
        if col.in_month and col.name in frame:
            values = pd.to_datetime(frame[col.name], errors="coerce")
            mask |= (values.notna() & ((values < lo) | (values >= hi))).to_numpy()
    return mask


def resolve_keys(
    frame: pd.DataFrame, table: TableSpec, findings: list, letters: dict[tuple[str, str], dict[str, str]]
) -> tuple[pd.DataFrame, Counter, int]:
    """Across files, a key's rows are taken once when every file has the same rows for it, and
    left out everywhere when they differ. Returns the frame, rows in conflict per file, and
    repeated rows."""
    key = list(table.file_key or table.primary_key)
    if not key or frame.empty or table.key_per_file:
        return frame, Counter(), 0
    # Keys seen in more than one file (repeats inside one file were validation errors).
    per_file = frame.drop_duplicates(subset=[*key, SOURCE_FILE])
    shared = per_file.loc[per_file.duplicated(subset=key, keep=False), key]
    if shared.empty:
        return frame, Counter(), 0
    involved = frame.merge(shared.drop_duplicates(), on=key, how="left", indicator=True)["_merge"].eq("both").to_numpy()
    sub = frame[involved]
    # Where a row was imported from (来源) differs between two files by nature: not content.
    data_cols = [c for c in frame.columns if c not in LINEAGE and c != table.origin]
    drop = np.zeros(len(frame), dtype=bool)
    positions = np.flatnonzero(involved)
    duplicates = 0
    dup_files: dict[str, set[str]] = {}
    conflicts: Counter = Counter()
    # Every involved row is read once (its file, sheet, Excel row, and its data as texts); each
    # key's work is then on its own rows only, never a filter of the group per file (that was
    # rows x files per key, with a pandas selection each time: seconds per thousand shared keys).
    row_file = sub[SOURCE_FILE].tolist()
    row_sheet = sub[SOURCE_SHEET].tolist()
    row_num = sub[SOURCE_ROW].tolist()
    texts = _rows_text(sub, data_cols, ordered=False)
    names: dict[str, str] = {}  # file -> its name, computed once
    name = lambda f: names.get(f) or names.setdefault(f, Path(f).name)  # noqa: E731
    column_letter: dict[str, str] = {}  # file -> the letter of the key's first column in its sheet
    for value, idx in sub.groupby([sub[k].astype(str) for k in key], sort=True).indices.items():
        rows = idx.tolist()
        by_file: dict[str, list[tuple]] = {}
        for i in rows:
            by_file.setdefault(row_file[i], []).append(texts[i])
        files = list(by_file)
        versions = [sorted(v) for v in by_file.values()]
        if all(v == versions[0] for v in versions[1:]):  # the same rows again: counted once
            later = [p for p, i in zip(positions[idx].tolist(), rows) if row_file[i] != files[0]]
            drop[later] = True
            duplicates += len(later)
            dup_files.setdefault(name(files[0]), set()).update(name(f) for f in files[1:])
            continue
        drop[positions[idx]] = True
        conflicts.update({f: len(v) for f, v in by_file.items()})
        for f in files:
            if f not in column_letter:
                column_letter[f] = letters.get((f, table.name), {}).get(key[0], "")
        places = [f"{name(row_file[i])} {row_sheet[i]}!{column_letter[row_file[i]]}{row_num[i]}" for i in rows]
        shown_names = [name(f) for f in files]
        shown = "+".join(value) if isinstance(value, tuple) else str(value)
        files_zh, files_en = messages.join(shown_names)
        places_zh, places_en = messages.join(places, "sep_clause")
        findings.append(
            finding(
                "conflict",
                ERROR,
                file=files_zh,
                table=table.name,
                key=shown,
                files=files_zh,
                files_en=files_en,
                places=places_zh,
                places_en=places_en,
                **_titles(table),
            )
        )
    if duplicates:
        pairs = [(a, sorted(b)) for a, b in dup_files.items()]
        findings.append(
            finding(
                "duplicate_rows",
                WARNING,
                file=next(iter(dup_files)),
                table=table.name,
                n=duplicates,
                **dict(
                    zip(
                        ("files", "files_en"),
                        messages.join(
                            [messages.Both(*(f"{a} = {s}" for s in messages.join(b))) for a, b in pairs], "sep_clause"
                        ),
                    )
                ),
                **_titles(table),
            )
        )
    return frame[~drop].reset_index(drop=True), conflicts, duplicates


def _rows_text(rows: pd.DataFrame, columns: list[str], ordered: bool = True) -> list[tuple]:
    """Rows as comparable texts (str of each value), sorted (a file's rows for one key, in a
    stable order) or, with ordered=False, in the frame's order."""
    texts = [tuple(str(v) for v in r) for r in rows[columns].itertuples(index=False)]
    return sorted(texts) if ordered else texts
