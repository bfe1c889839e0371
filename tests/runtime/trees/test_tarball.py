"""Extraction with the ``data`` filter's guarantees, checked on archives built member by member."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import time
from pathlib import Path
from typing import Optional

import pytest

from tflite_slim.runtime.trees import tarball
from tflite_slim.errors import NetworkError

TOP = "tensorflow-2.16.1"
RECORD = ".tflite-slim-source.json"


def member(name: str, kind: bytes = tarfile.REGTYPE, *, data: bytes = b"", mode: int = 0o644,
           link: str = "", uid: int = 0, gid: int = 0) -> tuple[tarfile.TarInfo, Optional[bytes]]:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname, info.uid, info.gid = kind, mode, link, uid, gid
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data if kind == tarfile.REGTYPE else None


def archive(tmp_path: Path, *members, gzip_layers: int = 1) -> Path:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT, pax_headers={"comment": "c0ffee"}) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    raw = buf.getvalue()
    for _ in range(gzip_layers):
        raw = gzip.compress(raw, mtime=0)
    path = tmp_path / "a.tar.gz"
    path.write_bytes(raw)
    return path


def tree(*extra) -> tuple:
    return (
        member(TOP, tarfile.DIRTYPE, mode=0o755),
        member(f"{TOP}/tensorflow/lite/c/c_api_internal.h", data=b"// header\n"),
        member(f"{TOP}/configure", data=b"#!/bin/sh\n", mode=0o755),
        *extra,
    )


def test_files_and_dirs_are_ours_without_special_bits(tmp_path: Path) -> None:
    path = archive(tmp_path, *tree(
        member(f"{TOP}/suid", data=b"x", mode=0o4755, uid=4242, gid=4242),
        member(f"{TOP}/sgid-sticky", data=b"y", mode=0o3777, uid=4242, gid=4242),
        member(f"{TOP}/open", tarfile.DIRTYPE, mode=0o1777, uid=4242),
    ))
    done = tarball.extract(path, tmp_path / "x", "origin")
    assert done.top == tmp_path / "x" / TOP and done.pax_headers["comment"] == "c0ffee"
    mask = os.umask(0)
    os.umask(mask)
    expect = {"configure": 0o755, "suid": 0o755, "sgid-sticky": 0o755, "open": 0o755,
              "tensorflow/lite/c/c_api_internal.h": 0o644}
    for rel, mode in expect.items():
        st = os.lstat(done.top / rel)
        assert stat.S_IMODE(st.st_mode) == mode & ~mask, rel
        assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid()), rel  # never the archive's 4242, even as root
    assert (done.top / "suid").read_bytes() == b"x"


def test_in_tree_relative_symlinks_are_kept(tmp_path: Path) -> None:
    """TensorFlow's tree has links like experimental/c/c_api_types.h -> ../../c/c_api_internal.h."""
    path = archive(tmp_path, *tree(
        member(f"{TOP}/tensorflow/lite/experimental/c/c_api_types.h", tarfile.SYMTYPE, link="../../c/c_api_internal.h"),
        member(f"{TOP}/tensorflow/lite/cdir", tarfile.SYMTYPE, link="c"),
        member(f"{TOP}/tensorflow/lite/via-dir-link.h", tarfile.SYMTYPE, link="cdir/c_api_internal.h"),
    ))
    top = tarball.extract(path, tmp_path / "x", "origin").top
    link = top / "tensorflow/lite/experimental/c/c_api_types.h"
    assert link.is_symlink() and link.read_bytes() == b"// header\n"
    assert (top / "tensorflow/lite/via-dir-link.h").read_bytes() == b"// header\n"


@pytest.mark.parametrize(
    "bad, why",
    [
        (member(TOP, tarfile.SYMTYPE, link="/etc"), "is a top-level symlink"),
        (member("evil", tarfile.SYMTYPE, link="."), "is a top-level symlink"),
        (member(f"{TOP}/abs", tarfile.SYMTYPE, link="/etc/passwd"), "is a symlink to .*, outside the tree"),
        (member(f"{TOP}/up", tarfile.SYMTYPE, link="../outside"), "is a symlink to .*, outside the tree"),
        (member(f"{TOP}/a/b/up", tarfile.SYMTYPE, link="../../../outside"), "is a symlink to .*, outside the tree"),
        (member(f"{TOP}/hard", tarfile.LNKTYPE, link=f"{TOP}/configure"), "is a hard link"),
        (member(f"{TOP}/fifo", tarfile.FIFOTYPE), "is a device, FIFO or other special file"),
        (member(f"{TOP}/null", tarfile.CHRTYPE), "is a device, FIFO or other special file"),
        (member(f"{TOP}/disk", tarfile.BLKTYPE), "is a device, FIFO or other special file"),
        (member(f"{TOP}/../escape", data=b"x"), "has an unsafe path"),
        (member("/abs/file", data=b"x"), "has an unsafe path"),
        (member(f"{TOP}/{RECORD}", tarfile.SYMTYPE, link="configure"), "uses a name tflite-slim reserves"),
        (member(f"{TOP}/{RECORD}", data=b"{}"), "uses a name tflite-slim reserves"),
    ],
)
def test_unsafe_members_are_refused_by_name_before_anything_is_written(tmp_path: Path, bad, why: str) -> None:
    path = archive(tmp_path, *tree(bad))
    with pytest.raises(NetworkError, match=f"origin: member '{bad[0].name}' {why}"):
        tarball.extract(path, tmp_path / "x", "origin", reserved={RECORD})
    assert not (tmp_path / "x").exists()


