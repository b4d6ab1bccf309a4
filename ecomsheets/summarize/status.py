"""Who has handed in what this month: each entry of the department's roster (a team or shop
and the bundle it hands in) with the files that came for it and their state."""

from __future__ import annotations

from dataclasses import dataclass, field

# Handin.state values
SUBMITTED, WITH_ERRORS, REFUSED, MISSING, UNEXPECTED = "submitted", "with_errors", "refused", "missing", "unexpected"


@dataclass
class Handin:
    team: str  # the roster's name for the team or shop (a file on no roster: its bundle's title)
    bundle: str  # the bundle expected (or, for UNEXPECTED, the one the file is)
    bundle_title: str
    state: str  # one of the values above
    files: list[str] = field(default_factory=list)  # the files that came for this entry
    errors: int = 0
    warnings: int = 0
    rows: int = 0  # rows taken into the summary
