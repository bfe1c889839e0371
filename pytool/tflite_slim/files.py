"""Small file primitives every writer shares: streaming hashes and atomic, durable writes.

They raise plain :class:`OSError`; callers turn it into the error that names
their setting (a report path, a repository, a custom-op source).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Union

PathLike = Union[str, "os.PathLike[str]"]
_CHUNK = 1 << 20


def sha256_file(path: PathLike) -> str:
    """The file's sha256, read in 1 MiB chunks (never the whole file at once)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def umask() -> int:
    """The process umask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fsync_dir(path: PathLike) -> None:
    """Make a rename in ``path`` durable (POSIX); Windows cannot open directories and needs no such step."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file in the same directory, fsync, rename, fsync the directory.

    Readers see the old file or the new one, never part of one; on any failure
    the temp file is removed and ``path`` is untouched. The file gets the
    ordinary umask mode (mkstemp's 0600 would hide it from other users).
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_if_changed(path: PathLike, data: "str | bytes") -> None:
    """:func:`write_atomic` ``data`` (a str as UTF-8), creating the parent, only when the file holds something
    else: an unchanged file keeps its mtime, so a build tool reading it (Ninja) has nothing to redo."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        if target.read_bytes() == raw:
            return
    write_atomic(target, raw)


def read_text_or_none(path: PathLike) -> Optional[str]:
    """The file's UTF-8 text, or None when it cannot be read (missing, a directory, no permission)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return None


class NotARegularFile(OSError):
    """An output path names something we must not replace (a symlink, directory, socket, block device)."""


def check_output(path: PathLike) -> Optional[os.stat_result]:
    """Raise :class:`NotARegularFile` now if :func:`write_output` would refuse ``path``.

    Returns what is there (``lstat``), None when nothing is. Commands that do
    other work first (install) call it up front, so they fail before that work.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
        raise _refusal(st.st_mode)
    return st


def write_output(path: PathLike, data: bytes) -> None:
    """Write a user-named output (``-o``, ``--html``, ``--coordinates-out``) without replacing what is not ours.

    A missing path or a regular file gets :func:`write_atomic`. A FIFO or a
    character device (a named pipe, ``/dev/null``, a terminal) is written
    through, as a shell redirection would: renaming over it would replace the
    node itself (as root, ``--html /dev/null`` would otherwise delete the
    device). Anything else is refused with :class:`NotARegularFile`, including
    any symlink, even one to a regular file (or ``/dev/stdout``, a link to
    whatever fd 1 is): replacing the link would drop it, and writing through
    it would write wherever it points, which the user did not name.
    """
    st = check_output(path)
    if st is None or stat.S_ISREG(st.st_mode):
        return write_atomic(path, data)
    return _write_through(path, data, st)


def _write_through(path: PathLike, data: bytes, before: os.stat_result) -> None:
    """Open the FIFO/character device in place and write ``data`` (opening a FIFO waits for a reader)."""
    # O_NOFOLLOW and the fstat check: if the node was swapped for a symlink or a
    # different file after the lstat, we write nothing rather than into that.
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise NotARegularFile(errno.EEXIST, "it changed while being opened; refusing to write")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _refusal(mode: int) -> NotARegularFile:
    kind = "special file"
    for test, name in ((stat.S_ISLNK, "symlink"), (stat.S_ISDIR, "directory"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            kind = name
    return NotARegularFile(errno.EEXIST, f"it is a {kind}, not a regular file; refusing to replace it")


@contextlib.contextmanager
def locked_dir(path: PathLike, on_wait: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold an exclusive lock on the directory ``path`` (``flock`` on it, so no lock file is left anywhere).

    Another process or thread holding it makes this one call ``on_wait`` once
    and wait. A file system without ``flock`` (some network mounts refuse
    it on a directory) or a platform without it: no lock, the caller runs as before.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            pass  # cannot lock here: nothing to serialize with
        yield
    finally:
        os.close(fd)  # releases the lock


def same_file(path: PathLike, candidates: Iterable[PathLike]) -> Optional[str]:
    """The first of ``candidates`` that is the file ``path`` names (same device and inode), or None.

    For outputs that must never replace an input (``analyze m.tflite -o m.tflite``):
    links, ``./`` and other spellings of one file are all caught. A ``path``
    that does not exist yet is no input.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    for c in candidates:
        try:
            other = os.stat(c)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return os.fspath(c)
    return None
