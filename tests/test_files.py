"""The shared file primitives: streaming hash, atomic durable writes."""

from __future__ import annotations

import hashlib
import os
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
