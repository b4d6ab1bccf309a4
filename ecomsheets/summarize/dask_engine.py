"""`consolidate --engine dask`: the month consolidated on a Dask cluster.

- Each workbook is read and validated on a worker, with the same guard, child-process parse
  and limits as on this machine. The worker keeps nothing: each table's rows go to a scratch
  folder every worker sees (one file per table of each workbook), and the client gets the
  file's report and counts (rows with errors, dated cells per month).
- The client decides every file's fate with `summarize.consolidate.take` (the same code as the
  local engine: family, copies, month, errors).
- Each table is then a Dask DataFrame of one partition per file taken (read from the scratch
  folder, rows with errors and outside the month left out, lineage added). On it, on the
  cluster: keys found in more than one file (a groupby), rows per file, the metrics (a groupby
  per metric on its grid), the side-by-side's figures per team; the rows whose key is in
  several files are brought here and judged by the local engine's own code, which names the
  conflicts and duplicates.
- The client holds the reports, the figures, the rows of keys in several files, and the first
  `--data-rows` rows of each table for the data sheets; with `--data-rows 0`, no table's rows.
  One exception: when a month's files refer to tables of other files (team workbooks), the
  tables those checks read are brought here and checked by `summarize.crossfile`.

Dask is an optional extra: nothing here is imported unless `--engine dask` is asked for.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.compute import exact
from ecomsheets.compute.metrics import (
    EXACT,
    available,
    clean_value,
    empty_value,
    evaluate_metrics,
    grid_keys,
    grid_values,
    metric_inputs,
    month_of_dates,
)
from ecomsheets.errors import UsageError
from ecomsheets.summarize import crossfile
from ecomsheets.summarize.consolidate import (
    SOURCE_FILE,
    SOURCE_ROW,
    consolidate,
    dated_months,
    file_tables,
    outside_month,
    resolve_keys,
    with_lineage,
)

INSTALL = "pip install 'ecomsheets[dask]'"
_BAD = "_row_error"  # a part's column: the row has an error (left out unless --include-invalid keeps the file)


def dask_client(scheduler: str | None, workers: int = 2):
    """A client of the cluster at `scheduler`, or of a LocalCluster of `workers` processes on
    this machine (one thread each: a worker forks a child per file)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError(*messages.both("dask_missing", install=INSTALL)) from None
    if scheduler:
        try:
            return Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise UsageError(*messages.both("dask_unreachable", address=scheduler, detail=str(exc)[:200])) from None
    # Dask's own notes (a shuffle started, a worker's address) are not for shop staff.
    for name in ("distributed", "distributed.shuffle"):
        logging.getLogger(name).setLevel(logging.ERROR)
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster)


def consolidate_on_cluster(
    client,
    paths,
    catalog,
    *,
    schema_dirs,
    bundle=None,
    month=None,
    include_invalid=False,
    limits,
    process,
    masters=None,
    labels=None,
    data_rows: int = 0,
    scratch: str | None = None,
):
    """The Consolidation of `paths` (files, or fsspec URLs, every worker can read), computed
    on the cluster of `client`; its tables hold the first `data_rows` rows of each table."""
    import dask

    folder = _scratch_folder(scratch)
    # Object columns stay objects (times, mixed cells), as pandas holds them in the local
    # engine: Dask would turn them to Arrow text when it builds the graph.
    with dask.config.set({"dataframe.convert-string": False}):
        try:
            inspections = inspect_on_cluster(
                client,
                paths,
                schema_dirs=schema_dirs,
                bundle=bundle,
                month=month,
                limits=limits,
                process=process,
                catalog=catalog,
                masters=masters,
                scratch=folder,
            )
            for insp, label in zip(inspections, labels or [None] * len(inspections)):
                if label:
                    insp.report.label = label
            engine = DaskMerge(client, data_rows)
            return consolidate(inspections, catalog, month=month, include_invalid=include_invalid, engine=engine)
        finally:
            _remove(folder)


