"""What safety costs on a normal workbook (issue: hostile input), measured in one run:
the pre-parse guard, and validation with parsing in a child process vs in-process.

    python benchmarks/isolation.py [FILE]   (default: benchmarks/_work/orders_100000.xlsx)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from ecomsheets.read.guard import check_file
from ecomsheets.schema import load_catalog
from ecomsheets.validate.run import inspect_workbook

REPEAT = 5


def median(fn) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "_work" / "orders_100000.xlsx")
    catalog = load_catalog()
    import fastexcel
    import pandera.pandas  # noqa: F401 - imported once, as a real run has it before forking

    def plain_read():
        reader = fastexcel.read_excel(str(path))
        for name in reader.sheet_names:
            reader.load_sheet(name).to_arrow()

    inspect_workbook(path, catalog=catalog, keep="report")  # warm the page cache
    rows = {
        "guard (zip directory + first bytes of each part)": median(lambda: check_file(path)),
        "fastexcel plain read of every sheet": median(plain_read),
        "validate, parsing in-process": median(
            lambda: inspect_workbook(path, catalog=catalog, isolate=False, keep="report")
        ),
        "validate, parsing in a child process": median(lambda: inspect_workbook(path, catalog=catalog, keep="report")),
    }
    print(f"{path.name}, median of {REPEAT}, one process:")
    for what, seconds in rows.items():
        print(f"| {what:<52} | {seconds * 1000:9.1f} ms |")
    cost = rows["validate, parsing in a child process"] - rows["validate, parsing in-process"]
    print(
        f"child-process cost: {cost * 1000:+.1f} ms "
        f"({cost / rows['validate, parsing in-process']:+.1%} of in-process validation)"
    )


if __name__ == "__main__":
    main()
