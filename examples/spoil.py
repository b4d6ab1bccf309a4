"""Make the mistakes people really make in a submitted workbook (for the demo): a negative
quantity, a price typed as text, a channel that is not in the list, a customer that does
not exist, a date from last month, an amount typed over its formula, a price with a
currency sign (read, with a warning)."""

import sys
import warnings
from datetime import date

import openpyxl

# openpyxl does not understand our print areas (a formula); it need not: this edit keeps them.
warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
path = sys.argv[1]
wb = openpyxl.load_workbook(path)
ws = wb["订单"]
ws["F5"] = -2
ws["G6"] = "面议"
ws["D7"] = "淘宝网"
ws["C8"] = "C9999"
ws["B9"] = date(2026, 10, 31)
ws["I10"] = 12345
ws["G11"] = "¥1,234.50"
wb.save(path)
print(f"已在 {path} 中故意填错几格（订单!F5 G6 D7 C8 B9 I10 G11），演示校验效果")
