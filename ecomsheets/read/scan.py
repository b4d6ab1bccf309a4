"""One streaming pass over each sheet's XML for what the fast reader does not report:
formula cells, cells holding an error value (#VALUE!, #REF!…: the reader returns them as
blanks), and hidden rows and columns.

The pass needs no knowledge of the headers, so it starts in its own process before parsing
and runs on another core while the sheet is parsed; it reads the XML in chunks, so a sheet of
hundreds of megabytes never sits in memory whole.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

CHUNK = 32 * 2**20
KEEP_PER_COLUMN = 20_000  # formula texts kept per column; a column full of them is a derived one
_F_START = re.compile(rb"<f[\s>/]")  # a formula element (never <formula1>, <font>, <filters>)
_REF = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})(\d+)"')
_BACK = 48  # bytes before a formula searched for its cell's opening tag
_HIDDEN_ROW = re.compile(rb'<row\s[^>]*\bhidden="(?:1|true)"[^>]*>')
_HIDDEN_COL = re.compile(rb'<col\s[^>]*\bhidden="(?:1|true)"[^>]*>')
_ATTR = re.compile(rb'\b(r|min|max)="(\d+)"')
_ERROR = re.compile(rb'<c\s[^>]*?\bt="e"[^>]*?(?<!/)>(.*?)</c>', re.S)  # a cell holding an error value
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_MERGE = re.compile(rb'<mergeCell\s[^>]*?\bref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')


@dataclass
class SheetScan:
    formula_counts: Counter = field(default_factory=Counter)  # column letter -> formula cells
    formulas: dict = field(default_factory=dict)  # (row, letter) -> text, for sparse columns
    hidden_rows: set = field(default_factory=set)
    hidden_columns: set = field(default_factory=set)  # 1-based column numbers
    # (row, letter) -> (error value as saved, e.g. "#VALUE!", whether the cell holds a formula)
    errors: dict = field(default_factory=dict)
    merges: list = field(default_factory=list)  # (first row, first letter, last row, last letter)

    def data_formulas(self, skip_letters: set[str]) -> Formulas:
        """Formulas outside the given (derived) columns; the sheet's error cells ride along."""
        out = Formulas({k: v for k, v in self.formulas.items() if k[1] not in skip_letters})
        out.errors = dict(self.errors)
        return out


class Formulas(dict):
    """A data sheet's formulas ((row, letter) -> text) as the reader keeps them, with `errors`:
    every cell of the sheet, derived columns included, whose saved value is an error
    ((row, letter) -> (error value, holds a formula))."""

    errors: dict = {}


class FormulaCells(set):
    """The summary sheet's formula cells ("B12"), with `errors` ("B12" -> (error value, holds a
    formula)) and `texts` ("B12" -> formula text)."""

    errors: dict = {}
    texts: dict = {}


def scan_sheet(zf: zipfile.ZipFile, part: str, cap: int = KEEP_PER_COLUMN) -> SheetScan:
    out = SheetScan()
    out.cap = cap
    tail = b""
    with zf.open(part) as fh:
        while True:
            block = fh.read(CHUNK)
            data = tail + block
            if not block:
                _scan(data, out)
                break
            # Cut after the last complete cell or row so that no tag, and no cell, straddles
            # two pieces (a shared formula's copy, <f t="shared" si="0"/>, ends in "/>"
            # inside its cell: only a "/>" closing a cell or a row is a cut).
            cut = max(_end_of_last(data, b"</c>"), _end_of_last(data, b"</row>"), _empty_end(data))
            if cut < 0:
                tail = data
                continue
            _scan(data[:cut], out)
            tail = data[cut:]
    return out


def _end_of_last(data: bytes, tag: bytes) -> int:
    at = data.rfind(tag)
    return at + len(tag) if at >= 0 else -1


def _empty_end(data: bytes) -> int:
    """The end of the last empty cell or row (<c r="D4" s="1"/>, <row r="5"/>), or -1."""
    at = data.rfind(b"/>")
    if at < 0:
        return -1
    opening = data.rfind(b"<", 0, at)
    return at + 2 if data[opening : opening + 3] in (b"<c ", b"<ro") else -1


