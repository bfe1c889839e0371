"""``tflite-slim build`` as a library call: the phases of :mod:`tflite_slim.runtime`, in order.

:func:`prepare` runs the phases that change nothing (what ``--dry-run`` and
``tflite-slim plan`` show); :func:`build` runs them all. Each phase takes the
earlier phases' frozen results and its part of the settings, and returns its own.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from tflite_slim.analysis.opset import ModelOps
from tflite_slim.errors import ToolchainError
from tflite_slim.runtime import sizes
from tflite_slim.runtime.artifacts import aar
from tflite_slim.runtime.backends.base import Backend, BackendJob, Log, Package
from tflite_slim.runtime.backends.registry import BACKENDS
from tflite_slim.runtime.checks import check
from tflite_slim.runtime.generate import generate
from tflite_slim.runtime.inputs import read_inputs
from tflite_slim.runtime.output import OPS_JSON, write_output
from tflite_slim.runtime.spec.plan import BuildPlan
from tflite_slim.runtime.planner import make_plan
from tflite_slim.runtime.produce import produce
from tflite_slim.runtime.resolve import resolve
from tflite_slim.runtime.settings import Asked, BuildSettings, for_models, read
from tflite_slim.runtime.trees.tfsource import TensorflowSource

__all__ = ["OPS_JSON", "BuildResult", "BuildSettings", "Prepared", "build", "prepare"]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Prepared:
    """What is known before anything runs: the plan and the files it generates."""

    plan: BuildPlan
    models: tuple[ModelOps, ...]
    package: Package
    registration: str
    commands: tuple[tuple[str, ...], ...]
    source: Optional[TensorflowSource]
    #: How the build differs from TensorFlow's build_aar.sh, and why.
    notes: tuple[str, ...] = ()
    #: What would stop the build (only a dry run gets here with problems).
    problems: tuple[str, ...] = ()
    #: The backend ``--backend`` chose, and the job it builds.
    backend: Optional[Backend] = None
    job: Optional[BackendJob] = None
    #: The backend's name, and why it builds: None when ``--backend`` named it, else the one line the
    #: settings phase's choice said (``settings.choose_backend``).
    backend_name: str = ""
    chosen: Optional[str] = None


@dataclass(frozen=True)
class BuildResult:
    plan: BuildPlan
    out: Path
    cached: bool
    reports: tuple[aar.AarReport, ...] = field(default_factory=tuple)
    #: The AARs beside the stock runtime's (:mod:`tflite_slim.runtime.sizes`).
    size_rows: tuple[sizes.SizeRow, ...] = ()


def prepare(s: BuildSettings, log: Log = _stderr) -> Prepared:
    """Read the models, find the tree, and compute the plan and the generated files; run nothing.

    In a dry run, what would stop the build is returned as ``problems``;
    otherwise it is a :class:`ToolchainError` here, before anything runs.
    """
    return _prepare(read(s, BACKENDS, building=False), s, log)[0]


def _prepare(asked: Asked, s: BuildSettings, log: Log) -> tuple[Prepared, Asked]:
    inputs = read_inputs(asked.inputs)
    asked = for_models(asked, s, inputs.op_set.has_flex, BACKENDS)
    if asked.chosen:
        log(asked.chosen)
    refused = asked.backend.unsupported_ops(inputs.op_set)
    if refused and asked.out is not None:
        # What no tree changes (a declared CMake and Flex ops) is refused before a release is fetched; a dry run
        # lists it first among the problems (the check phase).
        raise ToolchainError(refused)
    tree = resolve(asked.source, asked.backend, log)
    plan = make_plan(inputs, tree, asked.options)
    job = generate(plan, inputs, tree, log)
    checked = check(job, inputs, tree, asked.backend, asked.checks, refused)
    return Prepared(plan, inputs.models, job.package, job.registration, checked.commands, tree.source,
                    checked.notes, checked.problems, asked.backend, job, asked.backend_name, asked.chosen), asked


def build(s: BuildSettings, log: Log = _stderr) -> BuildResult:
    """Produce ``OUT`` for ``s`` (``s.dry_run`` must be False): AARs from the cache or the backend, and ops.json."""
    p, asked = _prepare(read(s, BACKENDS, building=True), s, log)
    assert asked.out is not None and p.job is not None
    made = produce(p.job, asked.backend, asked.produce)
    try:
        compared = sizes.for_build(p.plan, made.reports, asked.sizes, log)
        write_output(asked.out, made.directory, p.plan, p.models, compared, cached=made.stored,
                     sources=asked.backend.record_sources(p.job))
    finally:
        if not made.stored:  # a --no-cache build's temporary directory
            shutil.rmtree(made.directory, ignore_errors=True)
    return BuildResult(p.plan, asked.out, made.reused, made.reports, compared)
