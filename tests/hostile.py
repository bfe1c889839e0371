"""Small crafted models that cost a naive reader quadratic time or memory.

Each function returns the bytes of a file of about ``size`` bytes. Flatbuffer
fields are offsets, so many fields may point at one string, vector or table:
that is all these files do. Used by test_fuzz.py (linear-cost checks) and handy
for benchmarks.
"""

from __future__ import annotations

from typing import Callable

import modelmaker as mm


def shared_custom_code(size: int) -> bytes:
    """Many CUSTOM opcode entries sharing one custom code as long as half the file (versions 1 to 255, cycling:
    no kernel declares more)."""
    code = "X" * (size // 2)
    return mm.make_model([mm.custom(code, v % 255 + 1) for v in range(size // 32)], [[mm.Op(0)]], share=True)


def shared_flex_code(size: int) -> bytes:
    """The same with a Flex custom code (its TensorFlow name is valid)."""
    code = "Flex" + "A" * (size // 2)
    return mm.make_model([mm.custom(code, v % 255 + 1) for v in range(size // 32)], [[]], share=True)


def distinct_unused_flex(size: int) -> bytes:
    """Many distinct Flex entries no operator uses."""
    return mm.make_model([mm.custom(f"FlexOp{i}") for i in range(size // 40)], [[]])


def shared_opcode_table(size: int) -> bytes:
    """An operator_codes vector whose elements all point at one table."""
    return mm.make_model([mm.custom("FlexAddV2")] * (size // 4 - 64), [[]], share=True)


def shared_flex_operator(size: int) -> bytes:
    """One subgraph whose operator elements all point at one Flex operator."""
    opts = mm.flex_options("AddV2", {"T": mm.DT_FLOAT})
    return mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, opts)] * (size // 4 - 64)], share=True)


def shared_operator_vector(size: int) -> bytes:
    """Many subgraphs sharing one vector of operators that share Flex options."""
    opts = mm.flex_options("AddV2", {"T": mm.DT_FLOAT})
    ops = tuple(mm.Op(0, opts, inputs=(i,)) for i in range(size // 128))
    return mm.make_model([mm.custom("FlexAddV2")], [mm.Subgraph(ops)] * (size // 16), share=True)


def many_flex_attrs(size: int) -> bytes:
    """One Flex NodeDef with as many type attributes as fit."""
    attrs = {f"T{i}": mm.DT_FLOAT for i in range(size // 16)}
    return mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, mm.flex_options("AddV2", attrs))]])


def overlapping_custom_codes(size: int) -> bytes:
    """Distinct custom codes that overlap (see :func:`modelmaker.overlapping_custom_codes_model`)."""
    return mm.overlapping_custom_codes_model(size * 2 // 3)


SHAPES: dict[str, Callable[[int], bytes]] = {
    f.__name__: f
    for f in (
        shared_custom_code,
        shared_flex_code,
        distinct_unused_flex,
        shared_opcode_table,
        shared_flex_operator,
        shared_operator_vector,
        many_flex_attrs,
        overlapping_custom_codes,
    )
}
