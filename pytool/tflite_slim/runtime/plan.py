"""The build plan: everything that decides the AARs' bytes, computed before anything runs.

A plan is the op set (never the model bytes: retrained weights build the same
runtime), the target ABIs, the TensorFlow version and commit, the custom-op
sources (by content) and deps, the options, and for local builds the Android
toolchain settings (NDK API level and revision, SDK API level, build-tools:
they change the .so files; the SDK/NDK locations do not, so they stay out). Its fingerprint keys the cache
and the generated Bazel package, and goes into ``ops.json`` and the Maven
version. The exact Bazel command lines are derived here too, so ``--dry-run``
shows what would run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from tflite_slim.runtime import tfscripts
from tflite_slim.runtime.android import AndroidConfig
from tflite_slim.runtime.buildfile import FLEX_TARGET, RUNTIME_TARGET
from tflite_slim.runtime.cmake_project import HOST_ABIS, host_abi
from tflite_slim.errors import UsageError
from tflite_slim.runtime.layout import LITERT, TENSORFLOW, SourceLayout, layout_of
from tflite_slim.analysis.opset import OpSet, digest, opset_to_json

#: ABIs TensorFlow's Android build knows (``--fat_apk_cpu`` values in ``build_aar.sh``).
KNOWN_ABIS = ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")
DEFAULT_ABIS = ("arm64-v8a", "armeabi-v7a")
#: ``--target-archs`` for this machine's desktop ABI (backends with ``host_builds``).
HOST = "host"

#: Bumped when the way we build changes what comes out for an equal plan.
#: 2: the flex AAR is built with build_aar.sh's own flags (no ``--config=monolithic``),
#: and the flags are read from the tree's build_aar.sh and recorded in the plan.
PLAN_FORMAT = 2

#: Which of build_aar.sh's ``//tmp`` targets each of our targets is.
SCRIPT_LABELS = {RUNTIME_TARGET: tfscripts.RUNTIME_LABEL, FLEX_TARGET: tfscripts.FLEX_LABEL}
#: 16 KB LOAD alignment, what NDK r27+ links with for Android 15's 16 KB-page devices
#: (Google Play requires it for apps targeting Android 15+). A multiple of 4 KB, so
#: the libraries still load on 4 KB-page devices; 32-bit ABIs get it too, harmlessly.
ALIGN_16KB_FLAG = "--linkopt=-Wl,-z,max-page-size=16384"


def build_flags_for(
    flags: Optional[Mapping[str, Sequence[str]]] = None, layout: SourceLayout = TENSORFLOW
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per-target ``bazel build`` options (ABI flag as a placeholder).

    For TensorFlow, build_aar.sh's per-label flags: ``flags`` is what
    :func:`tflite_slim.runtime.tfscripts.read_build_flags` read from the tree; None
    means the newest script's (:data:`tfscripts.KNOWN_BUILD_FLAGS`). For
    LiteRT, whose build_aar.sh still names TensorFlow's labels, the layout's
    (its Android CI's, in its order: the flex build adds its flags at the end).
    """
    if layout is LITERT:
        runtime = (*layout.flags_before_abis, tfscripts.ABIS_FLAG, *layout.flags_after_abis)
        return ((RUNTIME_TARGET, runtime), (FLEX_TARGET, (*runtime, *layout.flex_flags)))
    by_label = tfscripts.KNOWN_BUILD_FLAGS if flags is None else flags
    return tuple((target, tuple(by_label[label])) for target, label in SCRIPT_LABELS.items())


#: The newest build_aar.sh's flags, for plans made without a tree to read.
DEFAULT_BUILD_FLAGS = build_flags_for()


def parse_abis(text: str) -> tuple[str, ...]:
    """``arm64-v8a,armeabi-v7a`` -> sorted unique ABIs; unknown names are a UsageError.

    ``host`` is this machine's desktop ABI (``linux-x86_64``): the plan names what is built.
    """
    names = {a.strip() for a in text.split(",") if a.strip()}
    if not names:
        raise UsageError("--target-archs is empty: give e.g. arm64-v8a,armeabi-v7a")
    if HOST in names:
        try:
            names = (names - {HOST}) | {host_abi()}
        except ValueError as e:
            raise UsageError(f"--target-archs host: {e}") from e
    unknown = sorted(a for a in names if a not in KNOWN_ABIS and a not in HOST_ABIS)
    if unknown:
        raise UsageError(
            f"--target-archs: unknown ABI(s) {', '.join(unknown)}; choose from {', '.join(KNOWN_ABIS)} "
            f"(or {HOST}, {', '.join(HOST_ABIS)} with --backend cmake)"
        )
    return tuple(sorted(names))


@dataclass(frozen=True)
class SourceFile:
    """A custom-op source as the plan sees it: its package name and content hash."""

    name: str
    sha256: str


