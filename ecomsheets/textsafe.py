"""Text that came from outside (file names, cell values) made safe to show.

A submitter controls the names of the files they hand in and the text of every cell: on a
terminal, control characters can retitle the window, clear the screen or overwrite the
"✗ errors" line with a fake "✓"; bidirectional overrides can make a name or a value read
backwards in any output. File names unpacked from a Windows archive may not be UTF-8 at all.
"""

from __future__ import annotations

import os
import re

# C0 and C1 controls (ESC among them), DEL.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_bidi(text: str) -> str:
    """The text with bidirectional overrides removed (for HTML and workbooks)."""
    return BIDI.sub("", text)


def for_terminal(text) -> str:
    """The text with every control character and bidirectional override shown escaped
    (\\x1b, \\u202e): nothing from a submitted file acts on the manager's terminal."""
    text = str(text)
    if not (_CONTROL.search(text) or BIDI.search(text)):
        return text
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown_path(path) -> str:
    """A path as people can read it. A name that is not UTF-8 (GBK bytes, as unzipping a Windows
    archive on Linux leaves them) is decoded as GB18030 when it is that, else shown with
    replacement characters; it is still opened by its bytes."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        raw = text
    elif not _SURROGATE.search(text):
        return text
    else:
        raw = os.fsencode(text)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def utf8_name(path) -> bool:
    """Whether the path can be handed to a library that wants UTF-8 text."""
    return not _SURROGATE.search(os.fspath(path))
