"""Broken and hostile workbooks: every one is answered with a finding, never a crash.

The corpus is made by the tests themselves (no committed binaries): from two small example
workbooks, each bad input is built in a session-scoped folder. Each case is then run through
every command that reads workbooks (validate, summarize, consolidate), in-process with
click's CliRunner, next to a good file that must still be processed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from click.testing import CliRunner

from ecomsheets.cli import main
from ecomsheets.read.formulas import sheet_parts

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- building the corpus -----------------------------------------------------------------------

def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def make_example(path: Path, seed: int, rows: int = 5, tables: str = "orders,customers") -> Path:
    r = cli("example", "department", "-o", path, "--rows", rows, "--seed", seed, "--tables", tables)
    assert r.exit_code == 0, r.output
    return path


def part_of(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return sheet_parts(zf)[sheet]


def rewrite(src: Path, dst: Path, edit=None, add: dict[str, bytes] | None = None) -> Path:
    """Copy a workbook part by part; edit(name, data) returns new data (None drops the part)."""
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


def edit_part(src: Path, dst: Path, part: str, fn) -> Path:
    return rewrite(src, dst, lambda name, data: fn(data) if name == part else data)


def sub_once(pattern: bytes, repl: bytes, data: bytes) -> bytes:
    out, n = re.subn(pattern, repl, data, count=1)
    assert n == 1, pattern
    return out


def set_inline(data: bytes, cell: str, text: str) -> bytes:
    """Replace the inline-string text of `cell` in a sheet's XML (xlsxwriter writes inlineStr)."""
    value = escape(text).replace("\r", "&#13;").encode()
    return sub_once(rb'(<c r="' + cell.encode() + rb'"[^>]*t="inlineStr"><is><t[^>]*>)[^<]*(</t>)',
                    lambda m: m.group(1) + value + m.group(2), data)


def corrupt_part(src: Path, dst: Path, part: str, where: float) -> Path:
    """Flip 16 bytes of a part's compressed data, keeping the zip directory intact."""
    raw = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(part)
    off = info.header_offset
    start = off + 30 + int.from_bytes(raw[off + 26:off + 28], "little") + int.from_bytes(raw[off + 28:off + 30], "little")
    pos = start + int(info.compress_size * where)
    for k in range(pos, min(pos + 16, start + info.compress_size)):
        raw[k] ^= 0xFF
    dst.write_bytes(bytes(raw))
    return dst


BILLION_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]>")


def add_doctype(data: bytes) -> bytes:
    return sub_once(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + BILLION_LAUGHS, data)