@dataclass(frozen=True)
class BuildPlan:
    """Inputs that determine the built AARs (see the module docstring)."""

    op_set: OpSet
    abis: tuple[str, ...]
    tf_version: str
    tf_commit: Optional[str] = None
    experimental_api: bool = True
    #: Link with :data:`ALIGN_16KB_FLAG` (``--align-16kb``, the default).
    align_16kb: bool = True
    custom_ops_srcs: tuple[SourceFile, ...] = ()
    custom_ops_deps: tuple[str, ...] = ()
    bazel_args: tuple[str, ...] = field(default_factory=tuple)
    #: None for the Docker backend: its image (TensorFlow's Dockerfile) pins the SDK/NDK per revision.
    android: Optional[AndroidConfig] = None
    #: The source tree's kind (layout.SourceLayout.kind); ``tf_version``/``tf_commit`` are that tree's.
    source: str = TENSORFLOW.kind
    #: (target, options) as TensorFlow's build_aar.sh passes them for that revision; the
    #: ABI flag is :data:`tfscripts.ABIS_FLAG`, filled in from :attr:`abis`.
    build_flags: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_BUILD_FLAGS
    #: What a non-Bazel backend declares (``Backend.plan_entry``): it builds a different runtime.
    backend: tuple[tuple[str, str], ...] = ()

    @property
    def has_flex(self) -> bool:
        return self.op_set.has_flex

    @property
    def custom_ops_srcs_hash(self) -> Optional[str]:
        """sha256 over the sources' names and contents, or None without sources."""
        if not self.custom_ops_srcs:
            return None
        text = "\n".join(f"{s.name}\0{s.sha256}" for s in sorted(self.custom_ops_srcs, key=lambda s: s.name))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def canonical(self) -> dict[str, Any]:
        """Sorted plain data; the input of :attr:`fingerprint`."""
        data: dict[str, Any] = {
            "plan_format": PLAN_FORMAT,
            "op_set": self.op_set.canonical(),
            "abis": sorted(self.abis),
            "tensorflow": {"version": self.tf_version, "commit": self.tf_commit},
            "experimental_api": self.experimental_api,
            "align_16kb": self.align_16kb,
            "custom_ops_srcs": self.custom_ops_srcs_hash,
            "custom_ops_deps": sorted(self.custom_ops_deps),
            # Order matters for Bazel flags (later wins), so it is kept.
            "bazel_args": list(self.bazel_args),
            # Only the targets built: the flex flags do not change a runtime-only build.
            "build_flags": {t: list(dict(self.build_flags)[t]) for t in self.targets},
        }
        if self.android is not None:  # absent rather than null: Docker plans keep their fingerprints
            data["android"] = self.android.canonical()
        if self.source != TENSORFLOW.kind:  # absent for TensorFlow: its plans keep their fingerprints
            data["source"] = self.source
        if self.backend:  # absent for Bazel: its plans keep their fingerprints
            data["backend"] = dict(self.backend)
        return data

    @property
    def fingerprint(self) -> str:
        return digest(self.canonical())

    def flags(self, target: str) -> tuple[str, ...]:
        """The ``bazel build`` options for ``target`` with this plan's ABIs filled in.

        With :attr:`align_16kb`, the 16 KB link option follows the script's
        flags, so a ``--bazel-arg=--linkopt=...`` of the user's still comes later.
        """
        abis = "--fat_apk_cpu=" + ",".join(self.abis)
        flags = tuple(abis if f == tfscripts.ABIS_FLAG else f for f in dict(self.build_flags)[target])
        return flags + (ALIGN_16KB_FLAG,) if self.align_16kb else flags

    @property
    def targets(self) -> tuple[str, ...]:
        return (RUNTIME_TARGET, FLEX_TARGET) if self.has_flex else (RUNTIME_TARGET,)

    def describe(self) -> dict[str, Any]:
        """The plan for people (``--dry-run``) and the build record."""
        return {
            "plan_fingerprint": self.fingerprint,
            "source": self.source,
            "tensorflow": {"version": self.tf_version, "commit": self.tf_commit},
            "abis": list(self.abis),
            "experimental_api": self.experimental_api,
            "align_16kb": self.align_16kb,
            "custom_ops_srcs": [{"name": s.name, "sha256": s.sha256} for s in self.custom_ops_srcs],
            "custom_ops_srcs_hash": self.custom_ops_srcs_hash,
            "custom_ops_deps": list(self.custom_ops_deps),
            "bazel_args": list(self.bazel_args),
            "build_flags": {t: list(self.flags(t)) for t in self.targets},
            "android": self.android.canonical() if self.android else None,
            "targets": list(self.targets),
            "op_set": opset_to_json(self.op_set),
            **({"backend": dict(self.backend)} if self.backend else {}),
        }


def package_path(plan: BuildPlan) -> str:
    """The generated package's path inside the TF workspace: one per plan, so runs never mix."""
    return f"tflite_slim_build/p{plan.fingerprint[:16]}"


def bazel_build_argv(
    bazel: str, plan: BuildPlan, package: str, target: str, *, startup_args: Sequence[str] = ()
) -> list[str]:
    """The exact ``bazel build`` command for one target of the generated package.

    The options are build_aar.sh's for that target (from the plan), then the
    user's ``--bazel-arg``s (later options win in Bazel), then the label.
    """
    return [bazel, *startup_args, "build", *plan.flags(target), *plan.bazel_args, f"//{package}:{target}"]
