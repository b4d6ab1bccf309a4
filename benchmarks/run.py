"""The ecomsheets benchmark: one command, whole processes, medians, ratios to a baseline
measured in the same run (alternating), peak memory.

    python benchmarks/run.py                      # 10k, 100k, 1M rows; 31 x 30k consolidate; scale
    python benchmarks/run.py --sizes 10000 --files 4 --file-rows 5000 --repeat 3   # quick
    python benchmarks/run.py --only scale --repeat 3   # consolidate 5, 10, 20, 40 full department files
    python benchmarks/run.py --only generate,catalogue --repeat 5   # the whole department (issue 14 targets)
    python benchmarks/run.py --only import --import-rows 1000000     # a Tmall report of 1M rows (issue 16)
    python benchmarks/run.py --only serve --repeat 5   # upload to findings on the web page, 10k rows (issue 17)

Inputs are built with `ecomsheets example` into benchmarks/_work/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
PY = sys.executable
ES = [PY, "-m", "ecomsheets"]


def measure(cmd: list[str]) -> dict:
    out = subprocess.run([PY, str(HERE / "measure.py"), *cmd], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["rc"] not in (0, 1):
        raise SystemExit(f"command failed ({result['rc']}): {' '.join(cmd)}\n{result['stderr']}")
    return result


def compare(label, ours, baseline, repeat, rows) -> None:
    """Alternate ours and the baseline `repeat` times; keep medians."""
    o, b = [], []
    for _ in range(repeat):
        o.append(measure(ours))
        if baseline:
            b.append(measure(baseline))
    row = {"what": label, "ours_s": statistics.median(x["wall"] for x in o), "ours_mb": max(x["peak_mb"] for x in o)}
    if b:
        row["base_s"] = statistics.median(x["wall"] for x in b)
        row["base_mb"] = max(x["peak_mb"] for x in b)
        row["ratio"] = row["ours_s"] / row["base_s"]
    rows.append(row)
    print(_line(row), flush=True)


def _line(r: dict) -> str:
    base = f"{r['base_s']:8.2f} s {r['base_mb']:7.0f} MB {r['ratio']:6.2f}×" if "base_s" in r else " " * 34
    return f"| {r['what']:<44} | {r['ours_s']:8.2f} s {r['ours_mb']:7.0f} MB | {base} |"


def example(path: Path, rows: int, seed: int = 1, tables: str | None = "orders,customers") -> None:
    """An example workbook (made once, then reused); tables=None: every table of the bundle."""
    if not path.exists():
        subprocess.run(
            [
                *ES,
                "example",
                "department",
                "-o",
                str(path),
                *(["--tables", tables] if tables else []),
                "--rows",
                str(rows),
                "--seed",
                str(seed),
                "--month",
                "2026-11",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def scale(counts: list[int], file_rows: int, repeat: int, rows: list[dict]) -> None:
    """Consolidation cost against the number of files: `consolidate --data-rows 0` of the first
    N of a set of full department workbooks (every table of the bundle, `file_rows` order rows
    each, one seed per shop), with fastexcel reading the same files alternately as the baseline.
    Prints the cost per file for each N and per added file between sizes: flat means linear."""
    shops = WORK / f"department_{file_rows}"
    shops.mkdir(exist_ok=True)
    for seed in range(1, max(counts) + 1):  # about 12 s each at 30,000 rows, made once
        example(shops / f"shop_{seed:02d}.xlsx", file_rows, seed, tables=None)
    files = sorted(str(p) for p in shops.glob("shop_*.xlsx"))[: max(counts)]
    out = []
    for n in counts:
        compare(
            f"consolidate {n} full files (--data-rows 0)",
            [
                *ES,
                "consolidate",
                *files[:n],
                "-o",
                str(WORK / f"scale_{n}.xlsx"),
                "--force",
                "--month",
                "2026-11",
                "--data-rows",
                "0",
            ],
            [PY, str(HERE / "baselines.py"), "read", *files[:n]],
            repeat,
            rows,
        )
        out.append((n, rows[-1]))
    print(f"\nper file (full department workbooks, {file_rows:,} order rows each; median of {repeat}):")
    print("| files | consolidate | per file | per added file | fastexcel per file | ratio |")
    print("|---|---|---|---|---|---|")
    previous = None
    for n, r in out:
        added = f"{(r['ours_s'] - previous[1]['ours_s']) / (n - previous[0]):.3f} s" if previous else ""
        print(
            f"| {n} | {r['ours_s']:.2f} s | {r['ours_s'] / n:.3f} s | {added} | {r['base_s'] / n:.3f} s "
            f"| {r['ratio']:.2f}× |",
            flush=True,
        )
        previous = (n, r)


def cluster_scale(counts: list[int], file_rows: int, repeat: int, out: Path | None) -> None:
    """Both engines on up to max(counts) workbooks of `file_rows` orders (and customers), one
    seed per shop; the table and projection of benchmarks/cluster.py."""
    from cluster import report, run

    folder = WORK / f"scale_{max(counts)}x{file_rows}"
    folder.mkdir(exist_ok=True)
    for seed in range(1, max(counts) + 1):  # about 6 s each at 30,000 rows, made once
        example(folder / f"shop_{seed:03d}.xlsx", file_rows, seed)
    text = report(run(ES, folder, WORK, counts, repeat), file_rows)
    print(text, flush=True)
    if out:
        out.with_name(out.stem + "-cluster.md").write_text(text + "\n", encoding="utf-8")


def import_rows(n: int, repeat: int, rows: list[dict]) -> None:
    """`import` of a Tmall report of n rows against pyarrow reading the same CSV, alternating:
    the whole command (it also writes the workbook and validates it), then its reading and
    mapping stage alone (the command's own stage timings, from its JSON) against the read
    alone (timed inside the baseline's process too, without starting Python)."""
    source = WORK / f"tmall_{n}.csv"
    if not source.exists():
        subprocess.run(
            [PY, str(HERE.parent / "examples" / "exports.py"), str(source), "--orders", str(n), "--plain"], check=True
        )
    out, doc = WORK / f"imported_{n}.xlsx", WORK / f"imported_{n}.json"
    cmd = " ".join([*ES, "import", str(source), "-o", str(out), "--force", "--month", "2026-11", "--format", "json"])
    baseline = [PY, str(HERE / "baselines.py"), "csv", str(source)]
    ours, base, stages, inside = [], [], [], []
    for _ in range(repeat):
        ours.append(measure(["sh", "-c", f"{cmd} > {doc}"]))
        stages.append(json.loads(doc.read_text(encoding="utf-8"))["seconds"])
        base.append(measure(baseline))
        inside.append(float(subprocess.run(baseline, capture_output=True, text=True, check=True).stdout))
    whole = {
        "what": f"import {n:,} Tmall rows (read, write, validate) vs pyarrow",
        "ours_s": statistics.median(x["wall"] for x in ours),
        "ours_mb": max(x["peak_mb"] for x in ours),
        "base_s": statistics.median(x["wall"] for x in base),
        "base_mb": max(x["peak_mb"] for x in base),
    }
    whole["ratio"] = whole["ours_s"] / whole["base_s"]
    stage = {
        "what": f"import {n:,} rows: read + map stage vs pyarrow read",
        "ours_s": statistics.median(s["read"] + s["map"] for s in stages),
        "ours_mb": float("nan"),
        "base_s": statistics.median(inside),
        "base_mb": float("nan"),
    }
    stage["ratio"] = stage["ours_s"] / stage["base_s"]
    for row in (whole, stage):
        rows.append(row)
        print(_line(row), flush=True)
    for step in ("read", "map", "write", "validate"):
        print(f"|   {step:<42} | {statistics.median(s[step] for s in stages):8.2f} s |", flush=True)


def serve_upload(n: int, repeat: int, rows: list[dict]) -> None:
    """A running `ecomsheets serve`: from sending a workbook of n order rows to POST /api/validate
    until its findings come back, against `ecomsheets validate --format json` of the same file
    as a whole process, alternating. The server's first check (its imports) is left out."""
    import os
    import socket
    import time
    import urllib.request

    path = WORK / f"orders_{n}.xlsx"
    example(path, n)
    content = path.read_bytes()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = WORK / "serve-data"
    shutil.rmtree(data, ignore_errors=True)
    env = {**os.environ, "ECOMSHEETS_MANAGER_PASSWORD": "benchmark"}
    server = subprocess.Popen(
        [*ES, "serve", "--data", str(data), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def post(path: str, body: bytes, headers: dict) -> dict:
        request = urllib.request.Request(url + path, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())

    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/login", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        token = post("/api/login", b'{"password": "benchmark"}', {"Content-Type": "application/json"})["token"]
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        post("/api/links", json.dumps({"name": "bench", "bundle": "department"}).encode(), auth)
        request = urllib.request.Request(url + "/api/month", data=b'{"month": "2026-11"}', method="PUT", headers=auth)
        urllib.request.urlopen(request, timeout=10)
        boundary = "benchmark-boundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="link"\r\n\r\nbench\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="orders.xlsx"\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
        post("/api/validate", body, headers)  # warm: the server's first check imports the checking code
        web, cli = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            document = post("/api/validate", body, headers)
            web.append(time.perf_counter() - started)
            cli.append(measure([*ES, "validate", str(path), "--format", "json"])["wall"])
        assert document["summary"]["rows_checked"] >= n, document["summary"]
        page = _in_the_browser(url, token, path, repeat)
    finally:
        server.terminate()
        server.wait(timeout=30)
    row = {
        "what": f"web: upload {n:,} orders to findings vs validate CLI",
        "ours_s": statistics.median(web),
        "ours_mb": float("nan"),
        "base_s": statistics.median(cli),
        "base_mb": float("nan"),
    }
    row["ratio"] = row["ours_s"] / row["base_s"]
    rows.append(row)
    print(_line(row), flush=True)
    if page:
        row = {**row, "what": f"web page: drop {n:,} orders to findings shown", "ours_s": statistics.median(page)}
        row["ratio"] = row["ours_s"] / row["base_s"]
        rows.append(row)
        print(_line(row), flush=True)


def _in_the_browser(url: str, token: str, path: Path, repeat: int) -> list[float]:
    """Seconds from choosing the file on a team's page to its findings page, in Debian's
    Chromium (empty when Playwright or Chromium is missing)."""
    import time
    import urllib.request

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return []
    if not Path("/usr/bin/chromium").exists():
        return []
    request = urllib.request.Request(
        url + "/api/links",
        data=json.dumps({"name": "page", "bundle": "department"}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        team = json.loads(response.read())["url"]
    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        page = browser.new_page()
        for _ in range(repeat):
            page.goto(team)
            page.set_input_files("#file-input", str(path))
            started = time.perf_counter()
            page.click("#upload-button")
            page.wait_for_selector("#submission-state:not(.checking)", timeout=600_000)
            times.append(time.perf_counter() - started)
        browser.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--files", type=int, default=31)
    ap.add_argument("--file-rows", type=int, default=30000)
    ap.add_argument(
        "--scale-files",
        default="5,10,20,40",
        help="file counts of the scale row (full department workbooks of --file-rows order rows)",
    )
    ap.add_argument("--out", type=Path, help="also write the table (markdown) here")
    ap.add_argument(
        "--only",
        default="",
        help="run only these operations: comma-separated of "
        "startup,generate,catalogue,validate,example,consolidate,scale,import,serve,cluster",
    )
    ap.add_argument("--import-rows", type=int, default=1_000_000, help="rows of the Tmall report `import` reads")
    ap.add_argument(
        "--cluster-files",
        default="100,200",
        help="file counts of the cluster row (--engine local and dask; orders and customers, --file-rows each)",
    )
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    want = lambda op: not only or op in only  # noqa: E731
    WORK.mkdir(exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows: list[dict] = []
    print(
        f"| what (median of {args.repeat}, whole processes)         |   ecomsheets          |   baseline   (ratio)             |"
    )
    print("|----------------------------------------------|-----------------------|----------------------------------|")
    if want("startup"):
        compare("ecomsheets --help (target < 0.5 s)", [*ES, "--help"], None, args.repeat, rows)
        compare("ecomsheets schemas list (target < 0.5 s)", [*ES, "schemas", "list"], None, args.repeat, rows)
    if want("generate"):
        compare(
            "generate department (27 sheets), 500 rows (target < 1.5 s)",
            [*ES, "generate", "department", "-o", str(WORK / "template.xlsx"), "--month", "2026-11", "--force"],
            None,
            args.repeat,
            rows,
        )
    if want("catalogue"):
        # The department's whole catalogue, every table filled: 1,000 rows per detail table
        # (master lists at a real department's size), against reading the same file.
        path = WORK / "department_1000.xlsx"
        if not path.exists():
            subprocess.run(
                [*ES, "example", "department", "-o", str(path), "--rows", "1000", "--month", "2026-11", "--force"],
                check=True,
                capture_output=True,
            )
        compare(
            "validate department, 27 sheets x 1,000 rows (target < 3 s)",
            [*ES, "validate", str(path)],
            [PY, str(HERE / "baselines.py"), "read", str(path)],
            args.repeat,
            rows,
        )
    for n in sizes if want("validate") else []:
        path = WORK / f"orders_{n}.xlsx"
        example(path, n)
        compare(
            f"validate {n:,} orders (+customers) vs fastexcel",
            [*ES, "validate", str(path)],
            [PY, str(HERE / "baselines.py"), "read", str(path)],
            args.repeat,
            rows,
        )
    for n in sizes if want("example") else []:
        out = WORK / f"example_out_{n}.xlsx"
        compare(
            f"example {n:,} order rows vs xlsxwriter chunks",
            [
                *ES,
                "example",
                "department",
                "-o",
                str(out),
                "--tables",
                "orders,customers",
                "--rows",
                str(n),
                "--force",
                "--month",
                "2026-11",
            ],
            [PY, str(HERE / "baselines.py"), "write", str(n), str(WORK / f"baseline_{n}.xlsx")],
            args.repeat,
            rows,
        )
    if want("import"):
        import_rows(args.import_rows, args.repeat, rows)
    if want("serve"):
        serve_upload(10_000, args.repeat, rows)
    if "cluster" in only:  # minutes, not seconds: only when asked for
        cluster_scale([int(n) for n in args.cluster_files.split(",") if n], args.file_rows, args.repeat, args.out)
    if want("scale"):
        scale([int(n) for n in args.scale_files.split(",") if n], args.file_rows, args.repeat, rows)
    if not want("consolidate"):
        _write(args.out, rows)
        return
    shops = WORK / f"shops_{args.files}x{args.file_rows}"
    shops.mkdir(exist_ok=True)
    for seed in range(1, args.files + 1):
        example(shops / f"shop_{seed:02d}.xlsx", args.file_rows, seed)
    files = sorted(str(p) for p in shops.glob("*.xlsx"))
    compare(
        f"consolidate {args.files} x {args.file_rows:,} vs fastexcel reading all",
        [*ES, "consolidate", str(shops), "-o", str(WORK / "month.xlsx"), "--force", "--month", "2026-11"],
        [PY, str(HERE / "baselines.py"), "read", *files],
        args.repeat,
        rows,
    )
    compare(
        f"consolidate {args.files} x {args.file_rows:,}, figures only (--data-rows 0)",
        [
            *ES,
            "consolidate",
            str(shops),
            "-o",
            str(WORK / "month0.xlsx"),
            "--force",
            "--month",
            "2026-11",
            "--data-rows",
            "0",
        ],
        [PY, str(HERE / "baselines.py"), "read", *files],
        args.repeat,
        rows,
    )
    _write(args.out, rows)


def _write(out: Path | None, rows: list[dict]) -> None:
    if out:
        out.write_text("\n".join(_line(r) for r in rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if not shutil.which(PY):
        raise SystemExit("python not found")
    main()
