"""`schemas list` and `schemas show`."""

from __future__ import annotations

import click

from ecomsheets import cli_words as words
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import argument, catalog, group_lang_option, lang_option, option, schemas_option
from ecomsheets.cli.output import echo_json


@click.group("schemas", cls=words.Group, help_code="h_schemas")
@group_lang_option
def schemas() -> None:
    """List and show schemas."""


@schemas.command("list", help_code="h_schemas_list")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="h_opt_format")
@schemas_option
@lang_option
@handled
def schemas_list(fmt, schema_dirs, lang) -> None:
    """List tables and workbook bundles."""
    from ecomsheets.report.schema_text import list_document, render_list

    the_catalog = catalog(schema_dirs, lang)
    if fmt == "json":
        echo_json(list_document(the_catalog))
    else:
        click.echo(render_list(the_catalog, lang))


@schemas.command("show", help_code="h_schemas_show")
@argument("name", code="h_arg_name")
@option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="h_opt_format_show"
)
@schemas_option
@lang_option
@handled
def schemas_show(name, fmt, schema_dirs, lang) -> None:
    """Show a table or bundle."""
    from ecomsheets.report.schema_text import find_schema, render_schema, schema_document

    the_catalog = catalog(schema_dirs, lang)
    spec = find_schema(the_catalog, name)
    if fmt == "json":
        echo_json(schema_document(spec))
    else:
        click.echo(render_schema(spec, the_catalog, lang))
