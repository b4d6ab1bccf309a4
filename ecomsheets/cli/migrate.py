"""`migrate`: an older workbook's data moved into the current template."""

from __future__ import annotations

import click

from ecomsheets import cli_words as words
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import lang_option


@click.command("migrate", cls=words.Command, help_code="h_migrate")
@lang_option
@handled
def migrate(lang) -> None:
    """Placeholder while this session builds it."""
    raise NotImplementedError
