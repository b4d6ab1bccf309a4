"""Text from outside (submitted files, example data) as it may be written into a workbook."""

from __future__ import annotations

import re

# Characters an xlsx cell cannot hold (tab and newlines can); a pattern for re and for Arrow.
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL = re.compile(CONTROL_CHARS)


def clean_text(text: str) -> str:
    """Strip control characters that are not allowed in xlsx cells (tab and newlines stay)."""
    return _CONTROL.sub("", text)
