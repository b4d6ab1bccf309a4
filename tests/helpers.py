"""Plain helpers shared by the test files: the catalogue and month most tests work in, example
workbooks, the command line in this process, file digests and rewriting a workbook's zip parts.
Fixtures built on them live in tests/conftest.py."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner, Result

from ecomsheets.cli import main
from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.months import parse_month
from ecomsheets.read.formulas import sheet_parts
from ecomsheets.schema import load_catalog

CATALOG = load_catalog()  # the shipped catalogue (never modified by a test)
MONTH = parse_month("2026-11")
NOW = datetime(2026, 11, 1, 9, 0)


# --- example workbooks ---------------------------------------------------------------------------


def write_example(
    path: Path,
    *,
    rows: int,
    seed: int,
    month=MONTH,
    now: datetime = NOW,
    tables=None,
    edit: Callable[[dict], object] | None = None,
) -> dict:
    """Write a filled department workbook to `path` (example rows; `edit(frames)` may change them
    first) and return the frames written."""
    frames = example_frames(CATALOG, "department", month, rows=rows, seed=seed, tables=tables)
    if edit is not None:
        edit(frames)
    generate_workbook(CATALOG, "department", path, month=month, data=frames, now=now, tables=tables)
    return frames


def cli(*args, **kw) -> Result:
    """`ecomsheets ARGS` in this process (arguments turned into text)."""
    return CliRunner().invoke(main, [str(a) for a in args], **kw)


def run_cli(*args) -> Result:
    """`cli`, failing the test on anything but a clean exit code (an exception is a bug)."""
    result = cli(*args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def cli_example(path: Path, *options) -> Path:
    """`ecomsheets example department -o PATH OPTIONS`; fails the test unless it succeeds."""
    result = cli("example", "department", "-o", path, *options)
    assert result.exit_code == 0, result.output
    return path


# --- files -------------------------------------------------------------------------------------


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sheet_part(path: Path, sheet: str) -> str:
    """The zip part (xl/worksheets/sheetN.xml) that holds `sheet`."""
    with zipfile.ZipFile(path) as zf:
        return sheet_parts(zf)[sheet]


def rewrite_parts(
    src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None] | None = None, add: dict[str, bytes] | None = None
) -> Path:
    """Copy a workbook part by part; edit(name, data) returns a part's new bytes (None drops
    the part); `add` adds parts at the end."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if edit is not None:
                data = edit(info.filename, data)
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def edit_parts(
    src: Path, dst: Path, edits: dict[str, Callable[[bytes], bytes]], add: dict[str, bytes] | None = None
) -> Path:
    """Copy a workbook; edits[name](data) gives the new bytes of that part."""
    return rewrite_parts(src, dst, lambda name, data: edits[name](data) if name in edits else data, add)


def edit_part(src: Path, dst: Path, part: str, fn: Callable[[bytes], bytes]) -> Path:
    """Copy a workbook with one part's bytes replaced by fn(bytes)."""
    return edit_parts(src, dst, {part: fn})
