"""The model reader: the shared corpus of real models, then edge cases built with modelmaker."""

from __future__ import annotations

import hashlib
import json
import mmap
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import modelmaker as mm
from tflite_slim.errors import ModelError
from tflite_slim.analysis.flatbuf import FileSource, FlatbufferError
from tflite_slim.analysis.opset import FlexOp
from tflite_slim.analysis.reader import file_sha256, parse_model, read_model

# tests/conftest.py's SHARED_MODELS, not imported: "conftest" names whichever conftest.py pytest loaded last
# (tests/runtime/conftest.py when tests/runtime is among the arguments).
SHARED_MODELS = Path(__file__).resolve().parents[3] / "shared" / "models"


def _corpus_keys() -> list:
    index = SHARED_MODELS / "expected.json"
    # Collected without the corpus too: the `expected` fixture then skips.
    return sorted(json.loads(index.read_text())) if index.is_file() else ["<corpus absent>"]


@pytest.mark.parametrize("rel", _corpus_keys())
def test_corpus_model_matches_ground_truth(rel: str, shared_models: Path, expected: dict) -> None:
    want = expected[rel]
    path = shared_models / rel
    if "error" in want:
        with pytest.raises(ModelError) as e:
            read_model(str(path))
        assert str(path) in str(e.value)
        return
    got = read_model(str(path))
    assert got.subgraphs == want["subgraphs"]
    assert {k: list(v) for k, v in got.ops.builtin_ops.items()} == want["builtin_ops"]
    assert list(got.ops.custom_ops) == want["custom_ops"]
    assert list(got.ops.flex_op_names) == want["flex_ops"]
    assert got.sha256 == want["sha256"]
    assert got.size == path.stat().st_size
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        parsed = parse_model(buf)
    assert (parsed.opcodes, parsed.referenced_opcodes) == (want["opcodes"], want["referenced_opcodes"])
    assert bool(got.unreferenced) == (want["opcodes"] > want["referenced_opcodes"])


def test_corpus_flex_models_carry_type_attrs(shared_models: Path) -> None:
    got = read_model(str(shared_models / "litert-repo/tflite__testdata__multi_add_flex.bin"))
    assert got.ops.flex_ops == (FlexOp("AddV2", (("T", "DT_FLOAT"),)),)


def _parse(data: bytes):
    return parse_model(data)


# --- builtin codes --------------------------------------------------------


@pytest.mark.parametrize(
    "entry, name",
    [
        (mm.builtin(mm.CONV_2D), "CONV_2D"),
        (mm.builtin(mm.CONV_2D, old_writer=True), "CONV_2D"),  # pre-2.4 writers: no builtin_code
        (mm.OpCode(deprecated_builtin_code=None, builtin_code=mm.CONV_2D), "CONV_2D"),
        (mm.builtin(mm.CUMSUM), "CUMSUM"),  # > 127: deprecated holds the placeholder
        (mm.builtin(mm.STABLEHLO_COMPOSITE), "STABLEHLO_COMPOSITE"),
        (mm.builtin(mm.STABLEHLO_CASE), "STABLEHLO_CASE"),
        (mm.builtin(mm.PLACEHOLDER_FOR_GREATER_OP_CODES, old_writer=True), "PLACEHOLDER_FOR_GREATER_OP_CODES"),
        (mm.builtin(210), "BUILTIN_210"),  # newer than our table: reported, not a failure
        (mm.builtin(5000), "BUILTIN_5000"),
        (mm.OpCode(), "ADD"),  # every field omitted: code 0, version 1
        (mm.OpCode(deprecated_builtin_code=mm.ADD, builtin_code=mm.ADD), "ADD"),
    ],
)
def test_builtin_code_is_max_of_raw_fields(entry: mm.OpCode, name: str) -> None:
    parsed = _parse(mm.make_model([entry], [[mm.Op(0)]]))
    assert dict(parsed.ops.builtin_ops) == {name: (entry.version or 1,)}
    assert parsed.ops.custom_ops == {}


