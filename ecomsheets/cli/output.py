"""What several commands write: JSON documents (built by the API) and the summary workbook."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ecomsheets import messages
from ecomsheets.errors import EcomsheetsError


def echo_json(document, **kwargs) -> None:
    """Print a JSON document (a dict or list from the API) as the commands' --format json."""
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, **kwargs))


def say(fmt: str):
    """Where progress lines go: stdout, or stderr when stdout carries a JSON document."""
    return (lambda text: click.echo(text, err=True)) if fmt == "json" else click.echo


def write_summary(
    inspections,
    catalog,
    output,
    force,
    lang,
    inputs,
    fmt,
    *,
    month,
    include_invalid,
    data_rows=None,
    previous: Path | None = None,
    merge=None,
):
    """Consolidate `inspections` and write the summary workbook to `output`; the consolidation.
    `previous`: last month's summary workbook, whose figures each figure is compared with
    (a file that is not one, or not of this family and an earlier month, is a UsageError).
    `merge(inspections, catalog, month=, include_invalid=)`: the consolidation (by default
    summarize.consolidate, here; `inspections` may then be anything it takes)."""
    from ecomsheets.summarize.consolidate import consolidate
    from ecomsheets.summarize.previous import check_previous, read_previous
    from ecomsheets.summarize.writer import write_summary_workbook

    before = read_previous(previous) if previous is not None else None
    result = (merge or consolidate)(inspections, catalog, month=month, include_invalid=include_invalid)
    if result.bundle is None:
        raise EcomsheetsError(*messages.both("cli_cannot_summarize", file=", ".join(map(str, inputs))))
    if before is not None:
        check_previous(before, result)
        inputs = (*inputs, previous)  # never written over
    from ecomsheets.summarize.writer import MAX_DATA_ROWS

    write_summary_workbook(
        result,
        catalog,
        output,
        force=force,
        lang=lang,
        inputs=tuple(inputs),
        data_rows=MAX_DATA_ROWS if data_rows is None else data_rows,
        previous=before,
    )
    say(fmt)(messages.text("cli_summary_written", lang, path=output))
    return result
