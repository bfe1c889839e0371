"""The CMake backend: TFLite's own CMake build plus our trimmed JNI library, no Bazel.

Per ABI, TFLite's CMake project is configured once in a build directory of the
cache, ``<cache>/cmake/<key>/``, keyed by everything that changes its objects
and nothing else: the source tree and the dependency mirrors, by path and by
content (:mod:`~tflite_slim.runtime.backends.cmake.inputs`: Ninja compares
timestamps only, so a tree replaced by files with older dates must not find
its old objects), the ABI, the compiler's identity (``g++ --version``, the NDK
revision) and the options. Custom-op sources are copied into the build
directory when their content differs, so an edited kernel is compiled again
whatever its date. With ``--no-cache`` the build directory is a fresh one in
the build's work directory, removed with it. The op set is not in the key: it lives in one generated
file (:data:`cmake_project.REGISTRATION_FILE`), rewritten only when it
changes, so a new op set costs Ninja one compile of it, one of the resolver,
and a link (see :mod:`tflite_slim.runtime.backends.cmake.project` for how our targets
join TFLite's project and why the link order is right).

The compilers are the command line's (``--cxx``, default ``c++``), always passed;
CMake and Ninja run without the shell's ``CC``/``CXX``/flags/``CMAKE_*``
(:data:`cmake_toolchain.SHELL_BUILD_ENV`), so a library depends on the command line, not on the
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
from typing import Callable, Optional, Sequence
from urllib.parse import urlsplit

from tflite_slim import files, process
from tflite_slim.errors import BuildError, CommandFailed, ToolchainError, ToolMissing, UsageError
from tflite_slim.analysis.opset import OpSet
from tflite_slim.analysis.schema import TFLITE_PROVIDED_CUSTOM_OPS, registration_function
from tflite_slim.runtime.artifacts import aar, hostjar
from tflite_slim.runtime.backends import compiler_cache
from tflite_slim.runtime.backends.cmake import errors as cmake_errors
from tflite_slim.runtime.backends.cmake import inputs as cmake_inputs
from tflite_slim.runtime.backends.cmake import project as cmake_project
from tflite_slim.runtime.backends.cmake import sources as cmake_sources
from tflite_slim.runtime.backends.cmake import toolchain as cmake_toolchain
from tflite_slim.runtime.backends.base import Backend, BackendAsked, BackendJob
from tflite_slim.runtime.trees import kernelfiles
from tflite_slim.runtime.spec.buildfile import RUNTIME_TARGET
from tflite_slim.runtime.artifacts.abis import HOST_ABIS
from tflite_slim.runtime.backends.cmake.project import CmakeSettings, Toolchain
from tflite_slim.http import redact_url
from tflite_slim.runtime.toolchains import cmaketools
from tflite_slim.runtime.trees import cmakedeps, depfetch
from tflite_slim.runtime.trees.layout import SourceLayout

Log = Callable[[str], None]
#: A Ninja step compiling one of TFLite's own objects (not ours: registration, resolver, glue).
_TFLITE_OBJECT = re.compile(r"Building C(XX)? object CMakeFiles/tensorflow-lite\.dir/")

#: Bumped when what we pass to CMake changes the objects for an equal key.
KEY_FORMAT = 3
#: Where the build stage puts custom-op sources in the package (buildfile.source_file_names).
CUSTOM_OPS_DIR = "custom_ops/"
#: Which of them are compiled (headers are copied beside them for their includes).
CUSTOM_OPS_SUFFIXES = (".cc", ".cpp", ".cxx", ".c")
#: The configure command a build directory was last configured with.
CONFIGURE_STAMP = "tflite_slim_configure.json"
INSTALL_CMAKE = "install CMake 3.19+ and Ninja (apt-get install cmake ninja-build, or Android Studio's SDK Manager)"
FLEX_NEEDS_BAZEL = ("the models use Flex (select TensorFlow) ops, which TFLite's CMake build cannot build: "
                    "build with --backend local (Bazel) instead")


def create(s: BackendAsked) -> "CmakeBackend":
    return CmakeBackend(s.cmake, s.cache_root, s.compiler_cache, use_cache=s.use_cache, abis=s.abis,
                        api_level=s.android_api_level)


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
        self._sources: dict[tuple[str, ...], cmake_sources.Fetched] = {}
        self._selections: dict[tuple[str, str], kernelfiles.Selection] = {}
        self._known_policies: set[str] = set()
        self._stopper = process.Stopper()
        self._toolchains: dict[str, Toolchain] = {}
        self._cache: Optional[compiler_cache.CompilerCache] = None
        #: TFLite objects the last Ninja run compiled (Ninja's ``Building ... tensorflow-lite.dir/...`` steps).
        self._compiled_tflite = 0

    # -- the backend interface ------------------------------------------------------------------

    def plan_entry(self) -> tuple[tuple[str, str], ...]:
        """What goes into the plan (and so the runtime's version): the backend, the optimization level
        (``--opt-level``: another level builds other bytes) and whether XNNPACK is in (the declared API level is
        the plan's own :attr:`~tflite_slim.runtime.spec.plan.BuildPlan.android_api_level`)."""
        lto = (("lto", "on"),) if self.settings.flags.lto else ()
        return (("backend", "cmake"), ("opt_level", self.settings.flags.opt_level), *lto,
                ("xnnpack", "on" if self.settings.xnnpack else "off"))

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
                cmake_toolchain.check_ndk(ndk_version, dict(toolchain.facts), abi)
            facts += toolchain.facts
        return tuple(facts)

    # -- found before anything is downloaded (issue 25): ops, tools, NDK, API level -------------------

    def unsupported_ops(self, ops: OpSet) -> Optional[str]:
        """Flex ops: TFLite's CMake project has no Flex delegate target (only Bazel builds it)."""
        return FLEX_NEEDS_BAZEL if ops.has_flex else None

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
        lists = self.lite_dir(job) / "CMakeLists.txt"
        need = cmaketools.tree_minimum(files.read_text_or_none(lists)) if job.root else None
        have = self.settings.cmake_version
        if need and have and have < need:
            found.append(f"{lists} needs CMake {need[0]}.{need[1]}+, and "
                         f"{self.settings.cmake} is {have[0]}.{have[1]}; install a newer CMake (Android Studio's "
                         "SDK Manager: SDK Tools > CMake) or pass --cmake")
        found += self._xnnpack_cmake(job)
        if job.plan.custom_ops_deps:
            found.append("--custom-ops-deps names Bazel labels, which --backend cmake cannot build; give the "
                         "custom ops' sources only (--custom-ops-srcs)")
        return found

    def notes(self, job: BackendJob) -> list[str]:
        xnnpack = ("XNNPACK delegate in, applied by the Java API by default as in stock LiteRT" if self.settings.xnnpack
                   else "XNNPACK left out (--no-xnnpack)")
        notes = [f"cmake: TFLite's own CMake project ({xnnpack}; GPU off) plus tflite-slim's targets, added "
                 f"through {cmake_project.INCLUDE_VARIABLE}; classes.jar is the tree's Java API compiled by javac"]
        notes += [f"found: {line}" for line in self.settings.found]
        fetched = self.sources(job)
        for f in fetched.all():
            state = "cached" if depfetch.intact(f) else f"fetched from {redact_url(f.url)}"
            notes.append(f"source: {f.pin.name} at {f.pin.revision} ({f.pin.where}): {state} into {f.directory}")
        if fetched.left:
            notes.append(f"sources left to CMake's own download (their URL is computed at configure time): "
                         f"{', '.join(fetched.left)}; --cmake-dep-source NAME=DIR gives one from a directory")
        if job.root is None:
            notes.append("sources: the CMake dependencies and TensorFlow's files are read from the tree's pins "
                         "once it is downloaded")
        elif fetched.pending:
            notes.append("sources: XNNPACK's own dependencies (FXdiv, KleidiAI) are read from its "
                         "cmake/Download*.cmake once it is fetched")
        return notes

    def downloads(self, job: Optional[BackendJob]) -> list[str]:
        """One line per source the build fetches (name, revision, where from, its size once it is in the cache),
        for the overview of ``plan`` and ``build --dry-run``."""
        if job is None or job.root is None:
            return ["the CMake dependencies the tree's tools/cmake/modules pin, and the TensorFlow files it reads, "
                    "once the tree is downloaded (which, and their sizes, are known then)"]
        fetched = self.sources(job)
        lines = []
        for f in fetched.all():
            record = depfetch.read_record(f)
            revision = f.pin.revision or ""
            short = revision[:12] if len(revision) == 40 or len(revision) == 64 else revision
            size = record.get("size") if record else None
            lines.append(f"{f.pin.name} {short}: " + (f"none, in the cache ({_mib(size)} archive)" if isinstance(size, int)
                         else f"from {urlsplit(redact_url(f.url)).hostname}, size not known until downloaded"))
        given = sorted(self.settings.dep_sources) + (["tensorflow"] if self.settings.tensorflow_dir else [])
        if given:
            lines.append(f"none for {', '.join(given)}: given as "
                         + ("directories" if len(given) > 1 else "a directory"))
        if fetched.left:
            lines.append(f"{', '.join(fetched.left)}: by CMake at configure time (size not known)")
        return lines

    def record_sources(self, job: BackendJob) -> tuple[dict, ...]:
        """Each source the build read besides the tree, by name: a fetched one's pin (revision, the file that pins
        it, the URL) and its archive (size, SHA-256, the commit ``git archive`` wrote into it); a directory the
        user gave (``--cmake-dep-source``, ``--tensorflow-source-dir``) by its path; TensorFlow's version as
        its ``tf_version.bzl`` states it."""
        if job.root is None:
            return ()
        fetched = self.sources(job)
        _, tensorflow_dir = fetched.directories(self.settings)
        entries: dict[str, dict] = {}
        for f in fetched.all():
            archive = depfetch.read_record(f)
            entries[f.pin.name] = {
                "name": f.pin.name, "revision": f.pin.revision, "pinned_by": f.pin.where, "url": redact_url(f.url),
                "archive": {k: archive.get(k) for k in ("size", "sha256", "commit")} if archive else None}
        given = dict(self.settings.dep_sources)
        if self.settings.tensorflow_dir or fetched.submodule:
            given["tensorflow"] = tensorflow_dir or ""
        for name, directory in given.items():
            entries[name] = {"name": name, "directory": directory}
        if "tensorflow" in entries and tensorflow_dir:
            text = files.read_text_or_none(Path(tensorflow_dir) / cmakedeps.TF_VERSION_FILE)
            version = cmakedeps.tensorflow_version(text) if text is not None else None
            entries["tensorflow"]["version"] = ".".join(map(str, version[:3])) + version[3] if version else None
        return tuple(entries[n] for n in sorted(entries))

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
        cmake_sources.fetch(self.sources(job), self.cache_root, job.log)
        if self.sources(job).pending:  # XNNPACK is here now: its own dependencies, read from it, fetched too
            self._sources.clear()
            cmake_sources.fetch(self.sources(job), self.cache_root, job.log)
            late = self._xnnpack_cmake(job)
            if late:
                raise ToolchainError(late[0])

    def _xnnpack_cmake(self, job: BackendJob) -> list[str]:
        """Whether the CMake found knows the newest policy XNNPACK's CMakeLists.txt sets (read once XNNPACK
        is here; one ``cmake --help-policy``): Debian 12's CMake 3.25 does not know XNNPACK 0a655ef5's
        CMP0156 and stops its configure."""
        where = self.sources(job).xnnpack_dir
        if where is None:
            return []
        policy = cmaketools.newest_policy(files.read_text_or_none(Path(where) / "CMakeLists.txt"))
        cmake = self.settings.cmake
        if policy is None or policy in self._known_policies or shutil.which(cmake) is None:
            return []  # (a missing CMake is said by the tool checks)
        if process.run([cmake, "--help-policy", policy], check=False, what=f"{cmake} --help-policy").returncode == 0:
            self._known_policies.add(policy)
            return []
        have = self.settings.cmake_version
        return [f"XNNPACK ({where}/CMakeLists.txt) sets CMake policy {policy}, which {cmake}"
                f"{f' {have[0]}.{have[1]}' if have else ''} does not know: install a newer CMake (Android Studio's "
                "SDK Manager: SDK Tools > CMake; or pip install cmake) and pass --cmake, or leave XNNPACK out "
                "with --no-xnnpack"]

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
        # XNNPACK's own dependencies are pinned by XNNPACK's tree, which the key holds already (its directory,
        # named by commit, or its content when it is the user's): their directories, known once XNNPACK is
        # fetched, are left out, so a dry run before that fetch shows the build directory the build uses.
        own = tuple(f"-D{v}=" for v in cmakedeps.XNNPACK_OWN_VARIABLES)
        argv = [a for a in argv if not a.startswith(own)]
        data = {"format": KEY_FORMAT, "configure": argv[1:], "compiler": toolchain.compiler_id,
                "trees": self.trees_digest(job), "glue": list(self._glue(job)), "align_16kb": job.plan.align_16kb,
                "cross": cmake_project.render_cross_toolchain(toolchain) if toolchain.cross else None}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()

    def _configure_argv(self, job: BackendJob, toolchain: Toolchain, build_dir: Path) -> list[str]:
        s = self.settings
        fetched = self.sources(job)
        deps, tensorflow_dir = fetched.directories(s)
        return cmake_project.configure_argv(
            s.cmake, source_dir=self.lite_dir(job), build_dir=build_dir,
            include_file=build_dir / cmake_project.INCLUDE_FILE, toolchain=toolchain,
            tensorflow_dir=Path(tensorflow_dir) if tensorflow_dir else None,
            dep_sources=deps, ninja=s.ninja if os.sep in s.ninja else None,
            # The native build directory's path holds its key (the tree, the host compiler): so does ours.
            host_tools=self.build_dir(job, toolchain.host) if toolchain.host is not None else None,
            xnnpack=s.xnnpack, dep_variables=dict(fetched.variables), flags=s.flags) + \
            self.compiler_cache(probe=False).configure_args()

    def sources(self, job: BackendJob) -> cmake_sources.Fetched:
        """What the tree's CMake build would download, as our fetches (nothing before the tree is there)."""
        if job.root is None:
            return cmake_sources.Fetched((), None, None, ())
        # Read once per tree: the key, the configure command, the checks and the notes all ask.
        memo = (str(job.tree), job.layout.kind, job.plan.tf_version)
        if memo not in self._sources:
            self._sources[memo] = cmake_sources.sources(self.settings, self.cache_root, job.tree, self.lite_dir(job),
                                                        job.layout, job.plan.tf_version)
        return self._sources[memo]

    def tensorflow_version(self, job: BackendJob, tensorflow_dir: Optional[str]) -> Optional[tuple[int, int, int, str]]:
        """TensorFlow's ``TF_VERSION`` from ``tensorflow_dir``'s ``tf_version.bzl``, for the ``TF_*_VERSION``
        defines; None when the directory has no such file (TensorFlow before 2.20 defines them in
        ``version.h``) or the tree's own CMakeLists.txt sets them (LiteRT's main from 2025-07-27)."""
        lists = files.read_text_or_none(self.lite_dir(job) / "CMakeLists.txt")
        if tensorflow_dir is None or "TF_MAJOR_VERSION" in (lists or ""):
            return None
        text = files.read_text_or_none(Path(tensorflow_dir) / cmakedeps.TF_VERSION_FILE)
        return cmakedeps.tensorflow_version(text) if text is not None else None

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
        return env, sorted(set(cmake_toolchain.shell_build_env(os.environ)) | set(drop))

    def kernel_selection(self, job: BackendJob) -> kernelfiles.Selection:
        """The tree's kernel files this op set compiles (the builtin ops and the custom ops TFLite carries)."""
        memo = (str(self.lite_dir(job)), job.plan.fingerprint)
        if memo not in self._selections:  # once per build, not once per ABI
            ops = job.plan.op_set
            custom = [registration_function(n) for n in ops.custom_ops if n in TFLITE_PROVIDED_CUSTOM_OPS]
            self._selections[memo] = kernelfiles.select_for(self.lite_dir(job), ops.builtin_ops, custom)
        return self._selections[memo]

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
        cmake_toolchain.make_build_dir(build_dir)
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
        # A relink compiles nothing of TFLite (our registration and glue only); a new op set may add kernels.
        compiled = self._compiled_tflite
        what = ("up to date" if steps == 0 else "relink: library and glue reused" if compiled == 0 else
                "compiled" if compiled > 1 else "compiled 1 TFLite file")
        job.log(f"tflite-slim: cmake {toolchain.abi}: {steps} build steps ({what}) in {seconds:.1f} s; "
                f"{out.stat().st_size:,} bytes")
        return AbiResult(toolchain.abi, out, steps, seconds, build_dir)

    def _host_tools(self, job: BackendJob, native: Toolchain) -> Path:
        """TFLite's host tools for a cross build: ``flatc`` made in the native build directory of the same
        tree (the one ``--target-archs host`` builds in), which is :data:`cmake_project.HOST_TOOLS_VARIABLE`."""
        build_dir = self.build_dir(job, native)
        cmake_toolchain.make_build_dir(build_dir)
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
            files.write_if_changed(build_dir / name, Path(src).read_bytes())
            if name.endswith(CUSTOM_OPS_SUFFIXES):
                custom.append(str(build_dir / name))
        selection = self.kernel_selection(job)
        job.log(f"tflite-slim: cmake {toolchain.abi}: {kernelfiles.summary(selection)}")
        deps, tensorflow_dir = self.sources(job).directories(self.settings)
        include = cmake_project.render_include(
            glue=glue + tuple(custom), resolver=str(resolver),
            registration=str(build_dir / cmake_project.REGISTRATION_FILE),
            version_script=str(build_dir / cmake_project.VERSION_SCRIPT_FILE),
            jni_includes=toolchain.jni_includes, align_16kb=job.plan.align_16kb,
            left_out=[str(Path(p).resolve()) for p in selection.left_out], source_root=str(job.tree),
            fp16_dir=deps.get("fp16_headers"), tf_version=self.tensorflow_version(job, tensorflow_dir),
            kept=cmake_project.XNNPACK_ENTRY_POINTS if self.settings.xnnpack else (), flags=self.settings.flags)
        files.write_if_changed(build_dir / cmake_project.VERSION_SCRIPT_FILE,
                          cmake_project.render_version_script(self.settings.xnnpack))
        files.write_if_changed(build_dir / cmake_project.INCLUDE_FILE, include)
        files.write_if_changed(build_dir / cmake_project.REGISTRATION_FILE, job.registration)
        if toolchain.cross:
            files.write_if_changed(build_dir / cmake_project.CROSS_TOOLCHAIN_FILE,
                              cmake_project.render_cross_toolchain(toolchain))
        configure = self._configure_argv(job, toolchain, build_dir)
        stamp = build_dir / CONFIGURE_STAMP
        # Configured by this very command (a directory configured otherwise, or interrupted, is configured again).
        if not (build_dir / "build.ninja").is_file() or files.read_text_or_none(stamp) != json.dumps(configure):
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
            m = cmake_errors.NINJA_STEP.match(line)
            if m is None:
                if line.startswith(("FAILED:", "CMake Error", "ninja: error")):
                    log(line)
                return
            done, total = int(m.group(1)), int(m.group(2))
            steps["n"] = max(steps["n"], done)
            if _TFLITE_OBJECT.search(line):
                self._compiled_tflite += 1
            tenth = done * 20 // total  # every 5 %, and the last step
            if tenth != steps["shown"] or done == total:
                steps["shown"] = tenth
                s = int(time.monotonic() - start)
                log(f"[{s // 60:02d}:{s % 60:02d}] {what} {line}")

        log(f"tflite-slim: {process.display_argv(argv)}")
        self._compiled_tflite = 0
        env, unset = self._environment()
        try:
            process.run(argv, stream=True, on_line=on_line, what=what, stopper=self._stopper,
                        env=env, unset=unset)
        except CommandFailed as e:
            if self._stopper.stopped:
                raise BuildError(f"the build was cancelled: {what} stopped") from e
            configure_failed = argv[:1] == [self.settings.cmake] and "--build" not in argv
            failures = cmake_errors.cmake_failures(output) if configure_failed else cmake_errors.ninja_failures(output)
            if failures and configure_failed:
                names = cmake_errors.failed_dependencies(output)
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
        if os.environ.get(cmake_toolchain.ENV_TOOLCHAIN_FILE):
            # CMake would read it, and the build directory's key would not see it: refused, not ignored.
            raise UsageError(f"{cmake_toolchain.ENV_TOOLCHAIN_FILE}={os.environ[cmake_toolchain.ENV_TOOLCHAIN_FILE]} is set in the environment: "
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
            return cmake_toolchain.host_toolchain(self.settings, abi, probe)
        return cmake_toolchain.android_toolchain(self.settings, abi, api_level, probe)


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n / 1024:.0f} KiB"


def package_aar(dst: Path, lite_dir: Path, classes_jar: Path, libraries: dict[str, Path]) -> None:
    """An AAR laid out as Bazel's ``aar_with_jni`` writes it (manifest, classes, jni/, R.txt)."""
    manifest = lite_dir / "java" / "AndroidManifest.xml"
    if not manifest.is_file():
        raise ToolchainError(f"{manifest} is missing: the AAR needs the tree's Android manifest")
    entries = {"AndroidManifest.xml": manifest.read_bytes(), "classes.jar": classes_jar.read_bytes(), "R.txt": b""}
    for abi, lib in sorted(libraries.items()):
        entries[f"jni/{abi}/{aar.RUNTIME_SO}"] = lib.read_bytes()
    aar.write_stable_zip(str(dst), entries)
