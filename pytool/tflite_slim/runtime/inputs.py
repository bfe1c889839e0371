"""Phase 1, read the inputs: the models (their op set) and the custom-op sources (their content).

Everything here is read before anything slow (a download, a build): an
unreadable model or a custom op without a kernel source stops the build at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from tflite_slim import files
from tflite_slim.analysis import reader
from tflite_slim.analysis.opset import ModelOps, OpSet
from tflite_slim.errors import UsageError
from tflite_slim.runtime.spec.buildfile import source_file_names
from tflite_slim.runtime.spec.registration import check_custom_ops


@dataclass(frozen=True)
class InputsAsked:
    """The settings this phase reads."""

    models: tuple[str, ...]
    custom_ops_srcs: tuple[str, ...]


@dataclass(frozen=True)
class CustomOpSource:
    """A custom op's kernel source: where it is, its name in the package, and its content."""

    path: str
    #: ``custom_ops/<name>`` (see :func:`tflite_slim.runtime.spec.buildfile.source_file_names`).
    name: str
    sha256: str
    text: str


@dataclass(frozen=True)
class Inputs:
    """What the models need and what the user brought for it."""

    models: tuple[ModelOps, ...]
    #: The union of the models' op sets.
    op_set: OpSet
    #: In the order of their paths.
    custom_ops: tuple[CustomOpSource, ...]

    @property
    def per_model(self) -> Mapping[str, OpSet]:
        return {m.path: m.ops for m in self.models}


def read_inputs(asked: InputsAsked) -> Inputs:
    """Read and check the models, then the custom-op sources (UsageError/ModelError naming the file)."""
    models = tuple(reader.read_model(p) for p in dict.fromkeys(asked.models))
    per_model = {m.path: m.ops for m in models}
    check_custom_ops(per_model, have_sources=bool(asked.custom_ops_srcs))
    names = source_file_names(list(asked.custom_ops_srcs))
    custom = tuple(_custom_op_source(p, names[p]) for p in sorted(names))
    return Inputs(models, OpSet.union(per_model.values()), custom)


def _custom_op_source(path: str, name: str) -> CustomOpSource:
    """Its content decides a rebuild (the plan hashes it), not its path; the kernel check reads the text."""
    try:
        return CustomOpSource(path, name, files.sha256_file(path),
                              Path(path).read_text(encoding="utf-8", errors="replace"))
    except OSError as e:
        raise UsageError(f"--custom-ops-srcs: cannot read {path} ({e.strerror or e})") from e
