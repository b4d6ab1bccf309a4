"""`status`: the month's hand-in status (issue 15; filled in by this session's status work)."""

from __future__ import annotations

import click

from ecomsheets import cli_words as words
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import lang_option


@click.command("status", cls=words.Command, help_code="h_status")
@lang_option
@handled
def status(lang) -> None:
    """Placeholder while this session builds it."""
    raise NotImplementedError
