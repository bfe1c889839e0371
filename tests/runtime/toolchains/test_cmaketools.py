"""CMake and Ninja found on PATH or in the SDK's cmake/<version>/bin, with real executables built here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import pytest

from tflite_slim.runtime.toolchains import cmaketools
from tflite_slim.runtime.toolchains.sdk import Found


def tool(path: Path, version: str = "") -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho 'cmake version {version}'\n")
    path.chmod(0o755)
    return str(path)


def versions(table: dict) -> cmaketools.VersionOf:
    def version_of(cmake: str) -> Optional[tuple[int, int]]:
        return table.get(cmake)
    return version_of


def which_in(*dirs: Path):
    def which(name: str) -> Optional[str]:
        if os.sep in name:
            return name if os.access(name, os.X_OK) else None
        for d in dirs:
            if os.access(d / name, os.X_OK):
                return str(d / name)
        return None
    return which


@pytest.mark.parametrize("text, expected", [
    ("cmake version 3.22.1\n\nCMake suite maintained", (3, 22)),
    ("cmake3 version 3.31.6-msvc6", (3, 31)),
    ("nothing", None),
])
def test_parse_version(text, expected) -> None:
    assert cmaketools.parse_version(text) == expected


def test_tree_minimum() -> None:
    assert cmaketools.tree_minimum("# x\ncmake_minimum_required(VERSION 3.16)\nproject(tensorflow-lite)") == (3, 16)
    assert cmaketools.tree_minimum(None) is None


def test_path_first_then_the_sdks_newest_cmake_with_its_ninja(tmp_path: Path) -> None:
    sdk = Found(tmp_path / "sdk", "$ANDROID_HOME")
    old = tool(tmp_path / "bin/cmake")
    new = tool(tmp_path / "sdk/cmake/3.22.1/bin/cmake")
    tool(tmp_path / "sdk/cmake/3.22.1/bin/ninja")
    tool(tmp_path / "sdk/cmake/3.10.2.4988404/bin/cmake")
    # CMake 3.16 on PATH is too old for cmake_language(DEFER): the SDK's 3.22.1 is used, with its Ninja.
    found = cmaketools.find(None, None, sdk, (3, 19), versions({old: (3, 16), new: (3, 22)}), which_in(tmp_path / "bin"))
    assert (found.cmake, found.ninja, found.cmake_version, found.problems) == (
        new, str(tmp_path / "sdk/cmake/3.22.1/bin/ninja"), (3, 22), ())
    assert found.notes[0] == f"cmake 3.22: {new} ($ANDROID_HOME's cmake/3.22.1)"
    # A new enough CMake on PATH wins.
    on_path = cmaketools.find(None, None, sdk, (3, 19), versions({old: (3, 25), new: (3, 22)}),
                              which_in(tmp_path / "bin"))
    assert on_path.cmake == old and on_path.problems == ()


def test_nothing_found_names_every_place_looked_and_the_fix(tmp_path: Path) -> None:
    sdk = Found(tmp_path / "sdk", "--sdk")
    old = tool(tmp_path / "bin/cmake")
    found = cmaketools.find(None, None, sdk, (3, 19), versions({old: (3, 16)}), which_in(tmp_path / "bin"))
    assert found.problems == (
        f"--backend cmake: no CMake 3.19+ on PATH nor in {tmp_path}/sdk/cmake ({old} is 3.16); install CMake 3.19+ "
        "and Ninja (Android Studio's SDK Manager: SDK Tools > CMake; or apt-get install cmake ninja-build), or pass "
        "--cmake/--ninja",
        f"--backend cmake: Ninja was not found on PATH nor in {tmp_path}/sdk/cmake/*/bin; install CMake 3.19+ and "
        "Ninja (Android Studio's SDK Manager: SDK Tools > CMake; or apt-get install cmake ninja-build), or pass "
        "--cmake/--ninja")


def test_an_asked_cmake_too_old_is_refused_not_replaced(tmp_path: Path) -> None:
    old = tool(tmp_path / "bin/cmake")
    tool(tmp_path / "bin/ninja")
    found = cmaketools.find(old, None, None, (3, 19), versions({old: (3, 16)}), which_in(tmp_path / "bin"))
    assert found.cmake == old and len(found.problems) == 1
    assert found.problems[0].startswith(f"--cmake {old} is 3.16; the build needs CMake 3.19+")


@pytest.mark.parametrize("text, policy", [
    # XNNPACK 0a655ef5's CMakeLists.txt (its lines): the newest one it sets.
    ("CMAKE_POLICY(SET CMP0074 NEW)\nCMAKE_POLICY(SET CMP0091 NEW)\nCMAKE_POLICY(SET CMP0156 NEW)\n", "CMP0156"),
    ("cmake_policy( set CMP0135 NEW)", "CMP0135"),
    ("cmake_policy(GET CMP0135 x)\ncmake_minimum_required(VERSION 3.15)", None),
    (None, None),
])
def test_newest_policy(text, policy):
    assert cmaketools.newest_policy(text) == policy
