"""Writing outputs so that nothing is lost: a temporary file in the same folder, flushed to
disk, then renamed over the target. A crash leaves the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from ecomsheets import messages
from ecomsheets.errors import UsageError


def check_target(path: Path, *, force: bool = False, inputs: tuple[Path, ...] = ()) -> Path:
    """Refuse an output that exists (without force), is an input, or cannot be written."""
    path = Path(path)
    resolved = path.resolve()
    if any(resolved == Path(p).resolve() for p in inputs):
        raise UsageError(*messages.both("cli_is_input", path=path))
    if path.exists() and not force:
        raise UsageError(*messages.both("cli_exists", path=path))
    parent = resolved.parent
    if not parent.is_dir():
        raise UsageError(*messages.both("cli_unwritable", path=path, detail="目录不存在 / folder does not exist"))
    if not os.access(parent, os.W_OK):
        raise UsageError(*messages.both("cli_unwritable", path=path, detail="没有写入权限 / permission denied"))
    if path.is_dir():
        raise UsageError(*messages.both("cli_unwritable", path=path, detail="这是一个文件夹 / it is a folder"))
    return path


@contextlib.contextmanager
def atomic_output(path: Path, *, force: bool = False, inputs: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path` atomically."""
    path = check_target(path, force=force, inputs=inputs)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.resolve().parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp makes the file private (0600); an output gets the usual mode (0666 less umask).
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        if path.exists() and not force:  # appeared while we were writing
            raise UsageError(*messages.both("cli_exists", path=path))
        os.replace(tmp_path, path)
    except OSError as exc:  # disk full, permission lost …: the old file is still there
        raise UsageError(*messages.both("cli_unwritable", path=path, detail=exc.strerror or str(exc))) from None
    finally:
        tmp_path.unlink(missing_ok=True)
