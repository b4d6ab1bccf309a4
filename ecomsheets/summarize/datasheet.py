"""The merged data sheets' rows, written straight into the summary workbook's XML.

A merged month is about a million rows; writing them cell by cell through xlsxwriter costs
~6 µs a cell (about 100 s a month). Here each column becomes its cells' XML in one Arrow pass
(`<c r="B7" s="3"><v>12.5</v></c>`), the columns are joined into rows, and the rows go into
the sheet part of the workbook xlsxwriter has written with only the header row: the same
file, at a twentieth of the time. Texts are written as inline strings, escaped, with the
control characters XML forbids removed: never as formulas.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from contextlib import closing
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name

from ecomsheets.cells.parse import SERIAL_EPOCH
from ecomsheets.cells.text import utf8_bytes
from ecomsheets.xlsx.sanitize import CONTROL_CHARS

CHUNK_ROWS = 50_000  # rows turned into XML at a time (memory stays flat in the row count)
_EXCEL_EPOCH = np.datetime64(SERIAL_EPOCH, "ns")
_UNUSUAL = "[\\x00-\\x08\\x0b-\\x1f\\x7f\\x{fffe}\\x{ffff}]|_x[0-9a-fA-F]{4}_"  # needs _text's slow steps
MAX_TEXT = 32_767  # characters in a cell (Excel)
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


@dataclass
class DataColumn:
    """One column of a data sheet: its values, how they are written, and its style."""

    values: pd.Series
    kind: str  # "number", "date" (date or date and time), "time" (of day) or "text"
    style: object = None  # an xlsxwriter Format (its index is known once the workbook is closed)


@dataclass
class DataSheet:
    index: int  # the worksheet's position in the workbook: its part is xl/worksheets/sheet{index + 1}.xml
    columns: list[DataColumn]
    rows: int


def fill_data_sheets(path: Path, sheets: list[DataSheet], compresslevel: int = 1) -> None:
    """Put the rows of each data sheet into the workbook at `path` (written by xlsxwriter with
    only the header row on those sheets). The file is rewritten next to itself, then replaced."""
    if not any(s.rows for s in sheets):
        return
    parts = {f"xl/worksheets/sheet{s.index + 1}.xml": s for s in sheets if s.rows}
    tmp = path.with_name(path.name + ".rows")
    try:
        _rewrite(path, tmp, parts, compresslevel)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # only left if something failed


def _rewrite(path: Path, tmp: Path, parts: dict[str, DataSheet], compresslevel: int) -> None:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
        for info in src.infolist():
            if info.filename not in parts:
                with src.open(info) as fin, dst.open(_entry(info, 6), "w") as fout:
                    shutil.copyfileobj(fin, fout)
                continue
            sheet = parts[info.filename]
            xml = src.read(info)
            head, tail = _split(xml, sheet)
            with dst.open(_entry(info, compresslevel), "w", force_zip64=True) as out:
                out.write(head)
                with closing(_row_chunks(sheet)) as chunks:
                    for rows in chunks:
                        out.write(rows)
                out.write(tail)


def _row_chunks(sheet: DataSheet):
    """The sheet's rows as XML, a chunk at a time; the next chunk is built (Arrow, GIL released)
    while the current one is compressed (zlib, GIL released), so both cores work."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = None
        for start in range(0, sheet.rows, CHUNK_ROWS):
            following = pool.submit(rows_xml, sheet.columns, start, min(start + CHUNK_ROWS, sheet.rows))
            if ahead is not None:
                yield ahead.result()
            ahead = following
        if ahead is not None:
            yield ahead.result()


def _entry(info: zipfile.ZipInfo, level: int) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    out.compress_type = zipfile.ZIP_DEFLATED
    out.external_attr = info.external_attr
    # ZipFile.open(info, "w") takes the level from the entry, not from the ZipFile (the
    # attribute's name changed in Python 3.13).
    for name in ("compress_level", "_compresslevel"):
        try:
            setattr(out, name, level)
        except AttributeError:
            pass
    return out


def _split(xml: bytes, sheet: DataSheet) -> tuple[bytes, bytes]:
    """The sheet's XML before and after where the data rows go, with the used range widened."""
    last = f"{xl_col_to_name(len(sheet.columns) - 1)}{sheet.rows + 1}"
    xml = _DIMENSION.sub(f'<dimension ref="A1:{last}"/>'.encode(), xml, count=1)
    at = xml.rfind(b"</sheetData>")
    if at < 0:
        raise ValueError("no sheetData in a data sheet")  # xlsxwriter always writes one
    return xml[:at], xml[at:]


