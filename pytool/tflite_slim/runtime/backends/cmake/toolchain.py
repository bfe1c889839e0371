"""How the CMake backend compiles each ABI: the toolchains, and the environment the build runs in.

Enters: the CMake settings (``--cxx``, the NDK found), an ABI and the declared API level. Leaves:
:class:`~tflite_slim.runtime.backends.cmake.project.Toolchain` objects, with the facts observed about
them (compilers' resolved paths and ``--version``, the NDK's path and revision), which go into the
build record and the build directory's key, never the version; and the environment variables a
build runs without (:data:`SHELL_BUILD_ENV`).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Mapping, Optional

from tflite_slim import process
from tflite_slim.errors import ToolchainError, UsageError
from tflite_slim.runtime.artifacts import hostjar
from tflite_slim.runtime.artifacts.abis import HOST_ABIS, host_abi
from tflite_slim.runtime.backends.cmake import project as cmake_project
from tflite_slim.runtime.backends.cmake.project import CmakeSettings, Toolchain
from tflite_slim.runtime.trees import observed

NDK_TOOLCHAIN_FILE = "build/cmake/android.toolchain.cmake"
NDK_ENV = ("ANDROID_NDK_HOME", "ANDROID_NDK_ROOT")
#: What CMake, the compilers and the linker read from the environment, which would make a library depend on
#: the shell that built it (and on whichever shell configured its build directory first): CMake and Ninja run
#: without them, and without any ``CMAKE_*``. The compilers are the command line's (``--cxx``, default
#: ``c++``); ``NINJA_STATUS`` would change the progress lines the build's steps are counted from.
SHELL_BUILD_ENV = frozenset({
    "CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "ASM", "ASMFLAGS", "ASM_DIALECT",
    "CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH", "LIBRARY_PATH", "LD_RUN_PATH",
    "GCC_EXEC_PREFIX", "COMPILER_PATH", "DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES", "CCC_OVERRIDE_OPTIONS",
    "NINJA_STATUS"})
ENV_TOOLCHAIN_FILE = "CMAKE_TOOLCHAIN_FILE"


def shell_build_env(environ: Mapping[str, str]) -> list[str]:
    """The variables of ``environ`` a CMake build runs without (:data:`SHELL_BUILD_ENV`, ``CMAKE_*``)."""
    return sorted(k for k in environ if k in SHELL_BUILD_ENV or k.startswith("CMAKE_"))


def host_toolchain(s: CmakeSettings, abi: str, probe: bool, *, host_tools: bool = False) -> Toolchain:
    """A desktop ABI's toolchain; the other desktop ABI is a cross build (its ``host``: this machine's
    default compilers, which build the host tools). ``host_tools``: that native toolchain itself."""
    try:
        native_abi: Optional[str] = host_abi()
    except ValueError:
        native_abi = None
    cross = native_abi != abi
    if cross and s.cxx is None:
        raise UsageError(f"--target-archs {abi}: not this machine's; give a cross compiler "
                         f"(--cxx aarch64-linux-gnu-g++) to build {abi}")
    if cross and native_abi is None:
        raise UsageError(f"--target-archs {abi}: a cross build needs host tools built for this machine, "
                         f"which is not one the CMake backend builds for ({', '.join(HOST_ABIS)})")
    host = host_toolchain(s, native_abi, probe, host_tools=True) if cross and native_abi else None
    # The command line's compilers, always passed: CMake never picks one from $CC/$CXX (see SHELL_BUILD_ENV).
    # The host tools are built with this machine's default ones, whatever --cxx cross compiles with.
    cxx = "c++" if host_tools else (s.cxx or "c++")
    passed = (cmake_project.c_compiler_for(cxx) if host_tools else s.cc or cmake_project.c_compiler_for(cxx), cxx)
    processor = HOST_ABIS[abi] if cross else None
    if not probe:
        return Toolchain(abi, "<compiler>", *passed, system_processor=processor, host=host)
    facts = []
    for kind, compiler in (("cxx", passed[1]), ("cc", passed[0])):
        if compiler is None:  # a C++ compiler whose C compiler we cannot name: CMake probes it
            continue
        found = shutil.which(compiler)
        if found is None:
            what = "C++ compiler" if kind == "cxx" else "C compiler"
            raise ToolchainError(f"--backend cmake: the {what} '{compiler}' was not found; "
                                 "install one (apt-get install g++) or pass --cxx")
        version = process.run([compiler, "--version"], what=f"{compiler} --version").stdout.splitlines()
        facts += [(f"{abi}.{kind}", os.path.realpath(found)),
                  (f"{abi}.{kind}_version", version[0].strip() if version else "")]
    if host is not None:  # the host tools' compiler, recorded and keyed with the cross compiler
        facts += [(f"{abi}.host_tools_{k.partition('.')[2]}", v) for k, v in host.facts]
    javac = hostjar.find_javac()
    # The key's identity: every fact (a wrapper script printing g++'s --version is another compiler).
    identity = "; ".join(f"{k}={v}" for k, v in facts)
    return Toolchain(abi, identity, *passed, jni_includes=hostjar.jni_include_dirs(javac), facts=tuple(facts),
                     system_processor=processor, host=host)


def android_toolchain(s: CmakeSettings, abi: str, api_level: Optional[int], probe: bool) -> Toolchain:
    """An Android ABI's toolchain: the NDK's toolchain file at the declared API level, and the host tools' native one."""
    ndk = s.ndk or next((os.environ[v] for v in NDK_ENV if os.environ.get(v)), None)
    if api_level is None and probe:  # declared only: it is the NDK toolchain's ANDROID_PLATFORM and in the version
        raise UsageError(f"--target-archs {abi} with --backend cmake: declare the Android API level "
                         "(--min-sdk N, the app's minSdk, or --android-api-level N)")
    if ndk is None:
        if probe:
            raise ToolchainError(f"--backend cmake for {abi} needs the Android NDK: install it (Android "
                                 "Studio's SDK Manager, NDK r26+) and set ANDROID_NDK_HOME")
        ndk = "$ANDROID_NDK_HOME"
    toolchain_file = Path(ndk) / NDK_TOOLCHAIN_FILE
    if probe and not toolchain_file.is_file():
        raise ToolchainError(f"{toolchain_file} is missing: ANDROID_NDK_HOME={ndk} is not an NDK "
                             "(install one with Android Studio's SDK Manager)")
    # The NDK's toolchain file makes this a cross build (CMAKE_CROSSCOMPILING), for which TFLite's
    # CMakeLists.txt demands host tools (a flatc for this machine, TFLITE_HOST_TOOLS_DIR) as for any other.
    try:
        native_abi = host_abi()
    except ValueError as e:
        raise ToolchainError(f"--target-archs {abi} with --backend cmake: TFLite's CMake build needs host tools "
                             f"(flatc) built for this machine, and {e}") from e
    host = host_toolchain(s, native_abi, probe, host_tools=True)
    if not probe:
        return Toolchain(abi, "ndk <ndk>", toolchain_file=str(toolchain_file), api_level=api_level, host=host)
    revision = ndk_revision(Path(ndk)) or "unknown"
    facts = ((f"{abi}.ndk", os.path.realpath(ndk)), (f"{abi}.ndk_revision", revision),
             *((f"{abi}.host_tools_{k.partition('.')[2]}", v) for k, v in host.facts))
    return Toolchain(abi, f"ndk {revision} {os.path.realpath(ndk)}", toolchain_file=str(toolchain_file),
                     api_level=api_level, facts=facts, host=host)


