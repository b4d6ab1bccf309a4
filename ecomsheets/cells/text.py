"""Cell texts as one Arrow string array, with blank cells (empty, or only spaces and
invisible characters) as null. Needs only pyarrow, so the reader can use it before pandas
has finished loading."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

# Everything str.split() treats as space (incl. \x0b \x0c \x1c-\x1f \x85 \u2028 \u2029), plus
# zero-width characters that paste in from web pages. Spelled out: computing it from the
# Unicode tables at import costs 50 ms on every start.
SPACE_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff"
)


def as_text(values, blanks_done: bool = False) -> pa.Array:
    """Cell texts as one Arrow string array, blanks (empty or only spaces) as null.
    `blanks_done`: the reader already turned blank cells into nulls (no second pass)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    if blanks_done:
        return arr
    blank = pc.or_kleene(pc.equal(arr, ""), pc.utf8_is_space(arr))
    # utf8_is_space knows every character of SPACE_CHARS but the zero-width ones: only a column
    # holding one of those needs the (copying, ~10x slower) trim to find its blank cells.
    if _has_zero_width(arr):
        blank = pc.or_kleene(blank, pc.equal(pc.utf8_trim(arr, SPACE_CHARS), ""))
    if not pc.any(blank).as_py():
        return arr
    return pc.if_else(pc.fill_null(blank, False), pa.scalar(None, arr.type), arr)


def _has_zero_width(arr: pa.Array) -> bool:
    """Whether the column's UTF-8 bytes hold U+200B-U+200D, U+2060 or U+FEFF anywhere."""
    import numpy as np

    b = np.frombuffer(utf8_bytes(arr), dtype=np.uint8)
    if b.size < 3:
        return False
    at = np.flatnonzero(b[:-2] == 0xE2)  # E2 80 8B-8D, E2 81 A0
    if len(at) and np.any(
        ((b[at + 1] == 0x80) & (b[at + 2] >= 0x8B) & (b[at + 2] <= 0x8D)) | ((b[at + 1] == 0x81) & (b[at + 2] == 0xA0))
    ):
        return True
    at = np.flatnonzero(b[:-2] == 0xEF)  # EF BB BF
    return bool(len(at) and np.any((b[at + 1] == 0xBB) & (b[at + 2] == 0xBF)))


def utf8_bytes(arr: pa.Array) -> memoryview:
    """The UTF-8 bytes of a string array's values, end to end (no copy; a slice's only)."""
    import numpy as np

    data = arr.buffers()[2]
    if data is None or len(arr) == 0:
        return memoryview(b"")
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if pa.types.is_large_string(arr.type) else np.int32)
    return memoryview(data)[int(offsets[arr.offset]) : int(offsets[arr.offset + len(arr)])]