def _scan(data: bytes, out: SheetScan) -> None:
    if b"<f" in data:
        _scan_formulas(data, out)
    if b't="e"' in data:
        _scan_errors(data, out)
    if b"<mergeCell " in data:
        out.merges.extend((int(r1), c1.decode(), int(r2), c2.decode()) for c1, r1, c2, r2 in _MERGE.findall(data))
    if b'hidden="' in data:
        for tag in _HIDDEN_ROW.findall(data):
            attrs = dict(_ATTR.findall(tag))
            if b"r" in attrs:
                out.hidden_rows.add(int(attrs[b"r"]))
        for tag in _HIDDEN_COL.findall(data):
            attrs = dict(_ATTR.findall(tag))
            if b"min" in attrs:
                lo = int(attrs[b"min"])
                out.hidden_columns.update(range(lo, min(int(attrs.get(b"max", lo)), 16384) + 1))


def _scan_formulas(data: bytes, out: SheetScan) -> None:
    """Count the formula cells per column and keep the first `out.cap` texts of each.

    A column of derived cells holds a formula on every row, so this must not cost a Python
    step per cell of the sheet: the formula tags are found by one C-level search, and their
    cells' references are read from the bytes just before each tag, all at once with numpy.
    """
    starts = np.fromiter((m.start() for m in _F_START.finditer(data)), dtype=np.int64)
    if not len(starts):
        return
    letters, rows = _cell_refs(data, starts)
    found = letters > 0  # a <f> outside any readable cell is not a cell's formula
    if not found.all():
        letters, rows, starts = letters[found], rows[found], starts[found]
    for letter in np.unique(letters):
        at = np.flatnonzero(letters == letter)
        key = xl_col_to_name(int(letter) - 1)
        room = max(0, out.cap - out.formula_counts[key])
        out.formula_counts[key] += len(at)
        kept = at[:room]
        for row, start in zip(rows[kept].tolist(), starts[kept].tolist()):
            out.formulas[(row, key)] = _formula_text(data, start)


def _scan_errors(data: bytes, out: SheetScan) -> None:
    """Cells whose saved value is an error (`<c r="I4" t="e"><f>…</f><v>#VALUE!</v></c>`).

    Rare in real sheets, so found by one regular expression; a program that could not
    calculate a formula saves its error there, and readers report that cell as blank."""
    for m in _ERROR.finditer(data):
        ref = _REF.match(data, m.start())
        if ref is None:
            continue
        inner = m.group(1)
        value = _VALUE.search(inner)
        code = html.unescape(value.group(1).decode("utf-8", "replace")) if value else "#N/A"
        out.errors[(int(ref.group(2)), ref.group(1).decode())] = (code, b"<f" in inner)


