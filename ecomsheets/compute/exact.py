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


_CHUNK = 1 << 25  # values added at once: their halves' sums stay exact in a float64 count


def sum_parts(labels: pd.Series | None, values: pd.Series) -> pd.DataFrame:
    """Per label (0 when None; NaN left out) and binary exponent, the sums of the values'
    mantissa halves and how many values there are. NaN values are left out."""
    present = values.notna().to_numpy()
    numbers = values.to_numpy(dtype="float64")[present]
    if not np.isfinite(numbers).all():  # no cell holds one; say so rather than add wrongly
        raise ValueError("infinite value in a sum")
    if labels is None:
        codes, uniques = np.zeros(len(numbers), dtype="int64"), np.array([0], dtype=object)
    else:
        codes, uniques = pd.factorize(labels.to_numpy()[present])
        kept = codes >= 0  # a row on no label
        codes, numbers = codes[kept], numbers[kept]
    pieces = [_parts(codes[i : i + _CHUNK], numbers[i : i + _CHUNK], uniques) for i in range(0, len(numbers), _CHUNK)]
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame({c: [] for c in PARTS})


def _parts(codes: np.ndarray, numbers: np.ndarray, uniques: np.ndarray) -> pd.DataFrame:
    mantissa, exponent = np.frexp(numbers)
    whole = (mantissa * 2.0**53).astype("int64")  # exact: a double's mantissa has 53 bits
    hi = whole >> _SPLIT
    lo = whole - (hi << _SPLIT)
    low = int(exponent.min()) if len(exponent) else 0
    span = int(exponent.max()) - low + 1 if len(exponent) else 1
    if len(uniques) * span <= 1 << 22:  # numbers of like size: the exponent itself is the bin
        exps, exp_codes = np.arange(low, low + span), exponent - low
    else:
        exps, exp_codes = np.unique(exponent, return_inverse=True)
    group = codes * len(exps) + exp_codes
    size = len(uniques) * len(exps)
    # Sums of integers below 2**27 over fewer than 2**25 values: exact in float64.
    h = np.bincount(group, weights=hi, minlength=size)
    lw = np.bincount(group, weights=lo, minlength=size)
    n = np.bincount(group, minlength=size)
    at = np.flatnonzero(n)
    return pd.DataFrame(
        {
            "_label": uniques[at // len(exps)],
            "_exp": exps[at % len(exps)].astype("int64"),
            "_hi": h[at].astype("int64"),
            "_lo": lw[at].astype("int64"),
            "_n": n[at].astype("int64"),
        }
    )


_LOW = -1100  # below any double's binary exponent: every part is a whole multiple of 2**(_LOW - 53)


def totals(parts: pd.DataFrame, agg: str) -> pd.Series:
    """From parts (of one or many sum_parts, concatenated or already added up): each label's
    sum, or (agg="avg") mean, rounded once (a label with no number: no entry for a mean, 0 for
    a sum is the caller's)."""
    acc: dict[object, int] = {}
    count: dict[object, int] = {}
    columns = (parts[c].tolist() for c in PARTS)
    for label, e, h, lo, n in zip(*columns):
        acc[label] = acc.get(label, 0) + (((h << _SPLIT) + lo) << (e - _LOW))
        count[label] = count.get(label, 0) + n
    scale = 1 << (53 - _LOW)
    out = {k: float(Fraction(v, scale * count[k]) if agg == "avg" else Fraction(v, scale)) for k, v in acc.items()}
    return pd.Series(out, dtype="float64")
