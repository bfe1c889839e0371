"""The build plan: what was declared, what the tree was seen to say, and the Bazel command lines.

The fingerprint (the runtime's version) hashes only what is *declared*, so a
developer's ``plan`` with no toolchain and nothing downloaded computes the
version CI's ``build`` publishes: the op set (never the model bytes: retrained
weights build the same runtime), the ABIs, the named release
(``--tensorflow-version``/``--litert-version``) or a checkout's version and
commit, the custom-op sources (by content) and deps, the options, and the NDK
revision and API level *only when declared* (``--ndk-version``,
``--android-api-level``). What a build observes (the SDK/NDK it found, a
downloaded archive's commit, the tree's flag files and platform labels, the
API level the tree sets) is implied by the release: it is checked against the
declaration (:mod:`tflite_slim.runtime.trees.observed`) and written into the build
record, never hashed. The exact Bazel command lines are derived here too, so
``--dry-run`` shows what would run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from tflite_slim.runtime.trees import tfscripts
from tflite_slim.runtime.trees.android import AndroidConfig
from tflite_slim.runtime.spec.buildfile import FLEX_TARGET, RUNTIME_TARGET
from tflite_slim.runtime.artifacts.abis import HOST_ABIS, host_abi
from tflite_slim.errors import UsageError
from tflite_slim.process import redact_urls
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW, SourceLayout, layout_of
from tflite_slim.analysis.opset import OpSet, digest, opset_to_json

#: ABIs TensorFlow's Android build knows (``--fat_apk_cpu`` values in ``build_aar.sh``).
KNOWN_ABIS = ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")
DEFAULT_ABIS = ("arm64-v8a", "armeabi-v7a")
#: ``--target-archs`` for this machine's desktop ABI (backends with ``host_builds``).
HOST = "host"

#: Bumped when the way we build changes what comes out for an equal plan.
#: 2: the flex AAR is built with build_aar.sh's own flags (no ``--config=monolithic``),
#: and the flags are read from the tree's build_aar.sh and recorded in the plan.
#: 3: only declared inputs are hashed (observed flags, SDK/NDK and archive commit are recorded);
#: every ABI is selected with ``--android_platforms`` where the tree uses Android toolchain resolution.
PLAN_FORMAT = 3

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
    :func:`tflite_slim.runtime.trees.tfscripts.read_build_flags` read from the tree; None
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
            f"--target-archs: unknown ABI{'s' if len(unknown) != 1 else ''} {', '.join(unknown)}; choose from {', '.join(KNOWN_ABIS)} "
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
    #: The commit is declared (a checkout's HEAD, a Docker checkpoint), not observed in a release's archive.
    commit_declared: bool = True
    #: ``--ndk-version`` / ``--android-api-level``: hashed only when given.
    ndk_version: Optional[str] = None
    android_api_level: Optional[int] = None
    #: Observed, not hashed: the ``--platforms`` label per ABI from the tree's ``.bazelrc`` when the tree
    #: builds with Android toolchain resolution (then ``--android_platforms`` selects every ABI).
    android_platforms: tuple[tuple[str, str], ...] = ()
    #: Observed, not hashed: the minimum API level the tree builds the native libraries for (None: unknown).
    min_api_level: Optional[int] = None
    #: Observed, not hashed: options naming this machine's SDK/NDK (``--action_env``), as LiteRT's CI passes them.
    env_flags: tuple[str, ...] = ()
    #: What a non-Bazel backend declares (``Backend.plan_entry``): it builds a different runtime.
    backend: tuple[tuple[str, str], ...] = ()
    #: Observed, not hashed: the backend's toolchain (``Backend.observe``: ``<abi>.<fact>`` -> value, the
    #: compilers' paths and versions, the NDK's path and revision), so another compiler is another cache entry.
    toolchain: tuple[tuple[str, str], ...] = ()

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
            "tensorflow": {"version": self.tf_version,
                           "commit": self.tf_commit if self.commit_declared else None},
            "experimental_api": self.experimental_api,
            "align_16kb": self.align_16kb,
            "custom_ops_srcs": self.custom_ops_srcs_hash,
            "custom_ops_deps": sorted(self.custom_ops_deps),
            # Order matters for Bazel flags (later wins), so it is kept.
            "bazel_args": list(self.bazel_args),
        }
        if self.ndk_version is not None:  # absent unless declared: see the module docstring
            data["ndk_version"] = self.ndk_version
        if self.android_api_level is not None:
            data["android_api_level"] = self.android_api_level
        if self.source != TENSORFLOW.kind:
            data["source"] = self.source
        if self.backend:  # absent for Bazel: its plans keep their fingerprints
            data["backend"] = dict(self.backend)
        return data

    @property
    def fingerprint(self) -> str:
        return digest(self.canonical())

    @property
    def cache_key(self) -> str:
        """The build cache's key: the fingerprint plus what was observed (another NDK or compiler builds
        other bytes under the same version), and the Bazel flags without this machine's SDK/NDK paths."""
        flags = {t: [f for f in self.flags(t) if f not in self.env_flags] for t in self.targets}
        return digest({"plan": self.fingerprint, "observed": self.observed(), "flags": flags})

    def flags(self, target: str) -> tuple[str, ...]:
        """The ``bazel build`` options for ``target`` with this plan's ABIs filled in.

        With :attr:`align_16kb`, the 16 KB link option follows the script's
        flags, so a ``--bazel-arg=--linkopt=...`` of the user's still comes later.
        """
        flags: list[str] = []
        for f in dict(self.build_flags)[target]:
            flags += self.abi_flags() if f == tfscripts.ABIS_FLAG else [f]
        flags += self.env_flags
        return tuple(flags) + ((ALIGN_16KB_FLAG,) if self.align_16kb else ())

    def abi_flags(self) -> list[str]:
        """``--fat_apk_cpu`` (read without Android toolchain resolution), and ``--android_platforms``
        when the tree resolves Android toolchains: Bazel 7's AndroidSplitTransition then splits over
        ``--android_platforms`` or, unset, only the first ``--platforms`` value."""
        flags = ["--fat_apk_cpu=" + ",".join(self.abis)]
        if self.android_platforms:
            labels = dict(self.android_platforms)
            flags.append("--android_platforms=" + ",".join(labels[a] for a in self.abis))
        return flags

    @property
    def targets(self) -> tuple[str, ...]:
        return (RUNTIME_TARGET, FLEX_TARGET) if self.has_flex else (RUNTIME_TARGET,)

    def describe(self) -> dict[str, Any]:
        """The plan for people (``--dry-run``) and the build record."""
        return {
            "plan_fingerprint": self.fingerprint,
            "source": self.source,
            "tensorflow": {"version": self.tf_version, "commit": self.tf_commit},
            "declared": {"ndk_version": self.ndk_version, "android_api_level": self.android_api_level},
            "observed": self.observed(),
            "abis": list(self.abis),
            "experimental_api": self.experimental_api,
            "align_16kb": self.align_16kb,
            "custom_ops_srcs": [{"name": s.name, "sha256": s.sha256} for s in self.custom_ops_srcs],
            "custom_ops_srcs_hash": self.custom_ops_srcs_hash,
            "custom_ops_deps": list(self.custom_ops_deps),
            # Printed (--dry-run) and stored in the cache's plan.json: no URL's credentials.
            "bazel_args": [redact_urls(a) for a in self.bazel_args],
            # Bazel's options: a plan another backend builds has none (its own commands are shown instead).
            **({} if self.backend else {"build_flags": {t: list(self.flags(t)) for t in self.targets}}),
            "android": self.android.canonical() if self.android else None,
            "targets": list(self.targets),
            "op_set": opset_to_json(self.op_set),
            **({"backend": dict(self.backend)} if self.backend else {}),
        }

    def observed(self) -> dict[str, Any]:
        """What the build saw rather than was told (recorded in ``ops.json``, never hashed)."""
        data: dict[str, Any] = {
            "commit": None if self.commit_declared else self.tf_commit,
            "android": self.android.canonical() if self.android else None,
            "min_api_level": self.min_api_level,
            "android_platforms": dict(self.android_platforms) or None,
            # Absent unless a backend found one: the cache keys of other plans stay as they were.
            **({"toolchain": dict(self.toolchain)} if self.toolchain else {}),
        }
        if self.toolchain:  # absent for Bazel: its cache keys stay as they were
            by_abi: dict[str, dict[str, str]] = {}
            for key, value in self.toolchain:
                abi, _, fact = key.partition(".")
                by_abi.setdefault(abi, {})[fact] = value
            data["toolchain"] = by_abi
        return data


def package_path(plan: BuildPlan) -> str:
    """The generated package's path inside the TF workspace: one per plan, so runs never mix."""
    return f"tflite_slim_build/p{plan.fingerprint[:16]}"


def bazel_build_argv(
    bazel: str, plan: BuildPlan, package: str, target: str, *, startup_args: Sequence[str] = (),
    cache_args: Sequence[str] = ()
) -> list[str]:
    """The exact ``bazel build`` command for one target of the generated package.

    The options are build_aar.sh's for that target (from the plan), then the
    remote cache's (``cache_args``: where outputs may come from, not what they are,
    so not in the plan), then the user's ``--bazel-arg``s (later options win in
    Bazel), then the label.
    """
    return [bazel, *startup_args, "build", *plan.flags(target), *cache_args, *plan.bazel_args,
            f"//{package}:{target}"]