def inspect_on_cluster(client, paths, *, schema_dirs, bundle, month, limits, process, catalog, masters, scratch):
    """Inspections of `paths` (as validate.run.inspect_many gives them, in order), each read on
    a worker, its tables' rows written under `scratch` (see RemoteTable)."""
    client.run(_warm)  # imports done on every worker before its threads fork readers
    futures = client.map(
        _inspect_one,
        [_where(p) for p in paths],
        [f"{scratch}/{i:06d}" for i in range(len(paths))],
        schema_dirs=tuple(str(Path(d).resolve()) for d in schema_dirs),
        bundle=bundle,
        month=str(month) if month else None,
        limits=limits,
        process=process,
        masters=masters,
        pure=False,
    )
    try:
        out = client.gather(futures)
    except BaseException:
        client.cancel(futures)  # none left writing to the scratch folder about to be removed
        raise
    for insp, path in zip(out, paths):
        used, insp.report.file = insp.report.file, str(path)  # as given here, not as the worker read it
        insp.report.findings = [replace(f, file=str(path)) if f.file == used else f for f in insp.report.findings]
        if insp.ctx is not None:
            insp.ctx.catalog = catalog
            if isinstance(insp.ctx.bundle, str):
                insp.ctx.bundle = catalog.bundles[insp.ctx.bundle]
        for part in insp.remote or ():
            part.table = catalog.tables[part.name]
    return out


def urls_named(url: str) -> list[tuple[str, Path]]:
    """(file URL, its name below the folder given) for an fsspec URL of a file or a folder."""
    try:
        import fsspec

        fs, root = fsspec.core.url_to_fs(url)
        if not fs.isdir(root):
            # A file that is not there is named in the month as one not found, not dropped.
            return [(url, Path(root.rstrip("/").rsplit("/", 1)[-1]))]
        found = sorted(fs.find(root))
    except (ImportError, ValueError, OSError) as exc:
        raise UsageError(*messages.both("dask_url_unreadable", url=url, detail=str(exc)[:200])) from None
    out = []
    for path in found:
        name = Path(path[len(root.rstrip("/")) + 1 :])
        if name.name.startswith("~$") or any(p.startswith(".") for p in name.parts):
            continue
        out.append((fs.unstrip_protocol(path), name))
    return out


@dataclass
class RemotePart:
    """A table's rows taken from one file, as a partition reads them: the scratch file, the
    rows to leave out (errors, the month), and the lineage to add."""

    url: str
    file: str
    sheet: str
    month: str | None
    meta: pd.DataFrame  # no rows: the partition's columns and types


@dataclass
class KnownColumn:
    """A column of every row a file read (see consolidate's `known`), left in the scratch file."""

    url: str
    column: str


@dataclass
class RemoteTable:
    """One table of one file read on a worker (consolidate.FileTable's counterpart): what the
    consolidation asks of it, answered from counts the worker made."""

    name: str
    sheet: str
    letters: dict[str, str]
    columns: list[str]
    errors: int  # rows with an error
    signatures: Counter  # rows without errors -> the months of their dates (a frozenset)
    url: str
    meta: pd.DataFrame  # no rows: the columns and types of a partition
    table: object = None  # its TableSpec, set on the client

    def has(self, column: str) -> bool:
        return column in self.columns

    def column(self, column: str) -> KnownColumn:
        return KnownColumn(self.url, column)

    def outside(self, month) -> int:
        if month is None:
            return 0
        return sum(n for months, n in self.signatures.items() if any(m != str(month) for m in months))

    def taken(self, file: str, month) -> RemotePart:
        return RemotePart(self.url, file, self.sheet, str(month) if month else None, self.meta)


@cache
def _catalog(schema_dirs: tuple[str, ...]):
    from ecomsheets.schema import load_catalog

    return load_catalog([Path(d) for d in schema_dirs])


def _warm() -> None:
    from ecomsheets.validate.run import preload

    preload()


