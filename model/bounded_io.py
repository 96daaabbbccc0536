"""Reading a file the app did not write without letting it hang or exhaust the process.

A path can name a FIFO (opening it blocks until someone writes), a device (``/dev/zero`` never ends)
or a huge file. :func:`read_regular_file` opens without blocking, refuses anything but a regular file
and reads at most ``limit`` bytes, so the caller gets the content or one clear error.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotARegularFile(OSError):
    """The path is a folder, FIFO, device or socket, not a file the app can read."""


class FileTooLarge(OSError):
    """The file is larger than the caller's limit; it was not read."""


def open_regular_file(path: str | os.PathLike[str], limit: int) -> int:
    """An open descriptor of ``path``, checked to be a regular file of at most ``limit`` bytes.

    ``O_NONBLOCK`` makes opening a FIFO return at once instead of waiting for a writer; the check on
    the open descriptor (not the name) means the file cannot be swapped between check and read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise NotARegularFile(f"{Path(path).name} is {kind}")
        if info.st_size > limit:
            raise FileTooLarge(f"{Path(path).name} is larger than {limit:,} bytes")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Raises ``FileNotFoundError`` (and other ``OSError``), :class:`NotARegularFile` or
    :class:`FileTooLarge`; a file that grows while it is read past ``limit`` counts as too large.
    """
    fd = open_regular_file(path, limit)
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"{Path(path).name} is larger than {limit:,} bytes")
    return data
