"""An export file's cells as text: CSV in UTF-8 (with or without BOM), UTF-16 or GBK/GB18030,
xlsx, or old xls. The encoding is detected, never assumed: a file that is not valid UTF-8 is
read as GB18030 (GBK's superset), and the caller checks that the headers then read as an
export's headers before accepting it. Title rows above the header are skipped; the header is
the first row that names enough of the columns some profile reads."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecomsheets import messages
from ecomsheets.findings import ERROR, Finding, finding
from ecomsheets.process.isolate import ProcessLimits
from ecomsheets.read.guard import Limits, check_file, human_size
from ecomsheets.rules import Rule
from ecomsheets.schema.imports import header_key

HEAD_ROWS = 40  # title rows an ERP report puts above its header: about 11 seen; room for more
MAX_LINE_BYTES = 1 << 20  # a CSV record longer than this is not an export row (a crafted file)
MAX_COLUMNS = 1000
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawExport:
    """One export's data rows as text, under their header keys (see schema.imports.header_key)."""

    path: Path
    encoding: str  # utf-8, utf-8-sig, utf-16, gb18030, xlsx, xls
    headers: list[str]  # as written (trimmed)
    keys: list[str]  # header keys, one per column ("" for a blank header; repeats get #2, #3)
    columns: dict[str, object]  # key -> pyarrow string array (null for a blank cell)
    rows: np.ndarray  # the spreadsheet row number of each data row
    header_row: int  # the header's row number (1 = the first line)
    bad_rows: list[int] = field(default_factory=list)  # rows that could not be split into the header's columns

    def __len__(self) -> int:
        return len(self.rows)


class Refused(Exception):
    """The file cannot be read as an export: `finding` says why."""

    def __init__(self, found: Finding):
        super().__init__(found.message)
        self.finding = found


def refuse(path: Path, rule: Rule, **fields) -> Refused:
    return Refused(finding(rule, ERROR, file=str(path), **fields))


def read_export(
    path: Path, known: set[str], limits: Limits = Limits(), process: ProcessLimits = ProcessLimits()
) -> RawExport:
    """The export's rows; `known`: every header key some profile reads (to find the header)."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        found = check_file(path, limits)  # not there, a folder, a lock file, empty: said as validate says it
        raise Refused(found or finding(Rule.NOT_FOUND, ERROR, file=str(path)))
    size = path.stat().st_size
    if size > limits.max_file_bytes:  # before anything is read, whatever the kind of file
        raise refuse(path, Rule.TOO_LARGE, detail=f"{human_size(size)} > {human_size(limits.max_file_bytes)}")
    with open(path, "rb") as fh:
        head = fh.read(8)
    is_xls = head.startswith(_OLE) and path.suffix.lower() in (".xls", ".xlsx")
    if head.startswith(b"PK") or is_xls:
        return _read_book(path, is_xls, known, limits, process)
    return _read_csv(path, known)


# --- CSV ----------------------------------------------------------------------------------------


def _read_csv(path: Path, known: set[str]) -> RawExport:
    data = path.read_bytes()
    tried, first_row = [], None
    for encoding in _encodings(data):
        try:
            return _parse_csv(path, data, encoding, known)
        except _WrongEncoding as exc:
            tried.append(encoding)
            if exc.args and first_row is None:
                first_row = exc.args[0]  # readable in this encoding, but no export's header
    if first_row is not None:
        raise refuse(path, Rule.IMPORT_UNRECOGNISED, value=first_row)
    raise refuse(path, Rule.IMPORT_ENCODING, value=messages.join(tried))


class _WrongEncoding(Exception):
    pass


def _encodings(data: bytes) -> list[str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return ["utf-8-sig"]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ["utf-16"]
    return ["utf-8", "gb18030"]


def _head_text(data: bytes, encoding: str) -> str:
    """The file's first lines decoded (a cut multi-byte character at the end is dropped)."""
    chunk = data[: 256 * 1024]
    try:
        return chunk.decode(encoding, errors="strict")
    except UnicodeDecodeError as exc:
        if exc.start < len(chunk) - 4:  # a real decoding error, not a cut character at the end
            raise _WrongEncoding from exc
        return chunk[: exc.start].decode(encoding)


