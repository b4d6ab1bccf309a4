"""`init`: a schema folder of one's own, copied from the packaged starter (one commented table
and bundle) so that `--schemas DIR` takes it at once."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import argument, lang_option, option
from ecomsheets.errors import UsageError
from ecomsheets.textsafe import for_terminal, shown_path

# The starter's own names (ecomsheets/starter/), used in the commands suggested after writing.
STARTER_TABLE = "sample_requests"
STARTER_BUNDLE = "my_team"
SHOWN_ENTRIES = 3  # entries of a non-empty folder named in the refusal
UNSAFE_IN_SHELL = re.compile(r"[\s'\"\\$`!*?&;|<>(){}\[\]#~^]")


@click.command("init", cls=words.Command, help_code="h_init")
@argument("folder", code="h_arg_new_folder", type=click.Path(path_type=Path))
@option("--force", is_flag=True, help="h_opt_force_init")
@lang_option
@handled
def init(folder, force, lang) -> None:
    """Write the starter schema folder into FOLDER."""
    written = write_starter(folder, force=force)
    say = click.echo
    say(messages.text("init_written", lang, path=for_terminal(shown_path(folder))))
    for path, replaced in written:
        say(f"  {for_terminal(shown_path(path))}" + (messages.text("init_replaced", lang) if replaced else ""))
    where = for_terminal(shell_word(str(folder)))
    blank, filled = (shell_word(messages.text(c, lang)) for c in ("init_blank_file", "init_example_file"))
    say(messages.text("init_next", lang))
    say(f"  ecomsheets schemas show {STARTER_TABLE} --schemas {where}")
    say(f"  ecomsheets generate {STARTER_BUNDLE} --schemas {where} -o {blank}")
    say(
        f"  ecomsheets example {STARTER_BUNDLE} --schemas {where} -o {filled} && ecomsheets validate {filled} --schemas {where}"
    )


def shell_word(text: str) -> str:
    """`text` as one word of a shell command: quoted only when it must be (a Chinese name as it
    is, a name with a space or a quote in quotes)."""
    return text if text and not UNSAFE_IN_SHELL.search(text) else shlex.quote(text)


def write_starter(folder: Path, *, force: bool = False) -> list[tuple[Path, bool]]:
    """Copy the starter files into `folder` (made if missing); each written path with whether
    it replaced a file. A folder that holds anything is refused unless `force`, and even then
    only files of the starter's own names are replaced."""
    from ecomsheets.atomic import atomic_output, check_target
    from ecomsheets.resources import starter_dir

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(*messages.both("init_not_folder", path=shown_path(folder)))
    if folder.is_dir() and not force:
        try:
            entries = sorted(p.name for p in folder.iterdir())
        except OSError as exc:
            raise _unwritable(folder, exc) from None
        if entries:
            names = messages.join(for_terminal(shown_path(n)) for n in entries[:SHOWN_ENTRIES])
            if len(entries) > SHOWN_ENTRIES:
                more = len(entries) - SHOWN_ENTRIES
                names = messages.Both(*messages.both("init_more", names=names, n=more, total=len(entries)))
            raise UsageError(*messages.both("init_not_empty", path=shown_path(folder), names=names))
    source = starter_dir()
    files = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    try:
        for rel in files:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    # Every target checked before the first is written: a refusal leaves no file half replaced.
    targets = [check_target(folder / rel, force=True) for rel in files]
    written = []
    for rel, target in zip(files, targets):
        replaced = target.exists()
        with atomic_output(target, force=True) as tmp:
            shutil.copyfile(source / rel, tmp)
        written.append((target, replaced))
    return written


def _unwritable(folder: Path, exc: OSError) -> UsageError:
    detail = exc.strerror or str(exc)
    return UsageError(*messages.both("cli_unwritable", path=shown_path(folder), detail=detail))
