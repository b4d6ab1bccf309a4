"""Merge many submitted workbooks of one bundle into one set of tables, with the lineage of
every row (source file, sheet, Excel row), then recompute the bundle's metrics.

Every input appears in the result as a Source with what happened to it:
- a byte-identical copy of another input is named as such and counted once;
- a file made for another month (its metadata, or, without metadata, all of its dated rows)
  contributes nothing;
- by default only files without errors are taken; with include_invalid, the rows of invalid
  files that carry no error (the complete set of bad cells decides, not the listed findings);
- rows outside the month are left out and counted;
- a key found in several files is taken once when the rows are identical, and left out
  everywhere (with a finding naming each file and cell) when they differ. The key is the
  table's `file_key` where declared (an order belongs to one file, whatever its lines), else its
  primary key; a table whose key is unique per file only (`key_per_file`) has no such conflicts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.compute.metrics import MetricValue, evaluate_metrics
from ecomsheets.findings import ERROR, ROW_NEUTRAL, WARNING, Finding, finding
from ecomsheets.months import Month, parse_month
from ecomsheets.schema import BundleSpec, Catalog, TableSpec
from ecomsheets.validate.run import Inspection

SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW = "_source_file", "_source_sheet", "_source_row"
LINEAGE = (SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW)
# Source.status values; all but TAKEN mean that something of the file is not in the summary.
TAKEN, PARTLY, LEFT_OUT, UNREADABLE, COPY, OTHER_MONTH, SKIPPED = (
    "taken",
    "partly",
    "left_out",
    "unreadable",
    "copy",
    "other_month",
    "skipped",
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


@dataclass
class Consolidation:
    bundle: BundleSpec
    month: Month | None
    tables: dict[str, pd.DataFrame]  # merged typed rows (derived included) + lineage columns
    sources: list[Source]
    findings: list[Finding]
    metrics: list[MetricValue] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)  # reason -> rows

    @property
    def complete(self) -> bool:
        """Every file taken whole, and no row left out or in conflict."""
        # Identical rows repeated across files (shared master data) lose nothing.
        return all(s.status in (TAKEN, SKIPPED) for s in self.sources) and not any(
            n for reason, n in self.left_out.items() if reason != "duplicates"
        )


def consolidate(
    inspections: list[Inspection], catalog: Catalog, *, month: Month | str | None = None, include_invalid: bool = False
) -> Consolidation:
    """Merge inspected workbooks (see validate.run.inspect_workbook)."""
    month = parse_month(month) if isinstance(month, str) else month
    readable = [i for i in inspections if i.ctx is not None]
    bundle = _bundle(readable, catalog)
    if month is None:
        months = Counter(i.report.meta_month or (str(i.ctx.month) if i.ctx.month else None) for i in readable)
        months.pop(None, None)
        month = parse_month(months.most_common(1)[0][0]) if months else None
    findings: list[Finding] = []
    sources: list[Source] = []
    parts: dict[str, list[pd.DataFrame]] = {}
    letters: dict[tuple[str, str], dict[str, str]] = {}  # (file, table) -> column letters
    left_out: Counter = Counter()
    first_of: dict[str, str] = {}  # sha256 -> the file taken for it
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
        sources.append(source)
        if rep.skipped:  # a summary we wrote, left among the submissions
            source.status = SKIPPED
            findings.append(finding("our_summary", WARNING, file=rep.file))
            continue
        if insp.ctx is None or (bundle is not None and insp.ctx.bundle.name != bundle.name):
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
            continue
        for name, td in insp.ctx.tables.items():
            letters[(rep.file, name)] = dict(td.sheet.letters)
            frame = td.typed.assign(**td.derived)
            keep = ~frame.index.isin(list(rep.error_rows.get(name, ())))
            if (~keep).any():
                source.status = PARTLY
                left_out["row_errors"] += int((~keep).sum())
                findings.append(
                    finding(
                        "left_out_rows",
                        WARNING,
                        file=rep.file,
                        sheet=td.sheet.sheet,
                        table=name,
                        n=int((~keep).sum()),
                        **_titles(td.table),
                    )
                )
            frame = frame[keep]
            outside = _outside_month(frame, td.table, month)
            if outside.any():
                n = int(outside.sum())
                source.status = PARTLY
                left_out["out_of_month"] += n
                findings.append(
                    finding(
                        "left_out_month",
                        WARNING,
                        file=rep.file,
                        sheet=td.sheet.sheet,
                        table=name,
                        n=n,
                        month=str(month),
                        **_titles(td.table),
                    )
                )
                frame = frame[~outside]
            frame = frame.assign(
                **{SOURCE_FILE: rep.file, SOURCE_SHEET: td.sheet.sheet, SOURCE_ROW: frame.index.to_numpy()}
            )
            parts.setdefault(name, []).append(frame.reset_index(drop=True))
    tables: dict[str, pd.DataFrame] = {}
    in_conflict: Counter = Counter()  # file -> rows left out as conflicts
    if bundle is not None:
        for name in bundle.tables:
            if name not in parts:
                continue
            merged = pd.concat(parts[name], ignore_index=True)
            merged, dropped, dupes = _resolve_keys(merged, catalog.tables[name], findings, letters)
            left_out["conflicts"] += sum(dropped.values())
            left_out["duplicates"] += dupes
            in_conflict.update(dropped)
            tables[name] = merged
        # Rows taken per source, after conflicts were removed.
        taken = Counter()
        for frame in tables.values():
            taken.update(frame[SOURCE_FILE].value_counts().to_dict())
        for source in sources:
            source.rows_taken = int(taken.get(source.path, 0))
            if source.status == TAKEN and in_conflict[source.path]:
                source.status = PARTLY
    result = Consolidation(bundle, month, tables, sources, findings, left_out=left_out)
    if bundle is not None:
        frames = {n: f.drop(columns=list(LINEAGE)) for n, f in tables.items()}
        result.metrics = evaluate_metrics(bundle, catalog.tables, frames, month)
    return result


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
    dated = outside = 0
    seen: Counter = Counter()
    for td in insp.ctx.tables.values():
        for col in td.table.columns:
            if col.in_month and col.name in td.typed:
                values = pd.to_datetime(td.typed[col.name], errors="coerce").dropna()
                dated += len(values)
                out = values[(values.dt.year != month.year) | (values.dt.month != month.month)]
                outside += len(out)
                seen.update(out.dt.strftime("%Y-%m").value_counts().to_dict())
    if dated and outside == dated:
        return messages.join(sorted(seen)) if len(seen) <= 3 else f"{min(seen)}…{max(seen)}"
    return None


def _titles(table: TableSpec) -> dict:
    return {"table_title": table.title, "table_title_en": table.display_title("en")}


def _bundle(readable: list[Inspection], catalog: Catalog) -> BundleSpec | None:
    names = Counter(i.ctx.bundle.name for i in readable)
    return catalog.bundles[names.most_common(1)[0][0]] if names else None


def _outside_month(frame: pd.DataFrame, table: TableSpec, month: Month | None) -> np.ndarray:
    mask = np.zeros(len(frame), dtype=bool)
    if month is None:
        return mask
    lo, hi = pd.Timestamp(month.start), pd.Timestamp(month.end) + pd.Timedelta(days=1)
    for col in table.columns:
        if col.in_month and col.name in frame:
            values = pd.to_datetime(frame[col.name], errors="coerce")
            mask |= (values.notna() & ((values < lo) | (values >= hi))).to_numpy()
    return mask


def _resolve_keys(
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
    data_cols = [c for c in frame.columns if c not in LINEAGE]
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
