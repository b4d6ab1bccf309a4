"""`migrate`: an older workbook's data moved into the current template."""

from __future__ import annotations

from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import (
    argument,
    catalog,
    lang_option,
    limits,
    limits_options,
    masters_option,
    option,
    schemas_option,
)
from ecomsheets.textsafe import for_terminal, shown_path


@click.command("migrate", cls=words.Command, help_code="h_migrate")
@argument("source", type=click.Path(dir_okay=False, path_type=Path), code="h_arg_file")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="h_opt_output_xlsx")
@option("--force", is_flag=True, help="h_opt_force")
@masters_option("h_opt_masters_generate")
@limits_options
@schemas_option
@lang_option
@handled
def migrate(
    source, output, force, master_files, max_file_mb, max_sheet_rows, timeout_s, max_memory_gb, schema_dirs, lang
) -> None:
    """Move an old workbook's data into the current template (exit 0; 2 when refused)."""
    from ecomsheets.atomic import check_target
    from ecomsheets.generate.migrate import migrate_workbook

    the_catalog = catalog(schema_dirs, lang)
    check_target(output, force=force, inputs=(source,))  # before the file is read
    read_limits, process = limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
    result = migrate_workbook(
        source, output, the_catalog, force=force, limits=read_limits, process=process, master_files=master_files
    )
    bundle = result.bundle_title[1 if lang == "en" else 0]
    if result.path is None:
        click.echo(for_terminal(messages.text("mig_current", lang, path=shown_path(source), bundle=bundle)))
        return
    month = result.month or messages.text("mig_month_none", lang)
    click.echo(
        for_terminal(
            messages.text(
                "mig_written",
                lang,
                source=shown_path(source),
                path=shown_path(output),
                bundle=bundle,
                month=month,
                seconds=result.seconds,
            )
        )
    )
    for move in result.sheets:
        click.echo(for_terminal(sheet_line(move, lang)))
    if result.leftovers:
        click.echo(for_terminal(messages.text("mig_leftover", lang, n=result.leftovers, sheet=result.old_sheet)))
    if result.errors:
        click.echo(for_terminal(messages.text("mig_errors", lang, n=result.errors)))
    if result.masters_not_copied:
        sheets = messages.join(result.masters_not_copied)[lang == "en"]
        click.echo(for_terminal(messages.text("mig_masters_not_copied", lang, sheets=sheets)))


def sheet_line(move, lang: str) -> str:
    """`  Customers: 30 rows, version 1 to 2; added 'Address'` (and cells kept as text)."""
    from ecomsheets.validate.versions import change_items

    if not move.present:
        return messages.text("mig_sheet_absent", lang, sheet=move.sheet)
    kept = messages.text("mig_kept_text", lang, n=move.kept_text) if move.kept_text else ""
    if move.changes is None:
        return messages.text("mig_sheet_same", lang, sheet=move.sheet, rows=move.rows) + kept
    items = change_items(move.changes)
    changes = messages.text("mig_sheet_changes", lang, items=messages.join(items, "sep_clause")) if items else ""
    line = messages.text(
        "mig_sheet",
        lang,
        sheet=move.sheet,
        rows=move.rows,
        old=move.changes.old_version,
        new=move.changes.new_version,
        changes=changes,
    )
    return line + kept
