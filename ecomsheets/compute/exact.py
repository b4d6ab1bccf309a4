"""Sums of numbers that do not depend on the order they are added in: each number split into
integer parts, the parts added as integers, the total rounded once at the end (as math.fsum
does). Parts of any split of the rows (a file each, on a cluster) add up to the same parts as
all the rows together, so every engine gives the same figure to the last digit."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

_SPLIT = 27  # a 53-bit mantissa as two halves whose sums over many rows fit in 64 bits
PARTS = ["_label", "_exp", "_hi", "_lo", "_n"]


def sum_parts(labels: pd.Series | None, values: pd.Series) -> pd.DataFrame:
    """Per label (0 when None; NaN left out) and binary exponent, the sums of the values'
    mantissa halves and how many values there are. NaN values are left out."""
    present = values.notna().to_numpy()
    numbers = values.to_numpy(dtype="float64")[present]
    keys = np.zeros(len(numbers), dtype="int64") if labels is None else labels.to_numpy()[present]
    if not np.isfinite(numbers).all():  # no cell holds one; say so rather than add wrongly
        raise ValueError("infinite value in a sum")
    mantissa, exponent = np.frexp(numbers)
    whole = (mantissa * 2.0**53).astype("int64")  # exact: a double's mantissa has 53 bits
    hi = whole >> _SPLIT
    frame = pd.DataFrame(
        {"_label": keys, "_exp": exponent.astype("int64"), "_hi": hi, "_lo": whole - (hi << _SPLIT), "_n": 1}
    )
    if labels is not None:
        frame = frame[pd.notna(frame["_label"]).to_numpy()]
    return frame.groupby(["_label", "_exp"], sort=False, as_index=False).sum()


def totals(parts: pd.DataFrame, agg: str) -> pd.Series:
    """From parts (of one or many sum_parts, concatenated or already added up): each label's
    sum, or (agg="avg") mean, rounded once (a label with no number: no entry for a mean, 0 for
    a sum is the caller's)."""
    if parts.empty:
        return pd.Series(dtype="float64")
    added = parts.groupby(["_label", "_exp"], sort=False)[["_hi", "_lo", "_n"]].sum()
    out = {}
    for label, rows in added.groupby(level=0, sort=False):
        exps = rows.index.get_level_values(1).to_numpy()
        low = int(exps.min())
        total = sum(
            ((int(h) << _SPLIT) + int(lo)) << (int(e) - low)
            for e, h, lo in zip(exps, rows["_hi"].to_numpy(), rows["_lo"].to_numpy())
        )
        exact = Fraction(total) * Fraction(2) ** (low - 53)
        n = int(rows["_n"].sum())
        out[label] = float(exact / n) if agg == "avg" else float(exact)
    return pd.Series(out, dtype="float64")
