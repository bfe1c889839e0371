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
from typing import Any, Optional, Sequence

from tflite_slim.android import AndroidConfig
from tflite_slim.buildfile import FLEX_TARGET, RUNTIME_TARGET
from tflite_slim.errors import UsageError
from tflite_slim.layout import TENSORFLOW, layout_of
from tflite_slim.opset import OpSet, digest, opset_to_json

#: ABIs TensorFlow's Android build knows (``--fat_apk_cpu`` values in ``build_aar.sh``).
KNOWN_ABIS = ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")
DEFAULT_ABIS = ("arm64-v8a", "armeabi-v7a")

#: Bumped when the way we build changes what comes out for an equal plan.
PLAN_FORMAT = 1

#: The flags ``tensorflow/lite/tools/build_aar.sh`` passes for the runtime AAR.
BASE_FLAGS = (
    "-c",
    "opt",
    "--cxxopt=--std=c++17",
)
#: TensorFlow's; a LiteRT tree's Android flags are layout.LITERT's (its CI's).
FIXED_FLAGS_AFTER_ABIS = TENSORFLOW.flags_after_abis
#: The Select TF ops build links TensorFlow's core; without a monolithic build
#: users hit duplicate/undefined protobuf symbols (TF issues on build_aar.sh).
FLEX_EXTRA_FLAGS = ("--config=monolithic",)
#: 16 KB LOAD alignment, what NDK r27+ links with for Android 15's 16 KB-page devices
#: (Google Play requires it for apps targeting Android 15+). A multiple of 4 KB, so
#: the libraries still load on 4 KB-page devices; 32-bit ABIs get it too, harmlessly.
ALIGN_16KB_FLAG = "--linkopt=-Wl,-z,max-page-size=16384"


def parse_abis(text: str) -> tuple[str, ...]:
    """``arm64-v8a,armeabi-v7a`` -> sorted unique ABIs; unknown names are a UsageError."""
    abis = sorted({a.strip() for a in text.split(",") if a.strip()})
    if not abis:
        raise UsageError("--target-archs is empty: give e.g. arm64-v8a,armeabi-v7a")
    unknown = [a for a in abis if a not in KNOWN_ABIS]
    if unknown:
        raise UsageError(
            f"--target-archs: unknown ABI(s) {', '.join(unknown)}; choose from {', '.join(KNOWN_ABIS)}"
        )
    return tuple(abis)


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
        }
        if self.android is not None:  # absent rather than null: Docker plans keep their fingerprints
            data["android"] = self.android.canonical()
        if self.source != TENSORFLOW.kind:  # absent for TensorFlow: its plans keep their fingerprints
            data["source"] = self.source
        return data

    @property
    def fingerprint(self) -> str:
        return digest(self.canonical())

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
            "android": self.android.canonical() if self.android else None,
            "targets": list(self.targets),
            "op_set": opset_to_json(self.op_set),
        }


def package_path(plan: BuildPlan) -> str:
    """The generated package's path inside the TF workspace: one per plan, so runs never mix."""
    return f"tflite_slim_build/p{plan.fingerprint[:16]}"


def bazel_build_argv(
    bazel: str, plan: BuildPlan, package: str, target: str, *, startup_args: Sequence[str] = ()
) -> list[str]:
    """The exact ``bazel build`` command for one target of the generated package."""
    layout = layout_of(plan.source)
    argv = [bazel, *startup_args, "build", *BASE_FLAGS]
    if target == FLEX_TARGET:
        argv += list(FLEX_EXTRA_FLAGS) + list(layout.flex_flags)
    argv += list(layout.flags_before_abis)
    argv.append("--fat_apk_cpu=" + ",".join(plan.abis))
    argv += list(layout.flags_after_abis)
    if plan.align_16kb:
        argv.append(ALIGN_16KB_FLAG)  # before the user's flags: a later --linkopt of theirs still applies
    argv += list(plan.bazel_args)
    argv.append(f"//{package}:{target}")
    return argv
