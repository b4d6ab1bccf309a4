"""The files a command reads, and inspecting them (several at once)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecomsheets import messages
from ecomsheets.errors import EcomsheetsError


def inputs(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given, and every file inside folders (recursively), so that each one is either
    read or reported with why not; lock files (~$…) and hidden files and folders are skipped."""
    return [path for path, _ in inputs_named(paths)]


def inputs_named(paths: tuple[Path, ...]) -> list[tuple[Path, Path]]:
    """(file, its name relative to the folder it was found in, or its own name); none at all is
    a usage error."""
    out: list[tuple[Path, Path]] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    (f, f.relative_to(p))
                    for f in p.rglob("*")
                    if f.is_file()
                    and not f.name.startswith("~$")
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        else:
            out.append((p, Path(p.name)))
    if not out:
        raise EcomsheetsError(*messages.both("cli_no_inputs", paths=", ".join(map(str, paths))))
    return out


def read_master_lists(master_files, catalog, limits) -> dict | None:
    """The master lists (staff, products, customers) of the `--masters` files, read once for
    every file checked (None without any; a file that cannot serve is refused, exit 2)."""
    if not master_files:
        return None
    from ecomsheets.validate.run import master_keys, read_masters

    wanted = list({m.table: m for b in catalog.bundles.values() for m in b.masters}.values())
    return master_keys(read_masters(master_files, catalog=catalog, wanted=wanted, limits=limits[0], process=limits[1]))


def inspect_all(files, catalog, bundle, month, lang, fmt, limits, keep="tables", named=None, masters=None):
    """Inspect files (several at once), with a progress bar on the console for several files;
    with `named` (from inputs_named), each report's label is the file's name below its folder;
    `masters` (read_master_lists) are what references are checked against besides the file."""
    inspections = _inspect(files, catalog, bundle, month, lang, fmt, limits, keep, masters)
    if named is not None:
        from ecomsheets.textsafe import shown_path

        for insp, (_, name) in zip(inspections, named):
            insp.report.label = shown_path(name)  # tells 店A/店铺.xlsx from 店B/店铺.xlsx
    return inspections


def _inspect(files, catalog, bundle, month, lang, fmt, limits, keep, masters=None):
    from ecomsheets.validate.run import inspect_many

    options = dict(
        catalog=catalog, bundle=bundle, month=month, keep=keep, limits=limits[0], process=limits[1], masters=masters
    )
    if len(files) > 1 and fmt == "text" and sys.stderr.isatty():
        with click.progressbar(
            length=len(files), label=messages.text("cli_checking", lang), file=sys.stderr, show_pos=True
        ) as bar:
            return inspect_many(files, progress=bar.update, **options)
    return inspect_many(files, **options)