def _parse_csv(path: Path, data: bytes, encoding: str, known: set[str]) -> RawExport:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    text = _head_text(data, encoding)
    lines = text.splitlines()[:HEAD_ROWS]
    if len(lines) < HEAD_ROWS and len(text) < len(data):
        lines = lines[:-1]  # the last one may be cut
    try:
        head_rows = list(csv.reader(io.StringIO("\n".join(lines))))
    except csv.Error as exc:
        raise refuse(path, Rule.IMPORT_UNREADABLE, detail=str(exc)[:200]) from exc
    index = _header_index(head_rows, known)
    if index is None:
        # Not an export in this encoding: a GBK file can decode as UTF-8 by chance (its headers
        # then read as garbage), so the next encoding is tried; the first row is quoted as the
        # first encoding that could read it shows it.
        raise _WrongEncoding(" | ".join(c.strip() for c in (head_rows or [[]])[0][:12]))
    header = [c.strip() for c in head_rows[index]]
    if len(header) > MAX_COLUMNS:
        raise refuse(path, Rule.IMPORT_UNREADABLE, detail=f"{len(header)} > {MAX_COLUMNS}")
    names = [f"c{i}" for i in range(len(header))]
    bad: list[str] = []

    def invalid(row) -> str:
        bad.append(row.text)
        return "skip"

    payload = data[3:] if encoding == "utf-8-sig" else data
    if encoding in ("utf-16", "gb18030"):
        # Transcoded here, not by pyarrow: its transcoding calls Python's codec from its own
        # threads, which can abort the interpreter as it exits (apache/arrow#34314).
        try:
            payload = data.decode(encoding).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _WrongEncoding from exc
    read_encoding = "utf8"
    try:
        table = pcsv.read_csv(
            pa.BufferReader(payload),
            read_options=pcsv.ReadOptions(
                encoding=read_encoding,
                skip_rows=index + 1,
                column_names=names,
                block_size=MAX_LINE_BYTES,
                # pyarrow's reader threads could outlive a quick exit (a refused file) and abort
                # the interpreter on its way out ("terminate called without an active
                # exception", exit 134): one thread, which never did in 40 runs (1 in 15 before).
                use_threads=False,
            ),
            parse_options=pcsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=invalid
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True, quoted_strings_can_be_null=True
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError) as exc:
        message = str(exc)
        if encoding == "utf-8" and ("UTF8" in message or isinstance(exc, UnicodeDecodeError)):
            raise _WrongEncoding from exc
        if "straddling" in message or "block" in message:
            raise refuse(
                path, Rule.IMPORT_UNREADABLE, detail=messages.text("imp_line_too_long", size=human_size(MAX_LINE_BYTES))
            ) from exc
        raise refuse(path, Rule.IMPORT_UNREADABLE, detail=message.splitlines()[0][:200]) from exc
    header_row = index + 1
    keys = _keys(header)
    if bad:
        # Rows that do not line up with the header (short rows, blank lines, stray fields):
        # pyarrow does not say where they were, so the file is read again row by row.
        try:
            columns, rows, bad_rows = _rows_by_hand(payload, index + 1, len(header), header_row)
        except csv.Error as exc:
            raise refuse(path, Rule.IMPORT_UNREADABLE, detail=str(exc)[:200]) from exc
        return RawExport(path, encoding, header, keys, dict(zip(keys, columns)), rows, header_row, bad_rows)
    rows = np.arange(header_row + 1, header_row + 1 + table.num_rows)
    columns = {key: table.column(i).combine_chunks() for i, key in enumerate(keys)}
    return RawExport(path, encoding, header, keys, columns, rows, header_row)


