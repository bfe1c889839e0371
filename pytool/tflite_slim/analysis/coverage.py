"""Does a built runtime carry every op a set of models needs? (``tflite-slim verify``)

The runtime's op set is read from JSON written by this tool: a build's
``ops.json`` record (its ``op_set``), an ``analyze --format json`` document (its
``union``), or a bare op set as :func:`opset.opset_to_json` writes it. Flex ops
are compared with their type attributes, as :meth:`OpSet.missing_from` does
(see :func:`opset.flex_covered` for why); a record written before type
attributes were recorded is compared by Flex op name, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import ModelOps, OpSet, flex_details_recorded, loads, opset_from_json


@dataclass(frozen=True)
class Runtime:
    """A runtime's op set as recorded, and whether Flex ops can only be compared by name."""

    path: str
    ops: OpSet
    #: The record names Flex ops without their type attributes (an older tflite-slim wrote it).
    flex_by_name: bool = False

    @property
    def warning(self) -> str:
        """What the user should know about this record ("" when nothing)."""
        if not self.flex_by_name:
            return ""
        return (
            f"{self.path} records Flex ops by name only (written by an older tflite-slim), so their type "
            "attributes (T=DT_...) cannot be checked; rebuild the runtime to record them"
        )


def load_runtime(path: str) -> Runtime:
    """The op set recorded in ``path`` (raises :class:`UsageError` when unusable)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise UsageError(f"{path}: cannot read the op set ({e.strerror or e}); pass a build's ops.json to --ops") from e
    except ValueError as e:  # not UTF-8
        raise UsageError(
            f"{path}: not JSON we can read ({e}); pass a build's ops.json or 'analyze --format json' output"
        ) from e
    return runtime_from_text(text, path)


def runtime_from_text(text: str, path: str) -> Runtime:
    """The op set recorded in ``text``, read from ``path`` (a file or a URL, named in messages)."""
    try:
        data = loads(text)
    except ValueError as e:
        raise UsageError(
            f"{path}: not JSON we can read ({e}); pass a build's ops.json or 'analyze --format json' output"
        ) from e
    if isinstance(data, dict) and isinstance(data.get("union"), dict):
        data = data["union"]
    if not isinstance(data, dict) or not any(k in data for k in ("op_set", "builtin_ops", "custom_ops", "flex_ops")):
        raise UsageError(f"{path}: no op set found (expected an ops.json record, an analyze document or an op set)")
    try:
        return Runtime(path, opset_from_json(data), not flex_details_recorded(data))
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise UsageError(f"{path}: malformed op set ({type(e).__name__}: {e})") from e


def uncovered(runtime: OpSet, models: Sequence[ModelOps], flex_by_name: bool = False) -> dict[str, list[str]]:
    """Each item the runtime lacks (``CONV_2D version 3``, ``flex op AddV2 (T=DT_INT64)``) -> the models needing it."""
    out: dict[str, list[str]] = {}
    for m in models:
        for item in m.ops.missing_from(runtime, flex_by_name):
            out.setdefault(item, []).append(m.path)
    return {item: sorted(paths) for item, paths in sorted(out.items())}
