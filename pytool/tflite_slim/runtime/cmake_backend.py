"""The CMake backend: TFLite's own CMake build plus our trimmed JNI library, no Bazel.

Per ABI, TFLite's CMake project is configured once in a build directory of the
cache, ``<cache>/cmake/<key>/``, keyed by everything that changes its objects
and nothing else: the source tree (a release's cached copy or the user's
checkout, by path: Ninja itself tracks edits to its files), the ABI, the
compiler's identity (``g++ --version``, the NDK revision), the options and the
dependency mirrors. The op set is not in the key: it lives in one generated
file (:data:`cmake_project.REGISTRATION_FILE`), rewritten only when it
changes, so a new op set costs Ninja one compile of it, one of the resolver,
and a link (see :mod:`tflite_slim.runtime.cmake_project` for how our targets
join TFLite's project and why the link order is right).

A build directory is used by one build at a time (an advisory lock next to
it); the finished ``.so`` is copied out before the lock is released. Every
command goes through :func:`tflite_slim.process.run`; :meth:`CmakeBackend.stop`
interrupts the running one (Ninja stops its compilers and removes their
half-written objects).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional

from contextlib import contextmanager

from tflite_slim import files, process
from tflite_slim.errors import BuildError, CommandFailed, ToolchainError, UsageError
from tflite_slim.runtime import cmake_project, hostjar
from tflite_slim.runtime.cmake_project import Toolchain

Log = Callable[[str], None]

#: Bumped when what we pass to CMake changes the objects for an equal key.
KEY_FORMAT = 1
#: ``--target-archs`` names of the desktop builds, and the machine name each needs.
HOST_ABIS = {"linux-x86_64": "x86_64", "linux-aarch64": "aarch64"}
NDK_TOOLCHAIN_FILE = "build/cmake/android.toolchain.cmake"
NDK_ENV = ("ANDROID_NDK_HOME", "ANDROID_NDK_ROOT")
INSTALL_CMAKE = "install CMake 3.19+ and Ninja (apt-get install cmake ninja-build, or Android Studio's SDK Manager)"
FLEX_NEEDS_BAZEL = ("the models use Flex (select TensorFlow) ops, which TFLite's CMake build cannot build: "
                    "build with --backend local (Bazel) instead")
_NINJA_STEP = re.compile(r"^\[(\d+)/(\d+)\]")


def host_abi(machine: Optional[str] = None) -> str:
    """``host`` for this machine: ``linux-x86_64`` or ``linux-aarch64``; other hosts are a UsageError."""
    machine = machine or platform.machine()
    for abi, m in HOST_ABIS.items():
        if machine in (m, "amd64" if m == "x86_64" else "arm64"):
            if platform.system() == "Linux":
                return abi
    raise UsageError(f"--target-archs host: this machine ({platform.system()} {machine}) is not one the CMake "
                     f"backend builds for ({', '.join(HOST_ABIS)})")


@dataclass(frozen=True)
class CmakeSettings:
    """The CMake backend's options (``--cmake``, ``--ninja``, ``--cmake-dep-source``, compilers, NDK)."""

    cmake: str = "cmake"
    ninja: str = "ninja"
    cc: Optional[str] = None
    cxx: Optional[str] = None
    #: A cross compiler for ``linux-aarch64`` (``aarch64-linux-gnu-g++``); None builds only the machine's own.
    cross_cxx: Optional[str] = None
    ndk: Optional[str] = None
    #: FetchContent name -> local directory (``FETCHCONTENT_SOURCE_DIR_<NAME>``).
    dep_sources: Mapping[str, str] = field(default_factory=dict)
    #: ``TENSORFLOW_SOURCE_DIR``: LiteRT's CMake build reads some files from a TensorFlow tree beside it.
    tensorflow_dir: Optional[str] = None
    jobs: Optional[int] = None


