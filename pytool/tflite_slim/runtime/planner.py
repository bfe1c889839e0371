"""Phase 3, plan: the op set, the tree's facts and the options -> the :class:`BuildPlan` (pure, no I/O).

The plan's fingerprint keys the cache, names the generated package and goes
into ``ops.json`` and the Maven version (see :mod:`tflite_slim.runtime.spec.plan`):
it hashes only what was declared; what the tree was seen to say rides along
in the plan (the build record, the cache key, the Bazel flags), unhashed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from tflite_slim.runtime.trees import android, observed
from tflite_slim.runtime.inputs import Inputs
from tflite_slim.runtime.spec.plan import BuildPlan, SourceFile, build_flags_for
from tflite_slim.runtime.resolve import SourceTree


@dataclass(frozen=True)
class PlanOptions:
    """The settings this phase reads."""

    abis: tuple[str, ...]
    experimental_api: bool
    align_16kb: bool
    custom_ops_deps: tuple[str, ...]
    bazel_args: tuple[str, ...]
    #: ``--ndk-version`` / ``--android-api-level`` (hashed only when given).
    ndk_version: Optional[str] = None
    android_api_level: Optional[int] = None
    #: What the backend adds to the plan (``Backend.plan_entry``; Bazel's add nothing).
    backend: tuple[tuple[str, str], ...] = ()
    #: Observed: what the backend found that changes the bytes (``Backend.observed_toolchain``).
    ndk_found: tuple[tuple[str, str], ...] = ()


def make_plan(inputs: Inputs, tree: SourceTree, options: PlanOptions) -> BuildPlan:
    """Everything that decides the AARs' bytes, from what the earlier phases read."""
    abis = tuple(sorted(set(options.abis)))
    return BuildPlan(
        op_set=inputs.op_set,
        abis=abis,
        tf_version=tree.version,
        tf_commit=tree.commit,
        # Without the attribute the release builds the full API whatever was asked.
        experimental_api=options.experimental_api or not tree.has_experimental_attr,
        align_16kb=options.align_16kb,
        custom_ops_srcs=tuple(SourceFile(c.name, c.sha256) for c in inputs.custom_ops),
        custom_ops_deps=tuple(options.custom_ops_deps),
        bazel_args=tuple(options.bazel_args),
        android=tree.android,
        source=tree.layout.kind,
        build_flags=build_flags_for(tree.script_flags, tree.layout),
        # A checkout's HEAD or a Docker checkpoint is declared; a downloaded archive's commit is observed.
        commit_declared=tree.release is None or tree.checkpoint is not None,
        ndk_version=options.ndk_version,
        android_api_level=options.android_api_level,
        android_platforms=observed.platforms_for(tree.facts, abis, str(tree.root or "")),
        min_api_level=tree.min_api_level if tree.min_api_level is not None else options.android_api_level,
        env_flags=(android.action_env_flags(tree.android)
                   if tree.android is not None and tree.environment_configured else ()),
        backend=options.backend,
        toolchain=options.ndk_found,
    )
