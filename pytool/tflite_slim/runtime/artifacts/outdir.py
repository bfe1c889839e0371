"""Which ``--out`` directory a build may replace: only one provably written by an earlier build.

A build fills ``OUT`` by swapping in a complete directory, so the previous
``OUT`` is deleted. Anything else of the user's must never be: a file named
``ops.json`` proves nothing (``analyze --format json -o ops.json`` makes one,
and ``build --out "$PWD"`` then deleted a project). So every build writes
:data:`MARKER` into ``OUT``, and a non-empty ``OUT`` is replaced only when it
holds that marker (a regular file with our text) and nothing but the files a
build writes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Collection

from tflite_slim.errors import UsageError

MARKER = ".tflite-slim-build"
MARKER_TEXT = (
    "This directory is the output of 'tflite-slim build --out'. The next build with this --out replaces it\n"
    "whole; tflite-slim replaces a directory only when it holds this file and nothing but build outputs.\n"
)
#: Longer than the text: not our marker, whatever it says.
_MAX_MARKER = 4096


def mark(directory: Path) -> None:
    """Write the marker into a build output being assembled (before it is renamed into place)."""
    (directory / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def is_marked(directory: Path) -> bool:
    """Whether ``directory`` holds our marker: a regular file (not a link) with exactly our text."""
    path = directory / MARKER
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with open(path, "rb") as f:
            return f.read(_MAX_MARKER) == MARKER_TEXT.encode("utf-8")
    except OSError:
        return False


def check_replaceable(out: Path, names: Collection[str]) -> None:
    """A :class:`UsageError` unless ``out`` is absent, empty, or an earlier build's output.

    ``names`` are the files a build writes besides the marker (``ops.json``, the
    AARs); a marked directory holding anything else (a file the user put
    there) is refused too, so nothing but build outputs is ever deleted.
    """
    if not os.path.lexists(out):
        return
    if os.path.islink(out) or not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory; choose an empty or new directory")
    try:
        entries = sorted(os.listdir(out))
    except OSError as e:
        raise UsageError(f"--out {out}: cannot be read ({e.strerror or e}); choose an empty or new directory") from e
    if not entries:
        return
    if not is_marked(out):
        raise UsageError(f"--out {out}: exists and is not a tflite-slim build output (it has no {MARKER} file, "
                         "which every build writes); choose an empty or new directory")
    foreign = [e for e in entries if e != MARKER and (e not in names or not _is_file(out / e))]
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise UsageError(f"--out {out}: holds files a build did not write ({shown}), which replacing it would "
                         "delete; move them out or choose another directory")


def _is_file(path: Path) -> bool:
    """A regular file, not a link or a directory (which could hold anything)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
