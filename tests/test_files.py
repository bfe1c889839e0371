"""The shared file primitives: streaming hash, atomic durable writes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from tflite_slim import files


@pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, (1 << 20) + 7, 3 << 20])
def test_sha256_file_matches_hashlib_across_chunk_boundaries(tmp_path: Path, size: int) -> None:
    data = bytes(i % 251 for i in range(size))
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert files.sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_sha256_file_missing_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        files.sha256_file(tmp_path / "nope")


def test_write_atomic_replaces_with_umask_mode_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "meta.xml"
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    files.write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["meta.xml"]


def test_failed_write_leaves_target_and_no_temp(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()  # os.replace cannot put a file over a directory
    (tmp_path / "target" / "keep").write_text("x")
    with pytest.raises(OSError):
        files.write_atomic(tmp_path / "target", b"data")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["target", "target/keep"]


def test_missing_directory_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        files.write_atomic(tmp_path / "no" / "such.json", b"{}")


def _read_fifo(path: Path, into: list) -> threading.Thread:
    """A reader, as `cat fifo` would be: opening the FIFO for writing waits until it is there."""
    def read() -> None:
        with open(path, "rb") as f:
            into.append(f.read())

    t = threading.Thread(target=read, daemon=True)
    t.start()
    return t


def test_write_output_writes_through_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list = []
    reader = _read_fifo(fifo, got)
    files.write_output(fifo, b"report\n" * 20000)  # more than a pipe buffer: the reader drains it
    reader.join(10)
    assert got == [b"report\n" * 20000]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temp file left, nothing renamed over it


def _null_device(tmp_path: Path) -> Path:
    """A /dev/null node of our own (replacing it harms nothing), else /dev/null itself."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        with open(node, "wb"):
            pass
        return node
    except OSError:  # not root, or a nodev file system
        with contextlib.suppress(FileNotFoundError):
            node.unlink()
        return Path("/dev/null")


def test_write_output_writes_through_a_character_device(tmp_path: Path) -> None:
    for device in {_null_device(tmp_path), Path("/dev/null")}:
        before = os.lstat(device)
        files.write_output(device, b"<html></html>\n")
        after = os.lstat(device)
        assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not [p for p in tmp_path.iterdir() if p.name != "null"]


def _socket(path: Path) -> Path:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()
    return path


@pytest.mark.parametrize(
    "make, kind",
    [
        (lambda p: (p.parent / "real.json").write_text("mine") and p.symlink_to("real.json"), "symlink"),
        (lambda p: p.symlink_to("missing.json"), "symlink"),
        (lambda p: p.mkdir(), "directory"),
        (_socket, "socket"),
    ],
)
def test_write_output_refuses_what_is_not_a_regular_file(tmp_path: Path, make, kind: str) -> None:
    target = tmp_path / "out.json"
    make(target)
    before = sorted((p.name, os.lstat(p).st_mode, os.lstat(p).st_ino) for p in tmp_path.iterdir())
    with pytest.raises(files.NotARegularFile, match=f"it is a {kind}, not a regular file; refusing to replace it"):
        files.check_output(target)
    with pytest.raises(files.NotARegularFile) as e:
        files.write_output(target, b"{}")
    assert e.value.strerror == f"it is a {kind}, not a regular file; refusing to replace it"
    assert sorted((p.name, os.lstat(p).st_mode, os.lstat(p).st_ino) for p in tmp_path.iterdir()) == before
    if (tmp_path / "real.json").exists():
        assert (tmp_path / "real.json").read_text() == "mine"


def test_write_output_replaces_a_regular_file_and_creates_a_new_one(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text("old")
    files.write_output(old, b"new")
    files.write_output(tmp_path / "fresh.json", b"fresh")
    files.check_output(old)
    files.check_output(tmp_path / "nope.json")
    assert (old.read_bytes(), (tmp_path / "fresh.json").read_bytes()) == (b"new", b"fresh")


def test_write_if_changed_leaves_an_unchanged_file_alone(tmp_path: Path) -> None:
    # Ninja rebuilds what depends on a file whose mtime moved: equal content must keep the old file.
    path = tmp_path / "new" / "dir" / "include.cmake"
    files.write_if_changed(path, "set(x 1)\n")  # the parent is created
    assert path.read_bytes() == b"set(x 1)\n"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    inode = path.stat().st_ino
    files.write_if_changed(path, b"set(x 1)\n")
    assert path.stat().st_mtime_ns == 1_000_000_000 and path.stat().st_ino == inode
    files.write_if_changed(path, "set(x 2)\n")
    assert path.read_text() == "set(x 2)\n" and path.stat().st_mtime_ns != 1_000_000_000


def test_read_text_or_none(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("é", encoding="utf-8")
    assert files.read_text_or_none(tmp_path / "f") == "é"
    assert files.read_text_or_none(tmp_path / "missing") is None
    assert files.read_text_or_none(tmp_path) is None  # a directory
