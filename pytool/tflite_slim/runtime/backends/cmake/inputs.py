"""What a CMake build directory's objects depend on besides the configure command: the trees' content.

Ninja decides what to rebuild by timestamps only, so a tree replaced by files
with *older* dates (the next release extracted over the previous one,
``rsync -a``, ``cp -p``, a re-pointed ``--cmake-dep-source`` symlink) looks up
to date and the old library would be linked again. The CMake backend therefore
keys its build directory on :func:`content_digest` of every tree the build
reads (the TFLite directory, ``TENSORFLOW_SOURCE_DIR``, the dependency
mirrors): other content, another build directory; the same content, the same
directory, where Ninja's timestamps are right again.

The digest reads every file once (linear in the trees' size: a LiteRT
``tflite/`` tree and a TensorFlow checkout take a few seconds); ``.git``
directories are skipped (the checkout's files are hashed themselves), and a
symbolic link to a directory is hashed by its target's name, not followed
(Bazel's ``bazel-*`` output links, link cycles).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Iterable, Sequence

#: Directories never hashed: version control metadata.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})
_CHUNK = 1 << 20


def content_digest(roots: Sequence[Path], skip: Iterable[Path] = ()) -> str:
    """sha256 over each root's files: their paths relative to the root, kinds and contents, in sorted order.

    ``skip``: directories left out wherever they are (the tool's own cache, when
    it lies inside a hashed tree: its build directories change with every build).
    A missing root is hashed as missing (its absence is an input too).
    """
    skipped = {os.path.realpath(p) for p in skip}
    h = hashlib.sha256()
    for root in roots:
        h.update(b"root\0" + str(root).encode("utf-8", "surrogateescape") + b"\0")
        real = os.path.realpath(root)
        if not os.path.isdir(real):
            h.update(b"missing\0")
            continue
        _hash_dir(h, real, "", skipped)
    return h.hexdigest()


def _hash_dir(h: "hashlib._Hash", top: str, rel: str, skipped: set[str]) -> None:
    directory = os.path.join(top, rel) if rel else top
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as e:
        h.update(f"unreadable\0{rel}\0{e.errno}\0".encode("utf-8", "surrogateescape"))
        return
    for entry in entries:
        name = os.path.join(rel, entry.name) if rel else entry.name
        tag = name.encode("utf-8", "surrogateescape") + b"\0"
        try:
            if entry.is_symlink() and entry.is_dir():
                h.update(b"dirlink\0" + tag + os.readlink(entry.path).encode("utf-8", "surrogateescape") + b"\0")
            elif entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIPPED_DIRS and os.path.realpath(entry.path) not in skipped:
                    h.update(b"dir\0" + tag)
                    _hash_dir(h, top, name, skipped)
            elif entry.is_file():  # a regular file, or a link to one: its content
                h.update(b"file\0" + tag + _file_digest(entry.path) + b"\0")
            else:  # a dangling link, a socket, a fifo: its kind, never read
                mode = entry.stat(follow_symlinks=False).st_mode
                h.update(b"other\0" + tag + str(stat.S_IFMT(mode)).encode() + b"\0")
        except OSError as e:
            h.update(f"unreadable\0{name}\0{e.errno}\0".encode("utf-8", "surrogateescape"))


def _file_digest(path: str) -> bytes:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.digest()
