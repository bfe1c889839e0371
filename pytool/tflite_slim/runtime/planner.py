"""Phase 3, plan: the op set, the tree's facts and the options -> the :class:`BuildPlan` (pure, no I/O).

The plan's fingerprint keys the cache, names the generated package and goes
into ``ops.json`` and the Maven version (see :mod:`tflite_slim.runtime.plan`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tflite_slim.runtime.inputs import Inputs
from tflite_slim.runtime.plan import BuildPlan, SourceFile, build_flags_for
from tflite_slim.runtime.resolve import SourceTree


@dataclass(frozen=True)
class PlanOptions:
    """The settings this phase reads."""

    abis: tuple[str, ...]
    experimental_api: bool
    align_16kb: bool
    custom_ops_deps: tuple[str, ...]
    bazel_args: tuple[str, ...]
    #: What the backend adds to the plan (``Backend.plan_entry``; Bazel's add nothing).
    backend: tuple[tuple[str, str], ...] = ()


def make_plan(inputs: Inputs, tree: SourceTree, options: PlanOptions) -> BuildPlan:
    """Everything that decides the AARs' bytes, from what the earlier phases read."""
    return BuildPlan(
        op_set=inputs.op_set,
        abis=tuple(sorted(set(options.abis))),
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
        backend=options.backend,
    )
