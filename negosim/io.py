"""The one writer of every output file: checked target, atomic replace, the user's umask.

Every file negosim writes (results, sweep parts, figures, the JSON Schema, comparison and backtest
tables) goes through :func:`write_with_atomic`.  It refuses a target that is a folder, a device, a
FIFO, a socket or a symbolic link, or whose parent folder is missing or not a folder, with one line
``PATH: cannot write: why`` (a :class:`OutputError`, which the CLI prints with exit 2).  It writes a
temporary file in the target's folder, fsyncs it, gives it the mode ``0o666 & ~umask`` (a plain
``open`` would give; ``mkstemp`` alone gives 0600), renames it over the target and fsyncs the
folder, so a reader never sees half a file and a crash, a full disk or a read-only file system
leaves the old file as it was.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from negosim.errors import UsageError

__all__ = [
    "OutputError",
    "check_target",
    "current_umask",
    "ensure_folder",
    "file_sha256",
    "fsync_folder",
    "make_staging_folder",
    "output_mode",
    "swap_folder",
    "write_bytes_atomic",
    "write_text_atomic",
    "write_with_atomic",
]

# Why a write failed, in the words a user needs (the old file is never touched).
_WHY = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large for this file system or process limit",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
}


class OutputError(UsageError):
    """An output path that cannot be written: ``PATH: cannot write[ WHAT]: why``; ``errno`` says
    why when an OS call failed."""

    def __init__(
        self, path: str | os.PathLike[str], why: str, code: int | None = None, *, what: str = ""
    ):
        self.path = str(path)
        self.why = why
        self.errno = code
        super().__init__(f"{path}: cannot write{' ' + what if what else ''}: {why}")


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder"
    if stat.S_ISLNK(mode):
        return "it is a symbolic link (write to the file it points to instead)"
    if stat.S_ISFIFO(mode):
        return "it is a FIFO"
    if stat.S_ISSOCK(mode):
        return "it is a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device"
    return "it is not a regular file"


def _why(exc: OSError) -> str:
    return _WHY.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


def check_target(path: str | os.PathLike[str]) -> Path:
    """Refuse a target that is not absent or a regular file, or whose parent is not a folder.

    Raises
    ------
    OutputError
        ``PATH: cannot write: why``.
    """
    target = Path(path)
    parent = target.parent
    try:
        parent_mode = os.stat(parent).st_mode
    except FileNotFoundError:
        raise OutputError(target, f"folder {parent} does not exist") from None
    except OSError as exc:
        raise OutputError(target, _why(exc), exc.errno) from None
    if not stat.S_ISDIR(parent_mode):
        raise OutputError(target, f"{parent} is not a folder")
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(target, _why(exc), exc.errno) from None
    kind = _kind(mode)
    if kind is not None:
        raise OutputError(target, kind)
    return target


def ensure_folder(path: str | os.PathLike[str]) -> Path:
    """Create the output folder ``path`` (and its parents) or refuse it in one line.

    Raises
    ------
    OutputError
        If ``path`` (or one of its parents) exists and is not a folder, or cannot be created.
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(folder, "it exists and is not a folder") from None
    except NotADirectoryError:
        raise OutputError(folder, "one of its parents is not a folder") from None
    except OSError as exc:
        raise OutputError(folder, _why(exc), exc.errno) from None
    if os.path.islink(folder):
        raise OutputError(folder, "it is a symbolic link (give the folder it points to)")
    return folder


def current_umask() -> int:
    """The process's umask, read from ``/proc/self/status`` where Linux offers it; elsewhere it
    is set and restored at once (``os.umask`` has no read-only form)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_mode() -> int:
    """The mode a new output file gets: ``0o666`` less the umask, as a plain ``open`` gives."""
    return 0o666 & ~current_umask()


def make_staging_folder(parent: str | os.PathLike[str], prefix: str) -> Path:
    """A fresh hidden folder in ``parent`` with the mode ``mkdir`` would give (``0o777`` less the
    umask; ``mkdtemp`` alone gives 0700), to fill and then swap into place."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, 0o777 & ~current_umask())
    return folder


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a rename in ``folder`` durable (no-op where folders cannot be fsynced)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename is still atomic
    finally:
        os.close(fd)


def write_with_atomic(path: str | os.PathLike[str], write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, fsync it, then rename it over
    ``path``.

    The target is checked first (:func:`check_target`).  On any error the temporary file is
    removed and ``path`` is left as it was; an ``OSError`` becomes an :class:`OutputError`, any
    other exception from ``write`` is raised as it is.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        For a refused target, a full disk, a read-only file system or any other failed write.
    """
    target = check_target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(target, _why(exc), exc.errno) from None
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, output_mode())
        check_target(target)  # nothing became a folder, link or device meanwhile
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(target, _why(exc) + "; nothing was replaced", exc.errno) from None
        raise
    fsync_folder(target.parent)
    return target


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`write_with_atomic`)."""

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            handle.write(data)

    return write_with_atomic(path, write)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`write_with_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False where that is missing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # an old kernel or a file system without it
    raise OSError(code, os.strerror(code), str(b))


def swap_folder(staged: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path | None:
    """Put the finished folder ``staged`` at ``target`` as a whole; return where the old one went.

    ``staged`` must be on the same file system as ``target`` (a sibling).  Where Linux offers it the
    two are exchanged in one atomic step, so ``target`` is always either the old complete folder or
    the new complete one; elsewhere the old folder is first renamed to ``staged + ".old"`` and a
    kill between the two renames leaves ``target`` missing (callers detect that state by the
    staging folder they keep and finish the swap when re-run).  The caller deletes the old folder.

    Returns
    -------
    pathlib.Path or None
        The path now holding the old folder, or None if there was none.
    """
    staged, target = Path(staged), Path(target)
    if not os.path.lexists(target):
        os.rename(staged, target)
        fsync_folder(target.parent)
        return None
    if _exchange(staged, target):
        fsync_folder(target.parent)
        return staged
    old = staged.with_name(staged.name + ".old")
    os.rename(target, old)
    os.rename(staged, target)
    fsync_folder(target.parent)
    return old
