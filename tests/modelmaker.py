"""Build small ``.tflite`` files for tests, field by field.

The tables are written with the flatbuffers ``Builder`` directly (not through
generated schema classes) so a test can leave any field out, exactly as old
converters did, or put in values no converter would write. Field slots follow
TensorFlow's ``tensorflow/compiler/mlir/lite/schema/schema.fbs``.

Flex ops get their ``custom_options`` from :func:`flex_options`: a FlexBuffer
vector ``[op_name, serialized NodeDef]`` (both stored as FlexBuffer strings, as
TensorFlow's converter writes them), with the NodeDef protobuf encoded by hand.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Tuple, Union

import flatbuffers

#: Builtin codes the tests use by name (values from schema.fbs).
ADD = 0
CONV_2D = 3
CUSTOM = 32
WHILE = 119
PLACEHOLDER_FOR_GREATER_OP_CODES = 127
CUMSUM = 128
STABLEHLO_COMPOSITE = 206
STABLEHLO_CASE = 209

#: TensorFlow DataType enum values (tensorflow/core/framework/types.proto).
DT_FLOAT = 1
DT_INT32 = 3
DT_INT64 = 9

# Slot numbers of the fields we write (a union takes two slots: type, value).
_MODEL_VERSION, _MODEL_OPCODES, _MODEL_SUBGRAPHS, _MODEL_DESCRIPTION, _MODEL_BUFFERS = 0, 1, 2, 3, 4
_OPCODE_DEPRECATED, _OPCODE_CUSTOM, _OPCODE_VERSION, _OPCODE_BUILTIN = 0, 1, 2, 3
_SUBGRAPH_OPERATORS, _SUBGRAPH_NAME = 3, 4
_OP_INDEX, _OP_INPUTS, _OP_OUTPUTS, _OP_CUSTOM_OPTIONS = 0, 1, 2, 5
_OP_LARGE_OFFSET, _OP_LARGE_SIZE = 9, 10
_BUFFER_DATA = 0


@dataclass(frozen=True)
class OpCode:
    """One ``operator_codes`` entry; ``None`` leaves the field out of the table."""

    deprecated_builtin_code: Optional[int] = None
    builtin_code: Optional[int] = None
    custom_code: Optional[str] = None
    version: Optional[int] = None


def builtin(code: int, version: Optional[int] = None, old_writer: bool = False) -> OpCode:
    """An entry as TensorFlow's converter writes it for builtin ``code``.

    The byte-wide deprecated field holds the code, or 127 (the placeholder)
    for codes that do not fit; ``old_writer`` leaves ``builtin_code`` out as
    converters before TF 2.4 did.
    """
    deprecated = min(code, PLACEHOLDER_FOR_GREATER_OP_CODES)
    return OpCode(deprecated, None if old_writer else code, None, version)


def custom(name: str, version: Optional[int] = None) -> OpCode:
    """A custom-op entry (``CUSTOM`` plus the custom code)."""
    return OpCode(CUSTOM, CUSTOM, name, version)


@dataclass(frozen=True)
class Op:
    """One operator. ``large_custom_options`` are stored after the flatbuffer
    (as models above 2 GB do) and referenced by file offset and size."""

    opcode_index: int
    custom_options: Optional[bytes] = None
    large_custom_options: Optional[bytes] = None
    inputs: Tuple[int, ...] = ()
    outputs: Tuple[int, ...] = ()


@dataclass(frozen=True)
class Subgraph:
    operators: Tuple[Op, ...] = ()
    name: Optional[str] = None


SubgraphLike = Union[Subgraph, Sequence[Op]]


def make_model(
    opcodes: Sequence[OpCode] = (),
    subgraphs: Sequence[SubgraphLike] = ((),),
    buffers: Sequence[Union[int, bytes]] = (),
    identifier: Optional[bytes] = b"TFL3",
    schema_version: int = 3,
    omit_opcodes: bool = False,
    omit_subgraphs: bool = False,
    share: bool = False,
) -> bytes:
    """The bytes of a model file.

    ``buffers`` entries are data (or a byte count of zero bytes, for big
    weights); an empty sentinel buffer 0 is always written first, as
    converters do. ``identifier=None`` writes no file identifier.

    ``share`` writes each distinct custom code, custom-options vector,
    operator table and opcode table once, and each subgraph's operator tuple
    once per tuple object, and points every user at that one copy. The
    format allows it (an offset may point anywhere), and it is how a small
    hostile file makes a naive reader decode the same bytes many times.
    """
    graphs = [g if isinstance(g, Subgraph) else Subgraph(tuple(g)) for g in subgraphs]
    tail = [op.large_custom_options for g in graphs for op in g.operators if op.large_custom_options is not None]
    if not tail:
        return _build(opcodes, graphs, buffers, identifier, schema_version, omit_opcodes, omit_subgraphs, None, share)
    # The offsets of data stored after the flatbuffer depend on the
    # flatbuffer's size, which does not depend on the offsets' values (u64
    # fields, always written): build once to measure, then for real.
    probe = _build(
        opcodes, graphs, buffers, identifier, schema_version, omit_opcodes, omit_subgraphs, [1 << 40] * len(tail)
    )
    offsets, pos = [], _align(len(probe), 16)
    for data in tail:
        offsets.append(pos)
        pos = _align(pos + len(data), 16)
    fb = _build(opcodes, graphs, buffers, identifier, schema_version, omit_opcodes, omit_subgraphs, offsets)
    assert len(fb) == len(probe)
    out = bytearray(fb)
    for off, data in zip(offsets, tail):
        out += bytes(off - len(out)) + data
    return bytes(out)


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def _build(
    opcodes, graphs, buffers, identifier, schema_version, omit_opcodes, omit_subgraphs, large_offsets, share=False
) -> bytes:
    total = sum(b if isinstance(b, int) else len(b) for b in buffers)
    b = flatbuffers.Builder(1024 + total)
    large = iter(large_offsets or ())
    # Offsets already written, by value; only consulted when sharing.
    strings: dict = {}
    vectors: dict = {}
    tables: dict = {}
    op_vectors: dict = {}

    def once(cache: dict, key, make):
        if not share:
            return make()
        if key not in cache:
            cache[key] = make()
        return cache[key]

    buffer_offs = []
    for data in [b""] + list(buffers):
        payload = bytes(data) if isinstance(data, int) else data
        data_off = b.CreateByteVector(payload) if payload else None
        b.StartObject(3)
        if data_off is not None:
            b.PrependUOffsetTRelativeSlot(_BUFFER_DATA, data_off, 0)
        buffer_offs.append(b.EndObject())

    graph_offs = []
    for g in graphs:

        def operator(op: Op) -> int:
            opts = None
            if op.custom_options is not None:
                opts = once(vectors, op.custom_options, lambda: b.CreateByteVector(op.custom_options))
            ins = _int_vector(b, op.inputs)
            outs = _int_vector(b, op.outputs)
            b.StartObject(13)
            b.PrependUint32Slot(_OP_INDEX, op.opcode_index, None)
            b.PrependUOffsetTRelativeSlot(_OP_INPUTS, ins, 0)
            b.PrependUOffsetTRelativeSlot(_OP_OUTPUTS, outs, 0)
            if opts is not None:
                b.PrependUOffsetTRelativeSlot(_OP_CUSTOM_OPTIONS, opts, 0)
            if op.large_custom_options is not None:
                b.PrependUint64Slot(_OP_LARGE_OFFSET, next(large), None)
                b.PrependUint64Slot(_OP_LARGE_SIZE, len(op.large_custom_options), None)
            return b.EndObject()

        def op_vector() -> int:
            return _table_vector(b, [once(tables, op, lambda: operator(op)) for op in g.operators])

        # By identity: hashing a long operator tuple once per subgraph would be quadratic.
        ops_vec = once(op_vectors, id(g.operators), op_vector)
        name = b.CreateString(g.name) if g.name is not None else None
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(_SUBGRAPH_OPERATORS, ops_vec, 0)
        if name is not None:
            b.PrependUOffsetTRelativeSlot(_SUBGRAPH_NAME, name, 0)
        graph_offs.append(b.EndObject())

    def opcode(c: OpCode) -> int:
        code = c.custom_code
        cc = once(strings, code, lambda: b.CreateString(code)) if code is not None else None
        b.StartObject(4)
        # A default of None makes the Builder write the field even when it
        # holds the schema default, so "present" and "omitted" both happen.
        if c.deprecated_builtin_code is not None:
            b.PrependInt8Slot(_OPCODE_DEPRECATED, c.deprecated_builtin_code, None)
        if cc is not None:
            b.PrependUOffsetTRelativeSlot(_OPCODE_CUSTOM, cc, 0)
        if c.version is not None:
            b.PrependInt32Slot(_OPCODE_VERSION, c.version, None)
        if c.builtin_code is not None:
            b.PrependInt32Slot(_OPCODE_BUILTIN, c.builtin_code, None)
        return b.EndObject()

    code_offs = [once(tables, c, lambda: opcode(c)) for c in opcodes]
    codes_vec = _table_vector(b, code_offs)
    graphs_vec = _table_vector(b, graph_offs)
    buffers_vec = _table_vector(b, buffer_offs)
    desc = b.CreateString("tflite-slim test model")
    b.StartObject(8)
    b.PrependUint32Slot(_MODEL_VERSION, schema_version, None)
    if not omit_opcodes:
        b.PrependUOffsetTRelativeSlot(_MODEL_OPCODES, codes_vec, 0)
    if not omit_subgraphs:
        b.PrependUOffsetTRelativeSlot(_MODEL_SUBGRAPHS, graphs_vec, 0)
    b.PrependUOffsetTRelativeSlot(_MODEL_DESCRIPTION, desc, 0)
    b.PrependUOffsetTRelativeSlot(_MODEL_BUFFERS, buffers_vec, 0)
    root = b.EndObject()
    b.Finish(root, file_identifier=identifier)
    return bytes(b.Output())


def _table_vector(b: flatbuffers.Builder, offsets: Sequence[int]) -> int:
    b.StartVector(4, len(offsets), 4)
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def _int_vector(b: flatbuffers.Builder, values: Sequence[int]) -> int:
    b.StartVector(4, len(values), 4)
    for v in reversed(values):
        b.PrependInt32(v)
    return b.EndVector()


# --- Flex custom options -------------------------------------------------

AttrValue = Union[int, Tuple[int, ...], str]


def node_def(name: str, op: str, attrs: Mapping[str, AttrValue] = (), inputs: Sequence[str] = ()) -> bytes:
    """A serialized ``tensorflow.NodeDef`` (node_def.proto).

    Fields: name = 1, op = 2, input = 3, attr = 5 (map<string, AttrValue>).
    An int attr value is a DataType (AttrValue.type = 6), a tuple of ints a
    type list (AttrValue.list = 1, ListValue.type = 6, packed), a str an
    AttrValue.s (= 2), which is not a type attribute.
    """
    out = _pb_bytes(1, name.encode()) + _pb_bytes(2, op.encode())
    for i in inputs:
        out += _pb_bytes(3, i.encode())
    for key, value in dict(attrs).items():
        if isinstance(value, int):
            av = _pb_varint_field(6, value)
        elif isinstance(value, tuple):
            av = _pb_bytes(1, _pb_bytes(6, b"".join(_varint(v) for v in value)))
        else:
            av = _pb_bytes(2, value.encode())
        out += _pb_bytes(5, _pb_bytes(1, key.encode()) + _pb_bytes(2, av))
    return out


def flex_options(op: str, attrs: Mapping[str, AttrValue] = (), node_name: str = "node") -> bytes:
    """``custom_options`` of a Flex op: FlexBuffer ``[op, NodeDef bytes]``."""
    return flexbuffer_strings([op.encode(), node_def(node_name, op, attrs)])


def flexbuffer_strings(items: Sequence[bytes]) -> bytes:
    """A FlexBuffer whose root is an untyped vector of strings.

    Written by hand (the Python flexbuffers Builder only takes ``str``, and a
    NodeDef is arbitrary bytes) with 32-bit widths throughout: each string is
    length, bytes, NUL; the vector is length, relative offsets, then one
    packed type byte per element; the buffer ends with the root offset, the
    root's packed type and the root's byte width.
    """
    string_type, vector_type, width32 = 5, 10, 2
    buf = bytearray()
    starts = []
    for s in items:
        buf += bytes(_align(len(buf), 4) - len(buf))
        buf += struct.pack("<I", len(s))
        starts.append(len(buf))
        buf += s + b"\0"
    buf += bytes(_align(len(buf), 4) - len(buf))
    buf += struct.pack("<I", len(items))
    vec = len(buf)
    for i, start in enumerate(starts):
        buf += struct.pack("<I", vec + 4 * i - start)
    buf += bytes((string_type << 2) | width32 for _ in items)
    buf += bytes(_align(len(buf), 4) - len(buf))
    root = len(buf)
    buf += struct.pack("<I", root - vec)
    buf += bytes([(vector_type << 2) | width32, 4])
    return bytes(buf)


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _pb_bytes(field_number: int, data: bytes) -> bytes:
    return _varint(field_number << 3 | 2) + _varint(len(data)) + data


def _pb_varint_field(field_number: int, value: int) -> bytes:
    return _varint(field_number << 3) + _varint(value)


# --- hostile files --------------------------------------------------------


def overlapping_custom_codes_model(region: int) -> bytes:
    """A model whose custom codes are distinct but overlapping strings.

    One ``region``-byte run of ``A`` holds, at many 4-aligned positions, a
    length word that makes "from here to the end of the run" a string, and
    one CUSTOM opcode entry points at each. No writer produces this; the
    strings add up to about ``region**2 / 16`` bytes, which is what a reader
    that decodes every string would pay. Only positions whose length word is
    ASCII (each byte below 0x80) are used, so every string is valid UTF-8.
    """
    region -= region % 4
    data = bytearray(b"A" * region)
    positions = []
    for p in range(0, region - 4, 4):
        n = region - p - 4
        word = struct.pack("<I", n)
        if all(byte < 0x80 for byte in word):
            data[p : p + 4] = word
            positions.append(p)
    b = flatbuffers.Builder(region + 64 * len(positions) + 1024)
    vec = b.CreateByteVector(bytes(data))
    codes = []
    for p in positions:
        b.StartObject(4)
        b.PrependInt8Slot(_OPCODE_DEPRECATED, CUSTOM, None)
        b.PrependUOffsetTRelativeSlot(_OPCODE_CUSTOM, vec - 4 - p, 0)
        b.PrependInt32Slot(_OPCODE_BUILTIN, CUSTOM, None)
        codes.append(b.EndObject())
    codes_vec = _table_vector(b, codes)
    graphs_vec = _table_vector(b, [])
    b.StartObject(8)
    b.PrependUint32Slot(_MODEL_VERSION, 3, None)
    b.PrependUOffsetTRelativeSlot(_MODEL_OPCODES, codes_vec, 0)
    b.PrependUOffsetTRelativeSlot(_MODEL_SUBGRAPHS, graphs_vec, 0)
    b.Finish(b.EndObject(), file_identifier=b"TFL3")
    return bytes(b.Output())
