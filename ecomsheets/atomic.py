"""Writing outputs so that nothing is lost: a temporary file in the same folder, flushed to
disk, then renamed over the target. A crash leaves the old file or the new one, never half.

The temporary files (the README names them): `.<output name>.<random>.tmp`, and beside it
`.<output name>.<random>.tmp.rows` (while the summary's data sheets are rewritten) and the
folder `.<output name>.<random>.tmp.d/` (the writer's own scratch files, see `scratch_dir`).
All are removed on success, on any error and on Ctrl-C or SIGTERM; only a power cut or
SIGKILL can leave them (hidden, never taken for an output or an input)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError

from ecomsheets import messages
from ecomsheets.errors import UsageError
from ecomsheets.process.lifeline import raise_if_stopping, signals_blocked

TEMP_SUFFIX = ".tmp"  # of `.<output name>.<random>.tmp`


def check_target(path: Path, *, force: bool = False, inputs: tuple[Path, ...] = ()) -> Path:
    """Refuse an output that exists (without force), is an input, or cannot be written."""
    path = Path(path)
    resolved = path.resolve()
    if any(resolved == Path(p).resolve() or _same_file(path, Path(p)) for p in inputs):
        raise UsageError(*messages.both("cli_is_input", path=path))
    if path.exists() and not force:
        raise UsageError(*messages.both("cli_exists", path=path))
    parent = resolved.parent
    if not parent.is_dir():
        raise _unwritable(path, "unwritable_no_folder")
    if not os.access(parent, os.W_OK):
        raise _unwritable(path, "unwritable_permission")
    if path.is_dir():
        raise _unwritable(path, "unwritable_is_folder")
    return path


def _unwritable(path: Path, why: str) -> UsageError:
    return UsageError(*messages.both("cli_unwritable", path=path, detail=messages.Both(*messages.both(why))))


def _same_file(a: Path, b: Path) -> bool:
    """One file by identity (device and inode), whatever the paths say: a hard link, a bind
    mount or a symbolic link of an input is that input."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextlib.contextmanager
def atomic_output(path: Path, *, force: bool = False, inputs: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path` atomically."""
    path = check_target(path, force=force, inputs=inputs)
    tmp_path = None
    try:
        with signals_blocked():  # a Ctrl-C cannot fall between creating the file and knowing its name
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.resolve().parent)
            tmp_path = Path(tmp)
        os.close(fd)
        # mkstemp makes the file private (0600); an output gets the usual mode (0666 less umask).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        if path.exists() and not force:  # appeared while we were writing
            raise UsageError(*messages.both("cli_exists", path=path))
        raise_if_stopping()  # never put an output in place after Ctrl-C / SIGTERM
        os.replace(tmp_path, path)
    except (OSError, FileCreateError) as exc:  # disk full, permission lost …: the old file is still there
        # xlsxwriter wraps the OSError of a full disk in its own FileCreateError.
        cause = next((c for c in (exc, exc.__context__, *exc.args) if isinstance(c, OSError)), exc)
        detail = getattr(cause, "strerror", None) or str(cause)
        raise UsageError(*messages.both("cli_unwritable", path=path, detail=detail)) from None
    finally:  # also on Ctrl-C / SIGTERM (raised as SystemExit by lifeline.guard)
        if tmp_path is not None:
            remove_temporary(tmp_path)


def scratch_dir(tmp_path: Path) -> Path:
    """A folder for a writer's own temporary files (xlsxwriter's `tmpdir` option), beside the
    temporary output and named after it (`<temporary>.d`): removed with it, whatever happens,
    instead of `tmpXXXXXXXX` files left in the system's temporary folder."""
    d = tmp_path.with_name(tmp_path.name + ".d")
    d.mkdir(exist_ok=True)
    return d


def remove_temporary(tmp_path: Path) -> None:
    """Remove a temporary output and what was made beside it while writing it, all named after
    it: `<temporary>.rows` (the summary's data sheets being rewritten), `<temporary>.d/`."""
    tmp_path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        for side in tmp_path.parent.glob(glob.escape(tmp_path.name) + ".*"):
            if side.is_dir() and not side.is_symlink():
                shutil.rmtree(side, ignore_errors=True)
            else:
                side.unlink(missing_ok=True)
