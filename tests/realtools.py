"""Real tools from Debian for the ELF and packaging tests: clang + lld, aapt2, zipalign.

Each fixture skips with the install command when its tool is absent, except
under ``CI=true`` (``.ci/run`` installs them), where it fails: the same rule as
the ``gradle`` fixture in conftest.py. Test modules import the fixtures they use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest

#: Android's four ABIs and the clang target triple the NDK compiles them with (API 21).
TRIPLES = {
    "arm64-v8a": "aarch64-linux-android21",
    "armeabi-v7a": "armv7a-linux-androideabi21",
    "x86": "i686-linux-android21",
    "x86_64": "x86_64-linux-android21",
}
#: Freestanding C: code, read-only data and writable data, so lld emits R, RX and RW LOAD segments.
SOURCE = """\
static const char name[] = "tflite-slim";
int calls = 1;
const char *slim_name(void) { calls++; return name; }
int slim_add(int a, int b) { return a + b + calls; }
"""


def require(tool: str, install: str) -> str:
    """The path of ``tool``, or skip (fail under CI) naming what to install."""
    exe = shutil.which(tool)
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is not installed; .ci/run installs it (apt-get install {install})")
        pytest.skip(f"{tool} is not installed (apt-get install {install})")
    return exe


@pytest.fixture(scope="session")
def link_so(tmp_path_factory) -> Callable[[str, bool], bytes]:
    """``link_so(abi, align_16kb)``: a real Android ``.so`` linked by Debian's clang and lld."""
    clang = require("clang", "clang lld")
    require("ld.lld", "lld")
    work = tmp_path_factory.mktemp("clang")
    (work / "slim.c").write_text(SOURCE)
    cache: dict[tuple[str, bool], bytes] = {}

    def link(abi: str, align_16kb: bool) -> bytes:
        if (abi, align_16kb) not in cache:
            out = work / f"{abi}-{int(align_16kb)}.so"
            argv = [clang, f"--target={TRIPLES[abi]}", "-shared", "-fPIC", "-nostdlib", "-fuse-ld=lld", "-O2",
                    "-o", str(out), str(work / "slim.c")]
            if align_16kb:
                argv.insert(-3, "-Wl,-z,max-page-size=16384")
            done = subprocess.run(argv, capture_output=True, text=True)
            assert done.returncode == 0, f"{' '.join(argv)} failed:\n{done.stderr}"
            cache[(abi, align_16kb)] = out.read_bytes()
        return cache[(abi, align_16kb)]

    return link


@pytest.fixture(scope="session")
def aapt2() -> str:
    return require("aapt2", "android-sdk-build-tools")


@pytest.fixture(scope="session")
def zipalign() -> str:
    return require("zipalign", "android-sdk-build-tools")


def run(argv: list, cwd: "Path | None" = None) -> subprocess.CompletedProcess:
    """Run a real tool, capturing text output (the assertions read it)."""
    return subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True)
