"""Decode a Flex (Select TF) op's ``custom_options`` into a :class:`FlexOp`.

TensorFlow's converter stores a Flex op's options as a FlexBuffer vector
``[op_name, serialized NodeDef]`` (both FlexBuffer strings). The TensorFlow op
name and its type attributes (``T``, ``Tidx``, ``out_type``...) decide which
TensorFlow kernels the Select TF ops runtime must carry, so we read exactly
those: NodeDef.op (field 2) and NodeDef.attr (field 5, map<string, AttrValue>)
whose values are a DataType (AttrValue.type, field 6) or a list of them
(AttrValue.list, field 1 -> ListValue.type, field 6). Field numbers are from
tensorflow/core/framework/node_def.proto and attr_value.proto.
"""

from __future__ import annotations

from typing import Iterator, Tuple, Union

from tflite_slim.analysis.opset import FlexOp, flex_attr_problem
from tflite_slim.analysis.schema import data_type_name

#: DataType values a type attribute can hold (types.proto): 1..99 are types,
#: 101..199 their ``_REF`` forms; 0 is DT_INVALID. Values above our table but
#: in range are kept as ``DT_<n>`` (a newer TensorFlow's type).
_TYPE_VALUES = range(1, 200)


class FlexDecodeError(Exception):
    """The custom options are not a FlexBuffer ``[op_name, NodeDef]``."""


#: A protobuf field as we need it: ``(number, value)``, the value an ``int``
#: for a varint and ``bytes`` for a length-delimited field (strings, messages,
#: packed lists). Fixed-width fields are skipped: nothing we read uses them.
Field = Tuple[int, Union[int, bytes]]


def decode_flex_options(options: bytes) -> FlexOp:
    """The TensorFlow op its NodeDef runs and its type attributes, from a Flex op's custom options."""
    op_name, node = _split_flexbuffer(options)
    fields = _parse_message(node, "NodeDef")
    attrs: dict[str, str] = {}
    for f, entry in fields:
        if f == 5 and isinstance(entry, bytes):
            key, value = _map_entry(entry)
            type_name = _type_attr(value, key)
            if type_name is not None:
                bad = flex_attr_problem(key, type_name)
                if bad:
                    raise FlexDecodeError(f"NodeDef {bad}")
                attrs[key] = type_name
    # TensorFlow's Flex tooling (list_flex_ops, behind tflite_flex_android_library)
    # refuses a NodeDef without an op ("Invalid NodeDef"). It never compares the
    # NodeDef's op with the custom code, yet takes the op name from the custom code
    # and the kernel class from NodeDef.op, as the delegate runs NodeDef.op: the
    # caller (the reader) refuses a NodeDef whose op is not the custom code's. The
    # returned name is the NodeDef's op (protobuf: the last occurrence wins).
    ops = [v for f, v in fields if f == 2 and isinstance(v, bytes) and v]
    if not ops:
        raise FlexDecodeError("the NodeDef names no op (TensorFlow rejects it as an invalid NodeDef)")
    del op_name  # the FlexBuffer's first element: the delegate (flex/kernel.cc) only names the node with it
    return FlexOp(ops[-1].decode("utf-8", "replace"), tuple(sorted(attrs.items())))


def _split_flexbuffer(options: bytes) -> tuple[str, bytes]:
    # Imported here, not at module level: flatbuffers imports numpy when it is
    # installed (~50 ms), which a model without Flex ops should not pay at cold start.
    from flatbuffers import flexbuffers

    if len(options) < 3:
        raise FlexDecodeError(f"{len(options)} bytes are too few for a FlexBuffer")
    try:
        vec = flexbuffers.GetRoot(options).AsVector
        if len(vec) < 2:
            raise FlexDecodeError(f"expected a vector [op_name, NodeDef], found {len(vec)} element{'s' if len(vec) != 1 else ''}")
        name_ref, node_ref = vec[0], vec[1]
        if not name_ref.IsString:
            raise FlexDecodeError("the first element (op name) is not a string")
        name = name_ref.AsStringBytes.decode("utf-8")
        node = node_ref.AsStringBytes if node_ref.IsString else node_ref.AsBlob if node_ref.IsBlob else None
        if node is None:
            raise FlexDecodeError("the second element (NodeDef) is neither a string nor a blob")
        return name, bytes(node)
    except FlexDecodeError:
        raise
    # The flexbuffers package trusts its input; on garbage it raises whatever
    # its slicing and struct calls raise. All of them mean "not a FlexBuffer".
    except Exception as e:  # noqa: BLE001
        raise FlexDecodeError(f"not a FlexBuffer ({type(e).__name__})") from e


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise FlexDecodeError("truncated or overlong varint in NodeDef")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes, what: str) -> Iterator[Field]:
    """The varint and length-delimited fields of a protobuf message, in order (see :data:`Field`)."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, value
        elif wire == 2:
            n, pos = _varint(buf, pos)
            if pos + n > len(buf):
                raise FlexDecodeError(f"{what} field {number} extends past its end")
            yield number, buf[pos : pos + n]
            pos += n
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise FlexDecodeError(f"{what} has an unsupported wire type {wire}")
        if pos > len(buf):
            raise FlexDecodeError(f"{what} is truncated")


def _parse_message(buf: bytes, what: str) -> list[Field]:
    return list(_fields(buf, what))


def _map_entry(entry: bytes) -> tuple[str, bytes]:
    key, value = "", b""
    for f, v in _fields(entry, "NodeDef.attr entry"):
        if f == 1 and isinstance(v, bytes):
            key = v.decode("utf-8", "replace")
        elif f == 2 and isinstance(v, bytes):
            value = v
    return key, value


def _type_name(value: int, key: str) -> str:
    if value not in _TYPE_VALUES:
        raise FlexDecodeError(f"NodeDef attribute {key[:60]!r} holds DataType {value}, which is no TensorFlow type")
    return data_type_name(value)


def _type_attr(value: bytes, key: str) -> "str | None":
    """``DT_...`` for a type attr, ``[DT_A,DT_B]`` for a type-list attr, else ``None``."""
    for f, v in _fields(value, "AttrValue"):
        if f == 6 and isinstance(v, int):
            return _type_name(v, key)
        if f == 1 and isinstance(v, bytes):
            types = []
            for lf, lv in _fields(v, "AttrValue.list"):
                if lf == 6 and isinstance(lv, int):
                    types.append(_type_name(lv, key))
                elif lf == 6 and isinstance(lv, bytes):  # packed repeated enum
                    pos = 0
                    while pos < len(lv):
                        t, pos = _varint(lv, pos)
                        types.append(_type_name(t, key))
            if types:
                return "[" + ",".join(types) + "]"
    return None
