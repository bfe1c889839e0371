"""Decoding Flex ops' custom options (FlexBuffer [op, NodeDef]) to op name and type attrs."""

from __future__ import annotations

import contextlib
import time

import pytest
from flatbuffers import flexbuffers

import modelmaker as mm
from tflite_slim.analysis.flex import FlexDecodeError, decode_flex_options
from tflite_slim.analysis.opset import FlexOp


@pytest.mark.parametrize(
    "op, attrs, want",
    [
        ("AddV2", {"T": mm.DT_FLOAT}, (("T", "DT_FLOAT"),)),
        ("Range", {"Tidx": mm.DT_INT64}, (("Tidx", "DT_INT64"),)),
        (
            "Cast",
            {"SrcT": mm.DT_INT32, "DstT": mm.DT_FLOAT, "Truncate": "x"},
            (("DstT", "DT_FLOAT"), ("SrcT", "DT_INT32")),
        ),
        ("IdentityN", {"T": (mm.DT_FLOAT, mm.DT_INT32)}, (("T", "[DT_FLOAT,DT_INT32]"),)),
        ("StringToHashBucketFast", {}, ()),
        ("Weird", {"T": 101}, (("T", "DT_FLOAT_REF"),)),
        ("Future", {"T": 99}, (("T", "DT_99"),)),
        ("Big", {"T": 150}, (("T", "DT_150"),)),  # multi-byte varint, a type newer than our table
    ],
)
def test_decode(op: str, attrs, want) -> None:
    assert decode_flex_options(mm.flex_options(op, attrs)) == FlexOp(op, want)


def test_library_written_flexbuffer_with_blob_nodedef() -> None:
    # Not how TensorFlow writes it (it uses a string), but the same content.
    b = flexbuffers.Builder()
    with b.Vector():
        b.String("AddV2")
        b.Blob(mm.node_def("n", "AddV2", {"T": mm.DT_INT32}))
    assert decode_flex_options(bytes(b.Finish())) == FlexOp("AddV2", (("T", "DT_INT32"),))


def _flex_lib(*items) -> bytes:
    b = flexbuffers.Builder()
    with b.Vector():
        for item in items:
            b.Add(item)
    return bytes(b.Finish())


@pytest.mark.parametrize(
    "options, message",
    [
        (b"", "too few"),
        (_flex_lib("AddV2"), "found 1 element"),
        (_flex_lib(1, "x"), "op name"),
        (_flex_lib("AddV2", 5), "neither a string nor a blob"),
        (mm.flexbuffer_strings([b"AddV2", mm.node_def("n", "", {})]), "names no op"),
        (mm.flexbuffer_strings([b"AddV2", b"\x0a\xff"]), "NodeDef"),  # length past the end
        (mm.flexbuffer_strings([b"AddV2", b"\x2a\x04\x12\x02\x30\x80"]), "truncated or overlong varint"),
        (mm.flexbuffer_strings([b"AddV2", b"\x0f"]), "wire type"),
        (b"\x00" * 3, "FlexBuffer"),
    ],
)
def test_malformed_options(options: bytes, message: str) -> None:
    with pytest.raises(FlexDecodeError, match=message):
        decode_flex_options(options)


@pytest.mark.parametrize("value", [0, 200, 20000, 2**63])
def test_type_attr_outside_the_datatype_range_is_refused(value: int) -> None:
    # types.proto: 0 is DT_INVALID, types are below 100 and their _REF forms below 200.
    with pytest.raises(FlexDecodeError, match=f"DataType {value}, which is no TensorFlow type"):
        decode_flex_options(mm.flex_options("AddV2", {"T": value}))


@pytest.mark.parametrize("key", ["T\n", "", "1T", "T-x", "T\u00e9", "<T>"])
def test_type_attr_with_an_impossible_name_is_refused(key: str) -> None:
    with pytest.raises(FlexDecodeError, match="not a TensorFlow attribute name"):
        decode_flex_options(mm.flex_options("AddV2", {key: mm.DT_FLOAT}))


def test_internal_attr_names_are_kept() -> None:
    # NodeDefs carry internal attributes ('_class', '_output_types'); TensorFlow allows the '_'.
    got = decode_flex_options(mm.flex_options("AddV2", {"T": mm.DT_FLOAT, "_dtype": mm.DT_INT32}))
    assert got.attrs == (("T", "DT_FLOAT"), ("_dtype", "DT_INT32"))


def test_deeply_nested_flexbuffer_is_refused_without_walking_it() -> None:
    # Only the root vector's two elements are read, so nesting costs nothing.
    b = flexbuffers.Builder()
    with b.Vector():
        b.String("AddV2")
        with contextlib.ExitStack() as stack:
            for _ in range(5000):
                stack.enter_context(b.Vector())
            b.Int(1)
    data = bytes(b.Finish())
    start = time.perf_counter()
    with pytest.raises(FlexDecodeError, match="neither a string nor a blob"):
        decode_flex_options(data)
    assert time.perf_counter() - start < 1.0


def test_flexbuffer_strings_matches_the_library_reader() -> None:
    data = mm.flexbuffer_strings([b"Op", b"\x00\x01binary\xff"])
    vec = flexbuffers.GetRoot(data).AsVector
    assert (vec[0].AsString, vec[1].AsStringBytes) == ("Op", b"\x00\x01binary\xff")


def test_the_op_is_the_one_the_nodedef_runs() -> None:
    # The delegate (flex/kernel.cc) runs NodeDef.op and only names the node with the FlexBuffer's first
    # element; list_flex_ops picks the kernel class by NodeDef.op too.
    options = mm.flexbuffer_strings([b"AddV2", mm.node_def("n", "Add", {"T": mm.DT_FLOAT})])
    assert decode_flex_options(options) == FlexOp("Add", (("T", "DT_FLOAT"),))


def test_a_model_whose_nodedef_runs_another_op_than_its_custom_code_is_refused(tmp_path) -> None:
    """Recorded as AddV2 (the custom code), the runtime would get Add's kernel: list_flex_ops reads NodeDef.op."""
    from tflite_slim.analysis import reader
    from tflite_slim.errors import ModelError

    path = tmp_path / "m.tflite"
    path.write_bytes(mm.make_model([mm.custom("FlexAddV2")],
                                   [[mm.Op(0, custom_options=mm.flex_options("Add", {"T": mm.DT_FLOAT}))]]))
    with pytest.raises(ModelError, match="its NodeDef runs the TensorFlow op 'Add', not 'AddV2'"):
        reader.read_model(str(path))
