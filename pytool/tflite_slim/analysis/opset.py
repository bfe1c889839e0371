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
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from tflite_slim.analysis import schema

#: Version of the JSON documents below; bumped only on incompatible changes.
JSON_FORMAT_VERSION = 1

Versions = tuple  # tuple[int, ...], sorted ascending, no duplicates

#: TensorFlow's op-name rule (``IsValidOpName``, tensorflow/core/framework/op_def_util.cc):
#: an upper-case letter, then letters, digits and '_', optionally more such names each
#: after a '>'. TensorFlow exempts internal op names starting with '_' from the rule; we
#: accept those with the same characters only, so a Flex op name is always plain ASCII.
_TF_OP_NAME = re.compile(r"(?:[A-Z][A-Za-z0-9_]*(?:>[A-Z][A-Za-z0-9_]*)*|_[A-Za-z0-9_>]*)\Z")
#: Attribute names (``ConsumeAttrName``, op_def_builder.cc: a letter, then letters, digits
#: and '_'); NodeDefs also carry internal attributes named with a leading '_'.
_TF_ATTR_NAME = re.compile(r"_?[A-Za-z][A-Za-z0-9_]*\Z")
#: A type attribute as the reader records it: one DataType name or a bracketed list of them.
_DT = r"DT_[A-Z0-9_]+"
_TYPE_ATTR_VALUE = re.compile(rf"(?:{_DT}|\[{_DT}(?:,{_DT})*\])\Z")
#: Builtin op names as schema.fbs spells them (or ``BUILTIN_<n>`` for newer codes).
_BUILTIN_NAME = re.compile(r"[A-Z][A-Z0-9_]*\Z")
#: Deepest JSON nesting an op-set document may have; ours is four levels deep.
MAX_JSON_DEPTH = 32


def tf_op_name_problem(name: str) -> Optional[str]:
    """Why ``name`` cannot be a TensorFlow op name (``None`` when it can)."""
    if _TF_OP_NAME.match(name):
        return None
    return (
        f"{shorten(name)} is not a TensorFlow op name (TensorFlow requires an upper-case letter, "
        "then letters, digits, '_' or '>')"
    )


def flex_attr_problem(key: str, value: str) -> Optional[str]:
    """Why ``key=value`` cannot be a type attribute of a TensorFlow op (``None`` when it can)."""
    if not _TF_ATTR_NAME.match(key):
        return f"attribute name {shorten(key)} is not a TensorFlow attribute name (letters, digits, '_')"
    if not _TYPE_ATTR_VALUE.match(value):
        return f"attribute {key} value {shorten(value)} is not a DataType (DT_...) or a list of them"
    return None


