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
#: The NDK's ``.note.android.ident`` as its crtbegin_so.o carries it (bionic's ``crtbrand.S``: name
#: "Android", type 1, the API level, then the NDK version and build number, 64 bytes each). Debian's
#: clang has no NDK crt files, so a test that needs the note links this; LLVM gives a ``.note*``
#: section SHT_NOTE and lld puts it in a PT_NOTE segment, as with the NDK.
NOTE_SOURCE = """\
__attribute__((section(".note.android.ident"), aligned(4), used))
static const struct {{ int namesz, descsz, type; char name[8]; int api; char ndk[64]; char build[64]; }}
    android_ident = {{8, 132, 1, "Android", {api}, "r27", "tflite-slim test"}};
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
    """``link_so(abi, align_16kb, api=None)``: a real Android ``.so`` linked by Debian's clang and lld.

    With ``api``, linked for ``--target=<triple><api>`` with the NDK's ``.note.android.ident`` for that level.
    """
    clang = require("clang", "clang lld")
    require("ld.lld", "lld")
    work = tmp_path_factory.mktemp("clang")
    (work / "slim.c").write_text(SOURCE)
    cache: dict[tuple[str, bool, "int | None"], bytes] = {}

    def link(abi: str, align_16kb: bool, api: "int | None" = None) -> bytes:
        if (abi, align_16kb, api) not in cache:
            out = work / f"{abi}-{int(align_16kb)}-{api}.so"
            triple = TRIPLES[abi] if api is None else TRIPLES[abi].rstrip("0123456789") + str(api)
            sources = [str(work / "slim.c")]
            if api is not None:
                (work / f"note{api}.c").write_text(NOTE_SOURCE.format(api=api))
                sources.append(str(work / f"note{api}.c"))
            argv = [clang, f"--target={triple}", "-shared", "-fPIC", "-nostdlib", "-fuse-ld=lld", "-O2",
                    "-o", str(out), *sources]
            if align_16kb:
                argv.insert(argv.index("-o"), "-Wl,-z,max-page-size=16384")
            done = subprocess.run(argv, capture_output=True, text=True)
            assert done.returncode == 0, f"{' '.join(argv)} failed:\n{done.stderr}"
            cache[(abi, align_16kb, api)] = out.read_bytes()
        return cache[(abi, align_16kb, api)]

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
