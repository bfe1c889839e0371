"""Phase 5, check: what would stop the build, found before anything runs; and what a dry run shows.

* kernels: every op the models use is registered by the tree
  (:mod:`tflite_slim.runtime.trees.kernels`);
* the op set: what the backend can never build (:meth:`~tflite_slim.runtime.backends.base.Backend.unsupported_ops`,
  asked by the builder before the download, which a build stops at; a dry run lists it here, first);
* configuration and toolchain: what the backend's ``prepare`` would refuse
  (:meth:`~tflite_slim.runtime.backends.base.Backend.problems`).

(``--out`` and the cache a build writes were checked earlier, by
:func:`tflite_slim.runtime.settings.read`, before the tree was downloaded.)

A dry run gets the problems back to report; a build stops at the first with
one :class:`ToolchainError`. The commands and the notes (how the build differs
from TensorFlow's build_aar.sh, and why) are for ``--dry-run`` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from tflite_slim.errors import ToolchainError
from tflite_slim.runtime.trees import kernels, tfscripts
from tflite_slim.runtime.backends.base import Backend, BackendJob
from tflite_slim.runtime.inputs import Inputs
from tflite_slim.runtime.trees.layout import LITERT
from tflite_slim.runtime.resolve import SourceTree


@dataclass(frozen=True)
class ChecksAsked:
    """The settings this phase reads."""

    dry_run: bool
    #: ``--experimental-api`` as asked (the plan may build the full API anyway).
    experimental_api: bool


@dataclass(frozen=True)
class Checked:
    """What a dry run shows beside the plan; only a dry run gets here with problems."""

    commands: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    problems: tuple[str, ...]


def check(job: BackendJob, inputs: Inputs, tree: SourceTree, backend: Backend, asked: ChecksAsked,
          refused: Optional[str] = None) -> Checked:
    """The problems, notes and commands for ``job``; a ToolchainError (a build) at the first problem.

    ``refused``: what the backend said of the op set before the download (``Backend.unsupported_ops``), first.
    """
    commands = tuple(tuple(c) for c in backend.commands(job))
    # How a Bazel build differs from build_aar.sh; another backend says how it builds in its own notes.
    differences = _differences(job, tree, asked.experimental_api) if not job.plan.backend else []
    notes = differences + backend.notes(job)
    problem, skipped = _kernel_problem(inputs, tree, bool(job.plan.custom_ops_deps))
    notes += [skipped] if skipped else []
    problems = ([refused] if refused else []) + backend.problems(job) + ([problem] if problem else [])
    if problems and not asked.dry_run:
        raise ToolchainError(problems[0])
    return Checked(commands, tuple(notes), tuple(problems))


def _differences(job: BackendJob, tree: SourceTree, experimental_api: bool) -> list[str]:
    """How this build differs from what TensorFlow's build_aar.sh would do, and why (for --dry-run)."""
    layout = tree.layout
    notes = [
        f"models go to models/ and custom-op sources to custom_ops/ in //{job.package.path}, under names that "
        "cannot collide (build_aar.sh copies both by basename into //tmp, where equal names overwrite each other)",
        "Flex ops are read from the models here; build_aar.sh builds and runs "
        f"//{layout.lite_dir}/tools:list_flex_ops_no_kernel_main (with --config=monolithic) to find them",
    ]
    if tree.has_experimental_attr and experimental_api:
        notes.append("experimental = True (build_aar.sh leaves the macro's default, the stable InterpreterApi "
                     "subset without org.tensorflow.lite.Interpreter); --no-experimental-api builds that")
    if layout is LITERT:
        notes.append("bazel flags: LiteRT's Android CI flags (its in-tree build_aar.sh still names "
                     "TensorFlow's labels, which a LiteRT tree does not have)")
    elif tree.script_flags is None:
        where = (f"{tree.built / tfscripts.BUILD_AAR} is missing or not shaped as expected"
                 if tree.built is not None else tree.unread)
        notes.append(f"bazel flags: the newest build_aar.sh's ({where})")
    return notes


def _kernel_problem(inputs: Inputs, tree: SourceTree, have_deps: bool) -> tuple[Optional[str], Optional[str]]:
    """The early kernel check (see :mod:`tflite_slim.runtime.trees.kernels`): (one error line or None, why it was skipped)."""
    if tree.built is None:
        return None, f"kernel check skipped: {tree.unread}"
    sources = {c.name: c.text for c in inputs.custom_ops}
    missing = kernels.check_tree(tree.built, inputs.per_model, sources, have_deps=have_deps, layout=tree.layout)
    if missing is None:
        return None, f"kernel check skipped: {tree.built / kernels.kernels_header(tree.layout.lite_dir)} is missing"
    return (kernels.summary(missing, tree.version, tree.built, tree.layout) if missing else None), None
