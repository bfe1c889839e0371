"""The CMake backend: TFLite's own CMake build plus our trimmed JNI library, no Bazel.

Per ABI, TFLite's CMake project is configured once in a build directory of the
cache, ``<cache>/cmake/<key>/``, keyed by everything that changes its objects
and nothing else: the source tree and the dependency mirrors, by path and by
content (:mod:`~tflite_slim.runtime.backends.cmake_inputs`: Ninja compares
timestamps only, so a tree replaced by files with older dates must not find
its old objects), the ABI, the compiler's identity (``g++ --version``, the NDK
revision) and the options. Custom-op sources are copied into the build
directory when their content differs, so an edited kernel is compiled again
whatever its date. With ``--no-cache`` the build directory is a fresh one in
the build's work directory, removed with it. The op set is not in the key: it lives in one generated
file (:data:`cmake_project.REGISTRATION_FILE`), rewritten only when it
changes, so a new op set costs Ninja one compile of it, one of the resolver,
and a link (see :mod:`tflite_slim.runtime.backends.cmake_project` for how our targets
join TFLite's project and why the link order is right).

The compilers are the command line's (``--cxx``, default ``c++``), always passed;
CMake and Ninja run without the shell's ``CC``/``CXX``/flags/``CMAKE_*``
(:data:`SHELL_BUILD_ENV`), so a library depends on the command line, not on the
shell that first configured its directory. What the toolchain is seen to be
(compilers' paths and versions, the NDK's path and revision) is observed before
the plan (:meth:`CmakeBackend.observe`): recorded, keying the build cache and the
build directory, checked against a declared ``--ndk-version``, never in the version.

The desktop ABI that is not this machine's is a cross build: a generated toolchain
file (:func:`cmake_project.render_cross_toolchain`: system name and processor) and
TFLite's host tools (a host ``flatc``, ``TFLITE_HOST_TOOLS_DIR``) made by the tree's
own ``flatbuffers-flatc`` target in the native build directory of the same tree.

A build directory is used by one build at a time (an advisory lock next to
it); the finished ``.so`` is copied out before the lock is released. Every
command goes through :func:`tflite_slim.process.run`; :meth:`CmakeBackend.stop`
interrupts the running one (Ninja stops its compilers and removes their
half-written objects).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from tflite_slim import files, process
from tflite_slim.errors import BuildError, CommandFailed, NetworkError, ToolchainError, ToolMissing, UsageError
from tflite_slim.analysis.schema import TFLITE_PROVIDED_CUSTOM_OPS, registration_function
from tflite_slim.runtime.artifacts import aar, hostjar
from tflite_slim.runtime.backends import cmake_inputs, cmake_project, compiler_cache
from tflite_slim.runtime.backends.base import Backend, BackendAsked, BackendJob
from tflite_slim.runtime.trees import kernelfiles
from tflite_slim.runtime.spec.buildfile import RUNTIME_TARGET
from tflite_slim.runtime.artifacts.abis import HOST_ABIS, host_abi
from tflite_slim.runtime.backends.cmake_project import CmakeSettings, Toolchain
from tflite_slim.http import HttpClient, redact_url
from tflite_slim.runtime.toolchains import cmaketools
from tflite_slim.runtime.trees import cmakedeps, depfetch, observed
from tflite_slim.runtime.trees.layout import LITERT, SourceLayout
from tflite_slim.runtime.trees.tfsource import check_free_space

Log = Callable[[str], None]

#: Bumped when what we pass to CMake changes the objects for an equal key.
KEY_FORMAT = 2
#: Where the build stage puts custom-op sources in the package (buildfile.source_file_names).
CUSTOM_OPS_DIR = "custom_ops/"
#: Which of them are compiled (headers are copied beside them for their includes).
CUSTOM_OPS_SUFFIXES = (".cc", ".cpp", ".cxx", ".c")
#: The configure command a build directory was last configured with.
CONFIGURE_STAMP = "tflite_slim_configure.json"
NDK_TOOLCHAIN_FILE = "build/cmake/android.toolchain.cmake"
NDK_ENV = ("ANDROID_NDK_HOME", "ANDROID_NDK_ROOT")
INSTALL_CMAKE = "install CMake 3.19+ and Ninja (apt-get install cmake ninja-build, or Android Studio's SDK Manager)"
FLEX_NEEDS_BAZEL = ("the models use Flex (select TensorFlow) ops, which TFLite's CMake build cannot build: "
                    "build with --backend local (Bazel) instead")
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
_NINJA_STEP = re.compile(r"^\[(\d+)/(\d+)\]")
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
        elif block is not None and (_NINJA_STEP.match(line) or line.startswith("ninja: ")):
            close()
            block = None
        elif block is not None:
            block.append(line)
    close()
    return kept[:limit]


def shell_build_env(environ: Mapping[str, str]) -> list[str]:
    """The variables of ``environ`` a CMake build runs without (:data:`SHELL_BUILD_ENV`, ``CMAKE_*``)."""
    return sorted(k for k in environ if k in SHELL_BUILD_ENV or k.startswith("CMAKE_"))


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


def create(s: BackendAsked) -> "CmakeBackend":
    return CmakeBackend(s.cmake, s.cache_root, s.compiler_cache, use_cache=s.use_cache, abis=s.abis,
                        api_level=s.android_api_level)


@dataclass(frozen=True)
class Fetched:
    """The sources a build fetches (:meth:`CmakeBackend.sources`) and what cannot be fetched."""

    deps: tuple[depfetch.Source, ...]
    tensorflow: Optional[depfetch.Source]
    #: A checkout's own ``third_party/tensorflow`` submodule, when it holds what the build reads.
    submodule: Optional[str]
    problems: tuple[str, ...]
    #: Dependencies whose source the tree computes at configure time: left to CMake's own download.
    left: tuple[str, ...] = ()

#: Bumped when what we pass to CMake changes the objects for an equal key.
KEY_FORMAT = 1
#: Where the build stage puts custom-op sources in the package (buildfile.source_file_names).
CUSTOM_OPS_DIR = "custom_ops/"
#: The configure command a build directory was last configured with.
CONFIGURE_STAMP = "tflite_slim_configure.json"
NDK_TOOLCHAIN_FILE = "build/cmake/android.toolchain.cmake"
NDK_ENV = ("ANDROID_NDK_HOME", "ANDROID_NDK_ROOT")
INSTALL_CMAKE = "install CMake 3.19+ and Ninja (apt-get install cmake ninja-build, or Android Studio's SDK Manager)"
FLEX_NEEDS_BAZEL = ("the models use Flex (select TensorFlow) ops, which TFLite's CMake build cannot build: "
                    "build with --backend local (Bazel) instead")
_NINJA_STEP = re.compile(r"^\[(\d+)/(\d+)\]")
#: At most this many lines of the failed steps' output go into the error.
FAILURE_LINES = 20


@dataclass(frozen=True)
class AbiResult:
    abi: str
    library: Path
    steps: int
    seconds: float
    build_dir: Path


class CmakeBackend(Backend):
    """Builds ``libtensorflowlite_jni.so`` per ABI with CMake and Ninja, and the AAR around them.

    The AAR has Bazel's ``aar_with_jni`` layout (the tree's ``java/AndroidManifest.xml``,
    ``classes.jar``, ``jni/<abi>/libtensorflowlite_jni.so``, an empty ``R.txt``);
    the caller checks and finishes it like Bazel's. ``classes.jar`` is the tree's
    Java API compiled by javac (:mod:`tflite_slim.runtime.artifacts.hostjar`): LiteRT's API
    imports nothing from ``android.*``, so no ``android.jar`` is needed and the
    classes are the tree's own, at its revision. For host ABIs the same archive
    carries ``jni/linux-x86_64/``; ``verify --run --runtime`` runs it on a desktop JVM.
    """

    uses_host_android = False
    host_builds = True
    # Its NDK toolchain is given the declared level; the tree's Bazel Android settings do not apply.
    reads_tree_android = False

    def __init__(self, settings: CmakeSettings, cache_root: Path,
                 cache: compiler_cache.CacheSettings = compiler_cache.CacheSettings(), *,
                 use_cache: bool = True, abis: tuple[str, ...] = (), api_level: Optional[int] = None) -> None:
        self.settings = settings
        self.cache_settings = cache
        # Absolute: CMake reads these paths from the build directory (a relative --cache-dir broke the configure).
        self.cache_root = Path(cache_root).absolute()
        #: What :meth:`require_tools` checks before a download (the job's plan says the same later).
        self.abis = abis
        self.api_level = api_level
        #: False (``--no-cache``): each ABI builds in a fresh directory under the job's work directory.
        self.use_cache = use_cache
        self._digests: dict[tuple[str, ...], str] = {}
        self._stopper = process.Stopper()
        self._toolchains: dict[str, Toolchain] = {}
        self._cache: Optional[compiler_cache.CompilerCache] = None

    # -- the backend interface ------------------------------------------------------------------

    def plan_entry(self) -> tuple[tuple[str, str], ...]:
        """What goes into the plan (and so the runtime's version): the backend (the declared API level is
        the plan's own :attr:`~tflite_slim.runtime.spec.plan.BuildPlan.android_api_level`)."""
        return (("backend", "cmake"),)

    def commands(self, job: BackendJob) -> list[list[str]]:
        """The configure and build command of every ABI, for ``--dry-run`` (tools not looked up)."""
        argv = []
        for abi in job.plan.abis:
            try:  # the real compiler's identity when it is there: the build directory shown is the one used
                toolchain = self._toolchain(abi, job.plan.android_api_level, probe=True)
            except (ToolchainError, UsageError):
                toolchain = self._toolchain(abi, job.plan.android_api_level, probe=False)
            if toolchain.host is not None:  # a cross build: the host tools first (once for all ABIs)
                native_dir = self.build_dir(job, toolchain.host)
                host_commands = [self._configure_argv(job, toolchain.host, native_dir),
                                 cmake_project.build_argv(self.settings.ninja, native_dir,
                                                          cmake_project.HOST_TOOLS_TARGET, jobs=self.settings.jobs)]
                if host_commands[0] not in argv:
                    argv += host_commands
            build_dir = self.build_dir(job, toolchain)
            argv.append(self._configure_argv(job, toolchain, build_dir))
            argv.append(cmake_project.build_argv(self.settings.ninja, build_dir, jobs=self.settings.jobs))
        return argv

    def observe(self, abis: Sequence[str], api_level: Optional[int], ndk_version: Optional[str], *,
                dry_run: bool) -> tuple[tuple[str, str], ...]:
        """The compilers (resolved path, ``--version``) or the NDK (path, revision) of every ABI; a declared
        ``--ndk-version`` must match the NDK found (see :meth:`Backend.observe`)."""
        facts: list[tuple[str, str]] = []
        problems = self.tool_problems(tuple(abis), api_level)
        if problems and not dry_run:  # everything missing in one line (before a download: require_tools)
            raise ToolchainError(problems[0])
        for abi in abis:
            try:
                toolchain = self._toolchain(abi, api_level, probe=True)
            except (ToolchainError, UsageError):
                if dry_run:  # the dry run's own checks say what is missing
                    continue
                raise
            if toolchain.android and ndk_version is not None:
                check_ndk(ndk_version, dict(toolchain.facts), abi)
            facts += toolchain.facts
        return tuple(facts)

    # -- found before anything is downloaded (issue 25): tools, NDK, API level -------------------

    def require_tools(self, layout: SourceLayout) -> None:
        """Every tool, the NDK and the API level, before a release is downloaded: all problems in one error."""
        problems = self.tool_problems(self.abis, self.api_level)
        if problems:
            raise ToolMissing(problems[0])
        self._check_cmake()

    def tool_problems(self, abis: tuple[str, ...], api_level: Optional[int]) -> list[str]:
        """What the toolchain finder could not find, and the API level Android ABIs need (declared only):
        all of it in one line (a build stops at the first problem line; nothing missing is left unsaid)."""
        found = list(self.settings.problems)
        try:  # classes.jar is compiled for every ABI: a JDK ($JAVA_HOME, e.g. the one Gradle runs on, or PATH)
            hostjar.find_javac()
        except ToolchainError as e:
            found.append(str(e))
        android = [a for a in abis if a not in HOST_ABIS]
        if android and api_level is None:
            found.insert(0, f"--target-archs {','.join(android)} with --backend cmake: declare the Android API "
                            "level (--min-sdk N, the app's minSdk, or --android-api-level N)")
        return ["; and ".join(found)] if found else []

    def problems(self, job: BackendJob) -> list[str]:
        found = self.tool_problems(job.plan.abis, job.plan.android_api_level) + list(self.sources(job).problems)
        need = cmaketools.tree_minimum(_read(self.lite_dir(job) / "CMakeLists.txt")) if job.root else None
        have = self.settings.cmake_version
        if need and have and have < need:
            found.append(f"{self.lite_dir(job) / 'CMakeLists.txt'} needs CMake {need[0]}.{need[1]}+, and "
                         f"{self.settings.cmake} is {have[0]}.{have[1]}; install a newer CMake (Android Studio's "
                         "SDK Manager: SDK Tools > CMake) or pass --cmake")
        if job.plan.has_flex:
            found.append(FLEX_NEEDS_BAZEL)
        if job.plan.custom_ops_deps:
            found.append("--custom-ops-deps names Bazel labels, which --backend cmake cannot build; give the "
                         "custom ops' sources only (--custom-ops-srcs)")
        return found

    def notes(self, job: BackendJob) -> list[str]:
        notes = ["cmake: TFLite's own CMake project (XNNPACK and GPU off) plus tflite-slim's targets, added "
                 f"through {cmake_project.INCLUDE_VARIABLE}; classes.jar is the tree's Java API compiled by javac"]
        notes += [f"found: {line}" for line in self.settings.found]
        fetched = self.sources(job)
        for f in (*fetched.deps, *([fetched.tensorflow] if fetched.tensorflow else [])):
            state = "cached" if depfetch.intact(f) else f"fetched from {redact_url(f.url)}"
            notes.append(f"source: {f.pin.name} at {f.pin.revision} ({f.pin.where}): {state} into {f.directory}")
        if fetched.left:
            notes.append(f"sources left to CMake's own download (their URL is computed at configure time): "
                         f"{', '.join(fetched.left)}; --cmake-dep-source NAME=DIR gives one from a directory")
        if job.root is None:
            notes.append("sources: the CMake dependencies and TensorFlow's files are read from the tree's pins "
                         "once it is downloaded")
        return notes

    def prepare(self, job: BackendJob) -> None:
        """Check every tool before anything runs; a missing one is one line saying what to install."""
        problems = self.problems(job)
        if problems:
            raise ToolchainError(problems[0])
        self._check_cmake()
        self._toolchains = {abi: self._toolchain(abi, job.plan.android_api_level, probe=True)
                            for abi in job.plan.abis}
        seen = tuple(f for t in self._toolchains.values() for f in t.facts)
        if job.plan.toolchain and seen != job.plan.toolchain:
            # Changed since the plan observed it (and keyed the cache on it): say so rather than mislabel.
            raise ToolchainError("the compiler or NDK changed while the build was being planned; build again")
        for line in self.settings.found:  # where each tool came from (found, not configured)
            job.log(f"tflite-slim: {line}")
        job.log(f"tflite-slim: {self.compiler_cache().describe()}")
        self._fetch(job)

    def build(self, job: BackendJob) -> dict[str, Path]:
        """Build every ABI's library and the Java API; return the runtime target -> the raw AAR."""
        if set(self._toolchains) != set(job.plan.abis):
            self.prepare(job)
        libraries = {abi: self._build_abi(job, self._toolchains[abi]).library for abi in job.plan.abis}
        lite_dir = self.lite_dir(job)
        classes = hostjar.build_jar(lite_dir, job.work / "classes.jar", job.work / "java",
                                    experimental=job.plan.experimental_api, log=job.log)
        aar_path = job.work / f"{RUNTIME_TARGET}.aar"
        package_aar(aar_path, lite_dir, classes, libraries)
        return {RUNTIME_TARGET: aar_path}

    def stop(self) -> None:
        """Interrupt the running CMake or Ninja (from another thread)."""
        self._stopper.stop()

    @staticmethod
    def lite_dir(job: BackendJob) -> Path:
        return job.tree / job.layout.lite_dir

    @staticmethod
    def custom_sources(job: BackendJob) -> tuple[tuple[str, str], ...]:
        """(source on the host, name in the package) of the custom-op files (sources and headers)."""
        return tuple((src, name) for src, name in job.package.files if name.startswith(CUSTOM_OPS_DIR))

    def trees(self, job: BackendJob) -> tuple[Path, ...]:
        """The directories the build reads: the tree, ``TENSORFLOW_SOURCE_DIR``, the dependency mirrors."""
        s = self.settings
        roots = [job.tree, *([Path(s.tensorflow_dir)] if s.tensorflow_dir else []),
                 *(Path(s.dep_sources[n]) for n in sorted(s.dep_sources))]
        unique: dict[str, Path] = {}
        for r in roots:
            unique.setdefault(os.path.realpath(r), r)
        return tuple(unique.values())

    def trees_digest(self, job: BackendJob) -> str:
        """:func:`cmake_inputs.content_digest` of :meth:`trees` (computed once per backend and tree)."""
        if job.root is None:  # a dry run before the download: nothing to read yet
            return "<not downloaded>"
        roots = self.trees(job)
        memo = tuple(str(r) for r in roots)
        if memo not in self._digests:
            # Our own files are not the tree's: the cache (when it lies inside) and the Bazel backends' package.
            skip = [self.cache_root, job.tree / Path(job.package.path).parts[0]]
            self._digests[memo] = cmake_inputs.content_digest(roots, skip)
        return self._digests[memo]

    # -- one ABI --------------------------------------------------------------------------------

    def build_dir(self, job: BackendJob, toolchain: Toolchain) -> Path:
        if not self.use_cache:
            return job.work / "cmake" / toolchain.abi
        return self.cache_root / "cmake" / self.key(job, toolchain)[:16]

    def key(self, job: BackendJob, toolchain: Toolchain) -> str:
        """The build directory's key: the configure command (source, ABI, options, mirrors), the trees'
        content and the compiler. Custom-op sources are not in it: they are copied in by content."""
        argv = self._configure_argv(job, toolchain, Path("<build>"))
        data = {"format": KEY_FORMAT, "configure": argv[1:], "compiler": toolchain.compiler_id,
                "trees": self.trees_digest(job), "glue": list(self._glue(job)), "align_16kb": job.plan.align_16kb,
                "cross": cmake_project.render_cross_toolchain(toolchain) if toolchain.cross else None}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()

    def _configure_argv(self, job: BackendJob, toolchain: Toolchain, build_dir: Path) -> list[str]:
        s = self.settings
        fetched = self.sources(job)
        deps = {**{f.pin.name: str(f.directory) for f in fetched.deps}, **s.dep_sources}
        tensorflow_dir = s.tensorflow_dir or (str(fetched.tensorflow.directory) if fetched.tensorflow else None) \
            or fetched.submodule
        return cmake_project.configure_argv(
            s.cmake, source_dir=self.lite_dir(job), build_dir=build_dir,
            include_file=build_dir / cmake_project.INCLUDE_FILE, toolchain=toolchain,
            tensorflow_dir=Path(tensorflow_dir) if tensorflow_dir else None,
            dep_sources=deps, ninja=s.ninja if os.sep in s.ninja else None,
            # The native build directory's path holds its key (the tree, the host compiler): so does ours.
            host_tools=self.build_dir(job, toolchain.host) if toolchain.host is not None else None) + \
            self.compiler_cache(probe=False).configure_args()

    # -- sources: the tree's CMake dependencies and TensorFlow's files, fetched by us (issue 25) -----

    def sources(self, job: BackendJob) -> "Fetched":
        """What the tree's CMake build would download, as our fetches (nothing before the tree is there)."""
        s = self.settings
        if job.root is None:
            return Fetched((), None, None, ())
        lite = self.lite_dir(job)
        deps, unfetchable, left = [], [], []
        for pin in cmakedeps.wanted(cmakedeps.read_pins(lite)):
            if pin.name in s.dep_sources:
                continue
            if pin.computed:
                left.append(pin.name)
                continue
            source = depfetch.source_for(pin, self.cache_root, s.dep_mirror) \
                if cmakedeps.safe_revision(pin.revision) else None
            if source is None:
                unfetchable.append(f"{pin.name} ({pin.where}: {pin.repository or pin.url or 'no URL'} at "
                                   f"{pin.revision or 'no revision'})")
            else:
                deps.append(source)
        problems = []
        if unfetchable:
            names = " ".join(f"--cmake-dep-source {u.split(' ', 1)[0]}=DIR" for u in unfetchable)
            problems.append(f"CMake dependencies tflite-slim cannot download as archives: {'; '.join(unfetchable)}; "
                            f"give {names}, or --dep-mirror URL")
        tensorflow, submodule = None, None
        if job.layout is LITERT and not s.tensorflow_dir:
            checked_out = job.tree / "third_party" / "tensorflow"
            if all((checked_out / p).is_dir() for p in cmakedeps.TENSORFLOW_PATHS):
                submodule = str(checked_out)  # a checkout with its submodule: TensorFlow is already there
            else:
                pin = cmakedeps.tensorflow_pin(lite, job.plan.tf_version)
                if pin is not None and cmakedeps.safe_revision(pin.revision):
                    tensorflow = depfetch.source_for(pin, self.cache_root, s.dep_mirror,
                                                     only=cmakedeps.TENSORFLOW_PATHS)
        return Fetched(tuple(deps), tensorflow, submodule, tuple(problems), tuple(left))

    def _fetch(self, job: BackendJob) -> None:
        """Download what :meth:`sources` names and is not cached yet (one HTTP client for all)."""
        fetched = self.sources(job)
        todo = [f for f in (*fetched.deps, *([fetched.tensorflow] if fetched.tensorflow else []))
                if not depfetch.intact(f)]
        if not todo:
            return
        check_free_space(self.cache_root)  # a --source build downloads here first (a release was checked)
        with HttpClient() as client:
            for source in todo:
                try:
                    depfetch.fetch(source, client, job.log)
                except NetworkError as e:
                    name = source.pin.name
                    own = ("--tensorflow-source-dir DIR (a TensorFlow checkout at that revision)" if name == "tensorflow"
                           else f"--cmake-dep-source {name}=DIR (a checkout at that revision)")
                    raise NetworkError(f"{e}; to build offline give {own}, or fetch from a mirror holding "
                                       f"{name}/{source.pin.revision}.tar.gz with --dep-mirror URL") from e

    def compiler_cache(self, *, probe: bool = True) -> compiler_cache.CompilerCache:
        """The compiler cache the settings choose (once); ``probe=False`` (a dry run's commands, the key
        before ``prepare``) answers none where the choice cannot be made yet, instead of raising."""
        if self._cache is None:
            try:
                self._cache = compiler_cache.choose(self.cache_settings, self.cache_root)
            except ToolchainError:
                if probe:
                    raise
                return compiler_cache.CompilerCache("none")
        return self._cache

    def _environment(self) -> tuple[dict[str, str], list[str]]:
        """The compiles' environment: what to set (the compiler cache's settings, its credentials stay in
        here) and what to drop (the shell's compilers and flags, the user's own cache settings)."""
        env, drop = compiler_cache.environment(self.compiler_cache(probe=False), self.cache_root.absolute())
        return env, sorted(set(shell_build_env(os.environ)) | set(drop))

    def kernel_selection(self, job: BackendJob) -> kernelfiles.Selection:
        """The tree's kernel files this op set compiles (the builtin ops and the custom ops TFLite carries)."""
        ops = job.plan.op_set
        custom = [registration_function(n) for n in ops.custom_ops if n in TFLITE_PROVIDED_CUSTOM_OPS]
        return kernelfiles.select_for(self.lite_dir(job), ops.builtin_ops, custom)

    def _glue(self, job: BackendJob) -> tuple[str, ...]:
        lite_dir = self.lite_dir(job)
        native = lite_dir / cmake_project.JNI_SOURCE_DIR
        present = [p.name for p in native.glob("*.cc")] if native.is_dir() else []
        present += [e for e in cmake_project.EXTRA_JNI_SOURCES if (lite_dir / e).is_file()]
        return cmake_project.jni_sources(lite_dir, present, job.plan.experimental_api)

    def _build_abi(self, job: BackendJob, toolchain: Toolchain) -> AbiResult:
        if toolchain.host is not None:
            self._host_tools(job, toolchain.host)
        build_dir = self.build_dir(job, toolchain)
        fresh = not build_dir.exists()
        make_build_dir(build_dir)
        # Two builds of one key take turns (a lock on the directory itself: no lock file is left).
        waiting = f"tflite-slim: waiting for another build using {build_dir}"
        with files.locked_dir(build_dir, on_wait=lambda: job.log(waiting)):
            start = time.monotonic()
            self._configured(job, toolchain, build_dir, fresh=fresh)
            steps = self._run(cmake_project.build_argv(self.settings.ninja, build_dir, jobs=self.settings.jobs),
                              job.log, f"ninja ({toolchain.abi})")
            library = build_dir / cmake_project.JNI_SO
            if not library.is_file():
                raise BuildError(f"ninja reported success but {library} does not exist; check the output above")
            out = job.work / toolchain.abi / cmake_project.JNI_SO
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(library, out)
            seconds = time.monotonic() - start
        what = ("relink: library and glue reused" if 0 < steps <= 4 else
                "up to date" if steps == 0 else "compiled")
        job.log(f"tflite-slim: cmake {toolchain.abi}: {steps} build steps ({what}) in {seconds:.1f} s; "
                f"{out.stat().st_size:,} bytes")
        return AbiResult(toolchain.abi, out, steps, seconds, build_dir)

    def _host_tools(self, job: BackendJob, native: Toolchain) -> Path:
        """TFLite's host tools for a cross build: ``flatc`` made in the native build directory of the same
        tree (the one ``--target-archs host`` builds in), which is :data:`cmake_project.HOST_TOOLS_VARIABLE`."""
        build_dir = self.build_dir(job, native)
        make_build_dir(build_dir)
        waiting = f"tflite-slim: waiting for another build using {build_dir}"
        with files.locked_dir(build_dir, on_wait=lambda: job.log(waiting)):
            self._configured(job, native, build_dir)
            try:
                self._run(cmake_project.build_argv(self.settings.ninja, build_dir, cmake_project.HOST_TOOLS_TARGET,
                                                   jobs=self.settings.jobs), job.log, f"ninja ({native.abi} host tools)")
            except BuildError as e:
                if f"unknown target '{cmake_project.HOST_TOOLS_TARGET}'" in str(e):
                    raise ToolchainError(
                        f"{self.lite_dir(job)}: its CMake project has no {cmake_project.HOST_TOOLS_TARGET} target "
                        "(tools/cmake/modules/flatbuffers.cmake), which makes the host flatc a cross build needs; "
                        "build this tree on a machine of the target ABI") from e
                raise
        flatc = build_dir / cmake_project.HOST_FLATC
        if not os.access(flatc, os.X_OK):
            raise BuildError(f"the host tools build reported success but {flatc} is missing; check the output above")
        return build_dir

    def _configured(self, job: BackendJob, toolchain: Toolchain, build_dir: Path, *, fresh: bool = False) -> None:
        """Write our generated files into ``build_dir`` (each only when it changed) and configure it unless it
        was configured by this very command. The caller holds the directory's lock."""
        lite_dir = self.lite_dir(job)
        glue = self._glue(job)
        if not glue:
            raise ToolchainError(f"{lite_dir / cmake_project.JNI_SOURCE_DIR} has no JNI sources: "
                                 "is this a TFLite tree?")
        resolver = lite_dir / cmake_project.SELECTED_OPS_RESOLVER
        if not resolver.is_file():
            raise ToolchainError(f"{resolver} is missing: the tree has no selected-ops resolver")
        custom = []
        for src, name in self.custom_sources(job):
            # A copy whose date changes only when its content does: an edited kernel is compiled again
            # even when the edit kept (or went back to) an older date.
            _write_if_changed(build_dir / name, Path(src).read_bytes())
            if name.endswith(CUSTOM_OPS_SUFFIXES):
                custom.append(str(build_dir / name))
        selection = self.kernel_selection(job)
        job.log(f"tflite-slim: cmake {toolchain.abi}: {kernelfiles.summary(selection)}")
        include = cmake_project.render_include(
            glue=glue + tuple(custom), resolver=str(resolver),
            registration=str(build_dir / cmake_project.REGISTRATION_FILE),
            version_script=str(build_dir / cmake_project.VERSION_SCRIPT_FILE),
            jni_includes=toolchain.jni_includes, align_16kb=job.plan.align_16kb,
            left_out=[str(Path(p).resolve()) for p in selection.left_out])
        _write_if_changed(build_dir / cmake_project.VERSION_SCRIPT_FILE, cmake_project.VERSION_SCRIPT)
        _write_if_changed(build_dir / cmake_project.INCLUDE_FILE, include)
        _write_if_changed(build_dir / cmake_project.REGISTRATION_FILE, job.registration)
        if toolchain.cross:
            _write_if_changed(build_dir / cmake_project.CROSS_TOOLCHAIN_FILE,
                              cmake_project.render_cross_toolchain(toolchain))
        configure = self._configure_argv(job, toolchain, build_dir)
        stamp = build_dir / CONFIGURE_STAMP
        # Configured by this very command (a directory configured otherwise, or interrupted, is configured again).
        if not (build_dir / "build.ninja").is_file() or _read(stamp) != json.dumps(configure):
            job.log(f"tflite-slim: cmake {toolchain.abi}: configuring {lite_dir} in {build_dir}")
            stamp.unlink(missing_ok=True)
            try:
                self._run(configure, job.log, f"cmake ({toolchain.abi})")
            except BaseException:
                if fresh:  # a configure that failed in a new directory leaves nothing in the cache
                    shutil.rmtree(build_dir, ignore_errors=True)
                raise
            files.write_atomic(stamp, json.dumps(configure).encode("utf-8"))

    def _run(self, argv: list[str], log: Log, what: str) -> int:
        """Run a CMake/Ninja command with progress lines; return the number of Ninja steps it ran."""
        steps = {"n": 0, "shown": -1}
        start = time.monotonic()
        output: list[str] = []

        def on_line(line: str) -> None:
            output.append(line)
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

        log(f"tflite-slim: {process.display_argv(argv)}")
        env, unset = self._environment()
        try:
            process.run(argv, stream=True, on_line=on_line, what=what, stopper=self._stopper,
                        env=env, unset=unset)
        except CommandFailed as e:
            if self._stopper.stopped:
                raise BuildError(f"the build was cancelled: {what} stopped") from e
            configure_failed = argv[:1] == [self.settings.cmake] and "--build" not in argv
            failures = cmake_failures(output) if configure_failed else ninja_failures(output)
            if failures and configure_failed:
                names = failed_dependencies(output)
                fix = (f"; to fetch it yourself, give {' '.join(f'--cmake-dep-source {n}=DIR' for n in names)} "
                       "(or --dep-mirror URL)") if names else ""
                first = str(e).splitlines()[0]
                raise BuildError("\n".join([first, *(process.redact_urls(f) for f in failures)]) + fix) from e
            if failures:
                # The failed steps' own errors, not the output's tail (other steps' warnings).
                first = str(e).splitlines()[0]
                raise BuildError("\n".join([first, *(process.redact_urls(f) for f in failures)])) from e
            raise BuildError(str(e)) from e
        return steps["n"]

    # -- tools ----------------------------------------------------------------------------------

    def _check_cmake(self) -> None:
        s = self.settings
        if os.environ.get(ENV_TOOLCHAIN_FILE):
            # CMake would read it, and the build directory's key would not see it: refused, not ignored.
            raise UsageError(f"{ENV_TOOLCHAIN_FILE}={os.environ[ENV_TOOLCHAIN_FILE]} is set in the environment: "
                             "--backend cmake chooses the toolchain itself (the NDK's for Android ABIs, --cxx for "
                             "the desktop ones, a cross build for the other host ABI); unset it")
        if shutil.which(s.cmake) is None:
            raise ToolchainError(f"--backend cmake: '{s.cmake}' was not found; {INSTALL_CMAKE}")
        if shutil.which(s.ninja) is None:
            raise ToolchainError(f"--backend cmake: '{s.ninja}' (Ninja) was not found; {INSTALL_CMAKE}")
        out = process.run([s.cmake, "--version"], what="cmake --version").stdout
        m = re.search(r"version (\d+)\.(\d+)", out)
        if m is None or (int(m.group(1)), int(m.group(2))) < cmake_project.MIN_CMAKE:
            found = f"{m.group(1)}.{m.group(2)}" if m else "an unknown version"
            raise ToolchainError(f"--backend cmake: '{s.cmake}' is {found}; {INSTALL_CMAKE}")

    def _toolchain(self, abi: str, api_level: Optional[int], *, probe: bool) -> Toolchain:
        if abi in HOST_ABIS:
            return self._host_toolchain(abi, probe)
        return self._android_toolchain(abi, api_level, probe)

    def _host_toolchain(self, abi: str, probe: bool, *, host_tools: bool = False) -> Toolchain:
        """A desktop ABI's toolchain; the other desktop ABI is a cross build (its ``host``: this machine's
        default compilers, which build the host tools). ``host_tools``: that native toolchain itself."""
        s = self.settings
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
        host = self._host_toolchain(native_abi, probe, host_tools=True) if cross and native_abi else None
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

    def _android_toolchain(self, abi: str, api_level: Optional[int], probe: bool) -> Toolchain:
        ndk = self.settings.ndk or next((os.environ[v] for v in NDK_ENV if os.environ.get(v)), None)
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
        host = self._host_toolchain(native_abi, probe, host_tools=True)
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


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _write_if_changed(path: Path, text: "str | bytes") -> None:
    """Write ``text`` only when it differs: an unchanged file keeps its mtime, so Ninja does nothing."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    files.write_atomic(path, data)


def package_aar(dst: Path, lite_dir: Path, classes_jar: Path, libraries: dict[str, Path]) -> None:
    """An AAR laid out as Bazel's ``aar_with_jni`` writes it (manifest, classes, jni/, R.txt)."""
    manifest = lite_dir / "java" / "AndroidManifest.xml"
    if not manifest.is_file():
        raise ToolchainError(f"{manifest} is missing: the AAR needs the tree's Android manifest")
    entries = {"AndroidManifest.xml": manifest.read_bytes(), "classes.jar": classes_jar.read_bytes(), "R.txt": b""}
    for abi, lib in sorted(libraries.items()):
        entries[f"jni/{abi}/{aar.RUNTIME_SO}"] = lib.read_bytes()
    aar.write_stable_zip(str(dst), entries)
