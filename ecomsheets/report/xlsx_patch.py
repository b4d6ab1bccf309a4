"""Changing an .xlsx package without loading it: every part is copied as it is (its compressed
bytes, not even inflated again) except the few that change, and a sheet that changes is
streamed through in pieces and edited at the cells that change (regular expressions and byte
searches, as `ecomsheets.read.scan` reads sheets), never parsed into a tree.

What this module knows is the package (parts, relationships, content types), the grammar of a
worksheet's XML as far as rows, cells, formulas and a few elements around them go, the style
sheet's cell formats, and comments with their VML drawings. What to change is decided by the
caller (`ecomsheets.report.annotate`).
"""

from __future__ import annotations

import bisect
import html
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

from defusedxml import ElementTree as SafeET

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT = b"purl.oclc.org/ooxml"
_REL = NS_R + "/"
_MSREL = "http://schemas.microsoft.com/office/2006/relationships/"
T_OFFICE = _REL + "officeDocument"
T_WORKSHEET = _REL + "worksheet"
T_STYLES = _REL + "styles"
T_SHARED_STRINGS = _REL + "sharedStrings"
T_COMMENTS = _REL + "comments"
T_VML = _REL + "vmlDrawing"
T_EXTERNAL = _REL + "externalLink"
T_CALC_CHAIN = _REL + "calcChain"
MACRO_SHEETS = (_MSREL + "xlMacrosheet", _MSREL + "xlIntlMacrosheet", _REL + "dialogsheet")
MACRO_PARTS = (
    _MSREL + "vbaProject",
    _MSREL + "vbaProjectSignature",
    _MSREL + "vbaProjectSignatureAgile",
    _MSREL + "vbaProjectSignatureV3",
    _MSREL + "wordVbaData",
)
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_OTHER_MAINS = (
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
)
CT_VBA = "application/vnd.ms-office.vbaProject"

CHUNK = 16 * 2**20  # bytes of sheet XML edited at a time
BIG_PART = 4 * 2**20  # parts above this are deflated fast (level 1) when they are rewritten
EXCEL_TEXT_LIMIT = 32767

# A formula that reaches outside the workbook when it is calculated: DDE (`cmd|' /C calc'!A0`),
# another workbook (`[1]Sheet1!A1`), the web or an outside program.
LIVE = re.compile(
    rb"\||\[\d+\]|(?i:\b(?:WEBSERVICE|FILTERXML|RTD|CALL|REGISTER(?:\.ID)?|EXEC|DDE|DDEAUTO|"
    rb"IMPORTDATA|IMPORTXML|IMPORTHTML|IMPORTFEED|IMPORTRANGE|IMAGE|HYPERLINK)\s*\()"
)
# What each of them contains (upper-cased): formulas are searched for these first, all at once.
_LIVE_NEEDLES = (
    b"|",
    b"[",
    b"WEBSERVICE",
    b"FILTERXML",
    b"RTD",
    b"CALL",
    b"REGISTER",
    b"EXEC",
    b"DDE",
    b"IMPORT",
    b"IMAGE",
    b"HYPERLINK",
)
_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(worksheet|workbook|styleSheet|comments|Relationships|Types)\b")


class Unpatchable(Exception):
    """The package is not what an xlsx must be at some part: said in `part`."""

    def __init__(self, part: str):
        super().__init__(part)
        self.part = part


# --- small XML helpers ------------------------------------------------------------------------


def attrs(tag: bytes) -> dict[bytes, bytes]:
    """The attributes of an opening tag (values as written, entities not resolved)."""
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(tag)}


def _attr_re(name: bytes) -> re.Pattern:
    return re.compile(rb"(?<![\w:.-])" + re.escape(name) + rb"""\s*=\s*(?:"[^"]*"|'[^']*')""")


def set_attr(tag: bytes, name: bytes, value: bytes | None) -> bytes:
    """`tag` with the attribute set (None: removed)."""
    pattern = _attr_re(name)
    if value is None:
        return re.sub(rb"\s+" + pattern.pattern, b"", tag, count=1)
    new = name + b'="' + value + b'"'
    if pattern.search(tag):
        return pattern.sub(lambda m: new, tag, count=1)
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end].rstrip() + b" " + new + tag[end:]


def xml_text(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


def xml_attr(text: str) -> bytes:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\t", "&#9;")
        .encode("utf-8")
    )


