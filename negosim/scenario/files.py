"""Read the files a scenario names, treating every one as hostile.

Every read of a user's file (the scenario itself and each source text) goes through
:func:`read_user_file`, which

- resolves symlinks and ``..`` first and refuses a path that lands outside the allowed folders
  (the scenario's own folder, or a root the user named with ``--sources-root``), before anything
  about the target, even whether it exists, is looked at;
- refuses anything that is not a regular file (directories, FIFOs, sockets, devices) by ``stat``
  before opening, then opens with ``O_NONBLOCK | O_NOFOLLOW`` and checks the open descriptor
  again, so that a file swapped for a FIFO or a symlink in between is refused without blocking;
- reads at most ``limit + 1`` bytes whatever size the file claims (``/proc`` files claim 0).

A refusal raises :class:`FileRefused`, whose message names the path as written and the reason,
and never anything read from the file.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

__all__ = ["FileRefused", "read_user_file", "resolve_inside"]

_READ_CHUNK = 1 << 20

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class FileRefused(Exception):
    """A file that is not read: outside the allowed folders, missing, special, or too large.

    ``reason`` is one of ``"outside"``, ``"missing"``, ``"special"``, ``"size"``,
    ``"permission"``, ``"unreadable"``, so that callers can word the message for their file.
    """

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def _kind(mode: int) -> str | None:
    for test, name in _KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def resolve_inside(path: str | os.PathLike[str], roots: Sequence[str | os.PathLike[str]]) -> Path:
    """Resolve ``path`` (symlinks and ``..`` included) and return it if it lies inside a root.

    Raises
    ------
    FileRefused
        With reason ``"outside"`` when the resolved path lies in none of ``roots`` (resolved too).
    """
    resolved = Path(os.path.realpath(path))
    for root in roots:
        if resolved.is_relative_to(os.path.realpath(root)):
            return resolved
    shown = ", ".join(str(Path(os.path.realpath(r))) for r in roots)
    raise FileRefused(f"is outside the folder it may be read from ({shown})", "outside")


def _opened_inside(fd: int, roots: Sequence[str | os.PathLike[str]]) -> bool:
    """True when the file open on ``fd`` lies inside a root, by the kernel's own account of it
    (``/proc/self/fd``): ``O_NOFOLLOW`` guards only the last component of a path, and a parent
    folder swapped for a symlink after the path was resolved would pass every other check.
    Where ``/proc`` is missing, the checks before the open stand alone."""
    try:
        actual = Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return True
    return any(actual.is_relative_to(os.path.realpath(root)) for root in roots)


def read_user_file(
    path: str | os.PathLike[str],
    *,
    roots: Sequence[str | os.PathLike[str]],
    limit: int,
    what: str = "file",
) -> bytes:
    """Return the bytes of the regular file ``path``, which must resolve inside one of ``roots``.

    Parameters
    ----------
    path
        The file, relative to the working directory or absolute.
    roots
        Folders the resolved file must lie in (the scenario's folder, a ``--sources-root``).
    limit
        Most bytes read; a longer file is refused after reading ``limit + 1`` bytes at most.
    what
        How the message calls the file (``"scenario file"``, ``"source file"``).

    Raises
    ------
    FileRefused
        For a path outside ``roots``, a missing or unreadable file, a special file (directory,
        FIFO, socket, device) or one over ``limit``; the message holds nothing read from it.
    """
    resolved = resolve_inside(path, roots)
    try:
        before = os.stat(resolved)
    except FileNotFoundError:
        raise FileRefused(f"{what} not found", "missing") from None
    except PermissionError:
        raise FileRefused(f"{what}: permission denied", "permission") from None
    except OSError as exc:
        raise FileRefused(f"cannot read {what}: {exc.strerror or exc}", "unreadable") from None
    kind = _kind(before.st_mode)
    if kind is not None:
        raise FileRefused(f"{what} is {kind}, not a regular file", "special")
    if before.st_size > limit:
        raise FileRefused(
            f"{what} is {before.st_size:,} bytes, over the {limit:,}-byte limit", "size"
        )
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(resolved, flags)
    except PermissionError:
        raise FileRefused(f"{what}: permission denied", "permission") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # swapped for a symlink since it was resolved
            raise FileRefused(f"{what} changed while it was being opened", "special") from None
        raise FileRefused(f"cannot read {what}: {exc.strerror or exc}", "unreadable") from None
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(
            opened.st_mode
        ):
            raise FileRefused(f"{what} changed while it was being opened", "special")
        if not _opened_inside(fd, roots):  # a parent folder swapped for a symlink meanwhile
            raise FileRefused(f"{what} changed while it was being opened", "special")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise FileRefused(f"cannot read {what}: {exc.strerror or exc}", "unreadable") from None
    finally:
        os.close(fd)
    if size > limit:
        raise FileRefused(f"{what} is over the {limit:,}-byte limit", "size")
    return b"".join(chunks)
