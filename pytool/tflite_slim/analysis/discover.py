"""Find the model files a command was pointed at.

A path may be a file (always analyzed, whatever its name: the user named it)
or a directory (searched recursively for names matching the globs, ``*.tflite``
by default). The result is sorted and free of duplicates so reports and
fingerprints do not depend on directory listing order.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable, NoReturn, Sequence

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
    """Matching regular files under ``top``, depth first, links to directories not followed.

    Iterative: os.walk recurses once per level (before Python 3.12), so a
    tree a thousand folders deep ended in a RecursionError traceback. It also
    skips a directory it cannot list unless told otherwise, which left models
    out while verify said "covers all"; that is an error here.
    """
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            _unlistable(e)
        subdirs = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(entry.path)
            # Regular files only (a link to one counts): opening a named pipe would block forever.
            elif any(fnmatch.fnmatchcase(entry.name, p) for p in patterns) and os.path.isfile(entry.path):
                yield entry.path
        stack.extend(reversed(subdirs))


def _unlistable(e: OSError) -> NoReturn:
    raise UsageError(
        f"{e.filename}: cannot list the directory ({e.strerror or e}); make it readable or name the models in it"
    ) from e


def _sort_key(path: str) -> tuple:
    return tuple(os.path.normpath(path).split(os.sep))