def _where(path) -> str:
    text = str(path)
    return text if "://" in text else str(Path(text).resolve())


def _inspect_one(path: str, scratch: str, *, schema_dirs, bundle, month, limits, process, masters):
    """On a worker: one file read and validated; its tables' rows written to `scratch`; the
    inspection slimmed for the way back."""
    import multiprocessing

    from ecomsheets.validate.run import inspect_workbook

    # A Dask worker is started as a daemon process, and multiprocessing refuses a daemon any
    # children; the reader's XML scan is one. Our children die with the worker anyway (each
    # gets a parent-death signal), which is what the daemon flag is for.
    multiprocessing.current_process().daemon = False
    with _local_copy(path) as local:
        insp = inspect_workbook(
            local,
            catalog=_catalog(schema_dirs),
            bundle=bundle,
            month=month,
            limits=limits,
            process=process,
            keep="tables",
            masters=masters,
        )
    if insp.ctx is None:
        return insp
    insp.dated = dated_months(insp)
    remote = []
    for part in file_tables(insp):  # the local engine's view of each table: rows, errors
        url = f"{scratch}-{len(remote):03d}.pkl"
        _write(url, part.frame.assign(**{_BAD: ~part.keep}))
        remote.append(
            RemoteTable(
                name=part.name,
                sheet=part.sheet,
                letters=part.letters,
                columns=list(part.frame.columns),
                errors=part.errors,
                signatures=_signatures(part.frame[part.keep], part.table),
                url=url,
                meta=with_lineage(part.frame.iloc[:0], "", ""),
            )
        )
    insp.remote = remote
    insp.ctx.tables = {}  # the rows are in the scratch folder
    if insp.ctx.bundle is _catalog(schema_dirs).bundles.get(insp.ctx.bundle.name):
        insp.ctx.bundle = insp.ctx.bundle.name  # the client has it: not one copy per file
    insp.ctx.catalog = None  # the client has its own
    insp.data = None
    return insp