def test_a_link_chain_that_climbs_out_is_refused(tmp_path: Path) -> None:
    """Each link looks in-tree on its own; followed as the OS follows them, the second leaves the tree."""
    path = archive(tmp_path, *tree(
        member(f"{TOP}/x", tarfile.DIRTYPE),
        member(f"{TOP}/x/d", tarfile.SYMTYPE, link=".."),  # -> TOP
        member(f"{TOP}/e", tarfile.SYMTYPE, link="x/d/.."),  # looks like TOP/x, is TOP/..
    ))
    with pytest.raises(NetworkError, match=f"member '{TOP}/e' is a symlink to 'x/d/..', outside the tree"):
        tarball.extract(path, tmp_path / "x", "origin")


def test_nothing_is_written_through_a_link(tmp_path: Path) -> None:
    path = archive(tmp_path, *tree(
        member(f"{TOP}/lite", tarfile.SYMTYPE, link="tensorflow/lite"),
        member(f"{TOP}/lite/planted.h", data=b"x"),
    ))
    with pytest.raises(NetworkError, match=f"member '{TOP}/lite/planted.h' lies below the symlink '{TOP}/lite'"):
        tarball.extract(path, tmp_path / "x", "origin")


@pytest.mark.parametrize("second", [
    member(f"{TOP}/configure", data=b"#!/bin/sh\nevil\n"),
    member(f"{TOP}/configure", tarfile.SYMTYPE, link="tensorflow"),
])
def test_a_member_that_appears_twice_is_refused(tmp_path: Path, second) -> None:
    path = archive(tmp_path, *tree(second))
    with pytest.raises(NetworkError, match=f"member '{TOP}/configure' appears twice"):
        tarball.extract(path, tmp_path / "x", "origin")


def test_one_top_level_directory(tmp_path: Path) -> None:
    path = archive(tmp_path, *tree(member("other/file", data=b"x")))
    with pytest.raises(NetworkError, match="expected one top-level directory in the archive, found 2"):
        tarball.extract(path, tmp_path / "x", "origin")
    path = archive(tmp_path, member(TOP, data=b"a file, not a tree"))
    with pytest.raises(NetworkError, match="is the top-level entry but not a directory"):
        tarball.extract(path, tmp_path / "y", "origin")


@pytest.mark.parametrize("layers", [0, 1, 2])
def test_plain_gzipped_and_doubly_gzipped_archives(tmp_path: Path, layers: int) -> None:
    top = tarball.extract(archive(tmp_path, *tree(), gzip_layers=layers), tmp_path / "x", "origin").top
    assert (top / "configure").read_bytes() == b"#!/bin/sh\n"


@pytest.mark.parametrize("data", [b"", b"not an archive", gzip.compress(b"not a tar either" * 100)])
def test_unreadable_archive(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "a.tar.gz").write_bytes(data)
    with pytest.raises(NetworkError, match=r"^origin: not a readable \.tar\.gz"):
        tarball.extract(tmp_path / "a.tar.gz", tmp_path / "x", "origin")


def test_truncated_archive_is_unreadable(tmp_path: Path) -> None:
    big = member(f"{TOP}/blob", data=os.urandom(200_000))
    whole = archive(tmp_path, *tree(big)).read_bytes()
    (tmp_path / "a.tar.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(NetworkError, match=r"^origin: not a readable \.tar\.gz"):
        tarball.extract(tmp_path / "a.tar.gz", tmp_path / "x", "origin")


def test_write_failure_names_the_destination(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()  # `into` must be new: a leftover is never merged into
    with pytest.raises(NetworkError, match=r"^origin: cannot extract into .*/x \(File exists"):
        tarball.extract(archive(tmp_path, *tree()), tmp_path / "x", "origin")


def test_deep_names_and_link_targets_cost_linear_time(tmp_path: Path) -> None:
    """Deep paths (each check once cost the whole name per level) and long link targets stay cheap.

    Names and link targets longer than PATH_MAX (4096), which no system could create, are refused.
    """
    deep = "/".join(["d"] * 2000)  # 3999 bytes, 2000 levels
    members = [member(f"{TOP}/{deep}/f{i}", data=b"") for i in range(150)]
    links = [member(f"{TOP}/l{i}", tarfile.SYMTYPE, link="/".join(["d"] * 800 + [".."] * 800) + "/configure")
             for i in range(150)]
    started = time.monotonic()
    assert tarball._check([m for m, _ in (*tree(), *links, *members)], "origin", ()) == TOP
    assert time.monotonic() - started < 1
    with pytest.raises(NetworkError, match=r"member '.*' has a path longer than 4096 bytes"):
        tarball.extract(archive(tmp_path, *tree(member(f"{TOP}/{'d/' * 2100}f", data=b""))), tmp_path / "x", "o")
    with pytest.raises(NetworkError, match=r"member '.*/l' is a symlink whose target is longer than 4096 bytes"):
        tarball.extract(archive(tmp_path, *tree(member(f"{TOP}/l", tarfile.SYMTYPE, link="d/" * 2100))),
                        tmp_path / "y", "o")
