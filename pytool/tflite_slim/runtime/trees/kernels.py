"""Which op kernels a TensorFlow tree has, checked before Bazel runs.

The registration code TensorFlow generates calls ``Register_<OP>()`` for every
builtin the models use; when the tree's kernel header declares no such
function, the compile fails deep inside Bazel, minutes in. The same holds for
custom ops: their ``Register_<NAME>()`` must come from TensorFlow Lite itself
(``AddCustom`` in ``register.cc``) or from the user's sources. This module
reads the tree and names every op that cannot be registered, the models using
it and, when known, the first release that has it.

Facts from TensorFlow's sources (read, not copied):

* ``tensorflow/lite/kernels/builtin_op_kernels.h`` declares
  ``TfLiteRegistration* Register_<OP>();`` in ``tflite::ops::builtin``; since
  TF 2.13 or so it only includes ``tensorflow/lite/core/kernels/builtin_op_kernels.h``,
  which holds the declarations (some split over two lines), so includes of a
  header of the same name are followed.
* ``register.cc`` (``tensorflow/lite/kernels/``, later ``.../core/kernels/``)
  adds the custom ops TensorFlow Lite implements with ``AddCustom("Name", ...)``.
  It adds no kernel for ``CALL``, ``DELEGATE``, ``CONCAT_EMBEDDINGS`` or the
  ``PLACEHOLDER_FOR_GREATER_OP_CODES`` marker in any release.
* ``tensorflow/compiler/mlir/lite/tools/versioning/runtime_version.cc`` maps
  each (op, version) to the first runtime release that runs it; version 1 of
  the ops added after 2.0 gives :data:`FIRST_RELEASE`.

A LiteRT tree keeps the same files under ``tflite/``: every path here derives
from ``tflite_path`` (:data:`tflite_slim.runtime.trees.layout.TFLITE_PATH` by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional

from tflite_slim.analysis.opset import OpSet
from tflite_slim.runtime.trees.layout import TENSORFLOW, TFLITE_PATH, SourceLayout, kernels_header
from tflite_slim.analysis.schema import FLEX_PREFIX, TFLITE_PROVIDED_CUSTOM_OPS, registration_function
from tflite_slim.runtime.trees.tfscripts import read_text

#: First TensorFlow release whose runtime has version 1 of the op (runtime_version.cc).
# fmt: off
FIRST_RELEASE: dict[str, str] = {
    "SCATTER_ND": "2.1.0", "NON_MAX_SUPPRESSION_V4": "2.1.0", "NON_MAX_SUPPRESSION_V5": "2.1.0",
    "SEGMENT_SUM": "2.2.0", "SELECT_V2": "2.2.0", "DENSIFY": "2.2.0",
    "BATCH_MATMUL": "2.3.0", "CUMSUM": "2.4.0",
    "BROADCAST_TO": "2.5.0", "CALL_ONCE": "2.5.0", "RFFT2D": "2.5.0", "CONV_3D": "2.5.0", "IMAG": "2.5.0",
    "REAL": "2.5.0", "COMPLEX_ABS": "2.5.0", "HASHTABLE": "2.5.0", "HASHTABLE_FIND": "2.5.0",
    "HASHTABLE_IMPORT": "2.5.0", "HASHTABLE_SIZE": "2.5.0",
    "REDUCE_ALL": "2.6.0", "CONV_3D_TRANSPOSE": "2.6.0", "VAR_HANDLE": "2.6.0", "READ_VARIABLE": "2.6.0",
    "ASSIGN_VARIABLE": "2.6.0", "BROADCAST_ARGS": "2.6.0",
    "RANDOM_STANDARD_NORMAL": "2.8.0", "BUCKETIZE": "2.8.0", "RANDOM_UNIFORM": "2.8.0", "MULTINOMIAL": "2.8.0",
    "GELU": "2.9.0", "DYNAMIC_UPDATE_SLICE": "2.9.0",
    "RELU_0_TO_1": "2.10.0", "UNSORTED_SEGMENT_PROD": "2.10.0", "UNSORTED_SEGMENT_MAX": "2.10.0",
    "UNSORTED_SEGMENT_SUM": "2.10.0", "ATAN2": "2.10.0",
    "UNSORTED_SEGMENT_MIN": "2.11.0", "SIGN": "2.11.0",
    "BITCAST": "2.13.0", "BITWISE_XOR": "2.13.0", "RIGHT_SHIFT": "2.13.0",
    "STABLEHLO_SCATTER": "2.15.0", "DILATE": "2.15.0", "STABLEHLO_RNG_BIT_GENERATOR": "2.15.0",
    "REDUCE_WINDOW": "2.15.0",
    "STABLEHLO_GATHER": "2.16.0", "STABLEHLO_ADD": "2.16.0", "STABLEHLO_MULTIPLY": "2.16.0",
    "STABLEHLO_REDUCE_WINDOW": "2.16.0", "STABLEHLO_MAXIMUM": "2.16.0", "STABLEHLO_MINIMUM": "2.16.0",
    "STABLEHLO_PAD": "2.16.0",
    "STABLEHLO_COMPOSITE": "2.17.0", "STABLEHLO_AND": "2.17.0", "STABLEHLO_SHIFT_LEFT": "2.17.0",
    "STABLEHLO_CBRT": "2.17.0", "STABLEHLO_CASE": "2.17.0",
}
# fmt: on

#: Builtin codes no TensorFlow Lite release registers a kernel for.
NEVER_KERNELS = frozenset({"CALL", "DELEGATE", "CONCAT_EMBEDDINGS", "CUSTOM", "PLACEHOLDER_FOR_GREATER_OP_CODES"})

_DECLARATION = re.compile(r"\bRegister_([A-Za-z0-9_]+)\s*\(")
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]+"([^"]+)"', re.M)
_ADD_CUSTOM = re.compile(r'\bAddCustom\(\s*"([^"\\]+)"')
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_LINE_COMMENT = re.compile(r"//[^\n]*")
_MAX_BYTES = 4 << 20


def register_sources(tflite_path: str = TFLITE_PATH) -> tuple[str, ...]:
    """Where ``BuiltinOpResolver`` (with its ``AddCustom`` calls) lives, old and new layouts."""
    return (f"{tflite_path}/kernels/register.cc", f"{tflite_path}/core/kernels/register.cc")


def _code(text: str) -> str:
    """C++ text without comments, so a commented-out declaration does not count."""
    return _LINE_COMMENT.sub("", _BLOCK_COMMENT.sub("", text))


def declared_builtin_kernels(root: Path, tflite_path: str = TFLITE_PATH) -> Optional[frozenset[str]]:
    """The ``<OP>`` of every ``Register_<OP>`` the tree's kernel header declares (None: no header).

    An include of another ``builtin_op_kernels.h`` inside the tree is
    followed (the forwarding header of newer releases), a few levels at most.
    """
    header = kernels_header(tflite_path)
    found: set[str] = set()
    pending, seen = [header], set[str]()
    while pending and len(seen) < 4:
        rel = pending.pop()
        if rel in seen:
            continue
        seen.add(rel)
        text = read_text(Path(root), rel, max_bytes=_MAX_BYTES)
        if text is None:
            if rel == header:
                return None
            continue
        code = _code(text)
        found.update(_DECLARATION.findall(code))
        pending += [inc for inc in _INCLUDE.findall(code)
                    if inc.endswith("/builtin_op_kernels.h") and inc.startswith(tflite_path + "/") and ".." not in inc]
    return frozenset(found)


def provided_custom_ops(root: Path, tflite_path: str = TFLITE_PATH) -> frozenset[str]:
    """Custom ops TensorFlow Lite implements in this tree (``AddCustom`` in register.cc).

    When neither register.cc is there, the list every release so far has
    (:data:`TFLITE_PROVIDED_CUSTOM_OPS`).
    """
    names: set[str] = set()
    found = False
    for rel in register_sources(tflite_path):
        text = read_text(Path(root), rel, max_bytes=_MAX_BYTES)
        if text is not None:
            found = True
            names.update(_ADD_CUSTOM.findall(_code(text)))
    return frozenset(names) if found else TFLITE_PROVIDED_CUSTOM_OPS


@dataclass(frozen=True)
class MissingKernel:
    """An op the tree cannot register, with the models that use it."""

    op: str
    kind: str  # "builtin" or "custom"
    models: tuple[str, ...]
    reason: str

    def message(self) -> str:
        return f"{self.kind} op {self.op} ({self.reason}) used by {', '.join(self.models)}"


def _users(per_model: Mapping[str, OpSet], names: Iterable[str], custom: bool) -> dict[str, tuple[str, ...]]:
    wanted = set(names)
    users: dict[str, set[str]] = {n: set() for n in wanted}
    for path, ops in per_model.items():
        for n in (ops.custom_ops if custom else ops.builtin_ops):
            if n in wanted:
                users[n].add(path)
    return {n: tuple(sorted(p)) for n, p in sorted(users.items())}


def _builtin_reason(op: str, header: str, layout: SourceLayout = TENSORFLOW) -> str:
    missing = f"no {registration_function_builtin(op)} in {header}"
    if op in FIRST_RELEASE and layout is TENSORFLOW:
        return f"{missing}; TensorFlow {FIRST_RELEASE[op]} is the first release with it"
    if op in FIRST_RELEASE:
        # The table counts TensorFlow releases; LiteRT's versions are another series.
        return f"{missing}; TensorFlow Lite has had it since TensorFlow {FIRST_RELEASE[op]}"
    if op in NEVER_KERNELS:
        return f"{missing}; no TensorFlow Lite release has a kernel for it"
    if op.startswith("BUILTIN_"):
        return f"{missing}; builtin code {op[8:]} is newer than tflite-slim knows, so not in this tree"
    return f"{missing}: not in this tree"


def registration_function_builtin(op: str) -> str:
    """The function the generated code calls for builtin ``op`` (``Register_CONV_2D``)."""
    return f"Register_{op}"


def missing_kernels(
    per_model: Mapping[str, OpSet],
    declared: frozenset[str],
    provided_custom: frozenset[str],
    sources: Mapping[str, str],
    *,
    have_deps: bool = False,
    layout: SourceLayout = TENSORFLOW,
) -> list[MissingKernel]:
    """Every op of ``per_model`` the tree (``declared``, ``provided_custom``) and the sources cannot register.

    ``sources`` maps custom-op source names to their text; a custom op
    counts as implemented when one of them mentions its ``Register_<NAME>``.
    With ``--custom-ops-deps`` (``have_deps``) the function may live in a dep
    Bazel builds, which cannot be read here: custom ops are then not checked.
    Flex ops are the Select TF ops library's business, not registration's.
    """
    header = kernels_header(layout.lite_dir)
    builtins = {n for ops in per_model.values() for n in ops.builtin_ops if n not in declared}
    out = [MissingKernel(op, "builtin", users, _builtin_reason(op, header, layout))
           for op, users in _users(per_model, builtins, custom=False).items()]
    if have_deps:
        return out
    customs = {n for ops in per_model.values() for n in ops.custom_ops
               if n not in provided_custom and not n.startswith(FLEX_PREFIX)}
    for op, users in _users(per_model, customs, custom=True).items():
        fn = registration_function(op)
        pattern = re.compile(rf"\b{re.escape(fn)}\b")
        if not any(pattern.search(text) for text in sources.values()):
            where = ", ".join(sorted(sources)) or "no --custom-ops-srcs"
            out.append(MissingKernel(op, "custom", users,
                                     f"{fn} is not in TensorFlow Lite's register.cc nor in {where}; "
                                     "define it in --custom-ops-srcs, or name the Bazel target that does "
                                     "with --custom-ops-deps"))
    return out


def check_tree(
    root: Path,
    per_model: Mapping[str, OpSet],
    sources: Mapping[str, str],
    *,
    have_deps: bool = False,
    layout: SourceLayout = TENSORFLOW,
) -> Optional[list[MissingKernel]]:
    """:func:`missing_kernels` against the tree at ``root`` (None: it has no kernel header to check)."""
    tflite_path = layout.lite_dir
    declared = declared_builtin_kernels(root, tflite_path)
    if declared is None:
        return None
    return missing_kernels(per_model, declared, provided_custom_ops(root, tflite_path), sources,
                           have_deps=have_deps, layout=layout)


def _release_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def summary(missing: list[MissingKernel], version: str, root: Path, layout: SourceLayout = TENSORFLOW) -> str:
    """One line for all of ``missing`` (the error a build stops with), ending with what to do.

    :data:`FIRST_RELEASE` names TensorFlow releases, so only a TensorFlow tree
    is told which release to build with; a LiteRT tree (its own version
    series) is told to use a newer LiteRT.
    """
    releases = [FIRST_RELEASE[m.op] for m in missing if m.kind == "builtin" and m.op in FIRST_RELEASE]
    advice = []
    if releases and layout is TENSORFLOW:
        advice.append(f"build with TensorFlow {max(releases, key=_release_key)} or later "
                      "(--tensorflow-version, or a newer checkout)")
    elif releases:
        advice.append(f"build with a newer {layout.title} release ({layout.version_option}, or a newer checkout)")
    if any(m.kind == "builtin" and m.op not in FIRST_RELEASE for m in missing):
        advice.append("leave out the models using ops no known release has")
    return (f"{layout.title} {version} at {root} cannot register these ops, the build would fail in Bazel: "
            + "; ".join(m.message() for m in missing)
            + (". To fix: " + "; ".join(advice) if advice else ""))
