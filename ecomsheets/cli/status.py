"""`status`: who has handed in this month, per entry of the department's roster."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import handled
from ecomsheets.cli.inputs import inputs_named, inspect_all
from ecomsheets.cli.options import argument, catalog, lang_option, limits, limits_options, option, schemas_option
from ecomsheets.cli.output import echo_json
from ecomsheets.errors import EcomsheetsError
from ecomsheets.summarize.status import counts_line
from ecomsheets.textsafe import for_terminal

# Handin states, as in summarize.status (imported there only when a command runs: --help stays fast).
_SUBMITTED, _WITH_ERRORS, _REFUSED, _UNEXPECTED = "submitted", "with_errors", "refused", "unexpected"


@click.command("status", cls=words.Command, help_code="h_status")
@argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), code="h_arg_paths")
@option("--month", help="h_opt_month_status")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="h_opt_format")
@limits_options
@schemas_option
@lang_option
@handled
def status(paths, month, fmt, max_file_mb, max_sheet_rows, timeout_s, max_memory_gb, schema_dirs, lang) -> None:
    """The month's hand-ins: exit 0 when every entry handed in without errors, 1 otherwise."""
    from ecomsheets.months import parse_month
    from ecomsheets.summarize.consolidate import consolidate
    from ecomsheets.summarize.documents import status_document

    the_catalog = catalog(schema_dirs, lang)
    the_month = parse_month(month)
    named = inputs_named(paths)
    files = [f for f, _ in named]
    the_limits = limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
    inspections = inspect_all(files, the_catalog, None, the_month, lang, fmt, the_limits, named=named)
    result = consolidate(inspections, the_catalog, month=the_month)
    if result.bundle is None:
        reasons = [f"{for_terminal(f.file or '')} {for_terminal(f.text(lang))}" for f in result.findings]
        raise EcomsheetsError(*messages.both("cli_cannot_summarize", file="; ".join(reasons)))
    if fmt == "json":
        echo_json(status_document(result.status))
    else:
        for line in status_lines(result, lang):
            click.echo(line)
    sys.exit(0 if result.status and all(h.state == _SUBMITTED for h in result.status) else 1)


def status_lines(result, lang: str) -> list[str]:
    """The status block of a consolidation, a line per entry and a count line (console text)."""
    from ecomsheets.schema.model import pad, text_width

    family = result.bundle
    heading = "st_heading" if result.month else "st_heading_no_month"
    lines = [
        messages.text(
            heading, lang, month=str(result.month or ""), family=family.label("zh"), family_en=family.label("en")
        )
    ]
    if not family.roster:
        lines.append("  " + messages.text("st_no_roster", lang))
    elif not {e.name for e in family.roster} & {h.team for h in result.status}:
        lines.append("  " + messages.text("st_off_roster", lang))
    cells = []
    for h in result.status:
        names = [for_terminal(f) for f in h.files] or [messages.text("st_no_file", lang)]
        cells.append((for_terminal(h.team), messages.join(names)[lang == "en"], _state(h, lang)))
    width = [max((text_width(c[i]) for c in cells), default=0) for i in range(2)]
    for team, files, state in cells:
        lines.append(f"  {pad(team, min(width[0], 24))}  {pad(files, min(width[1], 40))}  {state}")
    lines.append(counts_line(result.status, lang))
    return lines


def _state(h, lang: str) -> str:
    if h.state == _WITH_ERRORS:
        text = messages.text("st_with_errors", lang, n=h.errors)
    elif h.state == _REFUSED:
        text = messages.text("st_refused", lang, reason=h.reason, reason_en=h.reason_en)
    else:
        text = messages.text(f"s_state_{h.state}", lang)
        if h.reason:  # a file refused beside the one taken, or a file on no roster entry refused
            code = "st_refused" if h.state == "unexpected" else "st_also_refused"
            text += " · " + messages.text(code, lang, reason=h.reason, reason_en=h.reason_en)
    if h.rows and h.state != _REFUSED:
        text += " · " + messages.text("st_rows", lang, n=h.rows)
    elif h.state == _WITH_ERRORS:
        text += " · " + messages.text("st_left_out", lang)
    return for_terminal(text)
