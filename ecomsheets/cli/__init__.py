"""The command line: parse options, call the API, render, set the exit code.

One module per command (schemas, generate, example, validate, summarize, consolidate, docs) over the
shared options (options.py); JSON documents come from the API (Report.to_dict,
summarize.documents, report.schema_text); errors raised on purpose go through one handler
(errors.py). Click's words and our help texts are in one language (ecomsheets.cli_words).

Exit codes: 0 fine, 1 validation errors found, 2 unusable input or misuse.
Heavy libraries are imported inside commands so that `--help` starts fast.
"""

from __future__ import annotations

import click

from ecomsheets import __version__
from ecomsheets import cli_words as words
from ecomsheets.cli.consolidate import consolidate
from ecomsheets.cli.docs import docs
from ecomsheets.cli.example import example
from ecomsheets.cli.generate import generate
from ecomsheets.cli.import_ import import_
from ecomsheets.cli.init import init
from ecomsheets.cli.migrate import migrate
from ecomsheets.cli.options import group_lang_option
from ecomsheets.cli.schemas import schemas
from ecomsheets.cli.serve import serve
from ecomsheets.cli.status import status
from ecomsheets.cli.summarize import summarize
from ecomsheets.cli.validate import validate

__all__ = ["main"]


@click.group(
    "ecomsheets",
    cls=words.Group,
    help_code="h_main",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.version_option(
    __version__, "--version", prog_name="ecomsheets", message="%(prog)s %(version)s", cls=words.Option, help="h_version"
)
@group_lang_option
def main() -> None:
    """The ecomsheets command group (its help is the message h_main); `--lang` here or after the
    command (read before parsing, see cli_words)."""
    from ecomsheets.process.lifeline import stop_on_signals

    stop_on_signals()  # Ctrl-C, SIGTERM: every worker stopped, exit 130 / 143 with one line


for _command in (
    schemas,
    init,
    generate,
    validate,
    import_,
    example,
    summarize,
    consolidate,
    status,
    serve,
    migrate,
    docs,
):
    main.add_command(_command)
