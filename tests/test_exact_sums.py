"""Sums and averages of metrics are exact (compute.exact): the same figure whatever the order
of the rows or how they are split, as the Dask engine splits them by file."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from ecomsheets.compute import exact


@pytest.fixture
def money():
    rng = np.random.default_rng(7)
    values = pd.Series(np.round(rng.normal(300, 900, 20_000), 2))
    values[::11] = np.nan
    labels = pd.Series(rng.choice(["天猫", "京东", "拼多多"], len(values)))
    return labels, values


def test_a_sum_is_the_exact_sum_rounded_once(money):
    labels, values = money
    sums = exact.totals(exact.sum_parts(labels, values), "sum")
    for label in ("天猫", "京东", "拼多多"):
        mine = values[(labels == label) & values.notna()]
        assert sums[label] == math.fsum(mine)  # fsum: the exactly rounded sum
        assert sums[label] == float(sum(Fraction(v) for v in mine))
    mean = exact.totals(exact.sum_parts(None, values), "avg")[0]
    assert mean == float(sum(Fraction(v) for v in values.dropna()) / values.notna().sum())


def test_any_split_and_order_gives_the_same_figures(money):
    labels, values = money
    whole = exact.totals(exact.sum_parts(labels, values), "sum")
    order = np.random.default_rng(1).permutation(len(values))
    pieces = [
        exact.sum_parts(
            labels.iloc[order[i::7]].reset_index(drop=True), values.iloc[order[i::7]].reset_index(drop=True)
        )
        for i in range(7)
    ]
    split = exact.totals(pd.concat(pieces, ignore_index=True), "sum")
    assert split.sort_index().tolist() == whole.sort_index().tolist()
    # pandas adds in its own order and can differ in the last digit; these cannot.
    assert split.sort_index().to_numpy() == pytest.approx(values.groupby(labels).sum().sort_index().to_numpy())


def test_blanks_and_a_label_without_numbers():
    labels = pd.Series(["a", "a", "b", None])
    values = pd.Series([1.5, np.nan, np.nan, 2.0])
    sums = exact.totals(exact.sum_parts(labels, values), "sum")
    assert sums.to_dict() == {"a": 1.5}  # b has no number, the unlabelled row is on no key
    assert exact.totals(exact.sum_parts(None, pd.Series([], dtype="float64")), "avg").empty
    assert exact.totals(exact.sum_parts(None, pd.Series([0.1, 0.2, -0.3])), "sum")[0] == math.fsum([0.1, 0.2, -0.3])
