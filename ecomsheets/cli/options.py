"""What several commands share: the option and argument kinds (help texts are message codes),
--schemas, --lang, the safety limits, and loading the schema catalogue they name."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages

SHEET_ROWS = 1_048_575  # rows a sheet holds below its first
# Rows an example table may have: its header is on row 2 and the reading limit counts rows with
# content up to SHEET_ROWS, so that `example` never writes a file that it would then refuse.
EXAMPLE_ROWS = SHEET_ROWS - 2
option = functools.partial(click.option, cls=words.Option)


def argument(*decls, code: str, **kwargs):
    return click.argument(*decls, cls=words.Argument, metavar_code=code, **kwargs)


schemas_option = option(
    "--schemas", "schema_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path), help="h_opt_schemas"
)


def masters_option(help_code: str):
    """--masters FILE, any number of times: workbooks holding master lists (staff, products, customers)."""
    return option(
        "--masters",
        "master_files",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help_code,
    )


lang_option = option("--lang", type=click.Choice(["zh", "en"]), default=lambda: words.current(), help="h_opt_lang")
# On a group: `--lang` before the command, read before parsing (see cli_words), so not passed on.
group_lang_option = option("--lang", type=click.Choice(["zh", "en"]), expose_value=False, help="h_opt_lang")


def limits_options(fn):
    """Safety limits for reading submitted files (defaults in README, 'Safety limits')."""
    options = [
        option("--max-file-mb", type=words.Number(0.001, 100 * 1024), default=None, help="h_opt_max_file_mb"),
        option(
            "--max-rows",
            "max_sheet_rows",
            type=words.Number(1, SHEET_ROWS, integer=True),
            default=None,
            help="h_opt_max_rows",
        ),
        option("--timeout", "timeout_s", type=words.Number(1, 24 * 3600), default=None, help="h_opt_timeout"),
        option("--max-memory-gb", type=words.Number(0.25, 1024), default=None, help="h_opt_max_memory_gb"),
    ]
    for decorate in reversed(options):
        fn = decorate(fn)
    return fn


def limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb):
    """(reading limits, process limits) from the safety-limit options; unset ones keep their defaults."""
    from dataclasses import replace

    from ecomsheets.process.isolate import ProcessLimits
    from ecomsheets.read.guard import Limits

    limits, process = Limits(), ProcessLimits()
    if max_file_mb:
        limits = replace(limits, max_file_bytes=int(max_file_mb * 2**20))
    if max_sheet_rows:
        limits = replace(limits, max_rows=max_sheet_rows)
    if timeout_s:
        process = replace(process, seconds=timeout_s)
    if max_memory_gb:
        process = replace(process, memory_bytes=int(max_memory_gb * 2**30))
    return limits, process


def catalog(schema_dirs, lang):
    """The schema catalogue: the shipped one with the --schemas folders over it."""
    from ecomsheets.schema import load_catalog

    for d in schema_dirs:
        if not Path(d).is_dir():
            raise click.BadParameter(messages.text("cli_bad_folder", lang, path=d), param_hint="--schemas")
    return load_catalog(schema_dirs)


def table_names(tables: str | None) -> list[str] | None:
    """--tables a,b,c as a list (None: every table of the workbook)."""
    return [t.strip() for t in tables.split(",") if t.strip()] if tables is not None else None
