"""The gate before any parser: looks only at the file name, its first bytes and the zip
directory (plus the first bytes of each part), and refuses what is not a safe xlsx file."""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ecomsheets import messages
from ecomsheets.findings import ERROR, Finding, finding
from ecomsheets.rules import Rule

from . import extent

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION = "EncryptionInfo".encode("utf-16-le")
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


@dataclass(frozen=True)
class Limits:
    """Safety limits; the defaults pass any real department workbook (see README)."""

    max_file_bytes: int = 200 * 2**20  # 200 MiB on disk
    max_uncompressed_bytes: int = 2 * 2**30  # 2 GiB once unzipped
    max_ratio: float = 150.0  # real sheets compress 10–17×; zip bombs 1000×+
    max_rows: int = 1_048_576 - 1  # a used range reaching the last row is refused
    max_columns: int = 1000
    max_cells: int = 50_000_000  # rows × columns the reader allocates (~1.6 GB); ALL100000 is 100M
    max_parts: int = 10_000


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def check_file(path: Path, limits: Limits = Limits()) -> Finding | None:
    """None if the file may be parsed, else the one finding that explains why not."""
    path = Path(path)
    name = str(path)
    f = lambda rule, **kw: finding(rule, ERROR, file=name, **kw)  # noqa: E731
    if path.name.startswith("~$"):
        return f(Rule.LOCK_FILE)
    if not path.is_file():
        return f(Rule.NOT_FOUND)
    size = path.stat().st_size
    if size == 0:
        return f(Rule.EMPTY_FILE)
    if size > limits.max_file_bytes:
        return f(Rule.TOO_LARGE, detail=f"{human_size(size)} > {human_size(limits.max_file_bytes)}")
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head.startswith(_OLE):
        if _ENCRYPTION in head or b"EncryptedPackage" in head.replace(b"\x00", b""):
            return f(Rule.ENCRYPTED)
        return f(Rule.WPS_ET) if path.suffix.lower() == ".et" else f(Rule.OLD_XLS)
    if not head.startswith(b"PK"):
        return f(Rule.NOT_XLSX, **_kind(head))
    try:
        with zipfile.ZipFile(path) as zf:
            return _check_zip(zf, size, limits, f)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError):
        return f(Rule.CORRUPT)


def _check_zip(zf: zipfile.ZipFile, size: int, limits: Limits, f) -> Finding | None:
    infos = zf.infolist()
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
            mimetype = zf.read("mimetype")
            if b"opendocument.spreadsheet" in mimetype:
                return f(Rule.ODS)
            if b"opendocument" in mimetype:
                return f(Rule.NOT_XLSX, **_kind_words("kind_opendocument"))
        if any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
            return f(Rule.NUMBERS)
        return f(Rule.NOT_XLSX, **_kind_words("kind_word" if "word/document.xml" in names else "kind_zip"))
    if len(infos) > limits.max_parts:
        return f(Rule.ZIP_BOMB, detail=f"{len(infos)} parts")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        return f(Rule.ZIP_BOMB, detail=human_size(total))
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio and info.file_size > 2**20:
            return f(Rule.ZIP_BOMB, detail=f"{info.filename} ×{info.file_size / info.compress_size:.0f}")
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as part:
            start = part.read(4096)
        if _DOCTYPE.search(start):
            return f(Rule.XML_ENTITIES)
        if _SHEET_PART.fullmatch(info.filename):
            refused = _check_extent(zf, info, limits, f)
            if refused is not None:
                return refused
    return None


def _check_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, f) -> Finding | None:
    """Refuses a sheet whose cells would make the reader allocate past the limits. A sheet whose
    fast bound fits passes at once; otherwise the exact extent of the cells holding content
    decides (LibreOffice writes an empty last row after a row is deleted: it costs nothing)."""
    if (near := extent.bound(zf, info)) is not None and _within(near, limits):
        return None
    found = extent.exact(zf, info)
    if _within(found, limits):
        return None
    if found.last_row > limits.max_rows:
        why = messages.both("x_extent_rows", limit=limits.max_rows)
    elif found.last_column > limits.max_columns:
        why = messages.both("x_extent_columns", limit=limits.max_columns)
    else:
        why = messages.both("x_extent_cells", cells=found.cells, limit=limits.max_cells)
    return f(Rule.DIMENSION, sheet=_sheet_name(zf, info.filename), detail=found.corner, hint=why[0], hint_en=why[1])


def _within(found: extent.Extent, limits: Limits) -> bool:
    return (
        found.last_row <= limits.max_rows
        and found.last_column <= limits.max_columns
        and found.cells <= limits.max_cells
    )


def _sheet_name(zf: zipfile.ZipFile, part: str) -> str:
    """The name users see for a sheet part (sheet4.xml → 订单); the part name if unknown."""
    from .formulas import sheet_parts

    try:
        return next((name for name, p in sheet_parts(zf).items() if p == part), part.rsplit("/", 1)[-1])
    except Exception:  # noqa: BLE001 - only for a nicer message; the refusal stands either way
        return part.rsplit("/", 1)[-1]


def _kind_words(code: str) -> dict:
    """What a file is, as f_not_xlsx's kind and kind_en."""
    zh, en = messages.both(code)
    return {"kind": zh, "kind_en": en}


def _kind(head: bytes) -> dict:
    low = head[:512].lower()
    if b"<html" in low or b"<!doctype html" in low or b"<table" in low:
        return _kind_words("kind_html")
    if head.startswith(b"%PDF"):
        return _kind_words("kind_pdf")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = head.decode("gbk")
        except UnicodeDecodeError:
            return _kind_words("kind_unknown")
    if "," in text or "\t" in text:
        return _kind_words("kind_csv")
    return _kind_words("kind_text")
