"""`docs`: a bundle's data dictionary, as Markdown and as one HTML page, into a folder."""

from __future__ import annotations

from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import argument, catalog, lang_option, option, schemas_option


@click.command("docs", cls=words.Command, help_code="h_docs")
@argument("bundle", code="h_arg_bundle_optional", required=False, default="department")
@option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="h_opt_output_dir")
@option("--force", is_flag=True, help="h_opt_force")
@schemas_option
@lang_option
@handled
def docs(bundle, output, force, schema_dirs, lang) -> None:
    """Write a bundle's data dictionary."""
    from ecomsheets.report.dictionary import write_dictionary

    for path in write_dictionary(catalog(schema_dirs, lang), bundle, output, force=force, lang=lang):
        click.echo(messages.text("cli_docs_written", lang, path=path))