class _local_copy:
    """A workbook as a local path: the path itself, or an fsspec URL's bytes in a temporary
    file (removed after), named like it so the reader knows its type."""

    def __init__(self, path: str) -> None:
        self.path, self.tmp = path, None

    def __enter__(self) -> str:
        if "://" not in self.path:
            return self.path
        import fsspec

        fd, self.tmp = tempfile.mkstemp(suffix=Path(self.path.split("?")[0]).suffix or ".xlsx")
        try:
            with os.fdopen(fd, "wb") as out, fsspec.open(self.path, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
        except Exception:  # noqa: BLE001 (any store's error: the file is then one not found)
            return self.path
        return self.tmp

    def __exit__(self, *exc) -> None:
        if self.tmp:
            os.unlink(self.tmp)


def _signatures(frame: pd.DataFrame, table) -> Counter:
    """Rows by the months their dates fall in (consolidate.outside_month counts a row outside
    the month when any of its dates is)."""
    columns = [c.name for c in table.columns if c.in_month and c.name in frame]
    if not columns:
        return Counter()
    months = pd.DataFrame(
        {c: pd.to_datetime(frame[c], errors="coerce").dt.strftime("%Y-%m") for c in columns}, index=frame.index
    )
    if len(columns) == 1:
        return Counter({frozenset([m]): int(n) for m, n in months[columns[0]].value_counts().items()})
    signed = months.apply(lambda r: frozenset(v for v in r if isinstance(v, str)), axis=1)
    return Counter({s: int(n) for s, n in signed.value_counts().items() if s})


def _scratch_folder(scratch: str | None) -> str:
    """A new folder for the parts: under `scratch` (a path or URL every worker sees), else in
    this machine's temporary folder (a LocalCluster's workers see it)."""
    name = f"ecomsheets-parts-{uuid.uuid4().hex[:12]}"
    if scratch is None:
        return tempfile.mkdtemp(prefix=name)
    if "://" in scratch:
        import fsspec

        url = f"{scratch.rstrip('/')}/{name}"
        fs, path = fsspec.core.url_to_fs(url)
        fs.makedirs(path, exist_ok=True)  # an object store has no folders; a file system does
        return url
    folder = Path(scratch) / name
    folder.mkdir(parents=True, mode=0o700)
    return str(folder.resolve())


def _remove(folder: str) -> None:
    if "://" in folder:
        import fsspec

        fs, path = fsspec.core.url_to_fs(folder)
        if fs.exists(path):
            fs.rm(path, recursive=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)


def _write(url: str, frame: pd.DataFrame) -> None:
    # Pickled, not Parquet: a part read back has exactly the types it was written with, so
    # every engine computes on the same values (Parquet turns mixed object columns to text).
    # The scratch folder is the cluster's own, as trusted as the cluster's own messages.
    if "://" in url:
        import fsspec

        with fsspec.open(url, "wb") as out:
            pickle.dump(frame, out, protocol=5)
        return
    tmp = f"{url}.tmp"
    with open(tmp, "wb") as out:
        pickle.dump(frame, out, protocol=5)
    os.replace(tmp, url)


def _read(url: str) -> pd.DataFrame:
    if "://" in url:
        import fsspec

        with fsspec.open(url, "rb") as src:
            return pickle.load(src)  # noqa: S301 (our own scratch file, see _write)
    with open(url, "rb") as src:
        return pickle.load(src)  # noqa: S301


def _load(part: RemotePart, table) -> pd.DataFrame:
    """A partition: one file's rows of a table as the local engine takes them (FileTable.taken)."""
    from ecomsheets.months import parse_month

    frame = _read(part.url)
    frame = frame[~frame.pop(_BAD).to_numpy(dtype=bool)]
    outside = outside_month(frame, table, parse_month(part.month) if part.month else None)
    if outside.any():
        frame = frame[~outside]
    return with_lineage(frame, part.file, part.sheet)


def _load_column(known: KnownColumn) -> pd.Series:
    return _read(known.url)[known.column]


# --- on partitions -----------------------------------------------------------------------------


def _key_hash(part: pd.DataFrame, key: list[str]) -> np.ndarray:
    """A 64-bit hash of each row's key: equal keys (as pandas compares them: the number 1 and
    1.0 alike, the text "1" not) hash alike. Only narrows the search: the keys of the rows it
    finds are compared themselves (consolidate.resolve_keys)."""
    from pandas.util import hash_array

    out = np.zeros(len(part), dtype="uint64")
    for name in key:
        values = part[name]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            hashed = hash_array(values.to_numpy(dtype="float64"))
        else:
            hashed = hash_array(values.astype(object).where(values.notna(), None).to_numpy())
        out = out * np.uint64(1_000_003) + hashed
    return out


def _key_hashes(part: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """The hashes of the keys a partition (one file) holds, each once."""
    return pd.DataFrame({"_h": np.unique(_key_hash(part, key))})


def _rows_in(part: pd.DataFrame, key: list[str], hashes: np.ndarray) -> pd.DataFrame:
    """The rows of a partition whose key hashes among `hashes`, in their order."""
    if not len(hashes) or part.empty:
        return part.iloc[:0]
    return part[np.isin(_key_hash(part, key), hashes)]


def _drop_rows(part: pd.DataFrame, dropped: dict[str, set]) -> pd.DataFrame:
    if part.empty:
        return part
    rows = dropped.get(part[SOURCE_FILE].iloc[0])
    if not rows:
        return part
    return part[~part[SOURCE_ROW].isin(list(rows))]


def _files(part: pd.DataFrame) -> pd.Series:
    return part[SOURCE_FILE].value_counts()


_KINDS = ("exact", "plain", "distinct")
_PARTIAL_META = {
    "exact": pd.DataFrame(
        {
            "_metric": pd.Series(dtype=object),
            **{c: pd.Series(dtype=object if c == "_label" else "int64") for c in exact.PARTS},
        }
    ),
    "plain": pd.DataFrame(
        {
            c: pd.Series(dtype=object if c in ("_metric", "_label") else "float64")
            for c in ("_metric", "_label", "_sum", "_min", "_max")
        }
    ),
    "distinct": pd.DataFrame({c: pd.Series(dtype=object) for c in ("_metric", "_label", "_x")}),
}


def _kind(m) -> str:
    return "exact" if m.agg in EXACT else "distinct" if m.agg == "distinct" else "plain"


def _partials(part: pd.DataFrame, kind: str, metrics, table, months, params, side_of) -> pd.DataFrame:
    """A partition's share of some metrics of one table (compute.metrics.metric_inputs), each
    row under its label on the metric's grid (a text; "" when ungrouped) or, with side_of, its
    side-by-side row: exact parts of sums and averages, the partial count, minimum and maximum,
    or the distinct values."""
    frames = []
    for m in metrics:
        labels, values = metric_inputs(m, part, table, months[m.name], params, "zh")
        if side_of is not None:
            labels = part.loc[values.index, SOURCE_FILE].map(side_of).fillna(-1).astype("int64").astype(str)
        elif labels is None:
            labels = pd.Series("", index=values.index, dtype=object)
        elif m.period == "day" and pd.api.types.is_datetime64_any_dtype(labels):
            labels = labels.dt.strftime("%Y-%m-%d")
        labels = labels.astype(object).where(labels.notna(), None)
        if kind == "exact":
            frame = exact.sum_parts(labels, values.astype("float64"))
        elif kind == "distinct":
            frame = pd.DataFrame({"_label": labels.to_numpy(), "_x": values.astype(object).to_numpy()})
            frame = frame.dropna().drop_duplicates()
        else:
            grouped = values.astype("float64").groupby(labels.to_numpy(), sort=False)
            frame = pd.DataFrame({"_sum": grouped.sum(), "_min": grouped.min(), "_max": grouped.max()})
            frame = frame.rename_axis("_label").reset_index()
        frames.append(frame.assign(_metric=m.name))
    out = pd.concat(frames, ignore_index=True) if frames else _PARTIAL_META[kind]
    return out[list(_PARTIAL_META[kind].columns)].astype(_PARTIAL_META[kind].dtypes.to_dict())


def _reduce(parts, kind: str):
    """The partials of every partition added up (a dask groupby, spread over the cluster for
    distinct values, which are as many as the rows)."""
    if kind == "exact":
        return parts.groupby(["_metric", "_label", "_exp"], sort=False)[["_hi", "_lo", "_n"]].sum()
    if kind == "distinct":
        return parts.groupby(["_metric", "_label"], sort=False)["_x"].nunique(split_out=True)
    return parts.groupby(["_metric", "_label"], sort=False).agg({"_sum": "sum", "_min": "min", "_max": "max"})


def _finish(m, kind: str, reduced) -> pd.Series:
    """One metric's aggregate per label, from its table's reduced partials."""
    mine = reduced[reduced.index.get_level_values(0) == m.name]
    if kind == "exact":
        return exact.totals(mine.reset_index(), m.agg)
    mine = mine.droplevel(0)
    if kind == "distinct":
        return mine
    return mine[{"count": "_sum", "min": "_min", "max": "_max"}[m.agg]]


def _texts_in_order(part: pd.DataFrame, column: str) -> pd.DataFrame:
    values = part[column].dropna() if column in part else pd.Series(dtype=object)
    return pd.DataFrame({"_text": list(dict.fromkeys(str(v) for v in values))}, dtype=object)


def _dates(part: pd.DataFrame, column: str) -> pd.DataFrame:
    """A partition's earliest date (no row when it has none)."""
    values = pd.to_datetime(part[column], errors="coerce").dropna() if column in part else pd.Series(dtype="M8[ns]")
    return pd.DataFrame({"_date": values.to_numpy(dtype="datetime64[ns]")[:0] if values.empty else [values.min()]})


@dataclass
class DaskMerge:
    """The merge on the cluster (see the module's note); summarize.consolidate.LocalMerge is
    the same interface in pandas."""

    client: object
    data_rows: int = 0
    per_file: dict[str, Counter] = field(default_factory=dict)  # table -> rows taken per file

    def prepare(self, parts: dict[str, list[RemotePart]], catalog) -> None:
        """Every table's Dask DataFrame, and the rows of keys found in more than one file, all
        tables in one pass over the cluster (each table's merge() then takes its own)."""
        import dask.dataframe as dd

        self.frames, self.involved, self.order = {}, {}, {}
        searched = {}
        for name, its in parts.items():
            table = catalog.tables[name]
            meta = its[0].meta
            frame = dd.from_map(_load, its, table=table, meta=meta, enforce_metadata=False)
            self.frames[name] = frame
            self.order[name] = [p.file for p in its]
            key = list(table.file_key or table.primary_key)
            if key and not table.key_per_file and len(its) > 1:
                pairs = frame.map_partitions(_key_hashes, key, meta=pd.DataFrame({"_h": pd.Series(dtype="uint64")}))
                # Spread over the cluster (split_out): the month's keys are as many as its rows;
                # only those of more than one file come here.
                per_key = pairs.groupby("_h").size(split_out=True)
                searched[name] = (key, per_key[per_key > 1])
        names = list(searched)
        lazy = {}
        for name, found in zip(names, self._compute(*(searched[n][1] for n in names))):
            key = searched[name][0]
            if len(found):
                shared = found.index.to_numpy(dtype="uint64")
                frame = self.frames[name]
                lazy[name] = frame.map_partitions(_rows_in, key, shared, meta=frame._meta)
        self.involved = dict(zip(lazy, self._compute(*lazy.values())))

    def merge(self, parts: list[RemotePart], table, findings: list, letters: dict):
        """A table's Dask DataFrame, keys resolved across files: the rows of keys in several
        files (found by prepare()) judged here by consolidate.resolve_keys."""
        frame = self.frames[table.name]
        involved = self.involved.get(table.name)
        if involved is None:
            return frame, Counter(), 0
        kept, conflicts, duplicates = resolve_keys(involved.reset_index(drop=True), table, findings, letters)
        dropped = _dropped(involved, kept)
        if dropped:
            frame = frame.map_partitions(_drop_rows, dropped, meta=frame._meta)
        return frame, conflicts, duplicates

    def check_rows(self, month_rows, bundle, catalog):
        """The checks across files (summarize.crossfile) on the tables they read, brought here;
        none when every file holds the tables its rows refer to (a month of department files)."""
        wanted = _crossfile_tables(month_rows, bundle, catalog)
        if not wanted:
            return crossfile.Checked(dict(month_rows.tables), [], Counter(), Counter(), Counter())
        here = dict(zip(wanted, self._compute(*(month_rows.tables[n] for n in wanted))))
        here = {n: f.reset_index(drop=True) for n, f in here.items()}
        known = {}
        for (name, column), cols in month_rows.known.items():
            if name in here:
                known[(name, column)] = self.client.gather(self.client.map(_load_column, cols, pure=False))
        local = crossfile.MonthRows(
            here,
            month_rows.held,
            known,
            month_rows.letters,
            month_rows.params,
            month_rows.absent,
            month_rows.mastered,
        )
        checked = crossfile.check_rows(local, bundle, catalog)
        tables = dict(month_rows.tables)
        for name in wanted:
            dropped = _dropped(here[name], checked.tables[name])
            if dropped:
                meta = tables[name]._meta
                tables[name] = tables[name].map_partitions(_drop_rows, dropped, meta=meta)
        checked.tables = tables
        return checked

    def rows_per_file(self, tables: dict) -> Counter:
        names = list(tables)
        counts = self._compute(
            *(tables[n].map_partitions(_files, meta=pd.Series(dtype="int64", name="count")) for n in names)
        )
        taken: Counter = Counter()
        for name, series in zip(names, counts):
            self.per_file[name] = Counter(series.groupby(level=0).sum().to_dict())
            taken.update(self.per_file[name])
        return taken

    def files_of(self, tables: dict) -> dict[str, pd.DataFrame]:
        """Each table as the files that gave it rows (all the month's totals checks read)."""
        return {n: pd.DataFrame({SOURCE_FILE: [f for f, k in self.per_file[n].items() if k]}) for n in tables}

    def metrics(self, bundle, catalog, tables: dict, month) -> list:
        self.tables, self.month, self.catalog, self._keys = tables, month, catalog, None
        given = self._aggregates(bundle, catalog, tables, month)
        return evaluate_metrics(bundle, catalog.tables, _present(tables), month, given=given)

    def finish(self, result, tables: dict, catalog) -> None:
        """The client's share of the tables (the first data_rows of each, for the data sheets),
        every table's row count, and the side-by-side's figures computed on the cluster."""
        from ecomsheets.summarize.sides import side_by_side

        result.counts = {n: sum(self.per_file.get(n, Counter()).values()) for n in tables}
        # The leading partitions that give the data sheets their rows, each computed on its own
        # (a worker holds one file's rows), put together here.
        wanted = {n: self._leading(n) for n in tables}
        got = iter(self._compute(*(tables[n].partitions[i] for n, k in wanted.items() for i in range(k))))
        result.tables = {}
        for name, k in wanted.items():
            parts = [next(got) for _ in range(k)]
            frame = pd.concat(parts, ignore_index=True) if parts else tables[name]._meta
            result.tables[name] = frame.head(self.data_rows).reset_index(drop=True)
        if result.bundle is not None:
            result.sides = side_by_side(result, catalog, result.status, figures=self._side_figures)

    def _leading(self, name: str) -> int:
        """How many of a table's first partitions hold its first data_rows rows."""
        need, k = self.data_rows, 0
        files, counts = self.order.get(name, []), self.per_file.get(name, Counter())
        while need > 0 and k < len(files):
            need -= counts.get(files[k], 0)
            k += 1
        return k

    # --- the cluster's computations ------------------------------------------------------------

    def _compute(self, *collections) -> tuple:
        """The collections computed together (one pass over the partitions they share)."""
        import dask

        return dask.compute(*collections) if collections else ()

    def _aggregates(self, bundle, catalog, tables: dict, month, side_of=None) -> dict:
        """Every aggregate metric of `bundle` on the month's rows: a value, or per key of its
        grid; with side_of (file -> side), each side's value of the ungrouped ones instead.
        Each table's metrics are reduced together: per partition one task per kind of
        aggregate (exact sums, counts/minima/maxima, distinct values), then one groupby each."""
        params = dict(bundle.parameters)
        by_name = {m.name: m for m in bundle.metrics}
        present = _present(tables)
        wanted: dict[str, list] = {}
        months: dict[str, object] = {}
        for m in bundle.metrics:
            if m.expr_ast is not None or (side_of is not None and m.by):
                continue
            if not available(m, by_name, present, catalog.tables):  # as evaluate_metrics skips it
                continue
            months[m.name] = month
            if m.by and m.period and month is None:
                dates = tables[m.table].map_partitions(
                    _dates, m.by, meta=pd.DataFrame({"_date": pd.Series(dtype="M8[ns]")})
                )
                (first,) = self._compute(dates)
                months[m.name] = month_of_dates(first["_date"])
            wanted.setdefault(m.table, []).append(m)
        lazy, plans = [], []
        for name, metrics in wanted.items():
            spec = catalog.tables[name]
            for kind in _KINDS:
                mine = [m for m in metrics if _kind(m) == kind]
                if not mine:
                    continue
                parts = tables[name].map_partitions(
                    _partials, kind, mine, spec, months, params, side_of, meta=_PARTIAL_META[kind]
                )
                lazy.append(_reduce(parts, kind))
                plans.append((kind, mine, spec))
        given: dict = {}
        for (kind, metrics, spec), reduced in zip(plans, self._compute(*lazy)):
            for m in metrics:
                agg = _finish(m, kind, reduced)
                if side_of is not None:
                    given[m.name] = {int(k): v for k, v in agg.items()}
                elif m.by is None:
                    given[m.name] = clean_value(agg[""]) if "" in agg.index else empty_value(m)
                else:
                    keys = grid_keys(
                        spec.column(m.by), m.period, spec, months[m.name], "zh", self._key_values(tables, bundle)
                    )
                    given[m.name] = grid_values(m, agg, keys)
        return given

    def _key_values(self, tables: dict, bundle):
        """The keys of the master tables grids are made of (their distinct texts in order),
        all computed in one pass the first time one is asked for."""
        if getattr(self, "_keys", None) is None:
            wanted = []
            for m in bundle.metrics:
                if m.by and not m.period and m.table in tables:
                    spec = self.catalog.tables[m.table]
                    col = spec.column(m.by)
                    if col.references or not col.values:
                        name = col.ref_table if col.references else spec.name
                        column = col.ref_column if col.references else col.name
                        if name in tables and (name, column) not in wanted:
                            wanted.append((name, column))
            meta = pd.DataFrame({"_text": pd.Series(dtype=object)})
            texts = [tables[n].map_partitions(_texts_in_order, c, meta=meta) for n, c in wanted]
            found = self._compute(*texts)
            self._keys = {w: list(dict.fromkeys(f["_text"].tolist())) for w, f in zip(wanted, found)}
        return lambda name, column: self._keys[(name, column)]

    def _side_figures(self, trimmed, group_of: dict[str, int]) -> tuple[dict, dict]:
        """Each side's aggregate metrics of `trimmed` (side -> metric name -> value), and the
        tables each side has rows of."""
        aggs = self._aggregates(trimmed, self.catalog, self.tables, self.month, side_of=group_of)
        specs = {m.name: m for m in trimmed.metrics}
        given = {
            g: {n: (clean_value(a[g]) if g in a else empty_value(specs[n])) for n, a in aggs.items()}
            for g in set(group_of.values())
        }
        has_rows: dict[int, set[str]] = {}
        for name, counts in self.per_file.items():
            for f, k in counts.items():
                if k and f in group_of:
                    has_rows.setdefault(group_of[f], set()).add(name)
        return given, has_rows


def _present(tables: dict) -> dict[str, pd.DataFrame]:
    """The tables as evaluate_metrics asks after them (present or not): their columns only."""
    return {n: f._meta for n, f in tables.items()}


def _dropped(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, set]:
    """The rows (file -> Excel rows) of `before` not in `after`."""
    kept = set(zip(after[SOURCE_FILE], after[SOURCE_ROW]))
    out: dict[str, set] = {}
    for f, r in zip(before[SOURCE_FILE], before[SOURCE_ROW]):
        if (f, r) not in kept:
            out.setdefault(f, set()).add(r)
    return out


def _crossfile_tables(month_rows, bundle, catalog) -> list[str]:
    """The tables the checks across files read, when a file's rows refer to a table it does
    not hold (a reference, or a row check of the family); none for department files."""
    files_of = {}
    wanted: set[str] = set()

    def files(name: str) -> set:
        if name not in files_of:
            files_of[name] = {f for f, tables in month_rows.held.items() if name in tables}
        return files_of[name]

    for name in bundle.tables:
        if name not in month_rows.tables:
            continue
        for col in catalog.tables[name].columns:
            ref = col.ref_table
            if ref and any(ref not in month_rows.held[f] for f in files(name)):
                wanted |= {name} | ({ref} if ref in month_rows.tables else set())
    for check in bundle.checks:
        if check.table in month_rows.tables and check.source_table in month_rows.tables:
            if any(check.source_table not in month_rows.held[f] for f in files(check.table)):
                wanted |= {check.table, check.source_table}
    return [n for n in bundle.tables if n in wanted]