def _cell_refs(data: bytes, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column numbers (1-based; 0 if not found) and row numbers of the cells whose <f> tags
    start at `starts`.

    The cell's opening tag, `<c r="AB12" ...>`, ends right before its formula (a formula is a
    cell's first child). Cells written otherwise (another attribute first, a very long tag)
    are read by a regular expression instead."""
    b = np.frombuffer(data, dtype=np.uint8)
    window = np.minimum(np.maximum(starts[:, None] - _BACK, 0) + np.arange(_BACK), len(b) - 1)
    # Only bytes before the formula: near the start of a piece the window would otherwise run
    # past it, into the next cell's tag (which then took the formula).
    w = np.where(window < starts[:, None], b[window], 0).astype(np.uint8)
    opens = (
        (w[:, :-5] == 60)
        & (w[:, 1:-4] == 99)
        & (w[:, 2:-3] == 32)
        & (w[:, 3:-2] == 114)
        & (w[:, 4:-1] == 61)
        & (w[:, 5:] == 34)
    )  # <c r="
    found = opens.any(axis=1)
    at = (opens.shape[1] - 1) - np.argmax(opens[:, ::-1], axis=1) + 6  # first letter of the ref
    ref = w[np.arange(len(w))[:, None], np.minimum(at[:, None] + np.arange(11), _BACK - 1)]
    is_letter = (ref >= 65) & (ref <= 90)
    n_letters = np.argmin(np.c_[is_letter, np.zeros(len(ref), bool)], axis=1)
    letters = np.zeros(len(ref), dtype=np.int64)
    for k in range(3):
        take = k < n_letters
        letters = np.where(take, letters * 26 + (ref[:, k].astype(np.int64) - 64), letters)
    rows = np.zeros(len(ref), dtype=np.int64)
    digits = np.zeros(len(ref), dtype=np.int64)
    in_number = np.ones(len(ref), dtype=bool)
    for k in range(1, 11):
        c = ref[:, k].astype(np.int64)
        step = in_number & (k >= n_letters) & (c >= 48) & (c <= 57)
        rows = np.where(step, rows * 10 + (c - 48), rows)
        digits += step
        in_number &= (k < n_letters) | step
    end = np.minimum(n_letters + digits, 10)
    # ...and that tag is this cell's: no other tag opens between it and the formula.
    last_open = (_BACK - 1) - np.argmax((w == 60)[:, ::-1], axis=1)
    ok = (
        found
        & (n_letters >= 1)
        & (n_letters <= 3)
        & (digits >= 1)
        & (ref[np.arange(len(ref)), end] == 34)
        & (last_open == at - 6)
    )
    for i in np.flatnonzero(~ok):  # the rare cell written another way: its own opening tag only
        start = int(starts[i])
        begin = data.rfind(b"<c", max(data.rfind(b"</c>", 0, start), data.rfind(b"<row", 0, start), 0), start)
        m = _REF.match(data, begin) if begin >= 0 else None
        letters[i], rows[i] = (
            (xl_cell_to_rowcol(m.group(1).decode() + "1")[1] + 1, int(m.group(2))) if m and m.end() < start else (0, 0)
        )
    return letters, rows


def _formula_text(data: bytes, start: int) -> str:
    """The text of the formula whose tag starts at `start` ("" for a shared formula's copy)."""
    close = data.find(b">", start)
    end = data.find(b"</f>", close)
    if close < 0 or data[close - 1 : close] == b"/" or end < 0:
        return ""
    text = data[close + 1 : end].decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def scan_workbook(path: str, parts: dict[str, tuple[str, int]]) -> dict[str, SheetScan]:
    """Scan the given sheets ({name: (xml part, formula texts kept per column)}) of one file."""
    with zipfile.ZipFile(path) as zf:
        return {name: scan_sheet(zf, part, cap) for name, (part, cap) in parts.items()}


def keep_all(scan: SheetScan) -> FormulaCells:
    """Cells (A1) holding formulas, for a sheet scanned without the per-column cap, with their
    texts and the sheet's error cells."""
    out = FormulaCells(f"{letter}{row}" for row, letter in scan.formulas)
    out.texts = {f"{letter}{row}": text for (row, letter), text in scan.formulas.items()}
    out.errors = {f"{letter}{row}": v for (row, letter), v in scan.errors.items()}
    return out


class Background:
    """scan_workbook beside the parsing of the sheets: in a forked process, which gives it a
    core of its own (one file at a time), or in a thread, when every core already reads a file
    of its own (several files at once: a process per file then costs more than it brings)."""

    def __init__(self, path: str, parts: dict[str, tuple[str, int]], in_process: bool = True):
        self.proc = self.pool = None
        if not in_process:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(max_workers=1)
            self.future = self.pool.submit(_scan_or_fail, path, parts)
            return
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_run, args=(child, path, parts), daemon=True)
        self.proc.start()
        child.close()

    def close(self) -> None:
        """Stop the scan (when reading failed before its result was needed)."""
        if self.pool is not None:
            self.future.cancel()
            self.pool.shutdown(wait=True)
            return
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()

    def result(self) -> dict[str, SheetScan]:
        import pickle

        if self.pool is not None:
            try:
                return self.future.result()
            finally:
                self.pool.shutdown(wait=True)
        try:
            status, value = pickle.loads(self.conn.recv_bytes())
        except EOFError:
            status, value = "error", "the scanning process stopped"
        finally:
            self.conn.close()
            self.proc.join()
        if status != "ok":
            raise zipfile.BadZipFile(value)  # read as a damaged file by the caller
        return value


def _scan_or_fail(path, parts) -> dict[str, SheetScan]:
    try:
        return scan_workbook(path, parts)
    except Exception as exc:  # noqa: BLE001 - as from the process: a damaged file
        raise zipfile.BadZipFile(f"{type(exc).__name__}: {exc}") from exc


def _run(conn, path, parts) -> None:
    import os
    import pickle

    try:
        payload = pickle.dumps(("ok", scan_workbook(path, parts)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
        payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
    try:
        conn.send_bytes(payload)
    finally:
        conn.close()
        os._exit(0)
