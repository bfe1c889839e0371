"""Find the model files a command was pointed at.

A path may be a file (always analyzed, whatever its name: the user named it)
or a directory (searched recursively for names matching the globs, ``*.tflite``
by default). The result is sorted and free of duplicates so reports and
fingerprints do not depend on directory listing order.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable, Sequence

from tflite_slim.errors import UsageError

DEFAULT_GLOBS = ("*.tflite",)


def find_models(paths: Sequence[str], globs: Sequence[str] = DEFAULT_GLOBS) -> list[str]:
    """Model files under ``paths``, as paths built from what was given.

    Raises :class:`UsageError` when a path does not exist or nothing matched.
    """
    if not paths:
        raise UsageError("no model path given: name .tflite files or directories to search")
    patterns = tuple(globs) or DEFAULT_GLOBS
    found: dict[str, None] = {}
    for path in paths:
        if os.path.isfile(path):
            found.setdefault(path, None)
        elif os.path.isdir(path):
            for hit in _walk(path, patterns):
                found.setdefault(hit, None)
        elif os.path.exists(path):
            raise UsageError(f"{path}: not a regular file or directory; name model files or folders")
        else:
            raise UsageError(f"{path}: no such file or directory")
    if not found:
        where = ", ".join(paths)
        raise UsageError(
            f"no model files matching {' or '.join(patterns)} found under {where}; "
            "use --glob PATTERN for other names (e.g. --glob '*.bin')"
        )
    return sorted(found, key=_sort_key)


def _walk(top: str, patterns: Sequence[str]) -> Iterable[str]:
    # os.walk skips a directory it cannot list unless told otherwise: a model in
    # an unreadable folder would be left out, and verify would say "covers all".
    for dirpath, dirnames, filenames in os.walk(top, onerror=_unlistable):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            # Regular files only: opening a named pipe would block forever.
            if any(fnmatch.fnmatchcase(name, p) for p in patterns) and os.path.isfile(full):
                yield full


def _unlistable(e: OSError) -> None:
    raise UsageError(
        f"{e.filename}: cannot list the directory ({e.strerror or e}); make it readable or name the models in it"
    ) from e


def _sort_key(path: str) -> tuple:
    return tuple(os.path.normpath(path).split(os.sep))
