"""What to do about each custom op of an op set (pure: op names in, sentences out).

TensorFlow Lite's own custom ops need nothing. An op a known project owns
(:mod:`tflite_slim.analysis.ecosystem`: LiteRT's NPU dispatch op, MediaPipe's
ops) gets that project's answer; only an op nobody knows gets the generic
advice, to give a kernel defining ``Register_<NAME>()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from tflite_slim.analysis.ecosystem import known_custom_op
from tflite_slim.analysis.schema import TFLITE_PROVIDED_CUSTOM_OPS, can_be_registered, registration_function

#: Group of the ops nobody knows that a kernel of the app's can serve.
NEEDS_KERNEL = "Needs your kernel"
#: Group of the ops nobody knows whose names no selective build can register.
UNREGISTRABLE = "Cannot be registered"


@dataclass(frozen=True)
class Advice:
    """One custom op's advice: the group it is shown under, the op, and the sentence."""

    group: str
    op: str
    text: str


def advise(name: str) -> Advice:
    """The advice for custom op ``name`` (not one TensorFlow Lite implements)."""
    known = known_custom_op(name)
    if not can_be_registered(name):
        hint = f" ({name} is {known.advice})" if known else ""
        return Advice(
            known.project if known else UNREGISTRABLE, name,
            f"custom op {name!r} cannot get a kernel from a selective build: the build registers a custom op by "
            "calling the C++ function Register_<NAME>(), and this name has characters no C++ name can have "
            "(only letters, digits, '_'); rename the op when converting the model (the converter's custom op "
            f"name) and give that kernel, or leave the model out{hint}")
    if known:
        return Advice(known.project, name, f"custom op {name} is {known.advice}")
    return Advice(NEEDS_KERNEL, name,
                  f"custom op {name} needs a kernel: give a source defining tflite::ops::custom::"
                  f"{registration_function(name)}() (tfliteSlim.customOpsSrcs / --custom-ops-srcs)")


def custom_op_advice(custom_ops: Iterable[str]) -> list[Advice]:
    """Advice for every custom op TensorFlow Lite has no kernel for, sorted by op name."""
    return [advise(name) for name in sorted(set(custom_ops)) if name not in TFLITE_PROVIDED_CUSTOM_OPS]


def grouped(advice: Iterable[Advice]) -> list[tuple[str, list[Advice]]]:
    """The advice by group: known projects first (by name), then the generic groups."""
    groups: dict[str, list[Advice]] = {}
    for a in advice:
        groups.setdefault(a.group, []).append(a)
    last = (NEEDS_KERNEL, UNREGISTRABLE)
    order = sorted(g for g in groups if g not in last) + [g for g in last if g in groups]
    return [(g, groups[g]) for g in order]


def build_note(name: str) -> str:
    """What the build's "custom op without a kernel" error adds for an op a known project owns ("" if none)."""
    known = known_custom_op(name)
    return f"{name} is {known.advice}" if known else ""