def make_build_dir(build_dir: Path) -> None:
    """Create ``build_dir``; a file in its way (or an unwritable cache) is one line naming it, never removed."""
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        return
    except OSError as e:
        cause = e
    blocker = next((p for p in (build_dir, *build_dir.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise UsageError(f"{blocker} is not a directory, and the CMake build directory {build_dir} goes there: "
                         "move it away or set --cache-dir to another directory") from cause
    raise UsageError(f"cannot create the CMake build directory {build_dir} ({cause.strerror or cause}); "
                     "set --cache-dir to a directory you can write") from cause


def check_ndk(declared: str, facts: dict[str, str], abi: str) -> None:
    """``--ndk-version`` against the NDK the CMake backend builds ``abi`` with (as :mod:`observed` does for Bazel)."""
    ndk, found = facts[f"{abi}.ndk"], facts[f"{abi}.ndk_revision"]
    if found == "unknown":
        raise ToolchainError(f"--ndk-version {declared}: cannot read the revision of the NDK at {ndk} "
                             "(no Pkg.Revision in source.properties)")
    if not observed.ndk_matches(declared, found):
        raise ToolchainError(f"--ndk-version {declared}: the NDK at {ndk} is {found}; "
                             f"set ANDROID_NDK_HOME to NDK {declared} or declare {found}")


def ndk_revision(ndk: Path) -> Optional[str]:
    """``Pkg.Revision`` from the NDK's ``source.properties`` (None when unreadable)."""
    try:
        text = (ndk / "source.properties").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(r"^\s*Pkg\.Revision\s*=\s*(\S+)", text, re.MULTILINE)
    return m.group(1) if m else None
