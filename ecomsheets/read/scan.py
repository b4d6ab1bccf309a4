"""One streaming pass over each sheet's XML for what the fast reader does not report:
formula cells and hidden rows and columns.

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

from .formulas import CELL_FORMULA

CHUNK = 32 * 2**20
KEEP_PER_COLUMN = 20_000  # formula texts kept per column; a column full of them is a derived one
_CELL_F = re.compile(CELL_FORMULA % rb"([A-Z]{1,3})")
_HIDDEN_ROW = re.compile(rb'<row\s[^>]*\bhidden="(?:1|true)"[^>]*>')
_HIDDEN_COL = re.compile(rb'<col\s[^>]*\bhidden="(?:1|true)"[^>]*>')
_ATTR = re.compile(rb'\b(r|min|max)="(\d+)"')


@dataclass
class SheetScan:
    formula_counts: Counter = field(default_factory=Counter)  # column letter -> formula cells
    formulas: dict = field(default_factory=dict)  # (row, letter) -> text, for sparse columns
    hidden_rows: set = field(default_factory=set)
    hidden_columns: set = field(default_factory=set)  # 1-based column numbers

    def data_formulas(self, skip_letters: set[str]) -> dict:
        """Formulas outside the given (derived) columns."""
        return {k: v for k, v in self.formulas.items() if k[1] not in skip_letters}


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
            # Cut after the last complete cell or row so no tag straddles two pieces.
            cut = max(data.rfind(b"</c>"), data.rfind(b"</row>"), data.rfind(b"/>"))
            if cut < 0:
                tail = data
                continue
            _scan(data[:cut], out)
            tail = data[cut:]
    return out


def _scan(data: bytes, out: SheetScan) -> None:
    if b"<f" in data:
        for letter, row, text in _CELL_F.findall(data):
            key = letter.decode()
            out.formula_counts[key] += 1
            if out.formula_counts[key] <= out.cap:
                formula = text.decode("utf-8", "replace")
                out.formulas[(int(row), key)] = html.unescape(formula) if "&" in formula else formula
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


def scan_workbook(path: str, parts: dict[str, tuple[str, int]]) -> dict[str, SheetScan]:
    """Scan the given sheets ({name: (xml part, formula texts kept per column)}) of one file."""
    with zipfile.ZipFile(path) as zf:
        return {name: scan_sheet(zf, part, cap) for name, (part, cap) in parts.items()}


def keep_all(scan: SheetScan) -> set[str]:
    """Cells (A1) holding formulas, for a sheet scanned without the per-column cap."""
    return {f"{letter}{row}" for row, letter in scan.formulas}


class Background:
    """scan_workbook in a forked process, so it runs while the sheets are parsed."""

    def __init__(self, path: str, parts: dict[str, tuple[str, int]]):
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_run, args=(child, path, parts), daemon=True)
        self.proc.start()
        child.close()

    def result(self) -> dict[str, SheetScan]:
        import pickle

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
