"""Where the built-in schema catalogue and templates are: inside the installed package
(wheel) or at the top of the source tree (editable install, tests)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def builtin_dir(name: str) -> Path:
    """Return the folder of built-in `schemas` or `templates`."""
    for candidate in (_PKG / "_builtin" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"ecomsheets installation is missing its {name}/ folder")


def starter_dir() -> Path:
    """The schema folder `ecomsheets init` copies (one commented table and bundle): package
    data inside `ecomsheets/`, so the wheel carries it as it is."""
    return _PKG / "starter"
