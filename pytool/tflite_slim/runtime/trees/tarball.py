"""Extract a downloaded source archive with the ``data`` filter's guarantees, on every Python we support.

``tarfile``'s ``data`` filter exists only in newer interpreters (3.12, and
security releases of 3.9-3.11), and without it an extraction as root gives
files the archive's uid/gid and keeps setuid bits. So the checks are done
here, before anything is written, and the members are written by us:

* one top-level directory holds everything; no absolute names, no ``..``;
  the top-level entry itself is a directory, never a symlink;
* regular files and directories only, plus symlinks that stay inside the tree.
  TensorFlow's own tree has relative in-tree links (for example
  ``tensorflow/lite/experimental/c/c_api_types.h -> ../../c/c_api_internal.h``)
  and ``git archive``, which makes GitHub's tarballs, keeps them as links, so
  refusing every link would refuse real releases. Hard links, devices and
  FIFOs never occur there and are refused, naming the member;
* nothing is written through a link: a member below a symlink member is
  refused, links are made last, and each must resolve (following the
  archive's other links) inside the tree;
* the files are ours: no archive uid/gid, mode 0644 or 0755 (the owner's
  execute bit decides) under the umask, never setuid/setgid/sticky;
* names we reserve (the source record) cannot come from the archive, so our
  record can never be written through a link the archive planted;
* the extracted size is bounded before anything is written: no sparse member
  (one can expand a few KB into gigabytes), no file over
  :data:`MAX_MEMBER_BYTES`, nothing over :data:`MAX_TOTAL_BYTES` in all.

A ``.tar.gz`` wrapped in one more gzip layer (a mirror that gzip-encodes the
archive on the fly; we store the bytes as sent) is opened too.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import posixpath
import shutil
import tarfile
import zlib
from collections import deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Collection, Iterator, Mapping, Optional, cast

from tflite_slim import files
from tflite_slim.errors import NetworkError

_GZIP_MAGIC = b"\x1f\x8b"
#: Linux's PATH_MAX: no longer name (or link target) can be created, so none is extracted or checked.
PATH_MAX = 4096
#: A .tar.gz plus at most one Content-Encoding layer around it.
_MAX_GZIP_LAYERS = 2
#: What a source tree may extract to, in all and per file. TensorFlow 2.16's tree is about 300 MB
#: and its largest file a few MB; a 6 KB archive of sparse members expanded to 1 GiB.
MAX_TOTAL_BYTES = 4 << 30
MAX_MEMBER_BYTES = 256 << 20


@dataclass(frozen=True)
class Extracted:
    """The extracted tree's top directory and the archive's pax global header (GitHub puts the commit there)."""

    top: Path
    pax_headers: Mapping[str, str]


def extract(archive: Path, into: Path, origin: str, *, reserved: Collection[str] = (),
            only: Optional[Collection[str]] = None) -> Extracted:
    """Check every member of ``archive``, then write them under ``into`` (which must not exist yet).

    ``origin`` names the archive in errors (a redacted URL); ``reserved`` are
    file names the archive may not carry at the top of its tree. ``only``: paths
    below the top directory (``tensorflow/core/example``); then only those
    subtrees (and the directories above them) are written, after the whole
    archive passed the checks.
    Raises :class:`NetworkError`; on error ``into`` may hold a partial tree for
    the caller to delete.
    """
    try:
        with _open(archive) as tar:
            members = tar.getmembers()
            top = _check(members, origin, reserved)
            if only is not None:
                members = [m for m in members if _selected(_parts(m.name)[1:], only)]
            try:
                os.makedirs(into)
                _write(tar, members, into, origin)
            except OSError as e:
                if e.filename is None:  # gzip's and tarfile's read errors name no file
                    raise
                raise NetworkError(f"{origin}: cannot extract into {into} ({e.strerror or e}: {e.filename})") from e
            return Extracted(into / top, dict(tar.pax_headers))
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise NetworkError(f"{origin}: not a readable .tar.gz ({e})") from e


@contextlib.contextmanager
def _open(archive: Path) -> Iterator[tarfile.TarFile]:
    """The tar inside ``archive``: plain, gzip'd, or gzip'd once more."""
    with contextlib.ExitStack() as stack:
        stream: IO[bytes] = stack.enter_context(open(archive, "rb"))
        for _ in range(_MAX_GZIP_LAYERS):
            magic = stream.read(2)
            stream.seek(0)
            if magic != _GZIP_MAGIC:
                break
            stream = cast(IO[bytes], stack.enter_context(gzip.GzipFile(fileobj=stream, mode="rb")))
        yield stack.enter_context(tarfile.open(fileobj=stream, mode="r:"))


def _selected(below_top: tuple[str, ...], only: Collection[str]) -> bool:
    """Whether a member (its path below the top directory) is in, or a directory above, one of ``only``."""
    path = "/".join(below_top)
    return not path or any(path == o or path.startswith(o + "/") or o.startswith(path + "/") for o in only)


def _parts(name: str) -> tuple[str, ...]:
    return tuple(p for p in PurePosixPath(name).parts if p != ".")


def _check(members: list[tarfile.TarInfo], origin: str, reserved: Collection[str]) -> str:
    """Refuse the archive unless every member is safe (see the module docstring); return the top directory."""

    def refuse(member: tarfile.TarInfo, why: str) -> NetworkError:
        return NetworkError(f"{origin}: member {member.name!r} {why}; refusing the archive")

    tops: set[str] = set()
    links: dict[str, tarfile.TarInfo] = {}
    total = 0
    for m in members:
        if m.issparse():
            raise refuse(m, "is a sparse file (git archive never writes one; it would expand on disk)")
        if m.isreg():
            if m.size > MAX_MEMBER_BYTES:
                raise refuse(m, f"would extract to {m.size} bytes, more than the {_mib(MAX_MEMBER_BYTES)} "
                                "a source file may have")
            total += m.size
            if total > MAX_TOTAL_BYTES:
                raise NetworkError(f"{origin}: extracts to more than {_mib(MAX_TOTAL_BYTES)}, far more than a "
                                   "source tree; refusing the archive")
        if len(m.name.encode("utf-8", "surrogateescape")) > PATH_MAX:
            raise refuse(m, f"has a path longer than {PATH_MAX} bytes")
        parts = _parts(m.name)
        if not parts or m.name.startswith("/") or ".." in parts:
            raise refuse(m, "has an unsafe path")
        tops.add(parts[0])
        if m.issym():
            if len(parts) == 1:
                raise refuse(m, "is a top-level symlink")
            if len(m.linkname.encode("utf-8", "surrogateescape")) > PATH_MAX:
                raise refuse(m, f"is a symlink whose target is longer than {PATH_MAX} bytes")
            links["/".join(parts)] = m
        elif not (m.isreg() or m.isdir()):
            kind = "a hard link" if m.islnk() else "a device, FIFO or other special file"
            raise refuse(m, f"is {kind}; only files, directories and in-tree symlinks are allowed")
        if len(parts) == 2 and parts[1] in reserved:
            raise refuse(m, "uses a name tflite-slim reserves for its own record")
    if len(tops) != 1:
        raise NetworkError(f"{origin}: expected one top-level directory in the archive, found {len(tops)}")
    (top,) = tops
    trie = _link_trie(links)
    for m in members:
        parts = _parts(m.name)
        if len(parts) == 1 and not m.isdir():
            raise refuse(m, "is the top-level entry but not a directory")
        node: _Node = trie
        for i, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                break
            if _LINK in child:
                raise refuse(m, f"lies below the symlink {'/'.join(parts[:i + 1])!r}")
            node = child
    for name, m in links.items():
        if m.linkname.startswith("/") or not _resolves_inside(name, m.linkname, trie, top):
            raise refuse(m, f"is a symlink to {m.linkname!r}, outside the tree")
    return top


def _mib(n: int) -> str:
    return f"{n / (1 << 20):g} MiB"


#: A trie of the archive's symlinks by path part; a node holding :data:`_LINK` is a link. Walking it
#: costs one dict lookup per part, where joining each prefix into a string cost the prefix's length.
_Node = dict
_LINK = None


def _link_trie(links: Mapping[str, tarfile.TarInfo]) -> _Node:
    root: _Node = {}
    for name, m in links.items():
        node = root
        for part in name.split("/"):
            node = node.setdefault(part, {})
        node[_LINK] = m
    return root


def _resolves_inside(name: str, target: str, trie: _Node, top: str) -> bool:
    """Whether the link ``name`` -> ``target`` resolves inside ``top``, following the archive's links as the OS would."""
    path = list(_parts(posixpath.dirname(name)))
    # nodes[i] is the trie node of path[:i] (None once off every link's path).
    nodes: list[Optional[_Node]] = [trie]
    for part in path:
        parent = nodes[-1]
        nodes.append(parent.get(part) if parent is not None else None)
    todo = deque(p for p in target.split("/") if p not in ("", "."))
    hops = 0
    while todo:
        part = todo.popleft()
        if part == "..":
            if len(path) <= 1:  # above the top directory
                return False
            path.pop()
            nodes.pop()
            continue
        parent = nodes[-1]
        node = parent.get(part) if parent is not None else None
        if node is not None and _LINK in node:
            hops += 1
            if hops > 40:  # a loop: the OS gives up too (ELOOP)
                return False
            link = node[_LINK].linkname
            if link.startswith("/"):
                return False
            todo.extendleft(reversed([p for p in link.split("/") if p not in ("", ".")]))
            continue
        path.append(part)
        nodes.append(node)
    return bool(path) and path[0] == top


def _write(tar: tarfile.TarFile, members: list[tarfile.TarInfo], into: Path, origin: str) -> None:
    """Directories and files first, links last; modes are ours, owners are us."""
    mask = files.umask()
    for m in members:
        dest = into.joinpath(*_parts(m.name))
        if m.isdir():
            dest.mkdir(parents=True, exist_ok=True)
            os.chmod(dest, 0o755 & ~mask)
        elif m.isreg():
            dest.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(m)
            if source is None:
                raise NetworkError(f"{origin}: member {m.name!r} has no data")
            try:
                # "x": a second member of the same name is refused, never merged or followed.
                with source, open(dest, "xb") as f:
                    shutil.copyfileobj(source, f, 1 << 20)
            except FileExistsError as e:
                raise NetworkError(f"{origin}: member {m.name!r} appears twice; refusing the archive") from e
            os.chmod(dest, (0o755 if m.mode & 0o100 else 0o644) & ~mask)
    for m in members:
        if m.issym():
            dest = into.joinpath(*_parts(m.name))
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.symlink(m.linkname, dest)
            except FileExistsError as e:
                raise NetworkError(f"{origin}: member {m.name!r} appears twice; refusing the archive") from e
