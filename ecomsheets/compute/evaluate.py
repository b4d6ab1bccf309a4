"""The pandas side of the expression language: a parsed expression (schema.expr) compiled to a
vectorised computation with Excel's semantics, so that recomputed values agree with the
formulas the templates carry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ecomsheets.schema.expr import BLANK, Binary, Name, Node, Num, Str, Unary

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike

Columns = Mapping[str, object]  # name -> pandas Series (or scalar), already Excel-normalised


def to_pandas(node: Node) -> Callable[[Columns], object]:
    """Compile to a function of {name: values} returning a vectorised result.

    Inputs must follow Excel semantics already: numbers as float with blanks as 0, text with
    blanks as "", dates as day serials (see `ecomsheets.compute.derived.expression_input`).
    """
    return lambda cols: _pd(node, cols)


def _pd(n: Node, cols: Columns) -> Any:  # a number, a text, a Series or an array, as the inputs are
    import numpy as np  # imported here so that loading schemas stays light (fast start-up)

    if isinstance(n, (Num, Str)):
        return n.value
    if isinstance(n, Name):
        return cols[n.name]
    if isinstance(n, Unary):
        return -_as_float(_pd(n.operand, cols))
    if isinstance(n, Binary):
        a, b = _pd(n.left, cols), _pd(n.right, cols)
        if n.op in "+-*/":
            a, b = _as_float(a), _as_float(b)
            if n.op == "+":
                return a + b
            if n.op == "-":
                return a - b
            if n.op == "*":
                return a * b
            with np.errstate(divide="ignore", invalid="ignore"):
                out = np.divide(a, b)
            return np.where(np.isinf(out), np.nan, out) if np.ndim(out) else (np.nan if np.isinf(out) else out)
        return _compare(n.op, a, b)
    if n.fn == "ISBLANK":
        name = n.args[0].name  # type: ignore[union-attr]  # the type checker allows only a name
        return np.asarray(cols[name + BLANK], dtype=bool)
    fn, args = n.fn, [_pd(a, cols) for a in n.args]
    if fn == "WEEKDAY":  # WEEKDAY(serial, 2) as Excel counts (right from March 1900 on)
        return np.mod(np.floor(_as_float(args[0])) + 5, 7) + 1
    if fn == "MOD":
        a, b = _as_float(args[0]), _as_float(args[1])
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.mod(a, b)
        return np.where(b == 0, np.nan, out) if np.ndim(out) else (np.nan if b == 0 else out)
    if fn == "IF":
        return np.where(np.asarray(args[0], dtype=bool), args[1], args[2])
    if fn == "ROUND":
        return excel_round(_as_float(args[0]), _as_float(args[1]))
    if fn == "ABS":
        return np.abs(_as_float(args[0]))
    if fn in ("MIN", "MAX"):
        fold = np.fmin if fn == "MIN" else np.fmax
        out = _as_float(args[0])
        for a in args[1:]:
            out = fold(out, _as_float(a))
        return out
    if fn == "NOT":
        return np.logical_not(args[0])
    logic = np.logical_and if fn == "AND" else np.logical_or
    out = args[0]
    for a in args[1:]:
        out = logic(out, a)
    return out


def _as_float(v: Any) -> np.ndarray | float:
    import numpy as np

    if hasattr(v, "to_numpy"):
        values: np.ndarray = v.to_numpy(dtype="float64", na_value=np.nan)
        return values
    return np.asarray(v, dtype="float64") if np.ndim(v) else float(v)


def _compare(op: str, a: Any, b: Any) -> np.ndarray:
    import numpy as np

    # The type checker makes both sides the same kind: compare numbers as numbers, and
    # only text as text (never numbers as strings: "112" < "76").
    if _is_text(a) or _is_text(b):
        a = np.asarray(a.to_numpy(dtype=object) if hasattr(a, "to_numpy") else a, dtype=object).astype(str)
        b = np.asarray(b.to_numpy(dtype=object) if hasattr(b, "to_numpy") else b, dtype=object).astype(str)
    else:
        a, b = _as_float(a), _as_float(b)
    ops = {
        "=": np.equal,
        "<>": np.not_equal,
        "<": np.less,
        "<=": np.less_equal,
        ">": np.greater,
        ">=": np.greater_equal,
    }
    return np.asarray(ops[op](a, b))


def _is_text(v: Any) -> bool:
    if isinstance(v, str):
        return True
    dtype = getattr(v, "dtype", None)
    if dtype is None or dtype.kind not in "OUS" and str(dtype) not in ("string", "str"):
        return False
    sample = next((x for x in (v.tolist() if hasattr(v, "tolist") else v) if x is not None), "")
    return isinstance(sample, str)


def excel_round(x: ArrayLike, digits: Any) -> np.ndarray | float:
    """ROUND as Excel does it: half away from zero, on the value's 15 significant digits
    (so binary noise such as 2.675 → 2.67499999… is trimmed first, at any magnitude)."""
    import numpy as np

    x = np.asarray(x, dtype="float64")
    digits = np.trunc(np.asarray(digits, dtype="float64"))
    if x.ndim and digits.ndim == 0 and 0 <= digits <= 9:
        # Most values are nowhere near a tie (x.xx5): for those, rounding x·10**d to the nearest
        # whole number is the same q as below, at a tenth of the cost. Near ties, and values
        # too large for that to be exact, take the careful path.
        scale: float = 10.0**digits  # digits is a numpy float64 here (0 dimensions)
        with np.errstate(all="ignore"):
            y = x * scale
            frac = np.abs(y - np.trunc(y))
            easy = (np.abs(y) < 1e9) & (np.abs(frac - 0.5) > 1e-6)
        if easy.all():
            return np.round(y) / scale
        if easy.any():
            out = np.round(y) / scale
            out[~easy] = _careful_round(x[~easy], digits)
            return out
    return _careful_round(x, digits)


def _careful_round(x: np.ndarray, digits: np.ndarray | float) -> np.ndarray | float:
    import numpy as np

    ax = np.abs(x)
    with np.errstate(all="ignore"):
        finite = np.isfinite(ax) & (ax > 0)
        # |x| ≈ m · 10**e with m a whole number of 15 digits (10**14 <= m < 10**15).
        e = np.floor(np.log10(np.where(finite, ax, 1.0))) - 14
        m = np.round(np.where(e < 0, ax * 10.0**-e, ax / 10.0**e))
        # Drop k = -(e + digits) digits of m, half away from zero (m / 10**k is exact at .5);
        # dropping all 15 digits and more leaves 0.
        k = np.clip(-(e + digits), 0, 15)
        q = np.floor(m / 10.0**k + 0.5)
        shift = e + k  # the result is q · 10**shift
        out = np.where(shift < 0, q / 10.0**-shift, q * 10.0**shift)
        out = np.where(-(e + digits) > 15, 0.0, out)
        out = np.where(finite, np.sign(x) * out, np.where(ax == 0, 0.0, np.nan))
    return out if out.ndim else float(out)
