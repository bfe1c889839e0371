"""Analyze a set of model files: one result or one failure per file.

The library entry point behind ``tflite-slim analyze`` and ``verify``. A bad
file never stops the others: it becomes a :class:`ModelFailure` with a one-line
reason, and callers decide the exit status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from tflite_slim.analysis.discover import DEFAULT_GLOBS, find_models
from tflite_slim.errors import ModelError
from tflite_slim.analysis.opset import ModelFailure, ModelOps, OpSet, analysis_to_json
from tflite_slim.analysis.reader import read_model


@dataclass(frozen=True)
class AnalyzeSettings:
    """What to analyze: files or directories, and the names to pick in directories."""

    paths: tuple[str, ...]
    globs: tuple[str, ...] = DEFAULT_GLOBS


@dataclass(frozen=True)
class Analysis:
    """The models that were read and the files that were not."""

    models: tuple[ModelOps, ...] = ()
    failures: tuple[ModelFailure, ...] = ()

    @property
    def union(self) -> OpSet:
        return OpSet.union(m.ops for m in self.models)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        """The ``analyze --format json`` document."""
        return analysis_to_json(self.models, self.failures)


def analyze_files(files: Sequence[str], reader: Callable[[str], ModelOps] = read_model) -> Analysis:
    """Read every file; failures are collected, not raised."""
    models: list[ModelOps] = []
    failures: list[ModelFailure] = []
    for path in files:
        try:
            models.append(reader(path))
        except ModelError as e:
            failures.append(ModelFailure(path, e.reason))
    return Analysis(
        tuple(sorted(models, key=lambda m: m.path)),
        tuple(sorted(failures, key=lambda f: f.path)),
    )


def analyze(settings: AnalyzeSettings) -> Analysis:
    """Find the models under ``settings.paths`` and analyze them all."""
    return analyze_files(find_models(settings.paths, settings.globs))

