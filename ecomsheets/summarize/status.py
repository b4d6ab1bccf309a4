"""Who has handed in what this month: each entry of the department's roster (a team or shop
and the bundle it hands in) with the files that came for it and their state.

A file belongs to the entry of its bundle; when several entries hand in one bundle (shops
店铺1, 店铺2 all handing in `department`), to the one whose name its file name holds (the
longest such name). A file that could not be read, or is of a bundle on no roster entry,
belongs to the entry whose name its file name holds. Files of no entry are UNEXPECTED entries
of their own. An entry's state: MISSING without files; REFUSED when every file was refused
(unreadable, another month, another family); WITH_ERRORS when a file has errors (its rows or
the whole file left out, or errors found across files) or one of several files was refused;
else SUBMITTED. A copy of another file and our own summary left among the files do not count.

Without a roster, or when no file of the month is of a bundle the roster names (a month of
department workbooks, one per shop, with a roster of teams), each file is an entry of its own
(its name the file's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ecomsheets import messages

if TYPE_CHECKING:
    from ecomsheets.schema import BundleSpec, Catalog
    from ecomsheets.summarize.consolidate import Source

# Handin.state values
SUBMITTED, WITH_ERRORS, REFUSED, MISSING, UNEXPECTED = "submitted", "with_errors", "refused", "missing", "unexpected"


@dataclass
class Handin:
    team: str  # the roster's name for the team or shop (a file on no roster entry: its file name)
    bundle: str  # the bundle expected (or, for UNEXPECTED, the one the file is; "" if unreadable)
    bundle_title: str
    state: str  # one of the values above
    files: list[str] = field(default_factory=list)  # the files that came for it (names below the folder given)
    errors: int = 0  # in its files, and found across files when consolidating
    warnings: int = 0
    rows: int = 0  # rows taken into the summary
    bundle_title_en: str = ""
    # Why a file was refused (REFUSED, or a refused file of an entry WITH_ERRORS).
    reason: str = ""
    reason_en: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.bundle_title_en if lang == "en" and self.bundle_title_en else self.bundle_title


def hand_ins(family: BundleSpec, catalog: Catalog, sources: list[Source]) -> list[Handin]:
    """The month's status, one entry per roster entry (in roster order) then one per file on no
    entry (see the module's note)."""
    counted = [s for s in sources if s.status != "skipped"]
    roster = list(family.roster)
    bundles = {e.bundle for e in roster}
    if not any(s.bundle in bundles for s in counted):
        roster = []
    entries = {e.name: _entry(e.name, e.bundle, catalog) for e in roster}
    own: dict[str, list[Source]] = {name: [] for name in entries}
    others: list[Source] = []
    for s in counted:
        name = _match(s, roster)
        if name is None:
            others.append(s)
        else:
            own[name].append(s)
    out = [_fill(entries[name], files) for name, files in own.items()]
    for s in others:
        entry = _entry(s.shop or Path(s.label or s.path).stem, s.bundle or "", catalog)
        entry = _fill(entry, [s])
        if roster and entry.state != MISSING:
            entry.state = UNEXPECTED
        out.append(entry)
    return out


def _entry(team: str, bundle: str, catalog: Catalog) -> Handin:
    spec = catalog.bundles.get(bundle)
    return Handin(
        team,
        bundle,
        spec.label("zh") if spec else bundle,
        MISSING,
        bundle_title_en=spec.label("en") if spec else bundle,
    )


def _match(source: Source, roster: list) -> str | None:
    """The roster entry a file came for (None: none): the one its metadata's shop names, else
    the only one of its bundle, else the one whose name its file name holds."""
    if source.shop and any(e.name == source.shop for e in roster):
        return source.shop
    name = Path(source.label or source.path).name
    named = sorted((e for e in roster if e.name in name), key=lambda e: -len(e.name))
    same = [e for e in roster if e.bundle == source.bundle]
    if len(same) == 1:
        return same[0].name
    if same:
        named = [e for e in named if e in same]
    return named[0].name if named else None


def _fill(entry: Handin, files: list[Source]) -> Handin:
    """An entry with its files, their counts and its state."""
    entry.files = [s.label or s.path for s in files]
    states = [s.state for s in files if s.state is not None]
    refused = [s for s in files if s.state == REFUSED]
    # A refused file (last month's, unreadable) beside one taken is said, but its errors are
    # not the entry's: the team has handed in this month's file.
    counted = [s for s in files if s.state != REFUSED] or files
    entry.errors = sum(s.errors + s.month_errors for s in counted)
    entry.warnings = sum(s.warnings for s in counted)
    entry.rows = sum(s.rows_taken for s in files)
    if refused:
        entry.reason, entry.reason_en = refused[0].reason, refused[0].reason_en
        if len(refused) < len(states):  # name the file refused among the others
            name = refused[0].label or Path(refused[0].path).name
            entry.reason = messages.text("st_file_reason", "zh", file=name, reason=entry.reason)
            entry.reason_en = messages.text("st_file_reason", "en", file=name, reason=entry.reason_en)
    if not files:
        entry.state = MISSING
    elif not states:  # only copies of files taken for another entry
        entry.state = SUBMITTED
    elif all(s == REFUSED for s in states):
        entry.state = REFUSED
    elif any(s == WITH_ERRORS for s in states):
        entry.state = WITH_ERRORS
    else:
        entry.state = SUBMITTED
    return entry


def counts_line(status: list[Handin], lang: str = "zh") -> str:
    """应交 5 份：已交 4 份（其中有错误 3 份），未交 1 份 …: a file with errors has been handed in."""
    from collections import Counter

    counts = Counter(h.state for h in status)
    handed = counts[SUBMITTED] + counts[WITH_ERRORS]
    rest = "".join(
        messages.text(f"s_status_count_{state}", lang, n=counts[state])
        for state in (MISSING, REFUSED, UNEXPECTED)
        if counts[state]
    )
    errors = messages.text("s_status_count_with_errors", lang, n=counts[WITH_ERRORS]) if counts[WITH_ERRORS] else ""
    expected = sum(n for state, n in counts.items() if state != UNEXPECTED)
    return messages.text("s_status_counts", lang, expected=expected, submitted=handed, errors=errors, rest=rest)
