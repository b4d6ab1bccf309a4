#!/usr/bin/env bash
# The whole monthly job on example data: three shops hand in their workbooks, one of them with
# the kind of mistakes people make; the manager validates them and builds the month's summary.
# Outputs go to ./demo-output (or the folder given as $1).
set -euo pipefail
out="${1:-demo-output}"
mkdir -p "$out/submitted"
cd "$(dirname "$0")/.." >/dev/null
out="$(cd "$OLDPWD" && cd "$out" && pwd)"

echo "== 1. 生成空白模板 / blank template"
ecomsheets generate department -o "$out/电商部_2026-11_模板.xlsx" --month 2026-11 --force

echo "== 2. 三个店铺提交的工作簿（示例数据）/ three shops' workbooks"
for seed in 1 2 3; do
  ecomsheets example department -o "$out/submitted/店铺$seed.xlsx" --month 2026-11 --rows 300 --seed "$seed" --force
done
python examples/spoil.py "$out/submitted/店铺3.xlsx"

echo "== 3. 校验 / validate (exit code 1: errors found)"
ecomsheets validate "$out/submitted" --html "$out/校验报告.html" --annotate "$out/批注" --force || true

echo "== 4. 月度汇总 / consolidate the month (exit code 1: 店铺3 is left out until it is corrected)"
status=0
ecomsheets consolidate "$out/submitted" -o "$out/月度汇总_2026-11.xlsx" --month 2026-11 --force || status=$?
[ "$status" -le 1 ]  # 2 would mean nothing usable

echo "== 5. 按小组交表的一个月 / a month with one file per team"
team="$out/小组"
mkdir -p "$team/模板" "$team/交回" "$team/上月交回"
# The master lists (员工, 商品 = 库存's SKUs, 客户) come from a workbook that holds them; here
# the department's example workbook stands in for the manager's 主数据.xlsx.
ecomsheets example department -o "$team/主数据.xlsx" --month 2026-11 --rows 200 --seed 7 --force
for t in 运营推广 客服售后 仓储物流 财务行政 部门管理; do
  ecomsheets generate "$t" --masters "$team/主数据.xlsx" -o "$team/模板/$t.xlsx" --month 2026-11 --force
  ecomsheets example "$t" -o "$team/上月交回/$t.xlsx" --month 2026-10 --rows 200 --seed 8 --force
done
ecomsheets consolidate "$team/上月交回" -o "$team/月度汇总_2026-10.xlsx" --month 2026-10 --force
# This month four teams have handed in (仓储物流 not yet), and 运营推广's file has mistakes.
for t in 运营推广 客服售后 财务行政 部门管理; do
  ecomsheets example "$t" -o "$team/交回/$t.xlsx" --month 2026-11 --rows 200 --seed 7 --force
done
python examples/spoil.py "$team/交回/运营推广.xlsx"
ecomsheets status "$team/交回" --month 2026-11 || true
status=0
ecomsheets consolidate "$team/交回" -o "$team/月度汇总_2026-11.xlsx" --month 2026-11 \
  --previous "$team/月度汇总_2026-10.xlsx" --force || status=$?
[ "$status" -le 1 ]

echo "== 6. 平台导出的订单 / a shop whose orders come from Tmall's exports"
exports="$out/导出"
mkdir -p "$exports"
# Two weekly order reports as 天猫 downloads them (GBK, ids as ="…"), overlapping on days
# 8-14; the later one shows some of those orders delivered since.
python examples/exports.py "$exports/天猫订单_第1-2周.csv" --orders 600 --days 1-14 --as-of 15
python examples/exports.py "$exports/天猫订单_第2-4周.csv" --orders 600 --days 8-30
ecomsheets import "$exports/天猫订单_第1-2周.csv" "$exports/天猫订单_第2-4周.csv" \
  -o "$out/submitted/店铺4.xlsx" --month 2026-11 --shop 店铺4 --force
status=0
ecomsheets consolidate "$out/submitted" -o "$out/月度汇总_2026-11.xlsx" --month 2026-11 --force > /dev/null || status=$?
[ "$status" -le 1 ]

echo
echo "输出 / outputs in $out:"
ls -1 "$out" "$out/批注" "$team"
