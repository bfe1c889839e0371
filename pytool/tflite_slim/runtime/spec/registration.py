"""The op registration code TensorFlow's selective build generates, and custom-op checks.

In the real build Bazel runs ``//tensorflow/lite/tools:generate_op_registrations``
(``tensorflow/lite/tools/gen_op_registration_main.cc``) over the models to write
``<name>_registration.cc``. :func:`render_registration` produces the same text
from an op set, so a user can read and diff exactly what will be registered
before a single compile starts (``tflite-slim build --dry-run``).

Facts taken from TensorFlow's sources (cited, not copied):

* ``gen_op_registration.cc``: ``NormalizeCustomOpName`` inserts ``_`` between a
  lowercase and an uppercase letter, then uppercases (``CustomOp`` ->
  ``CUSTOM_OP``); builtin and custom ops are kept in ``std::map`` (sorted by
  name) with a (min, max) version pair.
* ``gen_op_registration_main.cc``: includes ``builtin_op_kernels.h`` only when
  there are builtins; writes the version pair only when it is not (1, 1); skips
  Flex ops (``Flex`` prefix, ``IsFlexOp``) in declarations and ``AddCustom``
  but still opens the ``tflite::ops::custom`` namespace block when any custom
  code exists.
* ``tensorflow/lite/kernels/register.cc``: the custom ops TensorFlow Lite
  implements itself (``AddCustom`` in ``BuiltinOpResolver``):
  ``NumericVerify``, ``Mfcc``, ``AudioSpectrogram``,
  ``TFLite_Detection_PostProcess``. Their kernels are part of
  ``//tensorflow/lite/kernels:builtin_ops``, and
  ``tensorflow/lite/kernels/detection_postprocess.cc`` defines
  ``Register_TFLITE_DETECTION_POST_PROCESS`` precisely so that the generated
  name links. Any other custom op needs the user's sources.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence, Tuple

from tflite_slim.analysis.advice import build_note
from tflite_slim.analysis.opset import OpSet
from tflite_slim.analysis.schema import (  # re-exported: the build's callers name them from here
    FLEX_PREFIX,
    TFLITE_PROVIDED_CUSTOM_OPS,
    can_be_registered,
    normalize_custom_op_name,
    registration_function,
)
from tflite_slim.errors import UsageError
from tflite_slim.runtime.trees.layout import TFLITE_PATH, kernels_header  # re-exported

VersionRange = Tuple[int, int]


def invalid_custom_op_names(names: Iterable[str]) -> list[str]:
    """Custom op names that cannot become ``Register_<NAME>`` C++ identifiers (or C string literals).

    Only ASCII letters, digits and ``_`` survive both the function name and the
    ``AddCustom("<name>", ...)`` literal unescaped, so anything else is refused.
    """
    return sorted(n for n in set(names) if not can_be_registered(n))


def is_flex(custom_code: str) -> bool:
    return custom_code.startswith(FLEX_PREFIX)


def render_registration(ops: OpSet, *, namespace: str = "", tflite_path: str = TFLITE_PATH) -> str:
    """The ``RegisterSelectedOps`` source ``gen_op_registration`` writes for models with op set ``ops``.

    Version ranges, builtin and custom alike, are (min, max) of the versions in
    ``ops``. Raises :class:`UsageError` for custom op names that are not C++
    identifiers. ``tflite_path`` is where the tree keeps TensorFlow Lite
    (LiteRT's ``gen_selected_ops`` passes ``--tflite_path=tflite``).
    """
    bad = invalid_custom_op_names(ops.custom_ops)
    if bad:
        raise UsageError(_bad_names_message(bad))
    builtins: dict[str, VersionRange] = {
        name: (min(vs), max(vs)) for name, vs in ops.builtin_ops.items() if vs
    }
    customs: dict[str, VersionRange] = {name: (min(vs), max(vs)) for name, vs in ops.custom_ops.items() if vs}
    for flex in ops.flex_op_names:
        customs[FLEX_PREFIX + flex] = (1, 1)

    out: list[str] = []
    if builtins:
        out.append(f'#include "{kernels_header(tflite_path)}"\n')
    out.append(f'#include "{tflite_path}/model.h"\n')
    out.append(f'#include "{tflite_path}/op_resolver.h"\n')
    ordered_custom = sorted(customs.items())
    if customs:
        out.append("namespace tflite {\nnamespace ops {\nnamespace custom {\n")
        out.append("// Forward-declarations for the custom ops.\n")
        for name, _ in ordered_custom:
            if not is_flex(name):
                out.append(f"TfLiteRegistration* {registration_function(name)}();\n")
        out.append("}  // namespace custom\n}  // namespace ops\n}  // namespace tflite\n")
    if namespace:
        out.append(f"namespace {namespace} {{\n")
    out.append("void RegisterSelectedOps(::tflite::MutableOpResolver* resolver) {\n")
    for name, rng in sorted(builtins.items()):
        out.append(
            f"  resolver->AddBuiltin(::tflite::BuiltinOperator_{name}, "
            f"::tflite::ops::builtin::Register_{name}(){_range(rng)});\n"
        )
    for name, rng in ordered_custom:
        if is_flex(name):
            continue
        out.append(
            f'  resolver->AddCustom("{name}", ::tflite::ops::custom::'
            f"{registration_function(name)}(){_range(rng)});\n"
        )
    out.append("}\n")
    if namespace:
        out.append(f"}}  // namespace {namespace}\n")
    return "".join(out)


def _range(rng: VersionRange) -> str:
    # TensorFlow leaves the pair out for (1, 1): AddBuiltin's defaults.
    return "" if rng == (1, 1) else f", {rng[0]}, {rng[1]}"


def _bad_names_message(bad: Sequence[str]) -> str:
    shown = ", ".join(repr(b) for b in bad)
    return (
        f"custom op name{'s' if len(bad) != 1 else ''} {shown} cannot be registered by TensorFlow's selective build: "
        "the generated Register_<NAME>() must be a C++ identifier (letters, digits, '_'); "
        "rename the op in the model (converter's custom op name) or leave the model out"
    )


def custom_ops_needing_sources(per_model: Mapping[str, OpSet]) -> dict[str, list[str]]:
    """Custom ops TensorFlow Lite does not implement itself, each with the models using it (sorted)."""
    users: dict[str, set[str]] = {}
    for path, ops in per_model.items():
        for c in ops.custom_ops:
            if c not in TFLITE_PROVIDED_CUSTOM_OPS:
                users.setdefault(c, set()).add(path)
    return {c: sorted(paths) for c, paths in sorted(users.items())}


def check_custom_ops(per_model: Mapping[str, OpSet], have_sources: bool) -> None:
    """Refuse, before any build, custom ops that cannot be registered or have no kernel.

    Names that are not C++ identifiers are always refused (naming the models);
    other non-TFLite custom ops are refused when no ``--custom-ops-srcs`` were given.
    """
    all_customs = {c for ops in per_model.values() for c in ops.custom_ops}
    bad = invalid_custom_op_names(all_customs)
    if bad:
        users = custom_ops_needing_sources(per_model)
        where = "; ".join(f"{b} in {', '.join(users.get(b, []))}" for b in bad)
        raise UsageError(_bad_names_message(bad) + f" ({where})")
    if have_sources:
        return
    needed = custom_ops_needing_sources(per_model)
    if needed:
        parts = [
            f"{op} ({registration_function(op)}) used by {', '.join(models)}"
            for op, models in needed.items()
        ]
        raise UsageError(
            # "op(s)" stays: the Gradle plugin's FailureAdvice recognizes the error by these words.
            "custom op(s) without a kernel in TensorFlow Lite: "
            + "; ".join(parts)
            + ". Give their kernel sources with --custom-ops-srcs (and Bazel deps with "
            "--custom-ops-deps); each must define tflite::ops::custom::Register_<NAME>()"
            # Ops a known project owns (LiteRT's NPU dispatch op, MediaPipe's): say whose and what that means.
            + "".join(f". {note}" for note in map(build_note, needed) if note)
        )
