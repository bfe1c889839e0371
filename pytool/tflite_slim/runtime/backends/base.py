"""What every backend (the thing that turns a plan into AARs) is given, and what it must do.

A backend is chosen by ``--backend NAME`` from :data:`tflite_slim.runtime.backends.registry.BACKENDS`
(name -> :data:`Factory`). The factory is given :class:`BackendAsked`, the backends' own part of
the settings (``--bazel``, ``--docker``, ``--checkpoint``, the CMake options ...), which the
settings phase fills; a backend never reads the settings module. Everything else it needs
arrives in one :class:`BackendJob` per build. The build calls, in this order::

    backend.unsupported_ops(ops)   # once the models are read, before any tree: ops it can never build
    backend.commands(job)   # only for --dry-run: what would run
    backend.require_tools(layout)  # before a release is downloaded: the programs it runs are there
    backend.prepare(job)    # preconditions: tools present, tree configured (may configure a tree we own)
    backend.build(job)      # target -> the AAR it wrote (under job.work or the tree's own output)
    backend.stop()          # from another thread, at any time: cancel what is running

Every command goes through :func:`tflite_slim.process.run` (pass the backend's
:class:`~tflite_slim.process.Stopper` so :meth:`Backend.stop` reaches it).
The AARs a backend returns are checked and finished by the caller
(:mod:`tflite_slim.runtime.artifacts.aar`); a backend never writes into ``--out`` or the cache.
"""

from __future__ import annotations

import shutil
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar, Optional, Sequence

from tflite_slim.analysis.opset import OpSet
from tflite_slim.runtime.backends.cmake.project import CmakeSettings
from tflite_slim.runtime.backends.compiler_cache import CacheSettings
from tflite_slim.runtime.spec.plan import BuildPlan
from tflite_slim.runtime.trees.layout import SourceLayout

Log = Callable[[str], None]


@dataclass(frozen=True)
class BackendAsked:
    """What a backend's factory reads: the backends' own settings, checked by the settings phase."""

    bazel: str = "bazel"
    docker: str = "docker"
    #: ``--checkpoint``: the revision the Docker backend clones.
    checkpoint: Optional[str] = None
    #: The tool's cache root (``--cache-dir``, absolute) and whether builds may use it (``--no-cache``: no).
    cache_root: Path = Path(".")
    use_cache: bool = True
    cmake: CmakeSettings = CmakeSettings()
    #: ccache/sccache for CMake, ``--remote_cache`` for Bazel (:mod:`tflite_slim.runtime.backends.compiler_cache`).
    compiler_cache: CacheSettings = CacheSettings()
    #: The ABIs asked for and the declared API level (``--android-api-level``, else ``--min-sdk``): what a
    #: backend checks before a download (:meth:`Backend.require_tools`) needs no tree.
    abis: tuple[str, ...] = ()
    android_api_level: Optional[int] = None


@dataclass(frozen=True)
class Package:
    """The generated package: its path in the workspace and the files to put in it."""

    path: str
    build_file: str
    #: (source file on the host, name inside the package), models and custom-op sources.
    files: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        # The names come from buildfile's naming functions; this guards the invariant that
        # nothing overwrites another input or the BUILD file, and nothing lands outside.
        seen = {"build", "build.bazel"}
        for _, name in self.files:
            parts = Path(name).parts
            if Path(name).is_absolute() or ".." in parts or name.lower() in seen:
                raise ValueError(f"package file name {name!r} escapes or collides")
            seen.add(name.lower())

    def write(self, directory: Path) -> None:
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        for src, name in self.files:
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, directory / name)
        (directory / "BUILD").write_text(self.build_file)


@dataclass(frozen=True)
class BackendJob:
    """One build, as every backend sees it."""

    plan: BuildPlan
    #: The generated package (BUILD file, models, custom-op sources).
    package: Package
    #: The op registration code for the plan's op set (what gen_op_registration generates).
    registration: str
    #: The source tree; None only in a dry run before the release is downloaded.
    root: Optional[Path]
    layout: SourceLayout
    #: The release we downloaded into the cache (a tree we own and may configure);
    #: None for the user's ``--source`` checkout, which is never changed.
    release: Optional[str]
    #: A private directory for the backend's own files, removed after the build
    #: (a placeholder in a dry run).
    work: Path
    log: Log
    #: The tree is configured by ./configure (into :attr:`configure_rc`, None: the layout's name);
    #: False: its WORKSPACE reads the SDK/NDK from the environment (the plan passes them as ``--action_env``).
    needs_configure: bool = True
    configure_rc: Optional[str] = None

    @property
    def tree(self) -> Path:
        """:attr:`root`, or a readable placeholder for commands shown before the download."""
        return self.root if self.root is not None else Path(f"<{self.layout.kind}-{self.release}>")


