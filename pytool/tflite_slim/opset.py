"""What a set of models needs from the runtime, and the JSON contract for it.

``ModelOps`` is what one model needs; ``OpSet`` is the union a runtime must
carry. Both are plain data: no file I/O here. The JSON forms written by
``tflite-slim analyze --format json`` and recorded next to every built AAR
(``ops.json``) come from :func:`analysis_to_json` and :func:`opset_to_json`;
other tools (the Gradle plugin) read them, so their keys are a contract that is
documented in README.md and only grows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

#: Version of the JSON documents below; bumped only on incompatible changes.
JSON_FORMAT_VERSION = 1

Versions = tuple  # tuple[int, ...], sorted ascending, no duplicates


@dataclass(frozen=True, order=True)
class FlexOp:
    """A TensorFlow op run through the Select TF ops (Flex) delegate.

    ``attrs`` holds the NodeDef's type attributes (``T``, ``Tidx``, ...) as
    ``(name, DT_...)`` pairs sorted by name; TensorFlow picks kernels by them.
    """

    name: str
    attrs: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"op": self.name, "attrs": dict(self.attrs)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "FlexOp":
        return cls(str(data["op"]), tuple(sorted((str(k), str(v)) for k, v in data.get("attrs", {}).items())))


@dataclass(frozen=True)
class OpSet:
    """Operators (and versions) a runtime must register.

    ``builtin_ops`` maps an op name (``CONV_2D``, or ``BUILTIN_<code>`` for a
    code newer than our table) to its sorted versions. ``custom_ops`` maps a
    custom code to its sorted versions the same way: TensorFlow's registration
    generator registers custom ops with a (min, max) version range too, so a
    custom op's new version needs a new runtime. A plain sequence of names is
    accepted and means version 1 of each, as converters write.
    """

    builtin_ops: Mapping[str, Versions] = field(default_factory=dict)
    custom_ops: Mapping[str, Versions] = field(default_factory=dict)
    flex_ops: tuple[FlexOp, ...] = ()

    def __post_init__(self) -> None:
        custom = self.custom_ops
        if not isinstance(custom, Mapping):
            custom = {name: (1,) for name in custom}
        object.__setattr__(self, "custom_ops", {k: tuple(sorted(set(v))) for k, v in sorted(custom.items())})

    @property
    def flex_op_names(self) -> tuple[str, ...]:
        return tuple(sorted({f.name for f in self.flex_ops}))

    @property
    def has_flex(self) -> bool:
        return bool(self.flex_ops)

    def canonical(self) -> dict[str, Any]:
        """The op set as sorted plain data: the input of :meth:`fingerprint`."""
        return {
            "builtin_ops": {k: list(v) for k, v in sorted(self.builtin_ops.items())},
            "custom_ops": sorted(self.custom_ops),
            "custom_op_versions": {k: list(v) for k, v in self.custom_ops.items()},
            "flex_ops": [f.to_json() for f in sorted(set(self.flex_ops))],
        }

    def fingerprint(self) -> str:
        """A sha256 of the op set alone (never of file bytes).

        Two models that differ only in weights have the same fingerprint; a new
        op, a new op version, a new custom op or a Flex op with other type
        attributes changes it.
        """
        return digest(self.canonical())

    def missing_from(self, runtime: "OpSet") -> list[str]:
        """What this op set needs that ``runtime`` does not carry, one readable item each.

        Items look like ``CONV_2D version 3``, ``custom op Foo``,
        ``custom op Foo version 2``, ``flex op AddV2``.
        """
        missing: list[str] = []
        for name, versions in sorted(self.builtin_ops.items()):
            have = set(runtime.builtin_ops.get(name, ()))
            for v in versions:
                if v not in have:
                    missing.append(f"{name} version {v}")
        for name, versions in self.custom_ops.items():
            if name not in runtime.custom_ops:
                missing.append(f"custom op {name}")
                continue
            have = set(runtime.custom_ops[name])
            missing += [f"custom op {name} version {v}" for v in versions if v not in have]
        have_flex = set(runtime.flex_op_names)
        missing += [f"flex op {f}" for f in self.flex_op_names if f not in have_flex]
        return missing

    @staticmethod
    def union(sets: Iterable["OpSet"]) -> "OpSet":
        builtins: dict[str, set[int]] = {}
        custom: dict[str, set[int]] = {}
        flex: set[FlexOp] = set()
        for s in sets:
            for name, versions in s.builtin_ops.items():
                builtins.setdefault(name, set()).update(versions)
            for name, versions in s.custom_ops.items():
                custom.setdefault(name, set()).update(versions)
            flex.update(s.flex_ops)
        return OpSet(
            {k: tuple(sorted(v)) for k, v in sorted(builtins.items())},
            {k: tuple(sorted(v)) for k, v in sorted(custom.items())},
            tuple(sorted(flex)),
        )


@dataclass(frozen=True)
class ModelOps:
    """Everything the analysis found in one model file."""

    path: str
    sha256: str
    size: int
    subgraphs: int
    ops: OpSet
    #: Operator-code table entries no operator references, as ``NAME`` (or
    #: the custom code). The interpreter still resolves them at load time, so
    #: they stay in ``ops``; this is for the report.
    unreferenced: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelFailure:
    """A file that could not be analyzed, and why (one line)."""

    path: str
    error: str


def opset_to_json(ops: OpSet) -> dict[str, Any]:
    """The op set with its fingerprint; flex ops listed by name and in detail."""
    c = ops.canonical()
    return {
        "builtin_ops": c["builtin_ops"],
        "custom_ops": c["custom_ops"],
        "custom_op_versions": c["custom_op_versions"],
        "flex_ops": list(ops.flex_op_names),
        "flex_details": c["flex_ops"],
        "fingerprint": ops.fingerprint(),
    }


def opset_from_json(data: Mapping[str, Any]) -> OpSet:
    """Inverse of :func:`opset_to_json` (also accepts an ``ops.json`` build record)."""
    if "op_set" in data:
        data = data["op_set"]
    details = data.get("flex_details")
    if details is not None:
        flex = tuple(sorted(FlexOp.from_json(d) for d in details))
    else:
        flex = tuple(sorted(FlexOp(str(n)) for n in data.get("flex_ops", ())))
    return OpSet(
        {str(k): tuple(sorted(int(v) for v in vs)) for k, vs in sorted(data.get("builtin_ops", {}).items())},
        _custom_from_json(data),
        flex,
    )


def _custom_from_json(data: Mapping[str, Any]) -> dict[str, Versions]:
    """Custom ops with versions; documents written before versions were recorded mean version 1."""
    versions = data.get("custom_op_versions") or {}
    return {
        str(name): tuple(sorted(int(v) for v in versions.get(name, (1,))))
        for name in sorted(set(data.get("custom_ops", ())) | set(versions))
    }


def model_to_json(m: ModelOps) -> dict[str, Any]:
    c = m.ops.canonical()
    return {
        "path": m.path,
        "sha256": m.sha256,
        "size": m.size,
        "subgraphs": m.subgraphs,
        "builtin_ops": c["builtin_ops"],
        "custom_ops": c["custom_ops"],
        "custom_op_versions": c["custom_op_versions"],
        "flex_ops": list(m.ops.flex_op_names),
        "flex_details": c["flex_ops"],
        "unreferenced": list(m.unreferenced),
    }


def analysis_to_json(models: Sequence[ModelOps], failures: Sequence[ModelFailure]) -> dict[str, Any]:
    """The document ``tflite-slim analyze --format json`` prints."""
    union = OpSet.union(m.ops for m in models)
    return {
        "format_version": JSON_FORMAT_VERSION,
        "models": [model_to_json(m) for m in sorted(models, key=lambda m: m.path)],
        "errors": [{"path": f.path, "error": f.error} for f in sorted(failures, key=lambda f: f.path)],
        "union": opset_to_json(union),
    }


def digest(data: Any) -> str:
    """sha256 of ``data`` as compact JSON with sorted keys: the same data always gives the same hash."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dumps(doc: Mapping[str, Any]) -> str:
    """Byte-stable JSON text for files we write (sorted keys, trailing newline)."""
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
