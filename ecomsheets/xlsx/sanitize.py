"""Text from outside (submitted files, example data) as it may be written into a workbook."""

from __future__ import annotations

import re

# Characters an xlsx cell cannot hold (tab and newlines can), and bidirectional overrides (a
# name or value made to read backwards); one pattern for re and for Arrow (RE2).
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + "\u202a-\u202e\u2066-\u2069" + "]"
_CONTROL = re.compile(CONTROL_CHARS)


def clean_text(text: str) -> str:
    """Strip what an xlsx cell cannot hold or should not show: control characters (tab and
    newlines stay) and bidirectional overrides."""
    return _CONTROL.sub("", text)