def test_npu_style_custom_code_with_deprecated_zero() -> None:
    # LiteRT NPU models: deprecated 0, builtin_code CUSTOM. tflite 2.18's
    # BuiltinCode() calls this ADD; the raw max says CUSTOM.
    entry = mm.OpCode(deprecated_builtin_code=0, builtin_code=mm.CUSTOM, custom_code="DISPATCH_OP")
    parsed = _parse(mm.make_model([entry], [[mm.Op(0)]]))
    assert parsed.ops.builtin_ops == {}
    assert parsed.ops.custom_ops == {"DISPATCH_OP": (1,)}


@pytest.mark.parametrize("version", [None, 1, 2, 7])
def test_version_default_is_one(version) -> None:
    parsed = _parse(mm.make_model([mm.builtin(mm.CONV_2D, version)], [[mm.Op(0)]]))
    assert parsed.ops.builtin_ops["CONV_2D"] == ((version or 1),)


@pytest.mark.parametrize("version", [0, -1, -2147483648, 256, 2147483647])
@pytest.mark.parametrize("used", [True, False])
def test_a_version_no_kernel_can_declare_is_refused_at_analysis(version: int, used: bool) -> None:
    """0 was accepted and built, then install/verify refused the build's own ops.json; 2147483647 went into
    AddBuiltin(ADD, ..., 1, 2147483647), a loop that never ends on the device (an unused entry too)."""
    codes = [mm.builtin(mm.ADD, 1), mm.builtin(mm.CONV_2D, version)]
    ops = [mm.Op(0), mm.Op(1)] if used else [mm.Op(0)]
    with pytest.raises(FlatbufferError, match=f"operator code 1: version {version} "):
        _parse(mm.make_model(codes, [ops]))


@pytest.mark.parametrize("version", [1, 14, 255])
def test_versions_a_kernel_can_declare_are_read(version: int) -> None:
    parsed = _parse(mm.make_model([mm.custom("MyOp", version)], [[mm.Op(0)]]))
    assert parsed.ops.custom_ops == {"MyOp": (version,)}


def test_duplicate_entries_merge_versions() -> None:
    codes = [
        mm.builtin(mm.CONV_2D, 1),
        mm.builtin(mm.CONV_2D, 3),
        mm.builtin(mm.CONV_2D, 1),
        mm.custom("Foo"),
        mm.custom("Foo"),
    ]
    parsed = _parse(mm.make_model(codes, [[mm.Op(i) for i in range(5)]]))
    assert dict(parsed.ops.builtin_ops) == {"CONV_2D": (1, 3)}
    assert parsed.ops.custom_ops == {"Foo": (1,)}
    assert (parsed.opcodes, parsed.referenced_opcodes) == (5, 5)


def test_custom_op_versions_are_kept_like_builtin_versions() -> None:
    # gen_op_registration registers custom ops with a (min, max) range too, so a
    # runtime built for Foo v1 does not load a model that needs Foo v2.
    codes = [mm.custom("Foo", 2), mm.custom("Foo"), mm.custom("Bar", 3)]
    parsed = _parse(mm.make_model(codes, [[mm.Op(0), mm.Op(1), mm.Op(2)]]))
    assert parsed.ops.custom_ops == {"Bar": (3,), "Foo": (1, 2)}


def test_unused_entries_still_count_and_are_marked() -> None:
    codes = [mm.builtin(mm.ADD), mm.builtin(mm.CONV_2D, 2), mm.custom("Unused"), mm.custom("FlexAddV2")]
    parsed = _parse(mm.make_model(codes, [[mm.Op(0)]]))
    assert dict(parsed.ops.builtin_ops) == {"ADD": (1,), "CONV_2D": (2,)}
    assert parsed.ops.custom_ops == {"Unused": (1,)}
    assert parsed.ops.flex_ops == (FlexOp("AddV2"),)  # no operator, so no NodeDef attrs
    assert parsed.unreferenced == ("CONV_2D", "FlexAddV2", "Unused")
    assert (parsed.opcodes, parsed.referenced_opcodes) == (4, 1)


# --- subgraphs ------------------------------------------------------------