def shorten(text: str, limit: int = 60) -> str:
    """``repr(text)``, cut to ``limit`` characters: names from files may be huge or unprintable."""
    r = repr(text)
    return r if len(r) <= limit else r[: limit - 5] + "...'" + f" ({len(text)} characters)"


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

    @property
    def label(self) -> str:
        """How reports name it: ``AddV2 (T=DT_INT64)``, or just ``AddV2`` without type attributes."""
        if not self.attrs:
            return self.name
        return f"{self.name} ({', '.join(f'{k}={v}' for k, v in self.attrs)})"

    def problem(self) -> Optional[str]:
        """Why this cannot be a TensorFlow op with type attributes (``None`` when it can)."""
        bad = tf_op_name_problem(self.name)
        if bad:
            return f"Flex op name {bad}"
        for k, v in self.attrs:
            bad = flex_attr_problem(k, v)
            if bad:
                return f"Flex op {self.name}: {bad}"
        return None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "FlexOp":
        """One ``flex_details`` entry; raises ``ValueError`` for anything the reader could not have written."""
        attrs = data.get("attrs", {})
        if not isinstance(data["op"], str) or not isinstance(attrs, Mapping):
            raise ValueError(f"flex_details entry {shorten(str(data))} is not {{op: name, attrs: {{...}}}}")
        if not all(isinstance(v, str) for v in attrs.values()):
            raise ValueError(f"flex op {shorten(data['op'])}: attribute values must be strings")
        op = cls(data["op"], tuple(sorted(attrs.items())))
        bad = op.problem()
        if bad:
            raise ValueError(bad)
        return op


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

    def missing_from(self, runtime: "OpSet", flex_by_name: bool = False) -> list[str]:
        """What this op set needs that ``runtime`` does not carry, one readable item each.

        Items look like ``CONV_2D version 3``, ``custom op Foo``,
        ``custom op Foo version 2``, ``flex op AddV2 (T=DT_INT64)``.

        Flex ops are compared with their type attributes (:func:`flex_covered`);
        ``flex_by_name`` compares names only, for a runtime recorded without them.
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
        # The runtime's Flex ops as sets, made once: looking each op up in the
        # tuple (and re-sorting its names) made verify quadratic in Flex ops.
        have_names = set(runtime.flex_op_names)
        if flex_by_name:
            missing += [f"flex op {f}" for f in self.flex_op_names if f not in have_names]
        else:
            have = set(runtime.flex_ops)
            missing += [f"flex op {f.label}" for f in sorted(set(self.flex_ops)) if not flex_covered(f, have, have_names)]
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


def flex_covered(op: FlexOp, have: "set[FlexOp]", have_names: "set[str]") -> bool:
    """Does a runtime whose Flex ops are ``have`` (names: ``have_names``) carry the kernel ``op`` needs?

    The Select TF ops build registers kernels, not ops: TensorFlow's
    ``list_flex_ops`` (behind ``tflite_flex_shared_library`` and
    ``generate_flex_kernel_header``) looks up, for each Flex operator of each
    model, the CPU kernel class ``FindKernelDef`` picks for its NodeDef, and only
    those ``(op, kernel class)`` pairs are registered. The kernel is chosen by
    the NodeDef's type attributes, so ``AddV2`` with ``T=DT_INT64`` is another
    kernel than with ``T=DT_FLOAT``. Without TensorFlow's kernel registry we
    cannot tell which attribute sets share a kernel, so the rule is the safe
    one: covered only by an entry with the same name and the same type
    attributes. An op without type attributes (an operator_codes entry no
    operator uses, or an op that has none) needs no particular kernel variant:
    any entry of that name covers it. Sets, made once per runtime by the
    caller: looking each op up in the tuples made verify quadratic in Flex ops.
    """
    return op.name in have_names if not op.attrs else op in have


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
        flex = tuple(sorted(FlexOp.from_json({"op": n}) for n in data.get("flex_ops", ())))
    builtins: dict[str, Versions] = {}
    for name, vs in sorted(data.get("builtin_ops", {}).items()):
        if not _BUILTIN_NAME.match(name):
            raise ValueError(f"builtin op name {shorten(name)} is not an op name (A-Z, 0-9, '_')")
        builtins[name] = tuple(sorted(_version(v, name) for v in vs))
    return OpSet(builtins, _custom_from_json(data), flex)


def flex_details_recorded(data: Mapping[str, Any]) -> bool:
    """Does this op-set document record Flex ops with their type attributes?

    Documents written before ``flex_details`` existed name Flex ops only.
    """
    if "op_set" in data:
        data = data["op_set"]
    return data.get("flex_details") is not None or not data.get("flex_ops")


def _custom_from_json(data: Mapping[str, Any]) -> dict[str, Versions]:
    """Custom ops with versions; documents written before versions were recorded mean version 1."""
    versions = data.get("custom_op_versions") or {}
    names = set(data.get("custom_ops", ())) | set(versions)
    for name in names:
        if not isinstance(name, str) or not name or not name.isprintable():
            raise ValueError(f"custom op name {shorten(str(name))} is empty or has control characters")
    return {name: tuple(sorted(_version(v, name) for v in versions.get(name, (1,)))) for name in sorted(names)}


def _version(value: Any, op: str) -> int:
    """An op version from JSON: an integer a kernel can declare (:func:`schema.version_problem`), nothing else."""
    if isinstance(value, bool) or not isinstance(value, int) or schema.version_problem(value) is not None:
        raise ValueError(f"op {shorten(op)} version {str(value)[:40]} is not an integer from 1 to "
                         f"{schema.MAX_OP_VERSION}")
    return value


def loads(text: str) -> Any:
    """Parse op-set JSON (ops.json, analyze output) strictly; ``ValueError`` for anything else.

    Python's ``json`` accepts ``NaN``, ``Infinity`` and ``1e400`` (as inf),
    which no JSON writer of ours produces, and lets deep nesting reach the
    recursion limit; all of these are refused here with a reason, so callers
    turn every bad document into one error line naming the file.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as e:
        raise ValueError("nested too deeply") from e
    _check_depth(data)
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def _check_depth(data: Any) -> None:
    """Refuse nesting deeper than :data:`MAX_JSON_DEPTH` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((c, depth + 1) for c in children)


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
