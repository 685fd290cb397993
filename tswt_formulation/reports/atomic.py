"""Atomic, owner-only file writes: a temporary file in the same folder, then rename.

A failed run leaves no partial file and never replaces the previous good one. Nor does a
write replace what an output must never replace (:func:`refuse_unsafe_target`): a SQLite
database (a case store), a symbolic link (which could have been planted to point at
one), or anything that is not a plain file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite_database(path: Path | str) -> bool:
    """Does the file begin with SQLite's header? (Read without following a symbolic link
    and without blocking on a FIFO.)"""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return os.read(fd, len(SQLITE_MAGIC)) == SQLITE_MAGIC
    finally:
        os.close(fd)


def refuse_unsafe_target(path: Path | str, option: str = "output") -> None:
    """Raise :class:`~tswt_formulation.errors.OutputRefused` if writing ``path`` would
    replace a SQLite database, a symbolic link or something that is not a plain file."""
    from ..errors import OutputRefused

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    why = None
    if stat.S_ISLNK(info.st_mode):
        why = "is a symbolic link; give the real path of a new or ordinary file"
    elif not stat.S_ISREG(info.st_mode):
        why = "is not an ordinary file (a folder, device or pipe); give the path of a file"
    elif is_sqlite_database(path):
        why = "is a SQLite database (a case store?); an output never replaces one, write somewhere else"
    if why:
        raise OutputRefused(f"{path}: {option}: {why} (nothing was written)")


def atomic_write_bytes(path: Path | str, data: bytes, mode: int = 0o600) -> Path:
    path = Path(path)
    refuse_unsafe_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        refuse_unsafe_target(path)  # planted while the data was written
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: Path | str, text: str, mode: int = 0o600) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), mode)