@pytest.mark.parametrize("omit", [False, True])
def test_zero_subgraphs(omit: bool) -> None:
    parsed = _parse(mm.make_model([mm.builtin(mm.ADD)], [], omit_subgraphs=omit))
    assert parsed.subgraphs == 0
    assert dict(parsed.ops.builtin_ops) == {"ADD": (1,)}  # the table is still resolved
    assert parsed.unreferenced == ("ADD",)


def test_no_operator_codes_table() -> None:
    parsed = _parse(mm.make_model([], [[]], omit_opcodes=True))
    assert (parsed.subgraphs, parsed.opcodes) == (1, 0)
    assert parsed.ops.builtin_ops == {} and parsed.ops.custom_ops == {}


def test_every_subgraph_is_walked() -> None:
    codes = [mm.builtin(mm.WHILE), mm.builtin(mm.ADD), mm.custom("FlexAddV2"), mm.custom("Bar")]
    flex = mm.flex_options("AddV2", {"T": mm.DT_INT32})
    graphs = [[mm.Op(0)], mm.Subgraph((mm.Op(1),), "cond"), mm.Subgraph((mm.Op(2, flex), mm.Op(3)), "body")]
    parsed = _parse(mm.make_model(codes, graphs))
    assert parsed.subgraphs == 3
    assert parsed.referenced_opcodes == 4
    assert parsed.ops.flex_ops == (FlexOp("AddV2", (("T", "DT_INT32"),)),)


# --- flex -------------------------------------------------------------------


def test_flex_ops_per_type_attrs() -> None:
    codes = [mm.custom("FlexAddV2"), mm.custom("FlexRange")]
    ops = [
        mm.Op(0, mm.flex_options("AddV2", {"T": mm.DT_FLOAT})),
        mm.Op(0, mm.flex_options("AddV2", {"T": mm.DT_INT64})),
        mm.Op(1, mm.flex_options("Range", {"Tidx": mm.DT_INT32, "name_hint": "x"})),
    ]
    parsed = _parse(mm.make_model(codes, [ops]))
    assert parsed.ops.flex_ops == (
        FlexOp("AddV2", (("T", "DT_FLOAT"),)),
        FlexOp("AddV2", (("T", "DT_INT64"),)),
        FlexOp("Range", (("Tidx", "DT_INT32"),)),
    )
    assert parsed.ops.custom_ops == {}


def test_large_custom_options_outside_the_flatbuffer() -> None:
    data = mm.make_model(
        [mm.custom("FlexAddV2")],
        [[mm.Op(0, large_custom_options=mm.flex_options("AddV2", {"T": mm.DT_FLOAT}))]],
    )
    assert data.endswith(mm.flex_options("AddV2", {"T": mm.DT_FLOAT}))
    parsed = _parse(data)
    assert parsed.ops.flex_ops == (FlexOp("AddV2", (("T", "DT_FLOAT"),)),)


def test_large_custom_options_past_the_end_is_an_error() -> None:
    data = mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, large_custom_options=mm.flex_options("AddV2"))]])
    with pytest.raises(FlatbufferError, match="outside the"):
        _parse(data[:-4])


@pytest.mark.parametrize(
    "code",
    ["FlexAdd\nV2", "FlexAdd\x00", "Flex<script>", "Flexible", "Flex Add", "FlexAdd\u00e9", "Flex>Add", "FlexAdd>"],
)
def test_flex_op_with_an_impossible_tensorflow_name_is_refused(code: str) -> None:
    # TensorFlow Lite sends every "Flex..." code to TensorFlow, whose op names
    # follow IsValidOpName; anything else can never run, and must not reach reports or POMs.
    data = mm.make_model([mm.custom(code)], [[mm.Op(0, mm.flex_options(code[4:]))]])
    with pytest.raises(FlatbufferError, match="marks a Flex op, but .* is not a TensorFlow op name"):
        _parse(data)
    with pytest.raises(FlatbufferError, match="is not a TensorFlow op name"):
        _parse(mm.make_model([mm.custom(code)], [[]]))  # unused entries too


@pytest.mark.parametrize("name", ["AddV2", "Foo>Bar", "_Internal", "A1_b"])
def test_flex_op_with_a_tensorflow_name_is_accepted(name: str) -> None:
    parsed = _parse(mm.make_model([mm.custom("Flex" + name)], [[]]))
    assert parsed.ops.flex_op_names == (name,)


