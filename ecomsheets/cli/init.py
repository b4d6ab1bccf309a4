"""`init`: a schema folder of one's own."""

from __future__ import annotations

import click

from ecomsheets import cli_words as words
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import lang_option


@click.command("init", cls=words.Command, help_code="h_init")
@lang_option
@handled
def init(lang) -> None:
    """Placeholder while this session builds it."""
    raise NotImplementedError