def rows_xml(columns: list[DataColumn], start: int, stop: int) -> memoryview:
    """The <row> elements of data rows start..stop (0-based; row 0 is Excel row 2)."""
    numbers = pc.cast(pa.array(np.arange(start + 2, stop + 2)), pa.string())
    cells = [_cells(col, j, numbers, start, stop) for j, col in enumerate(columns)]
    rows = pc.binary_join_element_wise('<row r="', numbers, '">', *cells, "</row>", "")
    return utf8_bytes(rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows)


def _cells(col: DataColumn, j: int, numbers: pa.Array, start: int, stop: int) -> pa.Array:
    values = col.values.iloc[start:stop]
    style = f' s="{col.style._get_xf_index()}"' if col.style is not None else ""
    letter = xl_col_to_name(j)
    if col.kind == "text":
        text = _text(values)
        # Spaces at either end are kept only where the text says so (xml:space), as xlsxwriter
        # does: saying it on every cell would make the sheet a fifth larger.
        opening = pa.scalar(f'"{style} t="inlineStr"><is><t>')
        spaced = pc.match_substring_regex(text, r"^\s|\s$")
        if pc.any(spaced).as_py():
            opening = pc.if_else(
                pc.fill_null(spaced, False), pa.scalar(f'"{style} t="inlineStr"><is><t xml:space="preserve">'), opening
            )
        return pc.fill_null(
            pc.binary_join_element_wise(f'<c r="{letter}', numbers, opening, text, "</t></is></c>", ""), ""
        )
    if col.kind == "date":
        number = _date_serials(values)
    elif col.kind == "time":
        number = _time_serials(values)
    else:
        number = pa.array(
            pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan), from_pandas=True
        )
    number = pc.if_else(pc.is_finite(number), number, pa.scalar(None, pa.float64()))
    return pc.fill_null(
        pc.binary_join_element_wise(
            f'<c r="{letter}', numbers, f'"{style}><v>', pc.cast(number, pa.string()), "</v></c>", ""
        ),
        "",
    )


def _text(values: pd.Series) -> pa.Array:
    """Cell texts as xlsxwriter would write them: control characters XML cannot hold removed,
    Excel's _xHHHH_ escapes applied (so "_x0041_" stays that text and a carriage return
    survives), cut to Excel's 32,767 characters, and XML-escaped."""
    try:
        text = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all texts (a number in a text column)
        text = pa.array(
            [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in values], type=pa.string()
        )
    if pc.any(pc.match_substring_regex(text, _UNUSUAL)).as_py():
        text = pc.replace_substring_regex(text, CONTROL_CHARS, "")
        text = pc.replace_substring_regex(text, "(_x[0-9a-fA-F]{4}_)", "_x005F\\1")
        for raw, escaped in (("\r", "_x000D_"), ("\ufffe", "_xFFFE_"), ("\uffff", "_xFFFF_")):
            text = pc.replace_substring(text, raw, escaped)
    if len(text) and (pc.max(pc.utf8_length(text)).as_py() or 0) > MAX_TEXT:
        text = pc.utf8_slice_codeunits(text, 0, MAX_TEXT)
    if pc.any(pc.match_substring_regex(text, "[&<>]")).as_py():
        for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            text = pc.replace_substring(text, raw, escaped)
    return text


def _date_serials(values: pd.Series) -> pa.Array:
    """Dates as Excel serial numbers: days since 1899-12-30, with Excel's 29 Feb 1900 (serials
    below 61 are one less)."""
    stamps = pd.to_datetime(values, errors="coerce").to_numpy(dtype="datetime64[ns]")
    days = (stamps - _EXCEL_EPOCH) / np.timedelta64(1, "D")
    days = np.where((days >= 1) & (days < 61), days - 1, days)
    return pa.array(days, from_pandas=True)


def _time_serials(values: pd.Series) -> pa.Array:
    """Times of day as fractions of a day (anything else is blank)."""
    return pa.array(
        [
            (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400 if isinstance(v, time) else None
            for v in values
        ],
        type=pa.float64(),
    )