def test_flex_op_with_an_invalid_type_value_is_refused() -> None:
    data = mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, mm.flex_options("AddV2", {"T": 0}))]])
    with pytest.raises(FlatbufferError, match="FlexAddV2.*DataType 0, which is no TensorFlow type"):
        _parse(data)


@pytest.mark.parametrize("options", [None, b"", b"\x01\x02", b"garbage that is no flexbuffer"])
def test_flex_with_bad_options_is_an_error(options) -> None:
    with pytest.raises(FlatbufferError, match="FlexAddV2"):
        _parse(mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, options)]]))


# --- malformed files ------------------------------------------------------------


def _good() -> bytes:
    return mm.make_model([mm.builtin(mm.CONV_2D), mm.custom("Foo")], [[mm.Op(0), mm.Op(1)]], buffers=[64])


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "too short"),
        (b"TFL3", "too short"),
        (_good()[:7], "too short"),
        (mm.make_model([mm.builtin(mm.ADD)], [[mm.Op(0)]], identifier=b"TFL2"), "identifier"),
        (mm.make_model([mm.builtin(mm.ADD)], [[mm.Op(0)]], identifier=None), "identifier"),
        (b"\xff\xff\xff\x7fTFL3" + bytes(64), "outside"),  # root offset past the end
        (b"\x08\x00\x00\x00TFL3" + b"\x00\x00\x00\x80" + bytes(8), "vtable"),
        (mm.make_model([mm.builtin(mm.ADD)], [[mm.Op(3)]]), "opcode_index 3"),
        (mm.make_model([mm.OpCode(-5, -3)], [[mm.Op(0)]]), "negative builtin code -3"),
        (mm.make_model([mm.OpCode(mm.CUSTOM, mm.CUSTOM)], [[mm.Op(0)]]), "without a custom_code"),
    ],
)
def test_malformed_buffers(data: bytes, reason: str) -> None:
    with pytest.raises(FlatbufferError, match=reason):
        _parse(data)


def test_truncated_file_is_an_error_or_the_same_answer() -> None:
    data = _good()
    full = _parse(data)
    errors = 0
    for cut in range(8, len(data)):
        try:
            got = _parse(data[:cut])
        except FlatbufferError:
            errors += 1
            continue
        # Only the unread tail (weights) may be cut without notice.
        assert got == full, cut
    assert errors > len(data) // 2


def _corrupt_u32(data: bytes, at: int, value: int) -> bytes:
    return data[:at] + struct.pack("<I", value) + data[at + 4 :]


def test_offset_pointing_outside_the_file() -> None:
    data = _good()
    root = struct.unpack_from("<I", data, 0)[0]
    vtable = root - struct.unpack_from("<i", data, root)[0]
    field = struct.unpack_from("<H", data, vtable + 4 + 2 * 1)[0]  # Model.operator_codes
    bad = _corrupt_u32(data, root + field, len(data) * 4)
    with pytest.raises(FlatbufferError, match="outside the file"):
        _parse(bad)


def test_vector_length_larger_than_the_file() -> None:
    data = _good()
    root = struct.unpack_from("<I", data, 0)[0]
    vtable = root - struct.unpack_from("<i", data, root)[0]
    field = root + struct.unpack_from("<H", data, vtable + 4 + 2 * 2)[0]  # Model.subgraphs
    vec = field + struct.unpack_from("<I", data, field)[0]
    with pytest.raises(FlatbufferError, match="extends past the end"):
        _parse(_corrupt_u32(data, vec, 0x3FFFFFFF))


# --- the file edge ------------------------------------------------------------------


def test_read_model_hashes_and_sizes(tmp_path: Path) -> None:
    data = _good()
    path = tmp_path / "m.tflite"
    path.write_bytes(data)
    got = read_model(str(path))
    assert got.sha256 == hashlib.sha256(data).hexdigest() == file_sha256(str(path))
    assert (got.size, got.subgraphs, got.path) == (len(data), 1, str(path))
    assert dict(got.ops.builtin_ops) == {"CONV_2D": (1,)}


