"""An NDK directory whose CMake toolchain file drives this machine's clang for Android's triples.

Mirrors the NDK's interface as Android Studio's SDK Manager installs it (``ndk/<revision>/`` with
``source.properties``' ``Pkg.Revision`` and ``build/cmake/android.toolchain.cmake`` reading
``ANDROID_ABI`` and ``ANDROID_PLATFORM``, compiling with ``clang --target=<triple><level>`` and
linking with lld, each library carrying the ``.note.android.ident`` that the NDK's
``crtbegin_so.o`` adds), not its insides: no Android sysroot installs here, so C and C++ headers and
libraries are Debian's glibc and libstdc++ (the host's for x86_64, ``g++-aarch64-linux-gnu``'s for
arm64-v8a), ``jni.h`` is the JDK's, and ``CMAKE_SYSTEM_NAME`` is Linux (CMake's own Android platform
module would look for a real NDK). The libraries are real ELF files for those machines, with the
API level note, which is what the AAR checks read.
"""

from __future__ import annotations

import glob
import shutil
import subprocess
from pathlib import Path
from typing import Optional, Sequence

from realtools import NOTE_SOURCE

#: ABI -> (clang triple without level, CMake processor, C++ include dirs, C include dirs, libraries).
def _layouts() -> dict[str, tuple[str, str, list[str], list[str], list[str]]]:
    host_cxx = sorted(glob.glob("/usr/include/c++/[0-9]*"))[-1:]
    host_cxx += sorted(glob.glob("/usr/include/x86_64-linux-gnu/c++/[0-9]*"))[-1:]
    arm_cxx = sorted(glob.glob("/usr/aarch64-linux-gnu/include/c++/[0-9]*"))[-1:]
    arm_cxx += [f"{d}/aarch64-linux-gnu" for d in arm_cxx]
    return {
        "x86_64": ("x86_64-linux-android", "x86_64", host_cxx, ["/usr/include/x86_64-linux-gnu", "/usr/include"],
                   ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libc.so.6",
                    "/lib/x86_64-linux-gnu/libgcc_s.so.1"]),
        "arm64-v8a": ("aarch64-linux-android", "aarch64", arm_cxx, ["/usr/aarch64-linux-gnu/include"],
                      ["/usr/aarch64-linux-gnu/lib/libstdc++.so.6", "/usr/aarch64-linux-gnu/lib/libc.so.6",
                       "/usr/aarch64-linux-gnu/lib/libgcc_s.so.1"]),
    }


def missing(abis: Sequence[str]) -> Optional[str]:
    """What this machine lacks to build ``abis`` this way (a Debian package), or None."""
    for tool, package in (("clang", "clang"), ("ld.lld", "lld")):
        if shutil.which(tool) is None:
            return package
    layouts = _layouts()
    for abi in abis:
        _, _, cxx, c, libs = layouts[abi]
        if len(cxx) < 2 or not all(Path(p).exists() for p in [*c, *libs]):
            return "g++-aarch64-linux-gnu" if abi == "arm64-v8a" else "g++"
    return None


TOOLCHAIN = """\
# Stand-in for the NDK's build/cmake/android.toolchain.cmake (see tests/standin/ndk.py): its inputs
# (ANDROID_ABI, ANDROID_PLATFORM), clang for Android's triple, lld, and the NDK's API-level note.
string(REPLACE "android-" "" _level "${{ANDROID_PLATFORM}}")
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ANDROID_ABI ANDROID_PLATFORM)
{abis}
else()
  message(FATAL_ERROR "stand-in NDK: ANDROID_ABI ${{ANDROID_ABI}} is not set up here")
endif()
set(_note "${{CMAKE_CURRENT_LIST_DIR}}/../../notes/${{ANDROID_ABI}}-${{_level}}.o")
if(NOT EXISTS "${{_note}}")
  message(FATAL_ERROR "stand-in NDK: no .note.android.ident object for ${{ANDROID_ABI}} at API level ${{_level}}")
endif()
set(CMAKE_C_COMPILER_TARGET "${{_triple}}${{_level}}")
set(CMAKE_CXX_COMPILER_TARGET "${{_triple}}${{_level}}")
# Appended to the flags the configure command gives (as the NDK's legacy toolchain file does), not _INIT
# values, which a -DCMAKE_CXX_FLAGS=... on the command line would replace.
if(NOT CMAKE_CXX_FLAGS MATCHES "stand-in-ndk")
  set(CMAKE_C_FLAGS "${{CMAKE_C_FLAGS}} -D_STAND_IN_NDK=stand-in-ndk ${{_c_includes}}")
  set(CMAKE_CXX_FLAGS "${{CMAKE_CXX_FLAGS}} -D_STAND_IN_NDK=stand-in-ndk -nostdinc++ ${{_cxx_includes}} ${{_c_includes}}")
endif()
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld -nostdlib ${{_note}} ${{_libs}}")
"""


def make_clang_ndk(root: Path, revision: str, levels: Sequence[int], jni_includes: Sequence[str]) -> Path:
    """``root`` as an NDK of ``revision`` for arm64-v8a and x86_64 at API ``levels`` (see the module docstring)."""
    (root / "build" / "cmake").mkdir(parents=True)
    (root / "source.properties").write_text(f"Pkg.Desc = Android NDK\nPkg.Revision = {revision}\n")
    branches = []
    for i, (abi, (triple, processor, cxx, c, libs)) in enumerate(_layouts().items()):
        jni = " ".join(f"-isystem {d}" for d in jni_includes)
        branches.append(
            f'{"if" if i == 0 else "elseif"}(ANDROID_ABI STREQUAL "{abi}")\n'
            f"  set(_triple {triple})\n  set(CMAKE_SYSTEM_PROCESSOR {processor})\n"
            f'  set(_cxx_includes "{" ".join(f"-isystem {d}" for d in cxx)}")\n'
            f'  set(_c_includes "{" ".join(f"-isystem {d}" for d in c)} {jni}")\n'
            f'  set(_libs "{" ".join(libs)}")')
        notes = root / "notes"
        notes.mkdir(exist_ok=True)
        for level in levels:
            source = notes / f"note{level}.c"
            source.write_text(NOTE_SOURCE.format(api=level))
            subprocess.run(["clang", f"--target={triple}{level}", "-c", str(source), "-o",
                            str(notes / f"{abi}-{level}.o")], check=True)
    (root / "build" / "cmake" / "android.toolchain.cmake").write_text(TOOLCHAIN.format(abis="\n".join(branches)))
    return root
