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

echo
echo "输出 / outputs in $out:"
ls -1 "$out" "$out/批注"
