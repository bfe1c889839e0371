"""What ``tflite-slim build`` was asked to do (:class:`BuildSettings`), read once.

The settings are read here and nowhere else in the stage: :func:`read`
checks them, has the chosen backend's factory read the backend's own
(``--bazel``, ``--docker``, ``--checkpoint`` ...), and splits the rest into
what each phase needs (:class:`Asked`). For a build (not a dry run) it also
checks that ``--out`` can be replaced and the cache written, before any other
phase reads, downloads or builds anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Optional

from tflite_slim import process
from tflite_slim.errors import TfliteSlimError, UsageError
from tflite_slim.runtime import output
from tflite_slim.runtime.artifacts import aar
from tflite_slim.runtime.backends.base import Backend, BackendAsked, Factory
from tflite_slim.runtime.artifacts.cache import cache_root, writable_dir
from tflite_slim.runtime.checks import ChecksAsked
from tflite_slim.runtime.artifacts.abis import HOST_ABIS
from tflite_slim.runtime.backends.cmake.project import MIN_CMAKE, CmakeSettings
from tflite_slim.runtime.backends.compiler_cache import CacheSettings
from tflite_slim.runtime.inputs import InputsAsked
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW
from tflite_slim.runtime.planner import PlanOptions
from tflite_slim.runtime.produce import ProduceAsked
from tflite_slim.runtime.resolve import SourceAsked
from tflite_slim.runtime.sizes import SizesAsked
from tflite_slim.runtime.toolchains import studio
from tflite_slim.runtime.toolchains.cmaketools import parse_version


@dataclass(frozen=True)
class BuildSettings:
    """Everything ``tflite-slim build`` was asked to do."""

    models: tuple[str, ...]
    out: Optional[str] = None
    #: ``--source`` (formerly ``--tensorflow-src``): a TensorFlow or LiteRT checkout.
    tensorflow_src: Optional[str] = None
    tensorflow_version: Optional[str] = None
    litert_version: Optional[str] = None
    abis: tuple[str, ...] = ("arm64-v8a", "armeabi-v7a")
    #: ``--backend``; None: chosen by :func:`choose_backend` (the CLI's default).
    backend: Optional[str] = "local"
    checkpoint: Optional[str] = None
    custom_ops_srcs: tuple[str, ...] = ()
    custom_ops_deps: tuple[str, ...] = ()
    bazel: str = "bazel"
    bazel_args: tuple[str, ...] = ()
    docker: str = "docker"
    experimental_api: bool = True
    #: Link for 16 KB pages (``--align-16kb``); the AAR check then fails on a 64-bit library below 16 KB.
    align_16kb: bool = True
    #: ``error`` or ``warn`` for a 64-bit library below 16 KB; None: error with align_16kb, else warn.
    alignment_check: Optional[str] = None
    dry_run: bool = False
    cache_dir: Optional[str] = None
    use_cache: bool = True
    #: Declared NDK revision and minimum API level (``--ndk-version``, ``--android-api-level``): these enter
    #: the version; what the build finds is checked against them (:mod:`tflite_slim.runtime.trees.observed`).
    #: The CMake backend builds its Android ABIs for the declared level (its NDK toolchain's ``ANDROID_PLATFORM``).
    ndk_version: Optional[str] = None
    android_api_level: Optional[int] = None
    #: ``--min-sdk``: the app's minSdk, the API level when ``--android-api-level`` is not given (declared too).
    min_sdk: Optional[int] = None
    #: ``--sdk``: the Android SDK (else ``$ANDROID_HOME``, ``$ANDROID_SDK_ROOT``, local.properties' sdk.dir).
    sdk: Optional[str] = None
    #: The CMake backend's options (``--cmake``, ``--cxx``, ``--cmake-dep-source`` ...).
    cmake: Optional[CmakeSettings] = None
    #: The compiler cache (``--compiler-cache*``): ccache/sccache for CMake, a remote cache for Bazel.
    compiler_cache: CacheSettings = CacheSettings()
    #: Compare the AARs' sizes with the stock runtime of the same release (``--no-stock-compare``: off).
    stock_compare: bool = True
    #: ``--stock-aar``: the app's com.google.ai.edge.litert:litert 2.x AAR, which a 2.x build keeps but for
    #: its libLiteRt.so (:mod:`tflite_slim.runtime.litert2build`).
    stock_aar: Optional[str] = None
    #: ``--litert-source``: a checkout of the 2.x tag to build from instead of downloading it.
    litert_source: Optional[str] = None

    @property
    def release(self) -> Optional[str]:
        """The release to download (``--tensorflow-version`` or ``--litert-version``), if any."""
        return self.litert_version or self.tensorflow_version

    @property
    def api_level(self) -> Optional[int]:
        """The declared API level: ``--android-api-level``, else, for the CMake backend, ``--min-sdk``.

        The CMake backend builds for the level it is given, so the app's minSdk is the level to build (and
        a declaration: it enters the version). Bazel builds the level its tree sets, which an app's minSdk
        need not equal, so ``--min-sdk`` is not a declaration there.
        """
        if self.android_api_level is not None:
            return self.android_api_level
        return self.min_sdk if self.backend == "cmake" else None

    @property
    def alignment(self) -> str:
        """An explicit --alignment-check wins; else a 16 KB build must be 16 KB, and one without only warns."""
        return self.alignment_check or ("error" if self.align_16kb else "warn")


def absolute_cache_root(s: BuildSettings) -> Path:
    """The cache root, absolute: a relative ``--cache-dir``/``$TFLITE_SLIM_CACHE`` is taken from the current
    directory now, once (tools such as CMake run in other directories and would read it from there)."""
    return Path(os.path.abspath(cache_root(s.cache_dir)))


def backend_asked(s: BuildSettings, backend: str = "") -> BackendAsked:
    """The backends' own part of the settings (what a backend factory reads); for the CMake backend with
    the tools found (:mod:`tflite_slim.runtime.toolchains`)."""
    cmake = s.cmake or CmakeSettings()
    if backend == "cmake":
        cmake = _found_tools(cmake, s)
    return BackendAsked(bazel=s.bazel, docker=s.docker, checkpoint=s.checkpoint, cache_root=absolute_cache_root(s),
                        use_cache=s.use_cache, cmake=cmake, compiler_cache=s.compiler_cache, abis=tuple(s.abis),
                        android_api_level=s.api_level)


def _cmake_version(cmake: str) -> Optional[tuple[int, int]]:
    try:
        return parse_version(process.run([cmake, "--version"], what=f"{cmake} --version").stdout)
    except TfliteSlimError:
        return None


def _found_tools(cmake: CmakeSettings, s: BuildSettings) -> CmakeSettings:
    """``cmake`` with CMake, Ninja and the NDK found as Android Studio installs them (not asked: found)."""
    # The bare default names mean "find it" (PATH, then the SDK's cmake/<version>/bin).
    found = studio.find(cmake=None if cmake.cmake == "cmake" else cmake.cmake,
                        ninja=None if cmake.ninja == "ninja" else cmake.ninja, sdk_option=s.sdk, ndk_option=cmake.ndk,
                        ndk_version=s.ndk_version, android=any(a not in HOST_ABIS for a in s.abis),
                        env=os.environ, project_dir=Path.cwd(), need=MIN_CMAKE, version_of=_cmake_version)
    return replace(cmake, cmake=found.tools.cmake, ninja=found.tools.ninja,
                   ndk=str(found.ndk.path) if found.ndk else cmake.ndk,
                   ndk_revision=found.ndk.revision if found.ndk else None,
                   cmake_version=found.tools.cmake_version,
                   found=found.notes, problems=found.problems)


#: Declared inputs only Bazel builds (both are in the version): declaring one chooses Bazel.
BAZEL_INPUTS = (("--bazel-arg", lambda s: bool(s.bazel_args)), ("--custom-ops-deps", lambda s: bool(s.custom_ops_deps)))


def choose_backend(s: BuildSettings) -> tuple[str, Optional[str]]:
    """The backend ``s`` builds with, and (when the tool chose it) one line saying why.

    The rule: ``--backend`` when given; else Docker for ``--checkpoint`` (only it clones a revision);
    else Bazel when an input only Bazel builds is declared (:data:`BAZEL_INPUTS`) or ``--bazel`` names
    one (a tool path, not in the version: the line says to declare ``--backend local``); else CMake. Flex
    models, which only Bazel builds, switch a chosen CMake to Bazel once the models are read
    (:func:`for_models`). The backend that builds is in the plan, and so in the version, whether
    declared or chosen (``Backend.plan_entry``), so the choice reads what the command says, never the
    user's checkout's configuration or what is installed: one command chooses the same backend, and
    the same version, on a developer's machine and on CI.
    """
    if s.backend:
        return s.backend, None
    if s.checkpoint:
        return "docker", "tflite-slim: backend docker (--checkpoint names the revision its container clones)"
    declared = [name for name, given in BAZEL_INPUTS if given(s)]
    if declared:
        return "local", f"tflite-slim: backend local (Bazel): {' and '.join(declared)} only Bazel builds"
    if s.bazel != "bazel":
        # A tool path, not in the version: a command without it would choose cmake. Said, so it can be declared.
        return "local", ("tflite-slim: backend local (Bazel): --bazel given; declare --backend local too, or a "
                         "command without --bazel (a developer's plan) chooses cmake and computes another version")
    return "cmake", ("tflite-slim: backend cmake (no --backend given): TFLite's CMake build with the NDK and CMake "
                     "found; --backend local builds with Bazel")


def for_models(asked: "Asked", s: BuildSettings, has_flex: bool, backends: Mapping[str, Factory]) -> "Asked":
    """``asked`` with Bazel instead of a chosen (not declared) CMake when the models use Flex ops."""
    if not (has_flex and asked.chosen and asked.backend_name == "cmake"):
        return asked
    if s.cmake is not None and not s.cmake.xnnpack:
        raise UsageError("the models use Flex (select TensorFlow) ops, which only Bazel builds, and --no-xnnpack "
                         "applies to --backend cmake (Bazel's build always has XNNPACK): drop --no-xnnpack")
    s = replace(s, backend="local")
    backend = backends["local"](backend_asked(s, "local"))
    return replace(asked, backend=backend, backend_name="local",
                   chosen="tflite-slim: backend local (Bazel): the models use Flex (select TensorFlow) ops, which "
                          "TFLite's CMake build cannot build",
                   source=replace(asked.source, android_api_level=s.api_level),
                   options=replace(asked.options, backend=backend.plan_entry(), android_api_level=s.api_level))


@dataclass(frozen=True)
class Asked:
    """The settings split into what each phase reads (and the backend made from its own)."""

    backend: Backend
    inputs: InputsAsked
    source: SourceAsked
    options: PlanOptions
    checks: ChecksAsked
    produce: ProduceAsked
    sizes: SizesAsked
    #: ``--out`` (None: not given, a dry run).
    out: Optional[Path]
    backend_name: str = "local"
    #: Why the backend was chosen (one line), None when ``--backend`` declared it.
    chosen: Optional[str] = None


def read(s: BuildSettings, backends: Mapping[str, Factory], *, building: bool) -> Asked:
    """Check ``s`` (see :func:`validate`) and split it for the phases.

    ``building``: for a build, not only its plan (``prepare``, a dry run): then
    ``--out`` and the cache are checked too, here, before anything is read,
    downloaded or built (see :func:`check_destinations`).
    """
    name, chosen = choose_backend(s)
    backend = validate(replace(s, backend=name), backends)
    s = replace(s, backend=name)
    root = absolute_cache_root(s)
    out = Path(str(s.out)) if s.out is not None else None
    cache = root if s.use_cache else None
    if building:
        check_destinations(out, cache)
    return Asked(
        backend=backend,
        inputs=InputsAsked(s.models, s.custom_ops_srcs),
        source=SourceAsked(s.tensorflow_src, s.release, LITERT if s.litert_version else TENSORFLOW, root,
                           s.checkpoint, s.dry_run, s.ndk_version, s.api_level, tuple(s.abis)),
        options=PlanOptions(s.abis, s.experimental_api, s.align_16kb, s.custom_ops_deps, s.bazel_args,
                            s.ndk_version, s.api_level, backend.plan_entry()),
        checks=ChecksAsked(s.dry_run, s.experimental_api),
        produce=ProduceAsked(cache, s.alignment),
        sizes=SizesAsked(s.stock_compare, cache / "stock" if cache is not None else None),
        out=out,
        backend_name=name,
        chosen=chosen,
    )


def check_destinations(out: Optional[Path], cache: Optional[Path]) -> None:
    """``out`` can be replaced (:func:`output.check_out`) and ``cache`` (None: ``--no-cache``) is writable.

    A build checks them first, so an unusable one is said at once, not after
    a long download or build.
    """
    if out is not None:
        output.check_out(out)
    if cache is not None:
        writable_dir(cache / "builds")


def validate(s: BuildSettings, backends: Mapping[str, Factory]) -> Backend:
    """The backend ``s.backend`` names, made by its factory in ``backends``; one :class:`UsageError`
    for the first setting that is missing, malformed or contradictory."""
    if not s.models:
        raise UsageError("no models given: tflite-slim build MODEL.tflite... --out DIR")
    for given, option in ((s.stock_aar, "--stock-aar"), (s.litert_source, "--litert-source")):
        if given:
            raise UsageError(f"{option} is for the LiteRT 2.x runtime: add --litert-version 2.x.y (the app's "
                             "com.google.ai.edge.litert:litert version)")
    if sum(bool(v) for v in (s.tensorflow_src, s.tensorflow_version, s.litert_version)) != 1:
        raise UsageError("give exactly one of --source DIR (a LiteRT or TensorFlow checkout), "
                         "--litert-version X.Y.Z or --tensorflow-version X.Y.Z")
    if s.backend not in backends:
        raise UsageError(f"--backend {s.backend!r}: choose {' or '.join(repr(b) for b in backends)}")
    backend = backends[s.backend](backend_asked(s, s.backend))
    host = sorted(a for a in s.abis if a in HOST_ABIS)
    if host and not backend.host_builds:
        raise UsageError(f"--target-archs {','.join(host)}: desktop builds need --backend cmake")
    refused = backend.unsupported(LITERT) if s.litert_version else None
    if refused:
        raise UsageError(refused)
    if s.cmake is not None and not s.cmake.xnnpack and s.backend != "cmake":
        raise UsageError(f"--no-xnnpack applies to --backend cmake; --backend {s.backend} builds with Bazel, whose "
                         "selective build always has the XNNPACK delegate (tflite_custom_android_library)")
    if s.cmake is not None and s.backend != "cmake" and s.cmake.flags.declared():
        raise UsageError(f"{s.cmake.flags.declared()[0]} applies to --backend cmake; --backend {s.backend} builds "
                         "with Bazel's own flags (-c opt): drop it, or build with --backend cmake")
    if s.checkpoint and s.backend != "docker":
        raise UsageError("--checkpoint selects the revision the Docker backend clones; add --backend docker")
    if not s.dry_run and not s.out:
        raise UsageError("--out DIR is required (where the AARs and ops.json go)")
    if s.alignment_check not in (None, *aar.ALIGNMENT_CHECKS):
        raise UsageError(f"--alignment-check {s.alignment_check!r}: choose 'error' or 'warn'")
    for src in s.custom_ops_srcs:
        if not os.path.isfile(src):
            raise UsageError(f"--custom-ops-srcs: {src} does not exist")
    return backend
