"""Consolidation work grows linearly with groups, files and shared keys (issue 12, item 5).

Not timing tests: each counts operations in a small instrumented run, at two sizes, so a step
whose work is quadratic fails here whatever the machine's speed.

- The summary writer: how often a group key is hashed (every dict built or looked up on the
  groups hashes them) while the metric sheets are written. Rebuilding a dict of every group's
  value for each group and metric, as the writer once did, hashes G² × M times.
- Key resolution across files: how many DataFrame selections `resolve_keys` makes. Filtering
  a key's rows per key and per file, as it once did, makes keys × files of them; the work per
  key is now plain Python on rows read once.
The timings themselves are in docs/performance.md (`python benchmarks/run.py --only scale`).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from ecomsheets.compute.metrics import MetricValue
from ecomsheets.summarize.consolidate import LINEAGE, Consolidation, resolve_keys
from ecomsheets.summarize.writer import write_summary_workbook
from tests.helpers import CATALOG, MONTH

BUNDLE = CATALOG.bundles["department"]
# Two grouped metrics on SKUs, in two tables: two metric sheets with G rows each.
GROUPED = ("units_by_sku", "stock_value_by_sku")


class Key(str):
    """A group key that counts how often it is hashed."""

    hashes = 0

    def __hash__(self):
        Key.hashes += 1
        return str.__hash__(self)


def write_counting(tmp_path, groups: int) -> int:
    """Hashes of group keys while the summary workbook of `groups` SKUs is written."""
    specs = {m.name: m for m in BUNDLE.metrics}
    metrics = [
        MetricValue(name, specs[name].title, Key(f"SKU{i:05d}"), float(i % 97))
        for name in GROUPED
        for i in range(groups)
    ]
    metrics.insert(0, MetricValue("sales_total", "销售额", None, 1.0))
    result = Consolidation(BUNDLE, MONTH, {}, [], [], metrics=metrics)
    Key.hashes = 0
    write_summary_workbook(result, CATALOG, tmp_path / f"summary_{groups}.xlsx", data_rows=0)
    return Key.hashes


def test_metric_sheets_hash_each_group_a_bounded_number_of_times(tmp_path):
    small, large = write_counting(tmp_path, 100), write_counting(tmp_path, 800)
    # 8x the groups: 8x the work (64x when every cell rebuilt a dict of the groups).
    assert large <= 9 * small, (small, large)
    # And a small constant per group and metric (the sheet writes one cell per group and metric).
    assert large <= 8 * 800 * len(GROUPED), large


def shared_frame(files: int, keys: int) -> pd.DataFrame:
    """Inventory rows for `keys` SKUs, the same in each of `files` files (shared master data),
    except the first SKU, whose stock value differs in the second file (a conflict)."""
    parts = []
    for f in range(files):
        value = [float(k) + (1.0 if (f == 1 and k == 0) else 0.0) for k in range(keys)]
        parts.append(
            pd.DataFrame(
                {
                    "sku": [f"SKU{k:05d}" for k in range(keys)],
                    "stock_value": value,
                    LINEAGE[0]: f"/in/shop_{f:02d}.xlsx",
                    LINEAGE[1]: "库存",
                    LINEAGE[2]: range(3, keys + 3),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def resolve_counting(monkeypatch, files: int, keys: int):
    """resolve_keys on shared_frame, counting DataFrame selections (df[...])."""
    calls = Counter()
    getitem = pd.DataFrame.__getitem__

    def counted_getitem(self, key):
        calls["select"] += 1
        return getitem(self, key)

    frame = shared_frame(files, keys)
    findings: list = []
    with monkeypatch.context() as m:
        m.setattr(pd.DataFrame, "__getitem__", counted_getitem)
        out, conflicts, duplicates = resolve_keys(frame, CATALOG.tables["inventory"], findings, {})
    return calls["select"], out, conflicts, duplicates, findings


@pytest.mark.parametrize("files,keys", [(2, 10), (6, 80)])
def test_shared_keys_are_resolved_right(monkeypatch, files, keys):
    _, out, conflicts, duplicates, findings = resolve_counting(monkeypatch, files, keys)
    # SKU00000 differs in the second file: left out of every file; every other SKU counted once.
    assert conflicts == Counter({f"/in/shop_{f:02d}.xlsx": 1 for f in range(files)})
    assert duplicates == (files - 1) * (keys - 1)
    assert len(out) == keys - 1 and set(out["sku"]) == {f"SKU{k:05d}" for k in range(1, keys)}
    assert set(out[LINEAGE[0]]) == {"/in/shop_00.xlsx"}
    conflict, dupes = findings
    assert (conflict.rule, dupes.rule) == ("conflict", "duplicate_rows")
    assert conflict.file == "、".join(f"shop_{f:02d}.xlsx" for f in range(files))
    assert "shop_00.xlsx 库存!3" in conflict.message and "shop_01.xlsx 库存!3" in conflict.message


def test_shared_key_work_does_not_grow_with_keys_or_files(monkeypatch):
    small = resolve_counting(monkeypatch, 2, 10)[0]
    large = resolve_counting(monkeypatch, 6, 80)[0]
    # 3x the files and 8x the keys, the same number of pandas selections (was keys x files).
    assert large == small, (small, large)
