"""`consolidate --engine dask`: each workbook read and validated on a Dask worker (the same
guard, child-process parse and limits as on this machine), the results merged here.

This is the first step of issue 18: the per-file work, which is nearly all of a month's cost,
runs on the cluster; the merge (`summarize.consolidate`) still runs on the client over every
file's typed rows, so the client holds them all. Dask is an optional extra: nothing here is
imported unless `--engine dask` is asked for.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ecomsheets import messages
from ecomsheets.errors import UsageError

INSTALL = "pip install 'ecomsheets[dask]'"


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
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster)


def inspect_on_cluster(client, paths, *, schema_dirs, bundle, month, limits, process, catalog, masters=None):
    """Inspections of `paths` (as validate.run.inspect_many gives them, in order), each read on
    a worker. Workers read the files from the same paths: a folder every worker sees."""
    client.run(_warm)  # imports done on every worker before its threads fork readers
    futures = client.map(
        _inspect_one,
        [str(Path(p).resolve()) for p in paths],
        schema_dirs=tuple(str(d) for d in schema_dirs),
        bundle=bundle,
        month=str(month) if month else None,
        limits=limits,
        process=process,
        masters=masters,
        pure=False,
    )
    out = client.gather(futures)
    for insp, path in zip(out, paths):
        insp.report.file = str(path)  # as given here, not as the worker resolved it
        if insp.ctx is not None:
            insp.ctx.catalog = catalog
    return out


@cache
def _catalog(schema_dirs: tuple[str, ...]):
    from ecomsheets.schema import load_catalog

    return load_catalog([Path(d) for d in schema_dirs])


def _warm() -> None:
    from ecomsheets.validate.run import preload

    preload()


def _inspect_one(path: str, *, schema_dirs, bundle, month, limits, process, masters):
    """On a worker: one file read, validated and slimmed for the way back."""
    import multiprocessing

    from ecomsheets.validate.run import inspect_workbook

    # A Dask worker is started as a daemon process, and multiprocessing refuses a daemon any
    # children; the reader's XML scan is one. Our children die with the worker anyway (each
    # gets a parent-death signal), which is what the daemon flag is for.
    multiprocessing.current_process().daemon = False

    insp = inspect_workbook(
        path,
        catalog=_catalog(schema_dirs),
        bundle=bundle,
        month=month,
        limits=limits,
        process=process,
        keep="tables",
        masters=masters,
    )
    if insp.ctx is not None:
        insp.ctx.catalog = None  # the client has its own
    return insp
