"""Which profile reads an export: the one named with --platform (whose headers the file must
have), or the one whose headers fit the file best; among equals, the one whose words the file
name carries, then a profile before the ones declared `like` it."""

from __future__ import annotations

from pathlib import Path

from ecomsheets import messages
from ecomsheets.errors import UsageError
from ecomsheets.findings import ERROR, finding
from ecomsheets.schema import Catalog
from ecomsheets.schema.imports import ImportProfile

from .source import RawExport, Refused

AUTO = "auto"


def known_headers(catalog: Catalog) -> set[str]:
    return set().union(*(p.known_headers for p in catalog.imports.values())) if catalog.imports else set()


def check_platform(catalog: Catalog, platform: str) -> None:
    """A usage error for a --platform no profile answers to."""
    if platform != AUTO and platform not in catalog.imports:
        known = ", ".join([AUTO, *sorted(catalog.imports)])
        raise UsageError(*messages.both("cli_unknown_platform", name=platform, known=known))


def choose(catalog: Catalog, raw: RawExport, platform: str) -> tuple[ImportProfile, list[ImportProfile]]:
    """The profile, and the others the headers fit as well when nothing else told them apart
    (Taobao and Tmall write the same report): the command says which it took and how to choose."""
    keys = set(raw.keys)
    if platform != AUTO:
        profile = catalog.imports[platform]
        missing = [h for h in profile.detect_headers if h not in keys]
        if missing:
            raise Refused(
                finding(
                    "import_platform",
                    ERROR,
                    file=str(raw.path),
                    title=profile.title,
                    title_en=profile.title_en or profile.title,
                    missing=messages.join(missing),
                )
            )
        return profile, []
    fits = [p for p in catalog.imports.values() if p.detect_headers and set(p.detect_headers) <= keys]
    if not fits:
        from ecomsheets.rules import Rule

        raise Refused(finding(Rule.IMPORT_UNRECOGNISED, ERROR, file=str(raw.path), value=" | ".join(raw.headers[:12])))
    name = Path(raw.path).name.lower()

    def score(p: ImportProfile) -> tuple:
        return (
            len(p.known_headers & keys),
            any(w in name for w in p.file_words),
            p.like is None,
            len(p.detect_headers),
        )

    chosen = max(sorted(fits, key=lambda p: p.name), key=score)
    if score(chosen)[1]:  # the file name said which
        return chosen, []
    hits = score(chosen)[0]
    return chosen, [p for p in fits if p is not chosen and score(p)[0] == hits]
