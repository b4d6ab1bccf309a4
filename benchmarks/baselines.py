"""What the file format allows, measured the same way: the baselines ecomsheets is compared with.

read FILE...       fastexcel loads every sheet of every file into Arrow (one process)
write N OUT        xlsxwriter constant_memory writes N order rows fed in chunks
csv FILE           pyarrow's CSV reader reads the file (types inferred, as it does by default)
"""

import sys


def read(paths):
    import fastexcel

    for path in paths:
        reader = fastexcel.read_excel(path)
        for name in reader.sheet_names:
            reader.load_sheet(name).to_arrow()


def write(n, out):
    import datetime

    import numpy as np
    import xlsxwriter

    rng = np.random.default_rng(1)
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet("orders")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(
        0,
        0,
        [
            "order_id",
            "date",
            "customer",
            "channel",
            "sku",
            "qty",
            "price",
            "discount",
            "amount",
            "paid",
            "province",
            "status",
        ],
    )
    chunk = 50_000
    base = datetime.datetime(2026, 11, 1)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        qty = rng.integers(1, 6, m)
        price = np.round(rng.uniform(19, 499, m), 1)
        days = rng.integers(0, 30, m)
        for i in range(m):
            r = start + i + 1
            ws.write_string(r, 0, f"O01{start + i:07d}")
            ws.write_datetime(r, 1, base + datetime.timedelta(days=int(days[i])), date_fmt)
            ws.write_string(r, 2, f"C01{i % 2000:05d}")
            ws.write_string(r, 3, "天猫")
            ws.write_string(r, 4, f"SKU{i % 500:05d}")
            ws.write_number(r, 5, int(qty[i]))
            ws.write_number(r, 6, float(price[i]))
            ws.write_number(r, 7, 0)
            ws.write_formula(r, 8, f'=IF(OR(F{r + 1}="",G{r + 1}=""),"",ROUND(F{r + 1}*G{r + 1}-H{r + 1},2))')
            ws.write_number(r, 9, float(qty[i] * price[i]))
            ws.write_string(r, 10, "浙江省")
            ws.write_string(r, 11, "已完成")
    wb.close()


def csv(path):
    """Prints the read's own seconds (without the process start), for stage comparisons."""
    import time

    import pyarrow.csv

    started = time.perf_counter()
    pyarrow.csv.read_csv(path)
    print(time.perf_counter() - started)


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2:])
    elif sys.argv[1] == "write":
        write(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "csv":
        csv(sys.argv[2])
    else:
        raise SystemExit(__doc__)
