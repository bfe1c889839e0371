"""Does a built runtime carry every op a set of models needs? (``tflite-slim verify``)

The runtime's op set is read from JSON written by this tool: a build's
``ops.json`` record (its ``op_set``), an ``analyze --format json`` document (its
``union``), or a bare op set as :func:`opset.opset_to_json` writes it. Flex ops
are compared by TensorFlow op name, as :meth:`OpSet.missing_from` does.
"""

from __future__ import annotations

import json
from typing import Sequence

from tflite_slim.analysis import needed_by
from tflite_slim.errors import UsageError
from tflite_slim.opset import ModelOps, OpSet, opset_from_json


def load_runtime_ops(path: str) -> OpSet:
    """The op set recorded in ``path`` (raises :class:`UsageError` when unusable)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise UsageError(f"{path}: cannot read the op set ({e.strerror or e}); pass a build's ops.json to --ops") from e
    except ValueError as e:
        raise UsageError(f"{path}: not JSON ({e}); pass a build's ops.json or 'analyze --format json' output") from e
    if isinstance(data, dict) and isinstance(data.get("union"), dict):
        data = data["union"]
    if not isinstance(data, dict) or not any(k in data for k in ("op_set", "builtin_ops", "custom_ops", "flex_ops")):
        raise UsageError(f"{path}: no op set found (expected an ops.json record, an analyze document or an op set)")
    try:
        return opset_from_json(data)
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise UsageError(f"{path}: malformed op set ({type(e).__name__}: {e})") from e


def uncovered(runtime: OpSet, models: Sequence[ModelOps]) -> dict[str, list[str]]:
    """Each item the runtime lacks (``CONV_2D version 3``...) -> the models needing it, sorted."""
    missing = set(OpSet.union(m.ops for m in models).missing_from(runtime))
    return {item: paths for item, paths in needed_by(models).items() if item in missing}
