"""Broken and hostile workbooks: every one is answered with a finding, never a crash.

The corpus is made by the tests themselves (no committed binaries): from small example
workbooks, each bad input is built in a session-scoped folder. Each case then goes through
every command that reads workbooks (validate, summarize, consolidate), in-process with
click's CliRunner, next to a good file that must still be processed; a few runs go through a
real `python -m ecomsheets` process. docs/bad-inputs.md lists what the user sees for each.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from unittest import mock
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from ecomsheets.process.isolate import Failed, ProcessLimits, run_isolated
from ecomsheets.read.guard import Limits, check_file
from ecomsheets.report.console import render_console
from tests.helpers import CATALOG, cli, cli_example, edit_part
from tests.helpers import sheet_part as part_of

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TIME_LIMIT = 20.0  # seconds per command and case: generous, a hang shows up as a failure
# What must never reach the user: a traceback or the name of a Python exception or module.
TECHNICAL = re.compile(r"Traceback|Exception|Error:|\b[A-Z][A-Za-z]+Error\b|BadZipFile|zipfile|zlib")
CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parents[1]


# --- building the corpus ------------------------------------------------------------------------


def make_example(path: Path, seed: int, rows: int = 5, tables: str = "orders,customers") -> Path:
    return cli_example(path, "--rows", rows, "--seed", seed, "--tables", tables, "--force")


class _Crafted:
    """Stands in for zlib's compressor while one part is written: the zip directory gets the
    part's true size and CRC, the data gets whatever `make(part bytes)` returns."""

    def __init__(self, make):
        self.make, self.buf = make, bytearray()

    def compress(self, data):
        self.buf += data
        return b""

    def flush(self):
        return self.make(bytes(self.buf))


def rewrite(src: Path, dst: Path, edit=None, add: dict[str, bytes] | None = None, crafted: dict | None = None) -> Path:
    """Copy a workbook part by part; edit(name, data) returns new data (None drops the part);
    crafted[name] = make(data) gives the compressed bytes of that part (see _Crafted)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if edit is not None:
                data = edit(info.filename, data)
            if data is None:
                continue
            if crafted and info.filename in crafted:
                make = crafted[info.filename]
                with mock.patch("zipfile._get_compressor", lambda *a, make=make, **k: _Crafted(make)):
                    zout.writestr(info.filename, data)
            else:
                zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def sub_once(pattern: bytes, repl, data: bytes) -> bytes:
    out, n = re.subn(pattern, repl, data, count=1)
    assert n == 1, pattern
    return out


def set_inline(data: bytes, cell: str, text: str) -> bytes:
    """Replace the inline-string text of `cell` in a sheet's XML (xlsxwriter writes inlineStr)."""
    value = escape(text).replace("\r", "&#13;").encode()
    return sub_once(
        rb'(<c r="' + cell.encode() + rb'"[^>]*t="inlineStr"><is><t[^>]*>)[^<]*(</t>)',
        lambda m: m.group(1) + value + m.group(2),
        data,
    )


def _deflate(data: bytes, flush=zlib.Z_FINISH) -> bytes:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush(flush)


def deflate_then_garbage(cut: int):
    """The part's first `cut` bytes deflated properly, then a block of reserved type (0b11):
    every inflater stops there with an error. The zip directory stays intact."""
    return lambda data: _deflate(data[:cut], zlib.Z_FULL_FLUSH) + b"\xff" * 64


def deflate_other(data_edit):
    """Valid deflate data of different bytes than the directory's CRC says (a flipped bit)."""
    return lambda data: _deflate(data_edit(data))


BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>"
)


def add_doctype(data: bytes) -> bytes:
    return sub_once(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + BILLION_LAUGHS, data)


