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
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from tflite_slim.errors import UsageError
from tflite_slim.runtime import output
from tflite_slim.runtime.artifacts import aar
from tflite_slim.runtime.backends.base import Backend, BackendAsked, Factory
from tflite_slim.runtime.artifacts.cache import cache_root, writable_dir
from tflite_slim.runtime.checks import ChecksAsked
from tflite_slim.runtime.artifacts.abis import HOST_ABIS
from tflite_slim.runtime.backends.cmake_project import CmakeSettings
from tflite_slim.runtime.backends.compiler_cache import CacheSettings
from tflite_slim.runtime.inputs import InputsAsked
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW
from tflite_slim.runtime.planner import PlanOptions
from tflite_slim.runtime.produce import ProduceAsked
from tflite_slim.runtime.resolve import SourceAsked
from tflite_slim.runtime.sizes import SizesAsked


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
    backend: str = "local"
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
    #: The CMake backend's options (``--cmake``, ``--cxx``, ``--cmake-dep-source`` ...).
    cmake: Optional[CmakeSettings] = None
    #: The compiler cache (``--compiler-cache*``): ccache/sccache for CMake, a remote cache for Bazel.
    compiler_cache: CacheSettings = CacheSettings()
    #: Compare the AARs' sizes with the stock runtime of the same release (``--no-stock-compare``: off).
    stock_compare: bool = True

    @property
    def release(self) -> Optional[str]:
        """The release to download (``--tensorflow-version`` or ``--litert-version``), if any."""
        return self.litert_version or self.tensorflow_version

    @property
    def alignment(self) -> str:
        """An explicit --alignment-check wins; else a 16 KB build must be 16 KB, and one without only warns."""
        return self.alignment_check or ("error" if self.align_16kb else "warn")


def absolute_cache_root(s: BuildSettings) -> Path:
    """The cache root, absolute: a relative ``--cache-dir``/``$TFLITE_SLIM_CACHE`` is taken from the current
    directory now, once (tools such as CMake run in other directories and would read it from there)."""
    return Path(os.path.abspath(cache_root(s.cache_dir)))


def backend_asked(s: BuildSettings) -> BackendAsked:
    """The backends' own part of the settings (what a backend factory reads)."""
    return BackendAsked(bazel=s.bazel, docker=s.docker, checkpoint=s.checkpoint, cache_root=absolute_cache_root(s),
                        use_cache=s.use_cache, cmake=s.cmake or CmakeSettings(),
                        compiler_cache=s.compiler_cache)


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


def read(s: BuildSettings, backends: Mapping[str, Factory], *, building: bool) -> Asked:
    """Check ``s`` (see :func:`validate`) and split it for the phases.

    ``building``: for a build, not only its plan (``prepare``, a dry run): then
    ``--out`` and the cache are checked too, here, before anything is read,
    downloaded or built (see :func:`check_destinations`).
    """
    backend = validate(s, backends)
    root = absolute_cache_root(s)
    out = Path(str(s.out)) if s.out is not None else None
    cache = root if s.use_cache else None
    if building:
        check_destinations(out, cache)
    return Asked(
        backend=backend,
        inputs=InputsAsked(s.models, s.custom_ops_srcs),
        source=SourceAsked(s.tensorflow_src, s.release, LITERT if s.litert_version else TENSORFLOW, root,
                           s.checkpoint, s.dry_run, s.ndk_version, s.android_api_level, tuple(s.abis)),
        options=PlanOptions(s.abis, s.experimental_api, s.align_16kb, s.custom_ops_deps, s.bazel_args,
                            s.ndk_version, s.android_api_level, backend.plan_entry()),
        checks=ChecksAsked(s.dry_run, s.experimental_api),
        produce=ProduceAsked(cache, s.alignment),
        sizes=SizesAsked(s.stock_compare, cache / "stock" if cache is not None else None),
        out=out,
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
    if sum(bool(v) for v in (s.tensorflow_src, s.tensorflow_version, s.litert_version)) != 1:
        raise UsageError("give exactly one of --source DIR (a LiteRT or TensorFlow checkout), "
                         "--litert-version X.Y.Z or --tensorflow-version X.Y.Z")
    if s.backend not in backends:
        raise UsageError(f"--backend {s.backend!r}: choose {' or '.join(repr(b) for b in backends)}")
    backend = backends[s.backend](backend_asked(s))
    host = sorted(a for a in s.abis if a in HOST_ABIS)
    if host and not backend.host_builds:
        raise UsageError(f"--target-archs {','.join(host)}: desktop builds need --backend cmake")
    refused = backend.unsupported(LITERT) if s.litert_version else None
    if refused:
        raise UsageError(refused)
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