@dataclass(frozen=True)
class NativeJob:
    """One trimmed-library build: what the backend needs from the plan and the tree."""

    #: The tree's TFLite directory (``<root>/tflite`` or ``<root>/tensorflow/lite``).
    lite_dir: Path
    abis: tuple[str, ...]
    registration: str
    experimental_api: bool = True
    align_16kb: bool = True
    #: Custom-op sources (host paths), compiled with the registration.
    custom_sources: tuple[str, ...] = ()
    has_flex: bool = False
    #: Android API level (declared by the plan) for the NDK's toolchain file.
    api_level: Optional[int] = None
    ndk_revision: Optional[str] = None
    work_dir: Path = Path(".")
    log: Log = print


@dataclass(frozen=True)
class AbiResult:
    abi: str
    library: Path
    steps: int
    seconds: float
    build_dir: Path


class CmakeBackend:
    """Builds ``libtensorflowlite_jni.so`` per ABI (and the host's Java API jar) with CMake and Ninja."""

    def __init__(self, settings: CmakeSettings, cache_root: Path) -> None:
        self.settings = settings
        self.cache_root = Path(cache_root)
        self._running: Optional[subprocess.Popen] = None
        self._stopped = False

    # -- the backend interface ------------------------------------------------------------------

    def commands(self, job: NativeJob) -> list[list[str]]:
        """The configure and build command of every ABI, for ``--dry-run`` (tools not looked up)."""
        argv = []
        for abi in job.abis:
            toolchain = self._toolchain(job, abi, probe=False)
            build_dir = self.build_dir(job, toolchain)
            argv.append(self._configure_argv(job, toolchain, build_dir))
            argv.append(cmake_project.build_argv(self.settings.ninja, build_dir, jobs=self.settings.jobs))
        return argv

    def prepare(self, job: NativeJob) -> dict[str, Toolchain]:
        """Check every tool before anything runs; a missing one is one line saying what to install."""
        if job.has_flex:
            raise ToolchainError(FLEX_NEEDS_BAZEL)
        self._check_cmake()
        return {abi: self._toolchain(job, abi, probe=True) for abi in job.abis}

    def build(self, job: NativeJob) -> dict[str, AbiResult]:
        """Build every ABI's library; return ABI -> result (the ``.so`` copied into ``job.work_dir``)."""
        toolchains = self.prepare(job)
        results = {}
        for abi in job.abis:
            results[abi] = self._build_abi(job, toolchains[abi])
        return results

    def stop(self) -> None:
        """Interrupt the running CMake or Ninja (from another thread, or a signal handler)."""
        self._stopped = True
        if self._running is not None:
            process.stop(self._running)

    # -- one ABI --------------------------------------------------------------------------------

    def build_dir(self, job: NativeJob, toolchain: Toolchain) -> Path:
        return self.cache_root / "cmake" / self.key(job, toolchain)[:16]

    def key(self, job: NativeJob, toolchain: Toolchain) -> str:
        """The build directory's key: the configure command (source, ABI, options, mirrors) and the compiler."""
        argv = self._configure_argv(job, toolchain, Path("<build>"))
        data = {"format": KEY_FORMAT, "configure": argv[1:], "compiler": toolchain.compiler_id,
                "glue": list(self._glue(job)), "custom_sources": sorted(job.custom_sources),
                "align_16kb": job.align_16kb}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()

    def _configure_argv(self, job: NativeJob, toolchain: Toolchain, build_dir: Path) -> list[str]:
        s = self.settings
        return cmake_project.configure_argv(
            s.cmake, source_dir=job.lite_dir, build_dir=build_dir,
            include_file=build_dir / cmake_project.INCLUDE_FILE, toolchain=toolchain,
            tensorflow_dir=Path(s.tensorflow_dir) if s.tensorflow_dir else None,
            dep_sources=s.dep_sources, ninja=s.ninja if os.sep in s.ninja else None)

    def _glue(self, job: NativeJob) -> tuple[str, ...]:
        native = job.lite_dir / cmake_project.JNI_SOURCE_DIR
        present = [p.name for p in native.glob("*.cc")] if native.is_dir() else []
        present += [e for e in cmake_project.EXTRA_JNI_SOURCES if (job.lite_dir / e).is_file()]
        return cmake_project.jni_sources(job.lite_dir, present, job.experimental_api)

    def _build_abi(self, job: NativeJob, toolchain: Toolchain) -> AbiResult:
        build_dir = self.build_dir(job, toolchain)
        build_dir.mkdir(parents=True, exist_ok=True)
        with _locked(build_dir.with_suffix(".lock"), job.log):
            start = time.monotonic()
            glue = self._glue(job)
            if not glue:
                raise ToolchainError(f"{job.lite_dir / cmake_project.JNI_SOURCE_DIR} has no JNI sources: "
                                     "is this a TFLite tree?")
            resolver = job.lite_dir / cmake_project.SELECTED_OPS_RESOLVER
            if not resolver.is_file():
                raise ToolchainError(f"{resolver} is missing: the tree has no selected-ops resolver")
            include = cmake_project.render_include(
                glue=glue + tuple(job.custom_sources), resolver=str(resolver),
                registration=str(build_dir / cmake_project.REGISTRATION_FILE),
                version_script=str(build_dir / cmake_project.VERSION_SCRIPT_FILE),
                jni_includes=toolchain.jni_includes, align_16kb=job.align_16kb)
            _write_if_changed(build_dir / cmake_project.VERSION_SCRIPT_FILE, cmake_project.VERSION_SCRIPT)
            _write_if_changed(build_dir / cmake_project.INCLUDE_FILE, include)
            _write_if_changed(build_dir / cmake_project.REGISTRATION_FILE, job.registration)
            configure = self._configure_argv(job, toolchain, build_dir)
            if not (build_dir / "build.ninja").is_file():
                job.log(f"tflite-slim: cmake {toolchain.abi}: configuring {job.lite_dir} in {build_dir}")
                self._run(configure, job.log, f"cmake ({toolchain.abi})")
            steps = self._run(cmake_project.build_argv(self.settings.ninja, build_dir, jobs=self.settings.jobs),
                              job.log, f"ninja ({toolchain.abi})")
            library = build_dir / cmake_project.JNI_SO
            if not library.is_file():
                raise BuildError(f"ninja reported success but {library} does not exist; check the output above")
            out = job.work_dir / toolchain.abi / cmake_project.JNI_SO
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(library, out)
            seconds = time.monotonic() - start
        what = ("relink: library and glue reused" if 0 < steps <= 4 else
                "up to date" if steps == 0 else "compiled")
        job.log(f"tflite-slim: cmake {toolchain.abi}: {steps} build steps ({what}) in {seconds:.1f} s; "
                f"{out.stat().st_size:,} bytes")
        return AbiResult(toolchain.abi, out, steps, seconds, build_dir)

    def _run(self, argv: list[str], log: Log, what: str) -> int:
        """Run a CMake/Ninja command with progress lines; return the number of Ninja steps it ran."""
        if self._stopped:
            raise BuildError("the build was cancelled")
        steps = {"n": 0, "shown": -1}
        start = time.monotonic()

        def on_line(line: str) -> None:
            m = _NINJA_STEP.match(line)
            if m is None:
                if line.startswith(("FAILED:", "CMake Error", "ninja: error")):
                    log(line)
                return
            done, total = int(m.group(1)), int(m.group(2))
            steps["n"] = max(steps["n"], done)
            tenth = done * 20 // total  # every 5 %, and the last step
            if tenth != steps["shown"] or done == total:
                steps["shown"] = tenth
                s = int(time.monotonic() - start)
                log(f"[{s // 60:02d}:{s % 60:02d}] {what} {line}")

        def started(proc: subprocess.Popen) -> None:
            self._running = proc

        log(f"tflite-slim: {process.format_argv(argv)}")
        try:
            process.run(argv, stream=True, on_line=on_line, what=what, started=started)
        except CommandFailed as e:
            if self._stopped:
                raise BuildError(f"the build was cancelled; {what} stopped") from e
            raise BuildError(str(e)) from e
        finally:
            self._running = None
        return steps["n"]

    # -- tools ----------------------------------------------------------------------------------

    def _check_cmake(self) -> None:
        s = self.settings
        if shutil.which(s.cmake) is None:
            raise ToolchainError(f"--backend cmake: '{s.cmake}' was not found; {INSTALL_CMAKE}")
        if shutil.which(s.ninja) is None:
            raise ToolchainError(f"--backend cmake: '{s.ninja}' (Ninja) was not found; {INSTALL_CMAKE}")
        out = process.run([s.cmake, "--version"], what="cmake --version").stdout
        m = re.search(r"version (\d+)\.(\d+)", out)
        if m is None or (int(m.group(1)), int(m.group(2))) < cmake_project.MIN_CMAKE:
            found = f"{m.group(1)}.{m.group(2)}" if m else "an unknown version"
            raise ToolchainError(f"--backend cmake: '{s.cmake}' is {found}; {INSTALL_CMAKE}")

    def _toolchain(self, job: NativeJob, abi: str, *, probe: bool) -> Toolchain:
        if abi in HOST_ABIS:
            return self._host_toolchain(abi, probe)
        return self._android_toolchain(job, abi, probe)

    def _host_toolchain(self, abi: str, probe: bool) -> Toolchain:
        s = self.settings
        native = host_abi() == abi if probe else True
        cxx = s.cxx or ("g++" if native else s.cross_cxx)
        if cxx is None:
            raise UsageError(f"--target-archs {abi}: this machine is {host_abi()}; give a cross compiler "
                             f"(--cxx aarch64-linux-gnu-g++) to build {abi}")
        cc = s.cc or (_c_compiler_for(cxx) if native or s.cross_cxx else None)
        if not probe:
            return Toolchain(abi, "<compiler>", cc, cxx)
        if shutil.which(cxx) is None:
            raise ToolchainError(f"--backend cmake: the C++ compiler '{cxx}' was not found; "
                                 "install one (apt-get install g++) or pass --cxx")
        version = process.run([cxx, "--version"], what=f"{cxx} --version").stdout.splitlines()
        javac = hostjar.find_javac()
        return Toolchain(abi, version[0] if version else cxx, cc, cxx,
                         jni_includes=hostjar.jni_include_dirs(javac))

    def _android_toolchain(self, job: NativeJob, abi: str, probe: bool) -> Toolchain:
        ndk = self.settings.ndk or next((os.environ[v] for v in NDK_ENV if os.environ.get(v)), None)
        if job.api_level is None:
            raise UsageError(f"--target-archs {abi}: the Android API level is not declared "
                             "(set ANDROID_NDK_API_LEVEL or --android-api-level)")
        if ndk is None:
            if probe:
                raise ToolchainError(f"--backend cmake for {abi} needs the Android NDK: install it (Android "
                                     "Studio's SDK Manager, NDK r26+) and set ANDROID_NDK_HOME")
            ndk = "$ANDROID_NDK_HOME"
        toolchain_file = Path(ndk) / NDK_TOOLCHAIN_FILE
        if probe and not toolchain_file.is_file():
            raise ToolchainError(f"{toolchain_file} is missing: ANDROID_NDK_HOME={ndk} is not an NDK "
                                 "(install one with Android Studio's SDK Manager)")
        revision = job.ndk_revision or (ndk_revision(Path(ndk)) if probe else None) or "<ndk>"
        return Toolchain(abi, f"ndk {revision}", toolchain_file=str(toolchain_file), api_level=job.api_level)


def ndk_revision(ndk: Path) -> Optional[str]:
    """``Pkg.Revision`` from the NDK's ``source.properties`` (None when unreadable)."""
    try:
        text = (ndk / "source.properties").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(r"^\s*Pkg\.Revision\s*=\s*(\S+)", text, re.MULTILINE)
    return m.group(1) if m else None


def _c_compiler_for(cxx: str) -> Optional[str]:
    """``gcc`` for ``g++``, ``clang`` for ``clang++`` (CMake otherwise probes ``cc`` on its own)."""
    name = os.path.basename(cxx)
    for plus, plain in (("g++", "gcc"), ("clang++", "clang")):
        if name.endswith(plus):
            return os.path.join(os.path.dirname(cxx), name[: -len(plus)] + plain)
    return None


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` only when it differs: an unchanged file keeps its mtime, so Ninja does nothing."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    files.write_atomic(path, data)


@contextmanager
def _locked(path: Path, log: Log) -> Iterator[None]:
    """An advisory lock on one build directory (two builds of one key take turns)."""
    with open(path, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"tflite-slim: waiting for another build using {path.with_suffix('')}")
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