def unescape(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def live_formulas(texts: list[bytes]) -> list[int]:
    """Which of these formula texts reach outside the workbook (`LIVE`), by index. One search of
    all of them joined for each word that can start such a formula; only the formulas that
    hold one are checked with the full pattern."""
    joined = b"\x00".join(texts)
    upper = joined.upper()
    ends: list[int] | None = None
    candidates: set[int] = set()
    for needle in _LIVE_NEEDLES:
        at = upper.find(needle)
        if at < 0:
            continue
        if ends is None:
            ends, end = [], 0
            for t in texts:
                end += len(t) + 1
                ends.append(end)
        while at >= 0:
            i = bisect.bisect_right(ends, at)
            candidates.add(i)
            at = upper.find(needle, ends[i]) if i < len(ends) else -1
    return sorted(i for i in candidates if i < len(texts) and LIVE.search(texts[i]))


def prefix_of(data: bytes) -> bytes:
    """The namespace prefix of the root element ("x:"), or b""."""
    m = _ROOT.search(data[:4096])
    return (m.group(1) + b":") if m and m.group(1) else b""


def col_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch.upper()) - 64
    return n


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def splice(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """`data` with each (start, end) span replaced; spans are sorted by the caller's order of
    creation where they start at the same place (an insertion before a replacement)."""
    if not edits:
        return data
    edits = sorted(edits, key=lambda e: (e[0], e[1]))
    out, at = [], 0
    for start, end, new in edits:
        out.append(data[at:start])
        out.append(new)
        at = end
    out.append(data[at:])
    return b"".join(out)


# --- the package --------------------------------------------------------------------------------


@dataclass
class Rel:
    id: str
    type: str
    target: str
    external: bool
    part: str | None  # the part it points to (no leading slash), None for an external target


def rels_name(part: str) -> str:
    """The relationships part of `part` ("" is the package itself)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


_REL_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*?(?:/>|>\s*</(?:[\w.-]+:)?Relationship>)", re.S)


class Package:
    """A zip package read part by part: names, relationships, content types."""

    def __init__(self, path: str):
        self.zf = zipfile.ZipFile(path)
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in self.zf.infolist():
            self.infos[info.filename] = info  # a repeated name: the last one, as ZipFile.read does
        self.order = list(dict.fromkeys(i.filename for i in self.zf.infolist()))
        self._lower = {name.lower(): name for name in self.order}
        self._rels: dict[str, list[Rel]] = {}
        self.dropped: set[str] = set()  # parts left out of the copy
        self.replaced: dict[str, bytes] = {}  # parts written with new contents
        self.added: dict[str, bytes] = {}  # new parts (names not in the source)
        self.renamed: dict[str, str] = {}  # source part -> its name in the copy
        self.rel_drops: dict[str, set[str]] = {}  # rels part -> relationship ids left out
        self.rel_adds: dict[str, list[tuple[str, str, str]]] = {}  # rels part -> (id, type, target)
        self.rel_retarget: dict[str, dict[str, str]] = {}  # rels part -> id -> new target
        self.overrides: dict[str, str] = {}  # new content-type overrides: part -> type
        self.defaults: dict[str, str] = {}  # new content-type defaults: extension -> type

    def close(self) -> None:
        self.zf.close()

    def name(self, part: str) -> str | None:
        """The name `part` has in the zip (names are compared without case, as OPC does)."""
        return part if part in self.infos else self._lower.get(part.lower())

    def has(self, part: str) -> bool:
        return self.name(part) is not None

    def read(self, part: str) -> bytes:
        name = self.name(part)
        if name is None:
            raise Unpatchable(part)
        return self.zf.read(self.infos[name])

    def open(self, part: str):
        name = self.name(part)
        if name is None:
            raise Unpatchable(part)
        return self.zf.open(self.infos[name])

    def size(self, part: str) -> int:
        name = self.name(part)
        return self.infos[name].file_size if name else 0

    def rels(self, part: str) -> list[Rel]:
        """Relationships from `part` ("" for the package), as in the source."""
        if part not in self._rels:
            out = []
            name = rels_name(part)
            if self.has(name):
                root = SafeET.fromstring(self.read(name))
                for el in root:
                    if not el.tag.endswith("Relationship"):
                        continue
                    external = (el.get("TargetMode") or "").lower() == "external"
                    target = el.get("Target") or ""
                    out.append(
                        Rel(
                            el.get("Id") or "",
                            el.get("Type") or "",
                            target,
                            external,
                            None if external else resolve(part, target),
                        )
                    )
            self._rels[part] = out
        return self._rels[part]

    def rel_parts(self) -> list[str]:
        """Every source part that has relationships ("" for the package)."""
        out = []
        for name in self.order:
            folder, base = posixpath.split(name)
            if posixpath.basename(folder) == "_rels" and base.endswith(".rels"):
                owner = posixpath.join(posixpath.dirname(folder), base[:-5])
                out.append("" if base == ".rels" and not posixpath.dirname(folder) else owner)
        return out

    def new_rel_id(self, part: str) -> str:
        taken = {r.id for r in self.rels(part)} | {i for i, _, _ in self.rel_adds.get(part, [])}
        n = len(taken) + 1
        while f"rId{n}" in taken:
            n += 1
        return f"rId{n}"

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        rid = self.new_rel_id(part)
        self.rel_adds.setdefault(part, []).append((rid, rel_type, relative(part, target_part)))
        return rid

    def drop_rel(self, part: str, rel: Rel) -> None:
        self.rel_drops.setdefault(part, set()).add(rel.id)

    def drop_part(self, part: str) -> None:
        """Leave `part` out, with its relationships and whatever only they point to."""
        name = self.name(part)
        if name is None or name in self.dropped:
            return
        self.dropped.add(name)
        for rel in self.rels(part):
            self.drop_rel(part, rel)
        if self.has(rels_name(part)):
            self.dropped.add(self.name(rels_name(part)))
        self.collect()

    def collect(self) -> None:
        """Drop every part that was reached only through relationships that were dropped."""
        while True:
            kept: set[str] = set()
            orphans: set[str] = set()
            for owner in self.rel_parts():
                owner_name = self.name(owner) if owner else ""
                gone = owner_name in self.dropped if owner else False
                drops = self.rel_drops.get(owner, set())
                for rel in self.rels(owner):
                    if rel.part is None:
                        continue
                    target = self.name(rel.part)
                    if target is None:
                        continue
                    if gone or rel.id in drops:
                        orphans.add(target)
                    else:
                        kept.add(target)
            new = {p for p in orphans - kept if p not in self.dropped}
            if not new:
                return
            for name in new:
                self.dropped.add(name)
                rels = rels_name(name)
                if self.has(rels):
                    self.dropped.add(self.name(rels))

    def free_name(self, pattern: str, start: int = 1) -> str:
        """The first `pattern % n` that no part of the source or the copy has."""
        taken = (
            {n.lower() for n in self.order}
            | {n.lower() for n in self.added}
            | {n.lower() for n in self.renamed.values()}
        )
        n = start
        while (pattern % n).lower() in taken:
            n += 1
        return pattern % n

    def rename(self, part: str, new: str) -> None:
        """Give a part another name in the copy (its relationships follow it)."""
        name = self.name(part)
        self.renamed[name] = new
        if self.has(rels_name(name)):
            self.renamed[self.name(rels_name(name))] = rels_name(new)
        for owner in self.rel_parts():
            for rel in self.rels(owner):
                if rel.part is not None and self.name(rel.part) == name:
                    self.rel_retarget.setdefault(owner, {})[rel.id] = relative(owner, new)
        override = self._override_type(name)
        if override:
            self.overrides[new] = override

    def _override_type(self, name: str) -> str | None:
        for m in re.finditer(rb"<(?:[\w.-]+:)?Override\b[^>]*>", self.read("[Content_Types].xml")):
            a = attrs(m.group(0))
            if unescape(a.get(b"PartName", b"")).lstrip("/").lower() == name.lower():
                return unescape(a.get(b"ContentType", b""))
        return None

    # -- writing the changed package parts --------------------------------------------------

    def rels_bytes(self, owner: str) -> bytes | None:
        """The new relationships part of `owner`, or None when it does not change."""
        drops = self.rel_drops.get(owner, set())
        adds = self.rel_adds.get(owner, [])
        retarget = self.rel_retarget.get(owner, {})
        if not (drops or adds or retarget):
            return None
        name = rels_name(owner)
        data = (
            self.read(name)
            if self.has(name)
            else (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
            )
        )
        prefix = prefix_of(data)

        def edit(m: re.Match) -> bytes:
            element = m.group(0)
            rid = unescape(attrs(element).get(b"Id", b""))
            if rid in drops:
                return b""
            if rid in retarget:
                return set_attr(element, b"Target", xml_attr(retarget[rid]))
            return element

        data = _REL_ELEMENT.sub(edit, data)
        new = b"".join(
            b"<"
            + prefix
            + b'Relationship Id="'
            + xml_attr(rid)
            + b'" Type="'
            + xml_attr(t)
            + b'" Target="'
            + xml_attr(target)
            + b'"/>'
            for rid, t, target in adds
        )
        return _append(data, prefix + b"Relationships", new)

    def content_types(self) -> bytes:
        data = self.read("[Content_Types].xml")
        prefix = prefix_of(data)
        gone = {n.lower() for n in self.dropped} | {n.lower() for n in self.renamed}
        new_over = {k.lower(): v for k, v in self.overrides.items()}
        seen_ext = set()

        def edit(m: re.Match) -> bytes:
            element = m.group(0)
            a = attrs(element)
            if m.group(1) == b"Default":
                ext = unescape(a.get(b"Extension", b"")).lower()
                seen_ext.add(ext)
                if unescape(a.get(b"ContentType", b"")) == CT_VBA:
                    return b""
                return element
            part = unescape(a.get(b"PartName", b"")).lstrip("/").lower()
            if part in gone or part in new_over:
                return b""
            if unescape(a.get(b"ContentType", b"")) in CT_OTHER_MAINS:
                return set_attr(element, b"ContentType", CT_MAIN.encode())
            return element

        data = re.sub(
            rb"<(?:[\w.-]+:)?(Default|Override)\b[^>]*?(?:/>|>\s*</(?:[\w.-]+:)?(?:Default|Override)>)", edit, data
        )
        new = b"".join(
            b"<" + prefix + b'Default Extension="' + xml_attr(ext) + b'" ContentType="' + xml_attr(t) + b'"/>'
            for ext, t in self.defaults.items()
            if ext.lower() not in seen_ext
        )
        new += b"".join(
            b"<" + prefix + b'Override PartName="/' + xml_attr(p) + b'" ContentType="' + xml_attr(t) + b'"/>'
            for p, t in self.overrides.items()
        )
        return _append(data, prefix + b"Types", new)


def _append(data: bytes, root: bytes, new: bytes) -> bytes:
    """`new` added as the last children of the root element `root` (b"x:Types")."""
    close = b"</" + root + b">"
    at = data.rfind(close)
    if at >= 0:
        return data[:at] + new + data[at:]
    m = re.search(rb"<" + re.escape(root) + rb"\b[^>]*?/>", data)
    if m is None:
        raise Unpatchable(root.decode())
    return data[: m.start()] + m.group(0)[:-2].rstrip() + b">" + new + close + data[m.end() :]


# --- writing the zip ------------------------------------------------------------------------------


class ZipOut:
    """The copy's zip: parts written new, streamed, or copied compressed as they were."""

    def __init__(self, path: str):
        self.zf = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        self.names: set[str] = set()

    def close(self) -> None:
        self.zf.close()

    def _info(self, name: str, like: zipfile.ZipInfo | None) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, like.date_time if like is not None else (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def write(self, name: str, data: bytes, like: zipfile.ZipInfo | None = None) -> None:
        self.names.add(name)
        self.zf.writestr(self._info(name, like), data)

    def stream(self, name: str, like: zipfile.ZipInfo | None, size_hint: int):
        """A file object to write a part to (deflated fast when it is big)."""
        self.names.add(name)
        info = self._info(name, like)
        level = 1 if size_hint > BIG_PART else 6
        for attr in ("compress_level", "_compresslevel"):  # the name changed in Python 3.13
            try:
                setattr(info, attr, level)
                break
            except AttributeError:
                continue
        return self.zf.open(info, "w", force_zip64=size_hint > 2**31)

    def copy_raw(self, src: zipfile.ZipFile, info: zipfile.ZipInfo, name: str | None = None) -> None:
        """Copy one member as its compressed bytes: no inflating, no deflating."""
        if info.flag_bits & 0x1:
            raise Unpatchable(info.filename)
        fp = src.fp
        fp.seek(info.header_offset)
        head = fp.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(info.filename)
        n, m = struct.unpack("<HH", head[26:30])
        fp.seek(info.header_offset + 30 + n + m)
        out = zipfile.ZipInfo(name or info.filename, info.date_time)
        out.compress_type = info.compress_type
        out.CRC, out.compress_size, out.file_size = info.CRC, info.compress_size, info.file_size
        out.external_attr = info.external_attr or (0o600 << 16)
        out.flag_bits = info.flag_bits & 0x06  # deflate options only: no data descriptor, no encryption
        zf = self.zf
        zip64 = out.file_size > zipfile.ZIP64_LIMIT or out.compress_size > zipfile.ZIP64_LIMIT
        zf.fp.seek(zf.start_dir)
        out.header_offset = zf.fp.tell()
        zf.fp.write(out.FileHeader(zip64))
        left = info.compress_size
        while left:
            block = fp.read(min(left, 2**20))
            if not block:
                raise zipfile.BadZipFile(info.filename)
            zf.fp.write(block)
            left -= len(block)
        zf.start_dir = zf.fp.tell()
        zf.filelist.append(out)
        zf.NameToInfo[out.filename] = out
        zf._didModify = True
        self.names.add(out.filename)


# --- worksheets: the first look ---------------------------------------------------------------


class Syntax:
    """The patterns of one worksheet's XML, for its namespace prefix."""

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.prefix = prefix
        self.row_close = b"</" + prefix + b"row>"
        self.c_close = b"</" + prefix + b"c>"
        self.row_start = b"<" + prefix + b'row r="'
        self.c_start = b"<" + prefix + b'c r="'
        self.sheetdata_close = b"</" + prefix + b"sheetData>"
        self.sheetdata_open = re.compile(rb"<" + p + rb"sheetData\b[^>]*?(/?)>")
        self.row_any = re.compile(rb"<" + p + rb'row\b[^>]*?\br="(\d+)"')
        self.cell_any = re.compile(rb"<" + p + rb'c\b[^>]*?\br="([A-Z]{1,3})(\d+)"')
        self.formula = re.compile(rb"<" + p + rb"f\b([^>]*?)(?:/>|>([^<]*)</" + p + rb"f>)")
        self.formula_text = re.compile(rb"<" + p + rb"f\b[^>]*>([^<]*)</" + p + rb"f>")
        self.value = re.compile(rb"<" + p + rb"v\b[^>]*?(?:/>|>([^<]*)</" + p + rb"v>)")
        self.dependent = re.compile(rb"<" + p + rb"f\b[^>]*?\bsi=\"(\d+)\"[^>]*?/>")
        self.merge = re.compile(rb"<" + p + rb'mergeCell\s[^>]*?\bref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')
        self.sheet_view = re.compile(rb"<" + p + rb"sheetView\b[^>]*>")
        self.dimension = re.compile(rb"<" + p + rb"dimension\b[^>]*>")
        self.col = re.compile(rb"<" + p + rb"col\b[^>]*>")
        self.legacy = re.compile(rb"<" + p + rb"legacyDrawing\b[^>]*>")
        self.after_legacy = re.compile(
            rb"<" + p + rb"(?:legacyDrawingHF|drawingHF|picture|oleObjects|controls|"
            rb"webPublishItems|tableParts|extLst)\b|</" + p + rb"worksheet>"
        )
        self.tags = re.compile(rb"<" + p + rb"(row|c)\b([^>]*?)(/?)>")
        self.row_without_ref = re.compile(rb"<" + p + rb'row(?=[\s>/])(?![^>]*?\br=")')
        self.cell_without_ref = re.compile(rb"<" + p + rb'c(?:>|/>|\s(?![^>]*?\br=")[^>]*>)')

    def cell_start(self, data: bytes, at: int, lo: int) -> int:
        """Where the cell that holds position `at` opens (-1 if none)."""
        needle = b"<" + self.prefix + b"c"
        while True:  # an element whose name only starts with c (<col>) is passed over
            at = data.rfind(needle, lo, at)
            if at < 0 or data[at + len(needle) : at + len(needle) + 1] in (b" ", b"\t", b"\n", b"\r", b">", b"/"):
                return at


def pieces(stream, prefix_hint: bytes | None = None) -> Iterator[tuple[bytes, bool, bool, bytes]]:
    """A sheet's XML in pieces that end after a row: (piece, first, last, prefix)."""
    buf = stream.read(CHUNK)
    prefix = prefix_of(buf) if prefix_hint is None else prefix_hint
    close = b"</" + prefix + b"row>"
    first, ready = True, None
    while True:
        block = stream.read(CHUNK)
        if not block:
            break
        buf += block
        cut = buf.rfind(close)
        if cut < 0:
            continue
        cut += len(close)
        if ready is not None:
            yield ready, first, False, prefix
            first = False
        ready, buf = buf[:cut], buf[cut:]
    if ready is not None:
        yield ready, first, False, prefix
        first = False
    yield buf, first, True, prefix


@dataclass
class Survey:
    """What one pass over a worksheet found out before it is changed."""

    prefix: bytes = b""
    merges: list = field(default_factory=list)  # (row1, col1, row2, col2)
    live: bool = False  # holds a formula that reaches outside the workbook
    tab_selected: bool = False
    tab_unset: bool = False  # a sheet view without tabSelected (not selected, said by omission)
    needs_refs: bool | None = None  # rows or cells without r="…" (None: not looked at)
    legacy_rid: str | None = None  # the sheet's <legacyDrawing r:id>
    cols: list = field(default_factory=list)  # (min, max, style)
    kept: list | None = None  # the pieces, when kept for the edit


def survey(stream, keep: bool, check_refs: bool = True) -> Survey:
    """One pass over a worksheet; `keep` keeps its pieces for the edit, `check_refs` looks for
    rows and cells written without r="…" (only a sheet that is rewritten needs to know)."""
    out = Survey(kept=[] if keep else None, needs_refs=False if check_refs else None)
    for data, first, last, prefix in pieces(stream):
        syn = _syntax(prefix)
        out.prefix = prefix
        if keep:
            out.kept.append((data, first, last))
        if first:
            m = syn.sheetdata_open.search(data)
            head = data[: m.start()] if m else data
            for tag in syn.sheet_view.findall(head):
                selected = attrs(tag).get(b"tabSelected")
                out.tab_selected |= selected in (b"1", b"true")
                out.tab_unset |= selected is None
            for tag in syn.col.findall(head):
                a = attrs(tag)
                try:
                    out.cols.append((int(a.get(b"min", 0)), int(a.get(b"max", 0)), int(a.get(b"style", 0))))
                except ValueError:
                    pass
        if b"mergeCell" in data:
            out.merges.extend(
                (int(r1), col_index(c1), int(r2), col_index(c2)) for c1, r1, c2, r2 in syn.merge.findall(data)
            )
        if not out.live and b"<" + prefix + b"f" in data:
            out.live = bool(live_formulas(syn.formula_text.findall(data)))
        if out.needs_refs is False:
            out.needs_refs = needs_refs(data, prefix)
        if last:
            m = syn.legacy.search(data)
            if m:
                rid = next((v for k, v in attrs(m.group(0)).items() if k.endswith(b":id")), None)
                out.legacy_rid = unescape(rid) if rid else None
    return out


def needs_refs(data: bytes, prefix: bytes) -> bool:
    """Rows or cells written without their r="…" (allowed: they follow the previous one)."""
    syn = _syntax(prefix)
    return syn.row_without_ref.search(data) is not None or syn.cell_without_ref.search(data) is not None


_SYNTAX: dict[bytes, Syntax] = {}


def _syntax(prefix: bytes) -> Syntax:
    if prefix not in _SYNTAX:
        _SYNTAX[prefix] = Syntax(prefix)
    return _SYNTAX[prefix]


# --- worksheets: the edit --------------------------------------------------------------------


@dataclass
class Stripped:
    how: str  # "value": the saved result is kept; "text": the formula is shown as text
    formula: str  # the formula's text, without "="
    reason: str  # "asked", "live", "column" (a column with more formulas than were listed), "shared"


class _Refs:
    """Adds r="…" to rows and cells written without it, counting as a spreadsheet does."""

    def __init__(self, syn: Syntax):
        self.syn, self.row, self.col = syn, 0, 0

    def feed(self, data: bytes) -> bytes:
        return self.syn.tags.sub(self._fix, data)

    def _fix(self, m: re.Match) -> bytes:
        name, body, empty = m.group(1), m.group(2), m.group(3)
        a = attrs(body)
        if name == b"row":
            try:
                self.row = int(a.get(b"r", b"")) if b"r" in a else self.row + 1
            except ValueError:
                self.row += 1
            self.col = 0
            ref = str(self.row).encode()
        else:
            given = re.match(rb"([A-Za-z]{1,3})\d+$", a.get(b"r", b""))
            self.col = col_index(given.group(1)) if given else self.col + 1
            ref = (col_letters(self.col) + str(self.row)).encode()
        rest = b"".join(b" " + k + b'="' + v.replace(b'"', b"&quot;") + b'"' for k, v in a.items() if k != b"r")
        return b"<" + self.syn.prefix + name + b' r="' + ref + b'"' + rest + (b"/>" if empty else b">")


class SheetEdit:
    """The changes to one worksheet, applied piece by piece as its XML streams through.

    `cells`: (row, col) -> [fill or None, strip]: a fill to put on the cell (creating it where
    it does not exist) and whether a formula in it is replaced by its saved value.
    `strip_columns`: col -> first row: every formula from that row down is replaced too.
    Formulas that reach outside the workbook (`LIVE`) are replaced wherever they are, and get
    `live_fill`; so are the copies of a shared formula whose first cell was replaced.
    """

    def __init__(
        self,
        survey_: Survey,
        styles: Styles,
        cells: dict,
        *,
        strip_columns: dict | None = None,
        live_fill: str | None = None,
        legacy_rid: str | None = None,
    ):
        self.syn = _syntax(survey_.prefix)
        self.survey = survey_
        self.styles = styles
        self.cells = cells
        self.rows = sorted({r for r, _ in cells})
        self.by_row: dict[int, list[int]] = {}
        for r, c in sorted(cells):
            self.by_row.setdefault(r, []).append(c)
        self.next = 0
        self.strip_columns = strip_columns or {}
        self._columns = (
            re.compile(
                rb"<"
                + re.escape(self.syn.prefix)
                + rb'c\b[^>]*?\br="('
                + b"|".join(col_letters(c).encode() for c in sorted(self.strip_columns))
                + rb')(\d+)"[^>]*>\s*<'
                + re.escape(self.syn.prefix)
                + rb"f\b"
            )
            if self.strip_columns
            else None
        )
        self.live_fill = live_fill
        self.legacy_rid = legacy_rid
        self.shared: dict[bytes, str] = {}  # si of a replaced shared formula -> why it was replaced
        self.stripped: dict[tuple[int, int], Stripped] = {}
        self.live_cells: list[tuple[int, int]] = []
        self.refs = _Refs(self.syn) if survey_.needs_refs else None
        self.live = survey_.live

    def feed(self, data: bytes, first: bool, last: bool) -> bytes:
        syn = self.syn
        if self.refs is not None:
            data = self.refs.feed(data)
        edits: list[tuple[int, int, bytes]] = []
        lo, hi = 0, len(data)
        if first:
            m = syn.sheetdata_open.search(data)
            if m is None:
                raise Unpatchable("sheetData")
            if m.group(1):  # <sheetData/>: give it room for rows
                data = data[: m.start()] + m.group(0)[:-2].rstrip() + b">" + syn.sheetdata_close + data[m.end() :]
                m = syn.sheetdata_open.search(data)
            lo = m.end()
            for v in syn.sheet_view.finditer(data, 0, m.start()):  # the results sheet is the selected one
                edits.append((v.start(), v.end(), set_attr(v.group(0), b"tabSelected", b"0")))
            d = syn.dimension.search(data, 0, m.start())
            if d is not None:
                ref = self._dimension(attrs(d.group(0)).get(b"ref", b""))
                if ref is not None:
                    edits.append((d.start(), d.end(), set_attr(d.group(0), b"ref", ref)))
        if last:
            hi = data.find(syn.sheetdata_close, lo)
            if hi < 0:
                raise Unpatchable("sheetData")
            if self.legacy_rid:
                at = syn.after_legacy.search(data, hi)
                if at is None:
                    raise Unpatchable("worksheet")
                edits.append(
                    (
                        at.start(),
                        at.start(),
                        b"<"
                        + syn.prefix
                        + b'legacyDrawing xmlns:r="'
                        + NS_R.encode()
                        + b'" r:id="'
                        + xml_attr(self.legacy_rid)
                        + b'"/>',
                    )
                )
        limit = 1 << 62
        if not last:
            limit = self._last_row(data, lo, hi)
        found: dict[int, list] = {}  # cell start -> [end, (row, col), fill, strip, reason]
        cursor = lo
        while self.next < len(self.rows) and self.rows[self.next] <= limit:
            row = self.rows[self.next]
            self.next += 1
            cursor = self._row(data, row, cursor, hi, found, edits)
        if self.live and self.live_fill is not None:
            self._live(data, lo, hi, found)
        if self._columns is not None:
            for m in self._columns.finditer(data, lo, hi):
                row, col = int(m.group(2)), col_index(m.group(1))
                if row >= self.strip_columns[col]:
                    self._add(found, data, m.start(), (row, col), None, "column")
        for start, item in sorted(found.items()):  # shared formulas whose first cell goes
            if item[3]:
                f = syn.formula.search(data, start, item[0])
                if f:
                    a = attrs(f.group(1))
                    if a.get(b"t") == b"shared" and b"ref" in a and b"si" in a:
                        self.shared.setdefault(a[b"si"], "live" if item[4] == "live" else "shared")
        if self.shared:
            for m in syn.dependent.finditer(data, lo, hi):
                why = self.shared.get(m.group(1))
                if why is None or b"ref=" in m.group(0):
                    continue
                start = syn.cell_start(data, m.start(), lo)
                ref = syn.cell_any.match(data, start) if start >= 0 else None
                if ref:
                    pos = (int(ref.group(2)), col_index(ref.group(1)))
                    self._add(found, data, start, pos, self.live_fill if why == "live" else None, why)
        for start, (end, pos, fill, strip, reason) in found.items():
            edits.append((start, end, self._rewrite(data[start:end], pos, fill, strip, reason)))
        return splice(data, edits)

    def _dimension(self, ref: bytes) -> bytes | None:
        """The used range `ref` grown to take in the cells this edit may create."""
        filled = [pos for pos, (fill, _) in self.cells.items() if fill is not None]
        m = re.match(rb"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$", ref)
        if not filled or m is None:
            return None
        r1, c1 = int(m.group(2)), col_index(m.group(1))
        r2, c2 = (int(m.group(4)), col_index(m.group(3))) if m.group(3) else (r1, c1)
        rows, cols = [r for r, _ in filled], [c for _, c in filled]
        new = (min(r1, *rows), min(c1, *cols), max(r2, *rows), max(c2, *cols))
        if new == (r1, c1, r2, c2):
            return None
        return f"{col_letters(new[1])}{new[0]}:{col_letters(new[3])}{new[2]}".encode()

    # -- locating rows and cells --

    def _last_row(self, data: bytes, lo: int, hi: int) -> int:
        at = hi
        needle = b"<" + self.syn.prefix + b"row"
        while True:
            at = data.rfind(needle, lo, at)
            if at < 0:
                return -1
            m = self.syn.row_any.match(data, at)
            if m:
                return int(m.group(1))

    def _row(self, data, row, cursor, hi, found, edits) -> int:
        syn = self.syn
        at = data.find(syn.row_start + b'%d"' % row, cursor, hi)
        if at < 0:
            nxt = None
            for m in syn.row_any.finditer(data, cursor, hi):
                if int(m.group(1)) >= row:
                    nxt = m
                    break
            if nxt is None or int(nxt.group(1)) > row:  # no such row: a new one before the next
                where = nxt.start() if nxt is not None else hi
                new = self._new_cells(row, None)
                if new:
                    edits.append((where, where, b"<" + syn.prefix + b'row r="%d">' % row + new + syn.row_close))
                return where
            at = nxt.start()
        gt = data.find(b">", at)
        tag = data[at : gt + 1]
        a = attrs(tag)
        row_style = int(a.get(b"s", 0) or 0) if a.get(b"customFormat") in (b"1", b"true") else None
        if tag.endswith(b"/>"):
            new = self._new_cells(row, row_style)
            if new:
                edits.append((at, gt + 1, tag[:-2].rstrip() + b">" + new + syn.row_close))
            return gt + 1
        end = data.find(syn.row_close, gt)
        if end < 0:
            raise Unpatchable("row")
        starts = None
        for col in self.by_row[row]:
            fill, strip = self.cells[(row, col)]
            ref = (col_letters(col) + str(row)).encode()
            start = data.find(syn.c_start + ref + b'"', gt, end)
            insert_at = end
            if start < 0:
                if starts is None:
                    starts = [(col_index(m.group(1)), m.start()) for m in syn.cell_any.finditer(data, gt, end)]
                for c, s in starts:
                    if c == col:
                        start = s
                        break
                    if c > col:
                        insert_at = s
                        break
            if start >= 0:
                self._add(found, data, start, (row, col), fill, "asked" if strip else None)
            elif fill is not None:
                edits.append((insert_at, insert_at, self._new_cell(ref, self._base_style(col, row_style), fill)))
        return end + len(syn.row_close)

    def _add(self, found, data, start, pos, fill, reason) -> None:
        item = found.get(start)
        if item is None:
            gt = data.find(b">", start)
            if data[gt - 1 : gt] == b"/":
                end = gt + 1
            else:
                end = data.find(self.syn.c_close, gt)
                if end < 0:
                    raise Unpatchable("c")
                end += len(self.syn.c_close)
            found[start] = [end, pos, fill, reason is not None, reason]
            return
        if fill is not None and item[2] is None:
            item[2] = fill
        if reason is not None and (not item[3] or reason == "live"):
            item[3], item[4] = True, reason

    def _live(self, data, lo, hi, found) -> None:
        syn = self.syn
        if b"<" + syn.prefix + b"f" not in data:
            return
        hits = live_formulas(syn.formula_text.findall(data, lo, hi))
        if not hits:
            return
        wanted, k = set(hits), 0
        for m in syn.formula_text.finditer(data, lo, hi):
            k += 1
            if k - 1 not in wanted:
                continue
            start = syn.cell_start(data, m.start(), lo)
            ref = syn.cell_any.match(data, start) if start >= 0 else None
            if ref:
                self._add(found, data, start, (int(ref.group(2)), col_index(ref.group(1))), self.live_fill, "live")

    # -- new cells and styles --

    def _base_style(self, col: int, row_style: int | None) -> int:
        if row_style is not None:
            return row_style
        for lo, hi, style in self.survey.cols:
            if lo <= col <= hi:
                return style
        return 0

    def _new_cell(self, ref: bytes, base: int, fill: str) -> bytes:
        return b"<" + self.syn.prefix + b'c r="' + ref + b'" s="%d"/>' % self.styles.marked(base, fill, False)

    def _new_cells(self, row: int, row_style: int | None) -> bytes:
        out = []
        for col in self.by_row[row]:
            fill = self.cells[(row, col)][0]
            if fill is not None:
                ref = (col_letters(col) + str(row)).encode()
                out.append(self._new_cell(ref, self._base_style(col, row_style), fill))
        return b"".join(out)

    # -- one cell --

    def _rewrite(self, cell: bytes, pos, fill, strip, reason) -> bytes:
        syn = self.syn
        gt = cell.find(b">")
        tag = cell[: gt + 1]
        empty = tag.endswith(b"/>")
        body = b"" if empty else cell[gt + 1 : len(cell) - len(syn.c_close)]
        a = attrs(tag)
        try:
            style = int(a.get(b"s", b"0") or 0)
        except ValueError:
            style = 0
        quote = False
        if strip and not empty:
            f = syn.formula.search(body)
            if f is not None:
                text = unescape(f.group(2) or b"")
                rest = body[: f.start()] + body[f.end() :]
                kind = a.get(b"t")
                v = syn.value.search(rest)
                cached = v.group(1) if v is not None else None
                if kind == b"inlineStr" and b"<" + syn.prefix + b"is" in rest:
                    body, how = rest, "value"
                elif cached:
                    how = "value"
                    if kind == b"str":  # a text result: kept as text
                        body = _inline(syn.prefix, cached)
                        tag = set_attr(tag, b"t", b"inlineStr")
                    else:
                        body = rest
                else:  # no saved result: the formula as text
                    how = "text"
                    shown = ("=" + text) if text else "=…"
                    body = _inline(syn.prefix, xml_text(shown[:EXCEL_TEXT_LIMIT]))
                    tag = set_attr(tag, b"t", b"inlineStr")
                    quote = True
                tag = set_attr(tag, b"cm", None)
                self.stripped[pos] = Stripped(how, text, reason or "asked")
                if reason == "live":
                    self.live_cells.append(pos)
        if fill is not None or quote:
            tag = set_attr(tag, b"s", b"%d" % self.styles.marked(style, fill, quote))
        if empty and tag.endswith(b"/>"):
            return tag
        if tag.endswith(b"/>"):
            tag = tag[:-2].rstrip() + b">"
        return tag + body + syn.c_close


def _inline(prefix: bytes, escaped: bytes) -> bytes:
    return (
        b"<"
        + prefix
        + b"is><"
        + prefix
        + b't xml:space="preserve">'
        + escaped
        + b"</"
        + prefix
        + b"t></"
        + prefix
        + b"is>"
    )


# --- styles -------------------------------------------------------------------------------------

MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    b"</styleSheet>"
)
_STYLE_ORDER = (
    b"numFmts",
    b"fonts",
    b"fills",
    b"borders",
    b"cellStyleXfs",
    b"cellXfs",
    b"cellStyles",
    b"dxfs",
    b"tableStyles",
    b"colors",
    b"extLst",
)


@dataclass(frozen=True)
class Font:
    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None
    color: str | None = None  # RRGGBB


class Styles:
    """The style sheet's cell formats, with new ones appended: a copy of a cell's format with a
    fill (and a quote prefix), or a format for the results sheet."""

    def __init__(self, data: bytes | None):
        self.data = data or MINIMAL_STYLES
        self.prefix = prefix_of(self.data)
        p = re.escape(self.prefix)
        self.counts = {}
        self.blocks = {}
        for name, child in ((b"fonts", b"font"), (b"fills", b"fill"), (b"cellXfs", b"xf")):
            block = self._block(name)
            body = block.group(1) if block and block.group(1) else b""
            self.blocks[name] = body
            self.counts[name] = len(re.findall(rb"<" + p + child + rb"[\s/>]", body))
        self.xfs = re.findall(rb"<" + p + rb"xf\b[^>]*?(?:/>|>.*?</" + p + rb"xf>)", self.blocks[b"cellXfs"], re.S)
        first_font = re.search(rb"<" + p + rb"font\b[^>]*?(?:/>|>(.*?)</" + p + rb"font>)", self.blocks[b"fonts"], re.S)
        base = (first_font.group(1) or b"") if first_font else b""
        self.base_font = {}
        for key in (b"name", b"sz", b"family", b"charset", b"scheme"):
            m = re.search(rb"<" + p + key + rb'\b[^>]*?\bval="([^"]*)"', base)
            if m:
                self.base_font[key] = m.group(1)
        self.new = {b"fonts": [], b"fills": [], b"cellXfs": []}
        self._cache: dict = {}

    def _block(self, name: bytes) -> re.Match | None:
        p = re.escape(self.prefix)
        return re.search(rb"<" + p + name + rb"\b[^>]*?(?:/>|>(.*?)</" + p + name + rb">)", self.data, re.S)

    def _add(self, kind: bytes, element: bytes) -> int:
        key = (kind, element)
        if key not in self._cache:
            self._cache[key] = self.counts[kind] + len(self.new[kind])
            self.new[kind].append(element)
        return self._cache[key]

    def _t(self, name: bytes) -> bytes:
        return b"<" + self.prefix + name

    def fill(self, rgb: str) -> int:
        t = self._t
        return self._add(
            b"fills",
            t(b"fill>")
            + t(b'patternFill patternType="solid">')
            + t(b'fgColor rgb="')
            + rgb.encode()
            + b'"/>'
            + t(b'bgColor indexed="64"/>')
            + b"</"
            + self.prefix
            + b"patternFill></"
            + self.prefix
            + b"fill>",
        )

    def font(self, font: Font) -> int:
        t, b = self._t, self.base_font
        parts = [
            t(b"b/>") if font.bold else b"",
            t(b"i/>") if font.italic else b"",
            t(b"u/>") if font.underline else b"",
        ]
        size = str(font.size).encode() if font.size else b.get(b"sz", b"11")
        parts.append(t(b'sz val="') + size + b'"/>')
        if font.color:
            parts.append(t(b'color rgb="FF') + font.color.encode() + b'"/>')
        for key in (b"name", b"family", b"charset", b"scheme"):
            if key in b:
                parts.append(t(key + b' val="') + b[key] + b'"/>')
        return self._add(b"fonts", t(b"font>") + b"".join(parts) + b"</" + self.prefix + b"font>")

    def marked(self, style: int, fill: str | None, quote: bool) -> int:
        """The format of a cell with format `style`, with this fill and quote prefix."""
        key = ("marked", style, fill, quote)
        if key in self._cache:
            return self._cache[key]
        xf = self.xfs[style] if 0 <= style < len(self.xfs) else (self.xfs[0] if self.xfs else self._t(b"xf/>"))
        gt = xf.find(b">")
        tag, rest = xf[: gt + 1], xf[gt + 1 :]
        if fill is not None:
            tag = set_attr(set_attr(tag, b"fillId", b"%d" % self.fill(fill)), b"applyFill", b"1")
        if quote:
            tag = set_attr(tag, b"quotePrefix", b"1")
        self._cache[key] = self._add(b"cellXfs", tag + rest)
        return self._cache[key]

    def style(
        self,
        font: Font | None = None,
        fill: str | None = None,
        wrap: bool = False,
        vertical: str | None = None,
        horizontal: str | None = None,
        numfmt: int = 0,
        quote: bool = False,
    ) -> int:
        """A new cell format from these parts (the workbook's default font changed by `font`)."""
        font_id = self.font(font) if font is not None else 0
        fill_id = self.fill(fill) if fill else 0
        tag = (
            self._t(b'xf numFmtId="%d" fontId="%d" fillId="%d" borderId="0" xfId="0"' % (numfmt, font_id, fill_id))
            + (b' applyNumberFormat="1"' if numfmt else b"")
            + (b' applyFont="1"' if font else b"")
            + (b' applyFill="1"' if fill else b"")
            + (b' quotePrefix="1"' if quote else b"")
        )
        align = b""
        if wrap or vertical or horizontal:
            align = (
                self._t(b"alignment")
                + (b' horizontal="' + horizontal.encode() + b'"' if horizontal else b"")
                + (b' vertical="' + vertical.encode() + b'"' if vertical else b"")
                + (b' wrapText="1"' if wrap else b"")
                + b"/>"
            )
            tag += b' applyAlignment="1"'
        element = tag + (b">" + align + b"</" + self.prefix + b"xf>" if align else b"/>")
        return self._add(b"cellXfs", element)

    def to_bytes(self) -> bytes:
        data = self.data
        for name in (b"fonts", b"fills", b"cellXfs"):
            new = b"".join(self.new[name])
            if not new:
                continue
            count = b"%d" % (self.counts[name] + len(self.new[name]))
            block = self._block(name)
            p = self.prefix
            if block is None:  # the style sheet has none: one in its place among the others
                element = b"<" + p + name + b' count="' + count + b'">' + new + b"</" + p + name + b">"
                data = _insert_in_order(data, p, name, element)
            elif block.group(0).endswith(b"/>"):
                tag = set_attr(block.group(0)[:-2].rstrip() + b">", b"count", count)
                data = data[: block.start()] + tag + new + b"</" + p + name + b">" + data[block.end() :]
            else:
                close = block.end() - len(b"</" + p + name + b">")
                gt = data.find(b">", block.start())
                tag = set_attr(data[block.start() : gt + 1], b"count", count)
                data = data[: block.start()] + tag + data[gt + 1 : close] + new + data[close:]
            self.data = data
        return data


def _insert_in_order(data: bytes, p: bytes, name: bytes, element: bytes) -> bytes:
    later = _STYLE_ORDER[_STYLE_ORDER.index(name) + 1 :]
    for other in later:
        m = re.search(rb"<" + re.escape(p + other) + rb"\b", data)
        if m:
            return data[: m.start()] + element + data[m.start() :]
    return _append(data, p + b"styleSheet", element)


# --- comments and their drawing -------------------------------------------------------------------


@dataclass
class Note:
    row: int
    col: int
    author: str
    text: str
    raw: bytes | None = None  # the source's <comment> element, kept as it was when unchanged
    size: tuple[int, int] | None = None  # (width, height) in pixels of a new note's box


_NOTE = re.compile(rb"<(?:[\w.-]+:)?comment\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?comment>)", re.S)


def read_comments(data: bytes) -> tuple[list[str], list[Note]]:
    """The authors and notes of a comments part (each note with its source element)."""
    root = SafeET.fromstring(data)
    ns = "{" + NS_MAIN + "}"
    authors = [a.text or "" for a in root.iter(ns + "author")]
    raws = _NOTE.findall(data)
    notes = []
    elements = list(root.iter(ns + "comment"))
    for i, el in enumerate(elements):
        ref = re.match(r"\$?([A-Za-z]{1,3})\$?(\d+)$", el.get("ref") or "")
        if ref is None:
            continue
        try:
            author_id = int(el.get("authorId") or 0)
        except ValueError:
            author_id = -1
        text = []
        body = el.find(ns + "text")
        if body is not None:
            for child in body:
                if child.tag == ns + "t":
                    text.append(child.text or "")
                elif child.tag == ns + "r":
                    text.extend(t.text or "" for t in child.iter(ns + "t"))
        notes.append(
            Note(
                int(ref.group(2)),
                col_index(ref.group(1)),
                authors[author_id] if 0 <= author_id < len(authors) else "",
                "".join(text),
                raws[i] if len(raws) == len(elements) else None,
            )
        )
    return authors, notes


def comments_xml(source: bytes | None, authors: list[str], notes: list[Note]) -> bytes:
    """A comments part with these notes (kept ones as their source element) and authors (the
    source's, in their order, then new ones)."""
    head, tail, prefix = (
        (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="' + NS_MAIN.encode() + b'">'),
        b"</comments>",
        b"",
    )
    if source is not None:
        prefix = prefix_of(source)
        p = re.escape(prefix)
        start = re.search(rb"<" + p + rb"comments\b[^>]*>", source)
        end = re.search(rb"<" + p + rb"commentList\b[^>]*?(?:/>|>.*</" + p + rb"commentList>)", source, re.S)
        if start is None:
            raise Unpatchable("comments")
        head = source[: start.end()]
        tail = source[end.end() :] if end else b"</" + prefix + b"comments>"
        if start.group(0).endswith(b"/>"):
            head, tail = head[:-2] + b">", b"</" + prefix + b"comments>"
    t = lambda name: b"<" + prefix + name  # noqa: E731
    close = lambda name: b"</" + prefix + name + b">"  # noqa: E731
    ids = {name: i for i, name in reversed(list(enumerate(authors)))}
    out = [head, t(b"authors>")]
    out.extend(t(b"author>") + xml_text(a) + close(b"author") for a in authors)
    out.append(close(b"authors") + t(b"commentList>"))
    for note in sorted(notes, key=lambda n: (n.row, n.col)):
        if note.raw is not None:
            out.append(note.raw)
            continue
        ref = (col_letters(note.col) + str(note.row)).encode()
        out.append(
            t(b'comment ref="')
            + ref
            + b'" authorId="%d">' % ids[note.author]
            + t(b"text>")
            + t(b't xml:space="preserve">')
            + xml_text(note.text)
            + close(b"t")
            + close(b"text")
            + close(b"comment")
        )
    out.append(close(b"commentList"))
    out.append(tail)
    return b"".join(out)


_VML_NS = {
    b"v": b"urn:schemas-microsoft-com:vml",
    b"o": b"urn:schemas-microsoft-com:office:office",
    b"x": b"urn:schemas-microsoft-com:office:excel",
}
_VML_SHAPE = re.compile(rb"<([\w.-]+:)?shape\b[^>]*>.*?</\1shape>", re.S)
_VML_PLACE = re.compile(rb"<([\w.-]+:)?(Row|Column)>\s*(\d+)\s*</\1\2>")


def _vml_prefixes(head: bytes) -> tuple[dict[bytes, bytes], bytes]:
    """The prefixes a VML drawing binds to the v, o and x namespaces (declaring the missing
    ones on its root element), and the root tag to use."""
    root = re.search(rb"<xml\b[^>]*>", head)
    tag = root.group(0) if root else b"<xml>"
    bound = {uri: name for name, uri in re.findall(rb'xmlns:([\w.-]+)\s*=\s*"([^"]*)"', tag)}
    out = {}
    for short, uri in _VML_NS.items():
        if uri in bound:
            out[short] = bound[uri]
        else:
            name = short if short not in bound.values() else short + b"ns"
            tag = tag[:-1].rstrip(b"/") + b" xmlns:" + name + b'="' + uri + b'">'
            out[short] = name
    return out, tag


def vml_xml(source: bytes | None, remove: set[tuple[int, int]], notes: list[Note], block: int) -> bytes:
    """The VML drawing of a sheet's notes: the source's shapes less the notes at `remove`
    ((row, col), 1-based), plus a box for each of `notes`."""
    if source is None:
        p = {k: k for k in _VML_NS}
        data = (
            b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
            b'data="%s"/></o:shapelayout>' % b",".join(b"%d" % (block + k) for k in range(len(notes) // 1024 + 1))
        )
        first = block * 1024 + 1
        shapetype = False
        body, tail = data, b"</xml>"
    else:
        p, tag = _vml_prefixes(source)

        def keep(m: re.Match) -> bytes:
            shape = m.group(0)
            if b'ObjectType="Note"' not in shape:
                return shape
            place = {k: int(v) for _, k, v in _VML_PLACE.findall(shape)}
            if (place.get(b"Row", -1) + 1, place.get(b"Column", -1) + 1) in remove:
                return b""
            return shape

        text = _VML_SHAPE.sub(keep, source)
        root = re.search(rb"<xml\b[^>]*>", text)
        if root is not None:
            text = text[: root.start()] + tag + text[root.end() :]
        at = text.rfind(b"</xml>")
        if at < 0:
            raise Unpatchable("vml")
        body, tail = text[:at], text[at:]
        shapetype = b"_x0000_t202" in body
        ids = [int(n) for n in re.findall(rb"_x0000_s(\d+)", source)]
        first = max(ids, default=block * 1024) + 1
    v, o, x = p[b"v"] + b":", p[b"o"] + b":", p[b"x"] + b":"
    out = [body]
    if not shapetype:
        out.append(
            b'<%sshapetype id="_x0000_t202" coordsize="21600,21600" %sspt="202" '
            b'path="m,l,21600r21600,l21600,xe">'
            b'<%sstroke joinstyle="miter"/><%spath gradientshapeok="t" %sconnecttype="rect"/></%sshapetype>'
            % (v, o, v, v, o, v)
        )
    for k, note in enumerate(sorted(notes, key=lambda n: (n.row, n.col))):
        width, height = note.size or (144, 80)
        row, col = note.row - 1, note.col - 1
        anchor = b"%d, 15, %d, 10, %d, 15, %d, 4" % (
            col + 1,
            max(row - 1, 0),
            col + 1 + -(-width // 64),
            max(row - 1, 0) + -(-height // 20),
        )
        out.append(
            b'<%sshape id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            b'margin-top:1.5pt;width:%dpx;height:%dpx;z-index:%d;visibility:hidden" fillcolor="#ffffe1" '
            b'%sinsetmode="auto"><%sfill color2="#ffffe1"/><%sshadow on="t" color="black" obscured="t"/>'
            b'<%spath %sconnecttype="none"/><%stextbox style="mso-direction-alt:auto">'
            b'<div style="text-align:left"></div></%stextbox><%sClientData ObjectType="Note"><%sMoveWithCells/>'
            b"<%sSizeWithCells/><%sAnchor>%s</%sAnchor><%sAutoFill>False</%sAutoFill><%sRow>%d</%sRow>"
            b"<%sColumn>%d</%sColumn></%sClientData></%sshape>"
            % (
                v,
                first + k,
                width,
                height,
                k + 1,
                o,
                v,
                v,
                v,
                o,
                v,
                v,
                x,
                x,
                x,
                x,
                anchor,
                x,
                x,
                x,
                x,
                row,
                x,
                x,
                col,
                x,
                x,
                v,
            )
        )
    out.append(tail)
    return b"".join(out)


def vml_blocks(data: bytes) -> set[int]:
    """The shape-id blocks (o:idmap) a VML drawing uses."""
    out = set()
    for m in re.findall(rb'<o:idmap\b[^>]*\bdata="([\d,\s]*)"', data):
        out.update(int(x) for x in m.replace(b" ", b"").split(b",") if x)
    for n in re.findall(rb"_x0000_s(\d+)", data):
        out.add(int(n) // 1024)
    return out


# --- a new worksheet ------------------------------------------------------------------------------


@dataclass
class NewSheet:
    """A worksheet written whole: rows of (column, value, format) cells, and its settings."""

    widths: list[float]
    rows: list[tuple[int, float | None, list[tuple[int, object, int]]]]
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (cell, location, shown text)
    freeze_row: int | None = None  # the first row that scrolls
    autofilter: str | None = None
    selected: bool = True
    landscape: bool = True


def new_sheet_xml(sheet: NewSheet) -> bytes:
    out = [
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="',
        NS_MAIN.encode(),
        b'" xmlns:r="',
        NS_R.encode(),
        b'"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
    ]
    last_row = max((r for r, _, _ in sheet.rows), default=1)
    last_col = max((c for _, _, cells in sheet.rows for c, _, _ in cells), default=1)
    out.append(b'<dimension ref="A1:%s%d"/>' % (col_letters(last_col).encode(), last_row))
    out.append(
        b'<sheetViews><sheetView showGridLines="0"%s workbookViewId="0">'
        % (b' tabSelected="1"' if sheet.selected else b"")
    )
    if sheet.freeze_row and sheet.freeze_row > 1:
        top = b"A%d" % sheet.freeze_row
        out.append(
            b'<pane ySplit="%d" topLeftCell="%s" activePane="bottomLeft" state="frozen"/>'
            b'<selection pane="bottomLeft" activeCell="%s" sqref="%s"/>' % (sheet.freeze_row - 1, top, top, top)
        )
    out.append(b'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>')
    for i, width in enumerate(sheet.widths, start=1):
        out.append(b'<col min="%d" max="%d" width="%s" customWidth="1"/>' % (i, i, repr(float(width)).encode()))
    out.append(b"</cols><sheetData>")
    for row, height, cells in sorted(sheet.rows, key=lambda r: r[0]):
        ht = b' ht="%s" customHeight="1"' % repr(float(height)).encode() if height else b""
        out.append(b'<row r="%d"%s>' % (row, ht))
        for col, value, style in sorted(cells, key=lambda c: c[0]):
            ref = col_letters(col).encode() + b"%d" % row
            if value is None or value == "":
                out.append(b'<c r="%s" s="%d"/>' % (ref, style))
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                out.append(
                    b'<c r="%s" s="%d" t="inlineStr">' % (ref, style) + _inline(b"", xml_text(str(value))) + b"</c>"
                )
            else:
                out.append(b'<c r="%s" s="%d"><v>%s</v></c>' % (ref, style, repr(value).encode()))
        out.append(b"</row>")
    out.append(b"</sheetData>")
    if sheet.autofilter:
        out.append(b'<autoFilter ref="' + xml_attr(sheet.autofilter) + b'"/>')
    if sheet.links:
        out.append(b"<hyperlinks>")
        out.extend(
            b'<hyperlink ref="'
            + xml_attr(ref)
            + b'" location="'
            + xml_attr(location)
            + b'" display="'
            + xml_attr(shown)
            + b'"/>'
            for ref, location, shown in sheet.links
        )
        out.append(b"</hyperlinks>")
    out.append(b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    out.append(
        b'<pageSetup paperSize="9" fitToHeight="0"%s/>' % (b' orientation="landscape"' if sheet.landscape else b"")
    )
    out.append(b"</worksheet>")
    return b"".join(out)


# --- the workbook part ---------------------------------------------------------------------------


@dataclass
class SheetEntry:
    name: str
    rid: str
    element: bytes
    kind: str = ""  # the relationship type
    part: str | None = None


class WorkbookXml:
    """The workbook part: its sheets (in tab order) and the edits made to it."""

    def __init__(self, pkg: Package, part: str):
        self.part = part
        self.data = pkg.read(part)
        if STRICT in self.data[:4096]:
            raise Unpatchable("strict")
        SafeET.fromstring(self.data)  # well-formed, no entities (the guard refused those already)
        self.prefix = prefix_of(self.data)
        p = re.escape(self.prefix)
        self._sheets = re.search(rb"<" + p + rb"sheets\b[^>]*>(.*?)</" + p + rb"sheets>", self.data, re.S)
        if self._sheets is None:
            raise Unpatchable(part)
        rels = {r.id: r for r in pkg.rels(part)}
        self.sheets: list[SheetEntry] = []
        sheet = re.compile(rb"<" + p + rb"sheet\b[^>]*?(?:/>|>.*?</" + p + rb"sheet>)", re.S)
        for element in sheet.findall(self._sheets.group(1)):
            a = attrs(element[: element.find(b">") + 1])
            rid = next((unescape(v) for k, v in a.items() if k.endswith(b":id")), "")
            rel = rels.get(rid)
            self.sheets.append(
                SheetEntry(
                    unescape(a.get(b"name", b"")), rid, element, rel.type if rel else "", rel.part if rel else None
                )
            )
        self.r_prefix = next((k[:-3] for s in self.sheets for k in attrs(s.element) if k.endswith(b":id")), b"r")

    def rewrite(
        self, order: list[SheetEntry], new_first: bytes | None, names_gone: set[str], extra_names: list[bytes]
    ) -> bytes:
        """The workbook part with sheets `order` (after `new_first`), defined names re-pointed
        (names of sheets that went, and names that refer to other workbooks, dropped), no
        external references, the first sheet active."""
        data = self.data
        p = re.escape(self.prefix)
        index = {id(s): i for i, s in enumerate(self.sheets)}
        shift = 1 if new_first else 0
        remap = {index[id(s)]: i + shift for i, s in enumerate(order)}
        body = (new_first or b"") + b"".join(s.element for s in order)
        data = data[: self._sheets.start(1)] + body + data[self._sheets.end(1) :]
        data = re.sub(
            rb"<" + p + rb"externalReferences\b[^>]*?(?:/>|>.*?</" + p + rb"externalReferences>)", b"", data, flags=re.S
        )
        quoted = {("'" + n.replace("'", "''") + "'!") for n in names_gone} | {n + "!" for n in names_gone}

        def name(m: re.Match) -> bytes:
            element = m.group(0)
            a = attrs(element[: element.find(b">") + 1])
            text = unescape(m.group(1) or b"")
            if re.search(r"\[\d+\]", text) or any(q in text for q in quoted):
                return b""
            if b"localSheetId" in a:
                try:
                    old = int(a[b"localSheetId"])
                except ValueError:
                    return b""
                if old not in remap:
                    return b""
                element = (
                    set_attr(element[: element.find(b">") + 1], b"localSheetId", b"%d" % remap[old])
                    + element[element.find(b">") + 1 :]
                )
            return element

        names = re.search(rb"<" + p + rb"definedNames\b[^>]*?(?:/>|>(.*?)</" + p + rb"definedNames>)", data, re.S)
        element = re.compile(rb"<" + p + rb"definedName\b[^>]*?(?:/>|>(.*?)</" + p + rb"definedName>)", re.S)
        if names is not None:
            kept = element.sub(name, names.group(1) or b"") + b"".join(extra_names)
            new = b""
            if kept:
                new = b"<" + self.prefix + b"definedNames>" + kept + b"</" + self.prefix + b"definedNames>"
            data = data[: names.start()] + new + data[names.end() :]
        elif extra_names:
            at = data.find(b"</" + self.prefix + b"sheets>") + len(b"</" + self.prefix + b"sheets>")
            data = (
                data[:at]
                + b"<"
                + self.prefix
                + b"definedNames>"
                + b"".join(extra_names)
                + b"</"
                + self.prefix
                + b"definedNames>"
                + data[at:]
            )

        def view(m: re.Match) -> bytes:
            return set_attr(set_attr(m.group(0), b"activeTab", None), b"firstSheet", None)

        return re.sub(rb"<" + p + rb"workbookView\b[^>]*>", view, data)

    def defined_name(self, name: str, sheet_index: int, text: str, hidden: bool = False) -> bytes:
        return (
            b"<"
            + self.prefix
            + b'definedName name="'
            + xml_attr(name)
            + b'" localSheetId="%d"' % sheet_index
            + (b' hidden="1"' if hidden else b"")
            + b">"
            + xml_text(text)
            + b"</"
            + self.prefix
            + b"definedName>"
        )

    def sheet_element(self, name: str, sheet_id: int, rid: str) -> bytes:
        r = self.r_prefix
        return (
            b"<"
            + self.prefix
            + b"sheet xmlns:"
            + r
            + b'="'
            + NS_R.encode()
            + b'" name="'
            + xml_attr(name)
            + b'" sheetId="%d" ' % sheet_id
            + r
            + b':id="'
            + xml_attr(rid)
            + b'"/>'
        )

    def max_sheet_id(self) -> int:
        ids = [int(v) for s in self.sheets for k, v in attrs(s.element).items() if k == b"sheetId" and v.isdigit()]
        return max(ids, default=0)


def first_cell_text(pkg: Package, part: str, shared_strings: str | None) -> str:
    """The text of A1 in a worksheet part (read from its start only)."""
    with pkg.open(part) as fh:
        head = fh.read(1 << 18)
    prefix = prefix_of(head)
    p = re.escape(prefix)
    m = re.search(rb"<" + p + rb'c\b[^>]*?\br="A1"[^>]*?(?:/>|>(.*?)</' + p + rb"c>)", head, re.S)
    if m is None or not m.group(1):
        return ""
    kind = attrs(m.group(0)[: m.group(0).find(b">") + 1]).get(b"t")
    texts = re.findall(rb"<" + p + rb"t\b[^>]*>([^<]*)</" + p + rb"t>", m.group(1))
    if kind == b"inlineStr":
        return unescape(b"".join(texts))
    value = re.search(rb"<" + p + rb"v>([^<]*)</" + p + rb"v>", m.group(1))
    if value is None:
        return ""
    if kind == b"s" and shared_strings and value.group(1).strip().isdigit():
        index = int(value.group(1))
        with pkg.open(shared_strings) as fh:
            data = fh.read(1 << 20)
        sp = re.escape(prefix_of(data))
        items = re.findall(rb"<" + sp + rb"si>(.*?)</" + sp + rb"si>", data, re.S)
        if index < len(items):
            return unescape(b"".join(re.findall(rb"<" + sp + rb"t\b[^>]*>([^<]*)</" + sp + rb"t>", items[index])))
        return ""
    return unescape(value.group(1))
