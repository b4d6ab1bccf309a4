"""The one error handler: an error raised on purpose (EcomsheetsError: a misused command, an
unwritable output, a broken schema catalogue …) becomes its message on stderr and exit code 2.
Click's own usage errors (a missing option, a bad number) are said by Click, also with 2."""

from __future__ import annotations

import functools
import sys

import click

from ecomsheets import messages
from ecomsheets.errors import EcomsheetsError, SchemaError

EXIT_USAGE = 2


def fail(exc: EcomsheetsError, lang: str):
    """Say `exc` in `lang` on stderr and exit 2 (a broken catalogue: every problem, one a line)."""
    if isinstance(exc, SchemaError):
        click.echo(messages.text("cli_schema_errors", lang, count=len(exc.problems)), err=True)
        for p in exc.problems:
            click.echo("  " + p.text(lang), err=True)
    else:
        click.echo(exc.text(lang), err=True)
    sys.exit(EXIT_USAGE)


def handled(command):
    """Wrap a command's function (it takes `lang`) so that EcomsheetsError goes through `fail`."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except EcomsheetsError as exc:
            fail(exc, kwargs["lang"])

    return run