def _rows_by_hand(payload: bytes, skip: int, width: int, header_row: int):
    """The slow, exact reading: a short row is padded (as a spreadsheet shows it), a blank one
    skipped, and one with more filled fields than the header is a bad row, by its row number."""
    import pyarrow as pa

    text = payload.decode("utf-8", errors="replace")  # the payload is UTF-8 by now (see _parse_csv)
    values: list[list] = [[] for _ in range(width)]
    rows: list[int] = []
    bad: list[int] = []
    for ordinal, record in enumerate(csv.reader(io.StringIO(text, newline=""))):
        if ordinal < skip:
            continue
        row = header_row + 1 + ordinal - skip
        cells = [c if c.strip() else None for c in record]
        if not any(cells):
            continue
        if len(cells) > width:
            if any(cells[width:]):
                bad.append(row)
                continue
            cells = cells[:width]
        cells += [None] * (width - len(cells))
        for i, c in enumerate(cells):
            values[i].append(c)
        rows.append(row)
    return [pa.array(v, type=pa.string()) for v in values], np.array(rows, dtype=np.int64), bad


def _header_index(rows: list[list[str]], known: set[str]) -> int | None:
    """The first row naming at least two known headers (and more than half of its filled cells
    or at least four: a title row such as 订单编号：xxx does not count)."""
    for i, row in enumerate(rows):
        keys = [header_key(c) for c in row if c and c.strip()]
        hits = sum(1 for k in keys if k in known)
        if hits >= 2 and (hits * 2 > len(keys) or hits >= 4):
            return i
    return None


def _keys(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for text in header:
        key = header_key(text)
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out


# --- xlsx and xls -----------------------------------------------------------------------------------


def _read_book(path: Path, is_xls: bool, known: set[str], limits: Limits, process: ProcessLimits) -> RawExport:
    from ecomsheets.process.isolate import Failed, run_isolated

    if not is_xls:  # the zip's own limits (the guard every xlsx meets); an xls is no zip
        found = check_file(path, limits)
        if found is not None:
            raise Refused(found)
    try:
        texts = run_isolated(_sheet_texts, str(path), file=str(path), limits=process)
    except Failed as exc:
        raise Refused(exc.finding) from exc
    if isinstance(texts, Finding):
        raise Refused(texts)
    import pyarrow as pa

    header_texts = [[("" if v is None else str(v)) for v in row] for row in texts["head"]]
    index = _header_index(header_texts, known)
    if index is None:
        raise refuse(
            path, Rule.IMPORT_UNRECOGNISED, value=" | ".join(c.strip() for c in (header_texts or [[]])[0][:12])
        )
    header = [c.strip() for c in header_texts[index]]
    keys = _keys(header)
    body = texts["columns"]
    first = texts["offset"] + index + 1  # 0-based index of the first data row in the sheet
    n = max(0, texts["rows"] - index - 1)
    columns = {}
    for i, key in enumerate(keys):
        values = body[i][index + 1 :] if i < len(body) else [None] * n
        columns[key] = pa.array(values, type=pa.string())
    rows = np.arange(first + 1, first + 1 + n)
    return RawExport(path, "xls" if is_xls else "xlsx", header, keys, columns, rows, first)


def _sheet_texts(path: str):
    """In the child: the first sheet's cells as text, by column (fastexcel)."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")  # row i is row i + 1
        table = sheet.to_arrow()
    except Exception as exc:  # noqa: BLE001 - whatever the parser says, the file is refused with it
        return finding(
            Rule.IMPORT_UNREADABLE, ERROR, file=path, detail=str(exc).splitlines()[0][:200] if str(exc) else ""
        )
    offset = 0
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    head = [[col[r] for col in columns] for r in range(min(HEAD_ROWS, table.num_rows))]
    return {"head": head, "columns": columns, "rows": table.num_rows, "offset": offset}
