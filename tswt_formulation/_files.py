"""Reading an input file with bounds: only an ordinary file (never a device such as
/dev/zero, a FIFO or a folder, which could block or never end), checked before it is
opened for reading, and no more than a size limit of it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Problem, ValidationFailed

MAX_FILE_BYTES = (
    256 * 1024 * 1024
)  # far above any caseload export; a bigger file is a mistake or an attack
MAX_SETTINGS_BYTES = (
    16 * 1024 * 1024
)  # a team's rules, constants, vocabulary, measure definition or a narrative


def _refuse(source: str, message: str) -> ValidationFailed:
    return ValidationFailed([Problem(source, "", message)])


def read_bytes_bounded(path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of an ordinary file of at most ``limit`` bytes; else
    :class:`ValidationFailed` with one problem naming the file."""
    source = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _refuse(source, "no such file") from None
    except OSError as exc:
        raise _refuse(source, f"cannot read: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(source, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(
            source, "is not an ordinary file (a device, pipe or socket); give the path of a file"
        )
    too_big = _refuse(
        source,
        f"the file is {info.st_size // (1024 * 1024)} MB; the limit is {limit // (1024 * 1024)} MB "
        "(split it into several files)",
    )
    if info.st_size > limit:
        raise too_big
    try:
        # O_NONBLOCK: had the path become a FIFO since the check, opening it does not wait.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _refuse(source, f"cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _refuse(
                source,
                "is not an ordinary file (a device, pipe or socket); give the path of a file",
            )
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew after the check
        raise too_big
    return data


def read_text_bounded(
    path: Path | str, limit: int = MAX_FILE_BYTES, kind: str = "text", encoding: str = "utf-8"
) -> str:
    """:func:`read_bytes_bounded`, decoded (UTF-8; ``utf-8-sig`` drops a byte-order mark)."""
    data = read_bytes_bounded(path, limit)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _refuse(str(path), f"not UTF-8 text; save it as UTF-8 {kind}") from None