class Backend(ABC):
    """Builds a :class:`BackendJob`'s plan into AARs; see the module docstring."""

    #: Whether the build uses the host's Android SDK/NDK: their settings then go into the
    #: plan (they change the .so files), and are looked up before anything is downloaded.
    uses_host_android: ClassVar[bool] = True
    #: Whether it builds for desktop ABIs (``--target-archs host``) as well as Android's.
    host_builds: ClassVar[bool] = False
    #: Whether the build uses the tree's own Bazel Android settings (its WORKSPACE's NDK repository and
    #: API level, .bazelrc's platforms): False (CMake) builds the declared API level with its own toolchain.
    reads_tree_android: ClassVar[bool] = True

    @abstractmethod
    def unsupported_ops(self, ops: OpSet) -> Optional[str]:
        """Why this backend can never build a runtime for ``ops``, whatever the tree holds (one line), or None.

        The pre-download hook: the builder asks it once the models are read, before a release is fetched,
        and a build stops with it (a dry run lists it among the problems). Only what no tree can change
        belongs here (TFLite's CMake build has no Flex delegate); a tree's missing kernels are the check
        phase's.
        """

    @abstractmethod
    def commands(self, job: BackendJob) -> list[list[str]]:
        """The command lines a build would run, for ``--dry-run`` (runs and writes nothing)."""

    @abstractmethod
    def prepare(self, job: BackendJob) -> None:
        """Check the preconditions (tools present, tree configured); one-line ToolchainError if not."""

    @abstractmethod
    def build(self, job: BackendJob) -> dict[str, Path]:
        """Run the build; return target (``job.plan.targets``) -> the AAR built for it."""

    @abstractmethod
    def stop(self) -> None:
        """Cancel what is running (safe to call from another thread, before, during or after a build)."""

    def plan_entry(self) -> tuple[tuple[str, str], ...]:
        """What this backend adds to the plan (and so to the runtime's version); Bazel's add nothing."""
        return ()

    def observed_toolchain(self) -> tuple[tuple[str, str], ...]:
        """What the backend found on the machine that changes the bytes (the NDK revision): recorded in the
        plan's observed facts (``ops.json``, the build cache's key), never in the version."""
        return ()

    def require_tools(self, layout: SourceLayout) -> None:
        """The programs the build runs are there; a one-line :class:`~tflite_slim.errors.ToolMissing` if not.

        Needs no tree: the resolve phase calls it before it downloads a release
        (so a missing tool is said at once, not after the download), and
        :meth:`prepare` before building.
        """

    def unsupported(self, layout: SourceLayout) -> Optional[str]:
        """Why this backend cannot build a tree of ``layout`` (a usage error), or None."""
        return None

    def observe(self, abis: Sequence[str], api_level: Optional[int], ndk_version: Optional[str], *,
                dry_run: bool) -> tuple[tuple[str, str], ...]:
        """The toolchain this backend would build ``abis`` with, as it is seen on this machine.

        (``<abi>.<fact>``, value) pairs, e.g. the compiler's path and ``--version``,
        the NDK's path and revision; what was declared (``ndk_version``) is checked
        against them (a one-line :class:`~tflite_slim.errors.ToolchainError` naming
        both). They go into the build record and the cache key, never into the
        version. In a dry run a tool that is missing is left out (``prepare`` says
        it). The Bazel backends' toolchain is the plan's ``android`` config: ().
        """
        return ()

    def record_sources(self, job: BackendJob) -> tuple[dict, ...]:
        """What the build read besides the tree (fetched dependencies and their archives, directories given
        instead), for the build record (``ops.json``): facts, never in the version. Bazel's: none recorded."""
        return ()

    def problems(self, job: BackendJob) -> list[str]:
        """What :meth:`prepare` would refuse, found without changing anything (a dry run reports it)."""
        return []

    def notes(self, job: BackendJob) -> list[str]:
        """How this backend's build differs from TensorFlow's build_aar.sh, and why (for ``--dry-run``)."""
        return []


def timed(log: Log) -> Log:
    """``log`` with each line prefixed by the elapsed time, so a long build shows it is moving."""
    start = time.monotonic()

    def sink(line: str) -> None:
        s = int(time.monotonic() - start)
        log(f"[{s // 60:02d}:{s % 60:02d}] {line}")

    return sink


#: Makes a backend from its settings; :data:`tflite_slim.runtime.backends.registry.BACKENDS` maps names to these.
Factory = Callable[[BackendAsked], Backend]
