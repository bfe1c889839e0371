"""CMake and Ninja: the ones asked for, else on ``PATH``, else Android Studio's ``<sdk>/cmake/<version>/bin``.

A CMake older than the build needs is passed over (on ``PATH``) or refused
(asked for by ``--cmake``), naming the version found and the one needed:
CMake 3.19 for ``cmake_language(DEFER)`` (how our targets join TFLite's
project), or the tree's own ``cmake_minimum_required`` when that is newer.
The SDK Manager installs Ninja beside its CMake (``cmake/<version>/bin/ninja``).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from tflite_slim.runtime.toolchains.sdk import Found, sdk_tool_dirs

#: ``cmake --version``'s first line -> (major, minor); the runner is passed in (tests, the process seam).
VersionOf = Callable[[str], Optional[tuple[int, int]]]
INSTALL = ("install CMake {need}+ and Ninja (Android Studio's SDK Manager: SDK Tools > CMake; or "
           "apt-get install cmake ninja-build), or pass --cmake/--ninja")
_MINIMUM = re.compile(r"cmake_minimum_required\s*\(\s*VERSION\s+(\d+)\.(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class CmakeTools:
    cmake: str
    ninja: str
    cmake_version: Optional[tuple[int, int]]
    #: One line per tool: where it came from.
    notes: tuple[str, ...] = ()
    #: What is missing or too old (empty: both usable).
    problems: tuple[str, ...] = field(default_factory=tuple)


def parse_version(text: str) -> Optional[tuple[int, int]]:
    m = re.search(r"version (\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def tree_minimum(cmakelists_text: Optional[str]) -> Optional[tuple[int, int]]:
    """The ``cmake_minimum_required(VERSION x.y)`` of a tree's CMakeLists.txt (None: not stated)."""
    m = _MINIMUM.search(cmakelists_text or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


_POLICY = re.compile(r"\bcmake_policy\s*\(\s*SET\s+(CMP\d{4})\s", re.IGNORECASE)


def newest_policy(cmakelists_text: Optional[str]) -> Optional[str]:
    """The newest ``CMAKE_POLICY(SET CMPnnnn ...)`` a CMakeLists.txt sets unguarded (None: none). XNNPACK sets
    policies newer than its ``cmake_minimum_required`` (0a655ef5: CMP0156, which CMake 3.29 introduced, with
    a minimum of 3.15), and a CMake that does not know one stops the configure."""
    found = _POLICY.findall(cmakelists_text or "")
    return max(found) if found else None


def _show(v: tuple[int, int]) -> str:
    return f"{v[0]}.{v[1]}"


def find(cmake: Optional[str], ninja: Optional[str], sdk: Optional[Found], need: tuple[int, int],
         version_of: VersionOf, which: Callable[[str], Optional[str]] = shutil.which) -> CmakeTools:
    """CMake and Ninja for a build needing CMake ``need``; ``cmake``/``ninja``: what was asked (None: find)."""
    notes: list[str] = []
    problems: list[str] = []
    install = INSTALL.format(need=_show(need))
    sdk_bins = [(v, d / "bin") for v, d in sdk_tool_dirs(sdk, "cmake")]
    found_cmake, version = None, None
    if cmake is not None:
        if which(cmake) is None:
            problems.append(f"--cmake {cmake}: not found; {install}")
        else:
            version = version_of(cmake)
            if version is None or version < need:
                problems.append(f"--cmake {cmake} is {_show(version) if version else 'an unknown version'}; "
                                f"the build needs CMake {_show(need)}+; {install}")
            found_cmake = cmake
            notes.append(f"cmake: {cmake} (--cmake)")
    else:
        candidates = [(p, "PATH") for p in [which("cmake")] if p]
        candidates += [(str(b / "cmake"), f"{sdk.how}'s cmake/{v}") for v, b in sdk_bins
                       if sdk is not None and os.access(b / "cmake", os.X_OK)]
        too_old = []
        for path, how in candidates:
            v = version_of(path)
            if v is not None and v >= need:
                found_cmake, version = path, v
                notes.append(f"cmake {_show(v)}: {path} ({how})")
                break
            too_old.append(f"{path} is {_show(v) if v else 'an unknown version'}")
        if found_cmake is None:
            seen = f" ({'; '.join(too_old)})" if too_old else ""
            where = f" nor in {sdk.path / 'cmake'}" if sdk is not None else " (and no Android SDK to look in)"
            problems.append(f"--backend cmake: no CMake {_show(need)}+ on PATH{where}{seen}; {install}")
    found_ninja = None
    if ninja is not None:
        if which(ninja) is None:
            problems.append(f"--ninja {ninja}: not found; {install}")
        found_ninja = ninja
        notes.append(f"ninja: {ninja} (--ninja)")
    else:
        # Beside the CMake used first (the SDK's pairs them), then PATH, then any SDK CMake's.
        beside = [str(Path(found_cmake).parent / "ninja")] if found_cmake and os.sep in found_cmake else []
        candidates = [(p, f"beside {found_cmake}") for p in beside if os.access(p, os.X_OK)]
        candidates += [(p, "PATH") for p in [which("ninja")] if p]
        candidates += [(str(b / "ninja"), f"{sdk.how}'s cmake/{v}") for v, b in sdk_bins
                       if sdk is not None and os.access(b / "ninja", os.X_OK)]
        if candidates:
            found_ninja = candidates[0][0]
            notes.append(f"ninja: {found_ninja} ({candidates[0][1]})")
        else:
            where = f" nor in {sdk.path / 'cmake'}/*/bin" if sdk is not None else ""
            problems.append(f"--backend cmake: Ninja was not found on PATH{where}; {install}")
    return CmakeTools(found_cmake or cmake or "cmake", found_ninja or ninja or "ninja", version,
                      tuple(notes), tuple(problems))
