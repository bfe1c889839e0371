"""What a failed CMake configure or Ninja build says, as the few lines a person needs (pure).

With parallel jobs the last lines of a build's output are other steps' warnings, and CMake puts a
failed configure's reason in the continuation lines of its ``CMake Error``: these functions pick
the lines that say why, so the error the user reads is the compiler's, the linker's or CMake's own.
"""

from __future__ import annotations

import re
from typing import Optional

#: A Ninja progress line (``[n/m] ...``).
NINJA_STEP = re.compile(r"^\[(\d+)/(\d+)\]")
#: The linker's own lines: GNU ld/gold/lld naming themselves (``/usr/bin/ld: x.o: in function ...``), the
#: undefined/duplicate symbol reports (``x.cc:(.text+0x5): undefined reference to ...``), lld's ``>>>`` context.
_LINKER_LINE = re.compile(r"^(\S*/)?(\S+-)?(ld|ld\.bfd|ld\.gold|ld\.lld|lld)(\.exe)?: "
                          r"|: (undefined reference to|multiple definition of) |^>>> ")
#: At most this many lines of the failed steps' output go into the error.
FAILURE_LINES = 20


def ninja_failures(lines: list[str], limit: int = FAILURE_LINES) -> list[str]:
    """The lines that say why Ninja stopped: each ``FAILED:`` step's compiler errors.

    A failed step's output runs from its ``FAILED:`` line to the next step line
    (``[n/m] ...``) or ``ninja: build stopped``; with parallel jobs the last lines
    of the whole output are usually other steps' warnings, so the tail hides the
    error. From each block the ``FAILED:`` line and the lines naming an error or
    coming from the linker (:data:`_LINKER_LINE`: a failed link's cause is in ld's
    own lines, its only "error" line is collect2's summary) are kept, all of its
    lines when none is, up to ``limit`` lines in all.
    """
    kept: list[str] = []
    block: Optional[list[str]] = None

    def close() -> None:
        if block:
            errors = [line for line in block[1:] if "error" in line.lower() or _LINKER_LINE.search(line)]
            kept.extend([block[0], *(errors or block[1:])])

    for line in lines:
        if line.startswith("FAILED:"):
            close()
            block = [line]
        elif block is not None and (NINJA_STEP.match(line) or line.startswith("ninja: ")):
            close()
            block = None
        elif block is not None:
            block.append(line)
    close()
    return kept[:limit]


#: Lines of a failed configure (CMake's or a FetchContent sub-build's git/curl) that say why, wherever they are.
_REASON = re.compile(r"(Failed to (clone|download|checkout)|Could not resolve host|fatal: |Connection refused|"
                     r"HASH mismatch|Timeout was reached)", re.IGNORECASE)


def cmake_failures(lines: list[str], limit: int = FAILURE_LINES) -> list[str]:
    """What a failed ``cmake`` configure says: each ``CMake Error`` line with its indented continuation
    lines (where CMake puts the reason), and any line naming a failed clone, download or host lookup."""
    kept: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("CMake Error"):
            inside = True
            kept.append(line)
        elif inside and (line.startswith(" ") or not line.strip()):
            if line.strip() and not line.lstrip().startswith(("Call Stack", "CMakeLists.txt:")):
                kept.append(line)
            elif line.lstrip().startswith("Call Stack"):
                inside = False
        else:
            inside = False
            if _REASON.search(line) and line not in kept:
                kept.append(line)
    return kept[:limit]


def failed_dependencies(lines: list[str]) -> list[str]:
    """The FetchContent names a failed configure reports (``Build step for eigen failed``, ``eigen-populate``)."""
    names: list[str] = []
    for line in lines:
        for m in re.finditer(r"Build step for ([A-Za-z0-9_-]+) failed|\b([A-Za-z0-9_-]+)-populate\b", line):
            name = m.group(1) or m.group(2)
            if name not in names:
                names.append(name)
    return names
