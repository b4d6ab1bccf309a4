"""`consolidate --engine local` against `--engine dask` (a LocalCluster of two workers) on
many workbooks (issue 18): wall time, peak memory and CPU seconds of the client, of each
worker and of the readers they fork, measured in one run, alternating the engines; then a
projection to 10,000 workbooks on 20 workers from the measured per-file costs.

The process tree is sampled every 0.2 s (psutil, which Dask brings): the command's own process
is the client; processes it spawns for Dask (`spawn_main`) are workers; any other descendant is
a reader (the child process that parses one file, forked by the client or by a worker).
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

SAMPLE_S = 0.2


def watch(cmd: list[str]) -> dict:
    """Run `cmd`; its wall time, and per role (client, worker, reader) the peak memory of one
    process, the peak of the role's processes together, and CPU seconds."""
    import psutil

    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    peak = {"client": 0, "worker": 0, "reader": 0}
    together = {"client": 0, "worker": 0, "reader": 0}
    cpu: dict[int, float] = {}  # worker pid -> its CPU seconds (its waited children included)
    client_cpu = readers_cpu = 0.0
    while proc.poll() is None:
        try:
            tree = root.children(recursive=True)
            now = {"client": 0, "worker": 0, "reader": 0}
            rss = root.memory_info().rss
            now["client"] = rss
            peak["client"] = max(peak["client"], rss)
            t = root.cpu_times()
            client_cpu, readers_cpu = t.user + t.system, t.children_user + t.children_system
            for p in tree:
                try:
                    role = _role(p, root.pid)
                    rss = p.memory_info().rss
                    if role == "worker":
                        t = p.cpu_times()
                        cpu[p.pid] = t.user + t.system + t.children_user + t.children_system
                except psutil.Error:
                    continue
                now[role] += rss
                peak[role] = max(peak[role], rss)
            for role, value in now.items():
                together[role] = max(together[role], value)
        except psutil.Error:
            pass
        time.sleep(SAMPLE_S)
    wall = time.perf_counter() - started
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{stderr[-800:]}")
    workers_cpu = sum(cpu.values())
    return {
        "wall": wall,
        "client_mb": peak["client"] / 2**20,
        "worker_mb": peak["worker"] / 2**20,
        "reader_mb": peak["reader"] / 2**20,
        "workers_mb": together["worker"] / 2**20,
        "client_cpu": client_cpu,
        # A worker's readers are in its own CPU time; the local engine's are the client's children.
        "workers_cpu": workers_cpu if cpu else readers_cpu,
        "workers": len(cpu),
    }


def _role(p, root_pid: int) -> str:
    cmdline = " ".join(p.cmdline())
    if p.ppid() == root_pid and "spawn_main" in cmdline and "resource_tracker" not in cmdline:
        return "worker"
    return "reader"


def run(es: list[str], folder: Path, work: Path, counts: list[int], repeat: int) -> list[dict]:
    """Both engines on the first n files of `folder` for each n, alternating, `repeat` times."""
    files = sorted(str(p) for p in folder.glob("*.xlsx"))
    results = []
    for n in counts:
        runs: dict[str, list[dict]] = {"local": [], "dask": []}
        for _ in range(repeat):
            for engine in ("local", "dask"):
                out = work / f"cluster_{engine}_{n}.xlsx"
                cmd = [*es, "consolidate", *files[:n], "-o", str(out), "--force", "--month", "2026-11"]
                runs[engine].append(watch([*cmd, "--data-rows", "0", "--engine", engine]))
                print(f"  {engine:5} {n:4} files: {runs[engine][-1]['wall']:7.1f} s", flush=True)
        for engine, measured in runs.items():
            row = {"engine": engine, "files": n}
            for k in measured[0]:
                row[k] = statistics.median(m[k] for m in measured)
            results.append(row)
    return results


def report(results: list[dict], file_rows: int, workers: int = 20, target_files: int = 10_000) -> str:
    """The table and the projection, as markdown."""
    lines = [
        f"| engine | files ({file_rows:,} order rows each) | wall | client peak | one worker peak | "
        "workers together | one reader peak | client CPU | workers' CPU (readers included) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        worker = f"{r['worker_mb']:.0f} MB" if r["engine"] == "dask" else "–"
        together = f"{r['workers_mb']:.0f} MB" if r["engine"] == "dask" else "–"
        lines.append(
            f"| {r['engine']} | {r['files']} | {r['wall']:.1f} s | {r['client_mb']:.0f} MB | {worker} | {together} | "
            f"{r['reader_mb']:.0f} MB | {r['client_cpu']:.1f} s | {r['workers_cpu']:.1f} s |"
        )
    dask = sorted((r for r in results if r["engine"] == "dask"), key=lambda r: r["files"])
    local = {r["files"]: r for r in results if r["engine"] == "local"}
    if len(dask) >= 2:
        a, b = dask[0], dask[-1]
        dn = b["files"] - a["files"]
        c = (b["client_cpu"] - a["client_cpu"]) / dn  # client seconds per file
        p = (b["workers_cpu"] - a["workers_cpu"]) / dn  # worker seconds per file
        fixed = b["wall"] - b["files"] * (c + p / 2)
        check = fixed + a["files"] * (c + p / 2)
        mem = (b["client_mb"] - a["client_mb"]) / dn
        t = fixed + target_files * (c + p / workers)
        lines += [
            "",
            f"Per file, from the two Dask runs ({a['files']} and {b['files']} files): client {c:.3f} CPU s, "
            f"workers {p:.3f} CPU s, client memory {mem:+.2f} MB; fixed cost {fixed:.1f} s.",
            f"Model: T(n, w) = {fixed:.1f} s + n × ({c:.3f} s + {p:.3f} s / w); "
            f"it gives {check:.1f} s for {a['files']} files on 2 workers (measured {a['wall']:.1f} s).",
            f"Projection, {target_files:,} workbooks ({target_files * file_rows / 1e6:,.0f}M order rows) on "
            f"{workers} workers: {t / 60:.0f} min ({fixed:.0f} s + {target_files * c:.0f} s on the client + "
            f"{target_files * p / workers:.0f} s on the workers); client memory about "
            f"{b['client_mb'] + (target_files - b['files']) * mem:,.0f} MB; each worker as measured "
            f"({b['worker_mb']:.0f} MB, one file at a time).",
        ]
        if b["files"] in local:
            lines.append(
                f"Local engine on {b['files']} files: {local[b['files']]['wall']:.1f} s "
                f"(Dask on 2 workers: {b['wall'] / local[b['files']]['wall']:.2f}× its time)."
            )
    return "\n".join(lines)