def build_corpus(d: Path) -> dict[str, Path]:
    """Every bad input of the corpus, by case name."""
    base = make_example(d / "base.xlsx", seed=1)
    orders, customers = part_of(base, "订单"), part_of(base, "客户")
    c: dict[str, Path] = {}
    c["empty"] = d / "empty.xlsx"
    c["empty"].write_bytes(b"")
    raw = base.read_bytes()
    c["truncated"] = d / "truncated.xlsx"
    c["truncated"].write_bytes(raw[:len(raw) // 2])
    rnd = random.Random(7)
    noise = rnd.randbytes(50_000)
    c["random_bytes"] = d / "random.xlsx"
    c["random_bytes"].write_bytes(b"\x13\x37" + noise)
    c["csv_gbk"] = d / "orders_csv.xlsx"
    c["csv_gbk"].write_bytes("订单编号,下单日期,数量\nO0100001,2026-11-03,2\nO0100002,2026-11-04,1\n".encode("gbk"))
    c["html"] = d / "export_html.xlsx"
    c["html"].write_bytes(b"<html><head><meta charset='utf-8'></head><body><table><tr><td>1</td></tr>"
                          b"</table></body></html>")
    c["old_xls"] = d / "old.xls"
    c["old_xls"].write_bytes(OLE_MAGIC + bytes(4096 - len(OLE_MAGIC)) + b"Workbook".ljust(512, b"\0"))
    c["encrypted"] = d / "encrypted.xlsx"
    c["encrypted"].write_bytes(OLE_MAGIC + bytes(1016) + "EncryptionInfo".encode("utf-16-le")
                               + bytes(200) + "EncryptedPackage".encode("utf-16-le") + bytes(3000))
    c["word"] = d / "word.xlsx"
    with zipfile.ZipFile(c["word"], "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document xmlns:w='x'><w:body/></w:document>")
    c["zip_bomb"] = d / "bomb.xlsx"
    rewrite(base, c["zip_bomb"])
    with zipfile.ZipFile(c["zip_bomb"], "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/media/zeros.bin", "w") as fh:
            chunk = bytes(1 << 20)
            for _ in range(300):  # 300 MiB of zeros, about 1.3 MB compressed
                fh.write(chunk)
    c["dimension"] = edit_part(base, d / "dimension.xlsx", orders,
                               lambda x: sub_once(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', x))
    c["entities_workbook"] = edit_part(base, d / "entities_workbook.xlsx", "xl/workbook.xml", add_doctype)
    c["entities_sheet"] = edit_part(base, d / "entities_sheet.xlsx", orders, add_doctype)
    # The guard looks at the first 4 KiB of each part: a DOCTYPE after a long comment is past it.
    c["entities_late"] = edit_part(
        base, d / "entities_late.xlsx", orders,
        lambda x: sub_once(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + b"<!--" + b" " * 6000 + b"-->"
                           + BILLION_LAUGHS, x).replace(b"O0100001", b"&lol9;"))
    c["lock_file"] = d / "~$x.xlsx"
    c["lock_file"].write_bytes(b"\x05alice" + b" " * 49 + b"\x05\x00a\x00l\x00i\x00c\x00e\x00" + b" \x00" * 50)
    c["corrupt_guard"] = corrupt_part(base, d / "corrupt_start.xlsx", orders, 0.01)
    c["corrupt_parser"] = corrupt_part(base, d / "corrupt_mid.xlsx", orders, 0.6)
    c["corrupt_directory"] = corrupt_part(base, d / "corrupt_wb.xlsx", "xl/workbook.xml", 0.5)
    c["macros"] = d / "macros.xlsm"
    rewrite(base, c["macros"], lambda name, data: data.replace(
        b"</Types>", b'<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        b"</Types>") if name == "[Content_Types].xml" else data,
        add={"xl/vbaProject.bin": OLE_MAGIC + bytes(2048)})
    c["hidden_sheet"] = edit_part(base, d / "hidden_sheet.xlsx", "xl/workbook.xml",
                                  lambda x: sub_once('(<sheet name="订单"[^/]*?)(/>)'.encode(),
                                                     lambda m: m.group(1) + b' state="hidden"' + m.group(2), x))
    c["hidden_rows"] = edit_part(base, d / "hidden_rows.xlsx", orders,
                                 lambda x: sub_once(rb'<row r="5"', b'<row r="5" hidden="1"',
                                                    sub_once(rb'<row r="4"', b'<row r="4" hidden="1"', x)))
    c["hidden_columns"] = edit_part(base, d / "hidden_columns.xlsx", orders,
                                    lambda x: sub_once(rb'<col min="6" max="6"', b'<col min="6" max="6" hidden="1"', x))

    def formulas(x: bytes) -> bytes:
        x = sub_once(rb'(<c r="F3"[^>]*>)(<v>)', lambda m: m.group(1) + b"<f>1+1</f>" + m.group(2), x)
        return sub_once(rb'(<c r="G3"[^>]*>)(<v>)', lambda m: m.group(1) + b"<f>[1]Prices!A1</f>" + m.group(2), x)

    c["formulas"] = rewrite(base, d / "formulas.xlsx", lambda name, data: formulas(data) if name == orders else data,
                            add={"xl/externalLinks/externalLink1.xml":
                                 b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.'
                                 b'openxmlformats.org/spreadsheetml/2006/main"/>'})
    text = base64.b64encode(random.Random(5).randbytes(3_750_000)).decode()  # 5,000,000 characters
    c["long_cell"] = edit_part(base, d / "long_cell.xlsx", customers, lambda x: set_inline(x, "B3", text))
    c["long_cell_repeated"] = edit_part(base, d / "long_cell_repeated.xlsx", customers,
                                        lambda x: set_inline(x, "B3", "客" * 5_000_000))
    c["too_large"] = d / "too_large.xlsx"
    with open(c["too_large"], "wb") as fh:  # sparse: no disk space used
        fh.write(b"PK\x03\x04")
        fh.truncate(201 * 2**20)
    return c


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
