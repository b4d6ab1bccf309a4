"""Merged cells, blanks and formula cells as staff leave them (issue 11, item 2): a value
merged down over rows counts for each row it covers, with one warning naming the merge; the
annotated copy puts each note on the cell that shows the value; and no mix of merges, blanks
and formulas reaches an internal error (a property test)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomsheets.report.annotate import write_annotated
from ecomsheets.summarize.consolidate import consolidate
from ecomsheets.validate.run import inspect_many
from tests.helpers import CATALOG, MONTH, write_example

FIRST = 3  # first data row
BUNDLE = CATALOG.bundles["department"]


def _reads_orders(name: str) -> bool:
    """A sheet that reads the orders: it names an order, or a check compares it with them."""
    metric = {m.name: m.table for m in BUNDLE.metrics}
    pairs = [(c.table, c.source_table) for c in BUNDLE.checks]
    pairs += [(metric[c.metric], metric[c.against]) for c in BUNDLE.totals_checks]
    return any(c.references and c.ref_table == "orders" for c in CATALOG.tables[name].columns) or any(
        {a, b} == {name, "orders"} for a, b in pairs
    )


def _orders_and_their_readers() -> list[str]:
    """The orders, every sheet that reads them (物流, 售后, 投诉, 评价, 收支 …) and every sheet
    these reference, in bundle order. Edits to 订单 reach no other sheet: the rest of the
    department is left out of the workbook, which keeps the property test below fast."""
    needed = {"orders", *(name for name in BUNDLE.tables if _reads_orders(name))}
    todo = list(needed)
    while todo:
        for c in CATALOG.tables[todo.pop()].columns:
            if c.references and c.ref_table not in needed:
                needed.add(c.ref_table)
                todo.append(c.ref_table)
    return [name for name in BUNDLE.tables if name in needed]


TABLES = _orders_and_their_readers()


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("merged") / "shop.xlsx"

    def two_line_order_first(frames):
        orders = frames["orders"]
        if not (orders["order_id"].iloc[:-1].to_numpy() == orders["order_id"].iloc[1:].to_numpy()).any():
            # A two-line order (two SKUs), as multi-SKU orders are written: lines 1 and 2 share an id.
            assert orders["sku"].iloc[0] != orders["sku"].iloc[1]
            gone, kept = orders["order_id"].iloc[1], orders["order_id"].iloc[0]
            for column in ("order_id", "order_date", "customer_id", "channel"):
                orders.loc[orders.index[1], column] = orders[column].iloc[0]
            # The sheets that name the second order (售后, 评价, 物流 …) now name the one it became.
            for name, frame in frames.items():
                for col in CATALOG.tables[name].columns:
                    if col.references == "orders.order_id" and col.name in frame:
                        frame.loc[frame[col.name] == gone, col.name] = kept

    frames = write_example(path, rows=15, seed=8, now=datetime(2026, 11, 1), edit=two_line_order_first, tables=TABLES)
    return path, frames


def inspect(path):
    (insp,) = inspect_many([path], catalog=CATALOG, month=MONTH, isolate=False)
    return insp


def two_line_order(frames) -> int:
    """The 0-based position of the first order whose next line belongs to the same order."""
    ids = list(frames["orders"]["order_id"])
    return next(i for i in range(len(ids) - 1) if ids[i] == ids[i + 1])


def test_a_merged_order_id_counts_for_each_row_it_covers(shop, tmp_path):
    path, frames = shop
    i = two_line_order(frames)
    top, below = FIRST + i, FIRST + i + 1
    wb = openpyxl.load_workbook(path)
    ws = wb["订单"]
    ws[f"A{below}"].value = None
    ws.merge_cells(f"A{top}:A{below}")
    merged = tmp_path / "merged.xlsx"
    wb.save(merged)
    insp = inspect(merged)
    report = insp.report
    assert report.errors == 0, [f.message for f in report.findings if f.severity == "error"]
    (warning,) = [f for f in report.findings if f.rule == "merged_cells"]
    assert (warning.sheet, warning.cell, warning.severity) == ("订单", f"A{top}", "warning")
    assert f"A{top}:A{below} 是合并单元格" in warning.message
    # Both lines of the order are taken, with the order id from the merge.
    result = consolidate([insp], CATALOG, month=MONTH, include_invalid=True)
    orders = result.tables["orders"]
    assert len(orders) == len(frames["orders"])
    assert (orders["order_id"] == frames["orders"]["order_id"].iloc[i]).sum() == 2
    # The note sits on the cell that shows the value, not on the hidden part of the merge.
    out = write_annotated(merged, report, tmp_path / "merged_校验.xlsx")
    annotated = openpyxl.load_workbook(out)["订单"]
    assert "合并单元格" in annotated[f"A{top}"].comment.text


def test_a_finding_inside_a_merge_is_noted_on_its_visible_cell(shop, tmp_path):
    path, frames = shop
    i = two_line_order(frames)
    top, below = FIRST + i, FIRST + i + 1
    wb = openpyxl.load_workbook(path)
    ws = wb["订单"]
    ws[f"A{top}"].value = "坏#编号"  # breaks the id pattern, on both rows the merge covers
    ws[f"A{below}"].value = None
    ws.merge_cells(f"A{top}:A{below}")
    bad = tmp_path / "merged_bad.xlsx"
    wb.save(bad)
    report = inspect(bad).report
    assert sorted(f.cell for f in report.findings if f.rule == "pattern") == [f"A{top}", f"A{below}"]
    out = write_annotated(bad, report, tmp_path / "merged_bad_校验.xlsx")
    text = openpyxl.load_workbook(out)["订单"][f"A{top}"].comment.text
    assert text.count("格式不对") == 2


CELL_OPS = st.one_of(
    st.tuples(st.just("blank"), st.integers(0, 14), st.integers(1, 12)),
    st.tuples(st.just("merge_down"), st.integers(0, 13), st.integers(1, 12), st.integers(1, 3)),
    st.tuples(st.just("merge_across"), st.integers(0, 14), st.integers(1, 11), st.integers(1, 3)),
    st.tuples(
        st.just("formula"),
        st.integers(0, 14),
        st.integers(1, 12),
        st.sampled_from(
            ['="T"&ROW()', "=1/0", "=A3", "=TRUE()", '="O0100001"', "=SUM(F3:F5)", "=NA()", '=""', "=F3*2", "=#REF!"]
        ),
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(CELL_OPS, max_size=8))
def test_no_mix_of_merges_blanks_and_formulas_reaches_an_internal_error(shop, ops):
    path, _ = shop
    wb = openpyxl.load_workbook(path)
    ws = wb["订单"]
    taken: set = set()
    for op in ops:
        row, col = FIRST + op[1], op[2]
        if op[0] == "blank":
            if (row, col) not in taken:
                ws.cell(row, col).value = None
        elif op[0] in ("merge_down", "merge_across"):
            span = op[3]
            cells = {(row + k, col) if op[0] == "merge_down" else (row, col + k) for k in range(span + 1)}
            if cells & taken:
                continue  # openpyxl cannot merge over a merge
            taken |= cells
            last_row, last_col = max(cells)
            for r, c in cells - {(row, col)}:
                ws.cell(r, c).value = None
            ws.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)
        elif (row, col) not in taken:
            ws.cell(row, col).value = op[3]
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "edited.xlsx"
        wb.save(out)
        insp = inspect(out)  # in this process: an exception fails the test
        assert insp.ctx is not None and not insp.report.unreadable
        assert not any(f.rule == "internal_error" for f in insp.report.findings)
        consolidate([insp], CATALOG, month=MONTH, include_invalid=True)
        if insp.report.findings:
            write_annotated(out, insp.report, Path(d) / "annotated.xlsx")


def test_the_case_that_crashed_before(shop):
    """Found by the property test above (and reported in issue 11 as `ValueError: cannot convert
    float NaN to integer`): merges over a row whose id and SKU repeat another row."""
    path, _ = shop
    ops = [
        ("blank", 0, 8),
        ("blank", 13, 2),
        ("merge_down", 0, 1, 3),
        ("merge_across", 0, 2, 3),
        ("merge_down", 6, 11, 1),
        ("formula", 2, 8, "=F3*2"),
        ("formula", 2, 5, '=""'),
        ("merge_down", 10, 11, 3),
    ]
    test_no_mix_of_merges_blanks_and_formulas_reaches_an_internal_error.hypothesis.inner_test(shop, ops)