def build_corpus(d: Path) -> dict[str, Path]:
    """Every input of the corpus by case name, plus `base` (what the edits start from) and
    `good` (a clean file with other ids, processed next to each bad one)."""
    base = make_example(d / "base.xlsx", seed=1)
    c: dict[str, Path] = {"base": base, "good": make_example(d / "good.xlsx", seed=2)}
    orders, customers = part_of(base, "订单"), part_of(base, "客户")
    raw = base.read_bytes()

    c["empty"] = d / "empty.xlsx"
    c["empty"].write_bytes(b"")
    c["not_found"] = d / "missing.xlsx"
    c["lock_file"] = d / "~$base.xlsx"
    c["lock_file"].write_bytes(b"\x05alice" + b" " * 49 + "alice".encode("utf-16-le") + b" \x00" * 50)
    c["too_large"] = d / "too_large.xlsx"
    with open(c["too_large"], "wb") as fh:  # sparse: 201 MiB that take no disk space
        fh.write(b"PK\x03\x04")
        fh.truncate(201 * 2**20)
    c["truncated"] = d / "truncated.xlsx"
    c["truncated"].write_bytes(raw[: len(raw) // 2])
    c["random_bytes"] = d / "random.xlsx"
    c["random_bytes"].write_bytes(b"\x13\x37" + random.Random(7).randbytes(50_000))
    c["csv_gbk"] = d / "orders_csv.xlsx"
    c["csv_gbk"].write_bytes("订单编号,下单日期,数量\nO0100001,2026-11-03,2\nO0100002,2026-11-04,1\n".encode("gbk"))
    c["html"] = d / "export_html.xlsx"
    c["html"].write_bytes(
        b"<html><head><meta charset='utf-8'></head><body><table><tr><td>1</td></tr></table></body></html>"
    )
    c["old_xls"] = d / "old.xls"
    c["old_xls"].write_bytes(OLE_MAGIC + bytes(4088) + b"W\0o\0r\0k\0b\0o\0o\0k\0".ljust(512, b"\0"))
    c["encrypted"] = d / "encrypted.xlsx"
    c["encrypted"].write_bytes(
        OLE_MAGIC
        + bytes(1016)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(200)
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(3000)
    )
    c["word"] = d / "word.xlsx"
    with zipfile.ZipFile(c["word"], "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document xmlns:w='x'><w:body/></w:document>")

    c["zip_bomb"] = rewrite(base, d / "bomb.xlsx")
    with (
        zipfile.ZipFile(c["zip_bomb"], "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("xl/media/zeros.bin", "w") as fh,
    ):
        chunk = bytes(1 << 20)
        for _ in range(300):  # 300 MiB of zeros in about 1.3 MB (×229): under a second
            fh.write(chunk)
    # A dimension to the sheet's end costs the reader nothing; one value far away costs 3 GB:
    # without a dimension, under a dimension that lies, or placed by cells without r=.
    c["dimension_only"] = edit_part(
        base,
        d / "dimension_only.xlsx",
        orders,
        lambda x: sub_once(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', x),
    )
    far = b'<row r="100000"><c r="ALL100000"><v>1</v></c></row></sheetData>'
    c["sparse_far"] = edit_part(
        base,
        d / "sparse_far.xlsx",
        orders,
        lambda x: sub_once(rb'<dimension ref="[^"]*"/>', b"", x).replace(b"</sheetData>", far, 1),
    )
    c["sparse_lying"] = edit_part(
        base,
        d / "sparse_lying.xlsx",
        orders,
        lambda x: sub_once(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', x).replace(
            b"</sheetData>", far, 1
        ),
    )
    c["sparse_implicit"] = edit_part(
        base,
        d / "sparse_implicit.xlsx",
        orders,
        lambda x: x.replace(
            b"</sheetData>", b'<row r="100000">' + b"<c><v>1</v></c>" * 1000 + b"</row></sheetData>", 1
        ),
    )
    c["entities_workbook"] = edit_part(base, d / "entities_workbook.xlsx", "xl/workbook.xml", add_doctype)
    c["entities_sheet"] = edit_part(base, d / "entities_sheet.xlsx", orders, add_doctype)
    # The guard reads the first 4 KiB of each part: a DOCTYPE after a long comment is past it.
    c["entities_late"] = edit_part(
        base,
        d / "entities_late.xlsx",
        orders,
        lambda x: sub_once(
            rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + b"<!--" + b" " * 6000 + b"-->" + BILLION_LAUGHS, x
        ).replace(b"O0100001", b"&lol9;"),
    )

    # Damaged compressed data, the zip directory intact.
    c["corrupt_crc"] = rewrite(
        base,
        d / "corrupt_crc.xlsx",
        crafted={"xl/workbook.xml": deflate_other(lambda x: x.replace(b"<sheets>", b"<sheetz>", 1))},
    )
    c["corrupt_deflate_head"] = rewrite(
        base, d / "corrupt_deflate_head.xlsx", crafted={orders: deflate_then_garbage(1000)}
    )
    # The reader stops at </sheetData>; what follows is read only by ecomsheets' own zipfile
    # reads. 64 KB of incompressible padding keeps the damage out of the reader's buffers.
    pad = b"<!--" + base64.b64encode(random.Random(3).randbytes(48_000)) + b"-->"

    def padded(x: bytes) -> bytes:
        return x.replace(b"</sheetData>", b"</sheetData>" + pad, 1)

    def tail_at(x: bytes) -> int:
        return x.index(b"</sheetData>") + len(b"</sheetData>") + len(pad)

    c["corrupt_tail_crc"] = rewrite(
        base,
        d / "corrupt_tail_crc.xlsx",
        lambda name, data: padded(data) if name == orders else data,
        crafted={orders: deflate_other(lambda x: x[: tail_at(x)] + x[tail_at(x) :].replace(b"<", b"[", 1))},
    )
    c["corrupt_deflate_tail"] = rewrite(
        base,
        d / "corrupt_deflate_tail.xlsx",
        lambda name, data: padded(data) if name == orders else data,
        crafted={orders: lambda x: deflate_then_garbage(tail_at(x))(x)},
    )

    c["macros"] = rewrite(
        base,
        d / "macros.xlsm",
        lambda name, data: (
            data.replace(
                b"</Types>",
                b'<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
            )
            if name == "[Content_Types].xml"
            else data
        ),
        add={"xl/vbaProject.bin": OLE_MAGIC + bytes(2048)},
    )
    c["hidden_sheet"] = edit_part(
        base,
        d / "hidden_sheet.xlsx",
        "xl/workbook.xml",
        lambda x: sub_once(
            '(<sheet name="订单"[^/]*?)(/>)'.encode(), lambda m: m.group(1) + b' state="hidden"' + m.group(2), x
        ),
    )
    c["hidden_rows"] = edit_part(
        base,
        d / "hidden_rows.xlsx",
        orders,
        lambda x: sub_once(
            rb'<row r="5"', b'<row r="5" hidden="1"', sub_once(rb'<row r="4"', b'<row r="4" hidden="1"', x)
        ),
    )
    c["hidden_columns"] = edit_part(
        base,
        d / "hidden_columns.xlsx",
        orders,
        lambda x: sub_once(rb'<col min="6" max="6"', b'<col min="6" max="6" hidden="1"', x),
    )

    def formulas(x: bytes) -> bytes:  # F = 数量, G = 单价 (cached values kept)
        x = sub_once(rb'(<c r="F3"[^>]*>)(<v>)', lambda m: m.group(1) + b"<f>1+1</f>" + m.group(2), x)
        return sub_once(rb'(<c r="G3"[^>]*>)(<v>)', lambda m: m.group(1) + b"<f>[1]Prices!A1</f>" + m.group(2), x)

    c["formulas"] = rewrite(
        base,
        d / "formulas.xlsx",
        lambda name, data: formulas(data) if name == orders else data,
        add={
            "xl/externalLinks/externalLink1.xml": b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
        },
    )
    text = base64.b64encode(random.Random(5).randbytes(3_750_000)).decode()  # 5,000,000 characters
    c["long_cell"] = edit_part(base, d / "long_cell.xlsx", customers, lambda x: set_inline(x, "B3", text))
    c["long_cell_repeated"] = edit_part(
        base, d / "long_cell_repeated.xlsx", customers, lambda x: set_inline(x, "B3", "客" * 5_000_000)
    )
    for name in ("crash", "slow", "hog"):  # good files; the parsing of them is made to fail
        c[name] = d / f"{name}.xlsx"
        shutil.copy(base, c[name])
    return c


@pytest.fixture(scope="module", autouse=True)
def _catalog_read_once():
    """In this module the schema catalogue is read once (it costs ~0.15 s per command otherwise);
    runs in a real process read it as usual."""
    import ecomsheets.schema as schema
    from ecomsheets.validate import run

    original, cache = schema.load_catalog, {}

    def load(extra_dirs=(), *, builtin=True):
        key = (tuple(str(d) for d in extra_dirs), builtin)
        if key not in cache:
            cache[key] = original(extra_dirs, builtin=builtin)
        return cache[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(schema, "load_catalog", load)
        mp.setattr(run, "load_catalog", load)
        yield


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("hostile"))


def fingerprint(path: Path):
    """sha256 of an input (size and mtime for the sparse 201 MiB file)."""
    if path.stat().st_size > 50 * 2**20:
        st_ = path.stat()
        return st_.st_size, st_.st_mtime_ns
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean(r) -> str:
    """No exception escaped; nothing technical in what the user reads. Returns that text."""
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        import traceback

        raise AssertionError("exception escaped to the user:\n" + "".join(traceback.format_exception(*r.exc_info)))
    text = r.stdout + r.stderr
    bad = TECHNICAL.search(text)
    assert bad is None, f"technical text {bad.group(0)!r} in output:\n{text[:2000]}"
    assert CJK.search(text), text[:2000]
    return text


def abort() -> None:
    """Die as calamine does on a hostile file (without pytest's fault handler report)."""
    import faulthandler

    faulthandler.disable()
    os.abort()


def vm_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 2 * 2**30


def memory_limit() -> int:
    """A child limit 2 GiB above what this process already maps (a fork starts with it)."""
    return (math.ceil(vm_size() / 2**30) + 2) * 2**30


def hostile_parsing(monkeypatch, kind: str) -> None:
    """Make the parsing of crash.xlsx / slow.xlsx / hog.xlsx abort / hang / allocate too much,
    and give the children limits that make the last two fail fast."""
    from ecomsheets.validate import run

    original, run_many = run._inspect, run.run_many

    def parse(path, *args):
        name = Path(path).name
        if name.startswith("crash"):
            abort()
        if name.startswith("slow"):
            time.sleep(120)
        if name.startswith("hog"):
            return len(bytes(memory_limit()))  # calloc'd: only the limit can refuse it
        return original(path, *args)

    monkeypatch.setattr(run, "_inspect", parse)
    if kind == "crash":
        return
    # The failing file gets the low limit; the others run as usual (and are not made flaky by it).
    low = ProcessLimits(seconds=1) if kind == "timeout" else ProcessLimits(memory_bytes=memory_limit())

    def many(calls, limits=None):
        limits = limits or ProcessLimits()
        failing = [Path(c[1]).name.startswith(("slow", "hog")) for c in calls]
        yield from run_many([c for c, f in zip(calls, failing) if not f], limits)
        yield from run_many([c for c, f in zip(calls, failing) if f], low)

    monkeypatch.setattr(run, "run_many", many)


# --- the matrix: every case through every command ---------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    rule: str  # rule code of the finding about the file (validate --format json)
    text: str  # part of that finding's Chinese message
    outcome: str = "refused"  # refused (unreadable, exit 2) | warning (read normally) | error
    patch: str | None = None  # crash | timeout | memory: the parsing is made to fail
    bug: str | None = None  # a known bug: strict xfail …
    bug_in: tuple[str, ...] = ("validate", "summarize", "consolidate")  # … in these commands
    more: tuple[tuple[str, str], ...] = ()  # (rule, text) of other findings about the file


CASES = [
    Case("empty", "empty_file", "文件是空的"),
    Case("not_found", "not_found", "找不到文件"),
    Case("lock_file", "lock_file", "临时锁文件"),
    Case("too_large", "too_large", "文件过大"),
    Case("truncated", "corrupt", "文件已损坏"),
    Case("random_bytes", "not_xlsx", "这不是 Excel 工作簿（无法识别的内容）"),
    Case("csv_gbk", "not_xlsx", "这不是 Excel 工作簿（CSV/文本文件）"),
    Case("html", "not_xlsx", "这不是 Excel 工作簿（网页/HTML 文件）"),
    Case("old_xls", "old_xls", "旧版 Excel 97-2003"),
    Case("encrypted", "encrypted", "设置了密码"),
    Case("word", "not_xlsx", "这不是 Excel 工作簿（Word 文档）"),
    Case("zip_bomb", "zip_bomb", "压缩比异常（xl/media/zeros.bin ×"),
    Case("sparse_far", "dimension", "使用范围过大（ALL100000），读入要占 100,000,000 个单元格"),
    Case("sparse_lying", "dimension", "使用范围过大（ALL100000），读入要占 100,000,000 个单元格"),
    Case("sparse_implicit", "dimension", "使用范围过大（ALL100000），读入要占 100,000,000 个单元格"),
    Case("entities_workbook", "xml_entities", "不安全的 XML 声明"),
    Case("entities_sheet", "xml_entities", "不安全的 XML 声明"),
    Case("entities_late", "unreadable", "无法读取这个文件"),
    Case("corrupt_crc", "corrupt", "文件已损坏"),
    Case("corrupt_deflate_head", "corrupt", "文件已损坏"),
    Case("corrupt_tail_crc", "corrupt", "文件已损坏"),
    Case("corrupt_deflate_tail", "corrupt", "文件已损坏"),
    Case("long_cell_repeated", "zip_bomb", "压缩比异常"),
    Case("crash", "parser_crashed", "解析程序异常退出", patch="crash"),
    Case("slow", "parser_timeout", "超过 1 秒仍未完成", patch="timeout"),
    Case("hog", "parser_memory", "需要的内存超过上限", patch="memory"),
    Case("macros", "macros", "文件含有宏", outcome="warning"),
    Case("hidden_sheet", "hidden_sheet", "工作表“订单”是隐藏的", outcome="warning"),
    Case("hidden_rows", "hidden_rows", "有 2 行被隐藏但有数据", outcome="warning"),
    Case("hidden_columns", "hidden_columns", "列“数量”被隐藏但有数据", outcome="warning"),
    Case(
        "formulas",
        "formula_in_data",
        "数量：这一格是公式 =1+1",
        outcome="warning",
        more=(("external_formula", "单价：公式 =[1]Prices!A1 引用了其他工作簿"), ("external_links", "外部链接")),
    ),
    Case("long_cell", "max_length", "超过 50 个字", outcome="error"),
]


def _params():
    for case in CASES:
        for command in ("validate", "summarize", "consolidate"):
            bug = case.bug if command in case.bug_in else None
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            yield pytest.param(case, command, marks=marks, id=f"{case.name}-{case.rule}-{command}")


def _status(summary: Path) -> dict[str, str]:
    """File name -> status on the summary workbook's 来源 sheet."""
    ws = openpyxl.load_workbook(summary, read_only=True)["来源"]
    return {Path(row[0]).name: row[6] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}


@pytest.mark.parametrize(("case", "command"), list(_params()))
def test_bad_input(corpus, case, command, monkeypatch, tmp_path):
    if case.patch:
        hostile_parsing(monkeypatch, case.patch)
    bad, good = corpus[case.name], corpus["good"]
    inputs = [p for p in (bad, good) if p.exists()]
    before = {p: fingerprint(p) for p in inputs}
    out = tmp_path / "汇总.xlsx"
    started = time.monotonic()
    if command == "validate":
        r = cli("validate", bad, good, "--format", "json")
    elif command == "summarize":
        r = cli("summarize", bad)
    else:
        r = cli("consolidate", bad, good, "-o", out)
    seconds = time.monotonic() - started
    text = assert_clean(r)
    assert seconds < TIME_LIMIT
    assert {p: fingerprint(p) for p in inputs} == before, "an input was changed"
    refused = case.outcome == "refused"

    if command == "validate":
        reports = {x["file"]: x for x in json.loads(r.stdout)}
        mine, other = reports[str(bad)], reports[str(good)]
        assert other["valid"] and other["findings"] == [], "the good file next to it was not checked"
        rules = [(f["rule"], f["severity"]) for f in mine["findings"]]
        for rule, part in ((case.rule, case.text), *case.more):
            found = [f for f in mine["findings"] if f["rule"] == rule]
            assert found, rules
            assert part in found[0]["message"] and CJK.search(found[0]["message"])
        if refused:
            assert r.exit_code == 2
            assert rules == [(case.rule, "error")] and not mine["valid"]
        elif case.outcome == "warning":
            assert r.exit_code == 0
            assert mine["valid"] and {sev for _, sev in rules} == {"warning"}
        else:
            assert r.exit_code == 1
            assert not mine["valid"] and (case.rule, "error") in rules

    elif command == "summarize":
        if refused:
            assert r.exit_code == 2 and r.stdout == ""
            assert f"✗ {bad}：无法读取" in r.stderr and case.text in r.stderr
        else:  # read normally (an invalid file too: summarize takes its valid rows)
            assert r.exit_code == 0 and "订单数：5" in r.stdout

    else:  # consolidate: the file is left out and named; the others are summarised
        # Exit code 1 whenever a file (or some of its rows) was left out; 0 when all was taken.
        assert r.exit_code == (0 if case.outcome == "warning" else 1) and out.is_file()
        status = _status(out)
        assert status[good.name] == "已计入"
        if refused:
            assert "汇总完成：2 个文件，计入 1 个，明细 10 行" in text
            assert f"[错误] {bad.name} 文件无法读取，未计入" in text
            assert status[bad.name] == "无法读取"
        elif case.outcome == "warning":
            assert "汇总完成：2 个文件，计入 2 个，明细 20 行" in text
            assert status[bad.name] == "已计入"
        else:
            assert "汇总完成：2 个文件，计入 1 个，明细 10 行" in text
            assert f"[提醒] {bad.name} 文件有 1 个错误，整份未计入" in text
            assert status[bad.name] == "未计入"


@pytest.mark.slow
def test_all_bad_inputs_in_one_real_process(corpus, tmp_path):
    """The same files through `python -m ecomsheets`, all in one call: one finding each, the
    good file still checked, nothing technical on stdout or stderr, inputs unchanged."""
    cases = [c for c in CASES if c.outcome == "refused" and not c.bug and not c.patch]
    files = [corpus[c.name] for c in cases] + [corpus["good"]]
    before = {p: fingerprint(p) for p in files if p.exists()}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "ecomsheets", "validate", *map(str, files), "--format", "json"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert time.monotonic() - started < TIME_LIMIT * 2
    assert proc.returncode == 2
    assert not TECHNICAL.search(proc.stdout + proc.stderr), proc.stderr
    reports = {x["file"]: x for x in json.loads(proc.stdout)}
    for case in cases:
        assert [f["rule"] for f in reports[str(corpus[case.name])]["findings"]] == [case.rule], case.name
    assert reports[str(corpus["good"])]["valid"]
    out = tmp_path / "汇总.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "ecomsheets", "consolidate", *map(str, files), "-o", str(out)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr  # files were left out
    assert not TECHNICAL.search(proc.stdout + proc.stderr), proc.stderr
    assert f"汇总完成：{len(files)} 个文件，计入 1 个，明细 10 行；{len(cases)} 条问题" in proc.stdout
    assert {p: fingerprint(p) for p in files if p.exists()} == before


CRASH_DRIVER = """
import os, sys
from pathlib import Path
import ecomsheets.validate.run as run
original = run._inspect
run._inspect = lambda path, *a: os.abort() if Path(path).name.startswith("crash") else original(path, *a)
from ecomsheets.cli import main
sys.argv[0] = "ecomsheets"
main()
"""


def test_parser_crash_in_a_real_process(corpus):
    """An aborting child (as calamine does on some files) in a real process: one finding, the
    other file checked, and no crash report on the user's terminal."""
    proc = subprocess.run(
        [sys.executable, "-c", CRASH_DRIVER, "validate", str(corpus["crash"]), str(corpus["good"])],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout.splitlines()[:2] == [
        f"✗ {corpus['crash']}：无法读取",
        "  读取这个文件时解析程序异常退出（文件可能已损坏或被恶意构造），已拒绝",
    ]
    assert f"✓ {corpus['good']}：没有发现错误" in proc.stdout
    assert not TECHNICAL.search(proc.stdout + proc.stderr), proc.stderr


def test_lock_files_in_a_folder_are_skipped(corpus, tmp_path):
    folder = tmp_path / "交表"
    folder.mkdir()
    shutil.copy(corpus["good"], folder / "good.xlsx")
    shutil.copy(corpus["lock_file"], folder / "~$good.xlsx")
    r = cli("validate", folder, "--format", "json")
    assert r.exit_code == 0
    assert [Path(x["file"]).name for x in json.loads(r.stdout)] == ["good.xlsx"]
    r = cli("consolidate", folder, "-o", tmp_path / "汇总.xlsx")
    assert r.exit_code == 0 and "汇总完成：1 个文件，计入 1 个" in r.stdout


def test_consolidate_with_only_bad_files(corpus, tmp_path):
    """Nothing readable: nothing is written, and the command says so (exit 2)."""
    out = tmp_path / "汇总.xlsx"
    r = cli("consolidate", corpus["encrypted"], corpus["empty"], "-o", out)
    assert_clean(r)
    assert r.exit_code == 2 and not out.exists()
    assert f"无法汇总：没有一个文件可以读取或识别（{corpus['encrypted']}, {corpus['empty']}）" in r.stderr


# --- gaps these tests found, now fixed --------------------------------------------------------


def test_consolidate_says_why_a_file_was_left_out(corpus, tmp_path):
    r = cli("consolidate", corpus["encrypted"], corpus["good"], "-o", tmp_path / "汇总.xlsx")
    assert "设置了密码" in r.stdout


def test_an_over_long_cell_is_cut_in_the_console(corpus):
    r = cli("validate", corpus["long_cell"])
    assert len(r.stdout) < 100_000


def test_dimension_message_names_the_sheet(corpus):
    found = check_file(corpus["sparse_far"])
    assert found.sheet == "订单" and "订单" in found.message


def test_a_large_dimension_alone_is_no_reason_to_refuse(corpus):
    """The reader allocates for the cells, not for <dimension>: a file whose dimension reaches
    XFD1048576 over a normal table is read, with the rows of the table."""
    assert check_file(corpus["dimension_only"]) is None
    wide, base = (json.loads(cli("validate", corpus[k], "--format", "json").output) for k in ("dimension_only", "base"))
    assert wide["valid"] and wide["summary"] == base["summary"]


# --- the guard's limits and the child's limits, directly ---------------------------------------


def test_each_guard_limit_can_be_lowered(corpus):
    good = corpus["good"]
    assert check_file(good) is None
    cases = {
        Limits(max_file_bytes=1000): "too_large",
        Limits(max_uncompressed_bytes=10_000): "zip_bomb",
        Limits(max_parts=5): "zip_bomb",
        Limits(max_rows=6): "dimension",
        Limits(max_columns=5): "dimension",
        Limits(max_cells=100): "dimension",
    }
    for limits, rule in cases.items():
        found = check_file(good, limits)
        assert found is not None and found.rule == rule, limits
    assert check_file(corpus["zip_bomb"], Limits(max_ratio=300)) is None  # ×229 passes a higher ratio


def test_limits_can_be_changed_on_the_command_line(corpus, monkeypatch):
    good = corpus["good"]
    r = cli("validate", good, "--max-file-mb", "0.01", "--format", "json")
    assert r.exit_code == 2 and [f["rule"] for f in json.loads(r.stdout)["findings"]] == ["too_large"]
    r = cli("validate", good, "--max-rows", "6", "--format", "json")
    assert r.exit_code == 2 and [f["rule"] for f in json.loads(r.stdout)["findings"]] == ["dimension"]
    hostile_parsing(monkeypatch, "crash")  # only makes slow.xlsx hang and hog.xlsx allocate
    started = time.monotonic()
    r = cli("summarize", corpus["slow"], "--timeout", "1")
    assert r.exit_code == 2 and "读取这个文件超过 1 秒仍未完成，已停止" in r.stderr
    assert time.monotonic() - started < 10
    gb = memory_limit() // 2**30
    r = cli("summarize", corpus["hog"], "--max-memory-gb", gb)
    assert r.exit_code == 2 and f"读取这个文件需要的内存超过上限（{gb} GiB），已停止" in r.stderr


def test_child_crash_timeout_and_memory_become_findings():
    started = time.monotonic()
    with pytest.raises(Failed) as crash:
        run_isolated(abort, file="a.xlsx")
    assert crash.value.finding.rule == "parser_crashed"
    with pytest.raises(Failed) as killed:
        run_isolated(lambda: os.kill(os.getpid(), signal.SIGKILL), file="b.xlsx")
    assert killed.value.finding.rule == "parser_crashed"
    with pytest.raises(Failed) as slow:
        run_isolated(time.sleep, 60, file="c.xlsx", limits=ProcessLimits(seconds=1))
    assert slow.value.finding.rule == "parser_timeout"
    assert slow.value.finding.message == "读取这个文件超过 1 秒仍未完成，已停止"
    limit = memory_limit()
    with pytest.raises(Failed) as hog:
        run_isolated(lambda: len(bytes(limit)), file="d.xlsx", limits=ProcessLimits(memory_bytes=limit))
    assert hog.value.finding.rule == "parser_memory"
    assert hog.value.finding.message == f"读取这个文件需要的内存超过上限（{limit // 2**30} GiB），已停止"
    # Without the limit the same allocation succeeds (it is only reserved, never touched).
    assert run_isolated(lambda: len(bytes(limit)), file="d.xlsx", limits=ProcessLimits(memory_bytes=0)) == limit
    assert time.monotonic() - started < TIME_LIMIT


# --- text that looks like a formula stays text --------------------------------------------------

TRIGGERS = ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", '=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def trigger_files(tmp_path_factory) -> list[Path]:
    """Two workbooks (named like formulas too) with the trigger strings as customer names
    (客户!B3…) and order ids (订单!A3…)."""
    d = tmp_path_factory.mktemp("triggers")
    files = []
    for k, (name, triggers) in enumerate([("=1+2.xlsx", TRIGGERS[:5]), ("@SUM(A1).xlsx", TRIGGERS[5:])]):
        base = make_example(d / f"base{k}.xlsx", seed=3 + k)
        customers, orders = part_of(base, "客户"), part_of(base, "订单")

        def edit(part, data, triggers=triggers, customers=customers, orders=orders):
            for i, t in enumerate(triggers):
                if part == customers:
                    data = set_inline(data, f"B{3 + i}", t)
                elif part == orders:
                    data = set_inline(data, f"A{3 + i}", t)
            return data

        files.append(rewrite(base, d / name, edit))
    return files


def _no_formula_parts(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >/]", zf.read(name)), f"a formula in {name}"


def test_formula_triggers_stay_text_in_the_summary(trigger_files, tmp_path):
    before = {p: fingerprint(p) for p in trigger_files}
    out = tmp_path / "汇总.xlsx"
    r = cli("consolidate", *trigger_files, "-o", out, "--include-invalid")
    assert_clean(r)
    assert r.exit_code == 1  # the order ids with triggers break their pattern: those rows are left out
    _no_formula_parts(out)
    wb = openpyxl.load_workbook(out)
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    cells.setdefault(c.value, []).append(c)
    for t in TRIGGERS:  # the names as validated: leading tab/CR/LF are stripped (a `normalized` warning)
        shown = t.strip("\t\r\n ")
        assert shown in cells, (t, shown)
        assert all(c.data_type == "s" for c in cells[shown])
    lineage = get_column_letter(len(CATALOG.tables["customers"].columns) + 1)  # right after the table's columns
    for f in trigger_files:  # the lineage column: the source file's name, as text
        assert any(c.column_letter == lineage and c.parent.title == "客户" for c in cells[f.name])
    assert {p: fingerprint(p) for p in trigger_files} == before


def test_formula_triggers_stay_text_in_the_annotated_copy(trigger_files, tmp_path):
    for src, triggers in zip(trigger_files, (TRIGGERS[:5], TRIGGERS[5:])):
        before = fingerprint(src)
        out = tmp_path / f"{src.stem}_校验.xlsx"
        r = cli("validate", src, "--annotate", out)
        assert_clean(r)
        assert r.exit_code == 1 and out.is_file()  # the order ids break their pattern
        assert fingerprint(src) == before
        source_formulas = {
            (ws.title, c.coordinate)
            for ws in openpyxl.load_workbook(src).worksheets
            for row in ws.iter_rows()
            for c in row
            if c.data_type == "f"
        }
        wb = openpyxl.load_workbook(out)
        formulas = {
            (ws.title, c.coordinate)
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if c.data_type == "f"
        }
        assert formulas <= source_formulas, formulas - source_formulas
        for i, t in enumerate(triggers):
            for sheet, cell in (("客户", f"B{3 + i}"), ("订单", f"A{3 + i}")):
                c = wb[sheet][cell]
                assert c.data_type == "s", (sheet, cell, c.value)
                assert c.value.replace("\r", "\n") == t.replace("\r", "\n"), (sheet, cell, c.value)
        results = wb["校验结果"]
        listed = [
            c
            for row in results.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
        ]
        assert listed, "the order ids are listed on the results sheet"
        for c in listed:
            assert c.data_type == "s" and c.quotePrefix, (c.coordinate, c.value)


# --- any text in a cell -------------------------------------------------------------------------

_CHARS = st.characters(blacklist_categories=("Cs",)).filter(lambda ch: not ILLEGAL_CHARACTERS_RE.match(ch))


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(text="\t ＡＢＣ１２３ =1\n\x7f\x85")
@example(text="x" * 51)
@given(text=st.text(_CHARS, max_size=60))
def test_any_text_in_a_cell(corpus, text):
    from ecomsheets.validate import validate

    folder = corpus["base"].parent / "any_text"
    folder.mkdir(exist_ok=True)
    path = folder / f"t{hashlib.sha1(text.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}.xlsx"
    wb = openpyxl.load_workbook(corpus["base"])
    cell = wb["客户"]["B3"]
    cell.value = text
    if text:
        cell.data_type = "s"  # openpyxl would make "=…" a formula
    wb.save(path)
    report = validate(path, isolate=False)  # in this process: nothing may escape
    assert not report.unreadable
    json.dumps(report.to_dict(), ensure_ascii=False)
    console = render_console(report, "zh")
    assert CJK.search(console)
    about = [f for f in report.findings if f.sheet == "客户" and f.cell == "B3"]
    assert [f for f in report.findings if f not in about] == []
    for f in about:  # clean, normalised (a warning) or an error naming the cell
        assert f.rule == "normalized" and f.severity == "warning" or f.severity == "error", f
        assert "客户!B3" in console


# --- outputs: never half-written, inputs never touched ------------------------------------------


def _hidden_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("command", ["consolidate", "generate", "annotate"])
def test_failed_replace_keeps_the_previous_output(corpus, tmp_path, command):
    """The last step fails (disk full, I/O error…): a clear message, exit 2, the previous
    output as it was, no temporary file left."""
    out = tmp_path / "输出.xlsx"
    out.write_bytes(b"previous output")
    args = {
        "consolidate": ["consolidate", corpus["good"], "-o", out, "--force"],
        "generate": ["generate", "department", "-o", out, "--force"],
        "annotate": ["validate", corpus["hidden_rows"], "--annotate", out, "--force"],
    }[command]

    def broken(*a, **k):
        raise OSError(errno.EIO, "Input/output error")

    with mock.patch("ecomsheets.atomic.os.replace", broken):
        r = cli(*args)
    assert_clean(r)
    assert r.exit_code == 2 and f"无法写入 {out}：Input/output error" in r.stderr
    assert out.read_bytes() == b"previous output"
    assert _hidden_files(tmp_path) == []


KILL_DRIVER = """
import os, signal, sys
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # dies with the new file written, not renamed
from ecomsheets.cli import main
sys.argv[0] = "ecomsheets"
main()
"""


@pytest.mark.parametrize("command", ["consolidate", "generate"])
def test_sigkill_while_writing_keeps_the_previous_output(corpus, tmp_path, command):
    out = tmp_path / "输出.xlsx"
    previous = corpus["good"].read_bytes()
    out.write_bytes(previous)
    args = {
        "consolidate": ["consolidate", str(corpus["base"]), "-o", str(out), "--force"],
        "generate": ["generate", "department", "-o", str(out), "--force"],
    }[command]
    proc = subprocess.run(
        [sys.executable, "-c", KILL_DRIVER, *args], check=False, capture_output=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == previous
    # A killed process cannot remove its temporary files: they are left hidden, named
    # .输出.xlsx.*.tmp (and the writer's scratch folder .输出.xlsx.*.tmp.d), and are never taken
    # as inputs (hidden files and folders are skipped).
    left = _hidden_files(tmp_path)
    assert all(n.startswith(f".{out.name}.") and n.endswith((".tmp", ".tmp.d")) for n in left), left
    shutil.copy(corpus["good"], tmp_path / "good.xlsx")
    r = cli("validate", tmp_path, "--format", "json")
    assert sorted(Path(x["file"]).name for x in json.loads(r.stdout)) == ["good.xlsx", out.name]


def test_two_runs_at_once_do_not_interfere(corpus, tmp_path):
    """Two processes writing two outputs in one folder at once: both whole (the summary is
    deterministic, so byte-identical), no temporary file left, inputs unchanged."""
    files = [str(corpus["base"]), str(corpus["good"])]
    before = {p: fingerprint(Path(p)) for p in files}

    def start(out: Path):
        return subprocess.Popen(
            [sys.executable, "-m", "ecomsheets", "consolidate", *files, "-o", str(out), "--force"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    procs = [start(a), start(b)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    assert a.read_bytes() == b.read_bytes()
    assert _status(a) == {"base.xlsx": "已计入", "good.xlsx": "已计入"}
    assert _hidden_files(tmp_path) == []
    assert {p: fingerprint(Path(p)) for p in files} == before


@pytest.mark.parametrize("command", ["consolidate", "generate"])
def test_full_disk_inside_the_writer_is_the_documented_message(corpus, tmp_path, command):
    """xlsxwriter wraps the OSError of a full disk in its own exception: still the message and
    exit code 2, the previous output as it was, no temporary file left (issue 12, item 9)."""
    import xlsxwriter.workbook as writer

    out = tmp_path / "输出.xlsx"
    out.write_bytes(b"previous output")
    args = {
        "consolidate": ["consolidate", corpus["good"], "-o", out, "--force"],
        "generate": ["generate", "department", "-o", out, "--force"],
    }[command]

    def full(self):
        raise writer.FileCreateError(OSError(errno.ENOSPC, "No space left on device"))

    with mock.patch.object(writer.Workbook, "_store_workbook", full):
        r = cli(*args)
    assert_clean(r)
    assert r.exit_code == 2 and f"无法写入 {out}：No space left on device" in r.stderr
    assert out.read_bytes() == b"previous output"
    assert _hidden_files(tmp_path) == []