@pytest.mark.parametrize("content", [b"", b"1234567", b"not a model at all, just text\n" * 3])
def test_read_model_non_models_give_model_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.tflite"
    path.write_bytes(content)
    with pytest.raises(ModelError) as e:
        read_model(str(path))
    assert e.value.path == str(path)


def test_read_model_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read"):
        read_model(str(tmp_path / "nope.tflite"))
    with pytest.raises(ModelError, match="cannot read"):
        read_model(str(tmp_path))


# --- a file that changes while it is read ------------------------------------------

_TRUNCATE_DURING_PARSE = """
import json, os, sys
from tflite_slim.analysis import analyzer, reader

victim = sys.argv[-1]
original = reader.parse_model

def parse_while_truncated(buf):
    # What a second process (a build step rewriting assets) can do between
    # our open() and our reads: the file is opened, then cut to nothing.
    if len(buf) == os.path.getsize(victim) and not getattr(parse_while_truncated, "done", False):
        parse_while_truncated.done = True
        os.truncate(victim, 0)
    return original(buf)

reader.parse_model = parse_while_truncated
result = analyzer.analyze_files(sys.argv[1:-1])
print(json.dumps({"models": [m.path for m in result.models], "failures": [[f.path, f.error] for f in result.failures]}))
"""


def test_file_truncated_while_read_is_an_error_for_that_file_only(tmp_path: Path) -> None:
    # With a memory map, reading a page past the new end raises SIGBUS and
    # kills the whole analysis; the reads must fail for that file alone.
    data = mm.make_model([mm.builtin(mm.CONV_2D)], [[mm.Op(0)]], buffers=[200_000])
    paths = [tmp_path / name for name in ("a.tflite", "b.tflite", "c.tflite")]
    paths[0].write_bytes(_good())
    paths[1].write_bytes(data)
    paths[2].write_bytes(_good() + b"\0" * 8)
    r = subprocess.run(
        [sys.executable, "-c", _TRUNCATE_DURING_PARSE, *map(str, paths), str(paths[1])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    got = json.loads(r.stdout)
    assert got["models"] == [str(paths[0]), str(paths[2])]
    assert len(got["failures"]) == 1, got
    [[path, error]] = got["failures"]
    assert path == str(paths[1]) and error.startswith("the file shrank while it was read") and "\n" not in error


def test_file_source_reads_only_what_it_is_asked(tmp_path: Path) -> None:
    data = mm.make_model([mm.builtin(mm.CONV_2D)], [[mm.Op(0)]], buffers=[4 << 20])
    path = tmp_path / "big.tflite"
    path.write_bytes(data)
    with open(path, "rb") as f:
        source = FileSource(f.fileno(), len(data))
        assert parse_model(source) == parse_model(data)
        # The weights (4 MiB) stay on disk: a few pages of tables are read.
        assert len(source._pages) * FileSource.PAGE < 256 << 10
        assert source[10:20] == data[10:20] and source[len(data) - 8 : len(data) + 8] == data[-8:]
        big = source[100 : 100 + 5 * FileSource.PAGE]
        assert big == data[100 : 100 + 5 * FileSource.PAGE]


@pytest.mark.parametrize(
    "code",
    ["Evil\x1b[2J\x1b]0;pwned\x07", "Line\nBreak", "Nul\x00", "Bidi\u202eOverride", "Tab\tOp"],
)
def test_custom_code_with_control_characters_is_refused(code: str) -> None:
    # Printed raw, such a code restyled the terminal of whoever read the text report,
    # and the analyze JSON it produced was refused by verify (opset._custom_from_json).
    with pytest.raises(FlatbufferError, match="control or invisible characters") as e:
        _parse(mm.make_model([mm.custom(code)], [[mm.Op(0)]]))
    assert code not in str(e.value) and repr(code) in str(e.value)


@pytest.mark.parametrize("code", ["My_Op", "TFLite_Detection_PostProcess", "Café Op", "<b>x</b>"])
def test_printable_custom_codes_are_kept(code: str) -> None:
    assert list(_parse(mm.make_model([mm.custom(code)], [[mm.Op(0)]])).ops.custom_ops) == [code]
