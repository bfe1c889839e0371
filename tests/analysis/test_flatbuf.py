"""The bounds-checked flatbuffer access, on hand-laid bytes."""

from __future__ import annotations

import struct

import pytest

from tflite_slim.analysis.flatbuf import FlatbufferError, Table, root


def _layout(fields: list, extra: bytes = b"") -> bytes:
    """Root offset, "TFL3", a vtable, then a table whose inline fields are ``fields`` (bytes each)."""
    inline = b"".join(fields)
    vtable = struct.pack("<HH", 4 + 2 * len(fields), 4 + len(inline))
    pos = 4
    for f in fields:
        vtable += struct.pack("<H", pos if f else 0)
        pos += len(f)
    vt_at = 8
    table_at = vt_at + len(vtable)
    table_at += (-table_at) % 4
    head = struct.pack("<I", table_at) + b"TFL3" + vtable
    head += bytes(table_at - len(head))
    return head + struct.pack("<i", table_at - vt_at) + inline + extra


def test_scalars_defaults_and_absent_slots() -> None:
    buf = _layout([struct.pack("<i", -7), b"", struct.pack("<b", -2) + b"\0\0\0"])
    t = root(buf, b"TFL3")
    assert t.int32(0, 1) == -7
    assert t.int32(1, 42) == 42  # offset 0 in the vtable: absent
    assert t.int8(2, 0) == -2
    assert t.uint64(9, 5) == 5  # beyond the vtable: absent


def test_string_and_vector_bounds() -> None:
    # Field 0 is an offset to a string placed right after the table.
    good = _layout([struct.pack("<I", 4)], struct.pack("<I", 3) + b"abc\0")
    assert root(good, b"TFL3").string(0) == "abc"
    too_long = _layout([struct.pack("<I", 4)], struct.pack("<I", 300) + b"abc\0")
    with pytest.raises(FlatbufferError, match="extends past the end"):
        root(too_long, b"TFL3").string(0)
    not_utf8 = _layout([struct.pack("<I", 4)], struct.pack("<I", 2) + b"\xff\xfe\0\0")
    with pytest.raises(FlatbufferError, match="not UTF-8"):
        root(not_utf8, b"TFL3").string(0)
    outside = _layout([struct.pack("<I", 4000)])
    with pytest.raises(FlatbufferError, match="points outside the file"):
        root(outside, b"TFL3").string(0)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda b: b[:4] + b"TFL2" + b[8:], "no TFL3 identifier"),
        (lambda b: b[:6], "too short"),
        (lambda b: struct.pack("<I", 10_000) + b[4:], "outside the file"),
    ],
)
def test_root_checks(mutate, message: str) -> None:
    with pytest.raises(FlatbufferError, match=message):
        root(mutate(_layout([struct.pack("<i", 1)])), b"TFL3")


@pytest.mark.parametrize(
    "vsize, tsize, message",
    [
        (3, 8, "malformed vtable"),
        (5, 8, "malformed vtable"),
        (4000, 8, "malformed vtable"),
        (6, 2, "malformed table size"),
        (6, 4000, "past the end"),
    ],
)
def test_vtable_checks(vsize: int, tsize: int, message: str) -> None:
    buf = bytearray(_layout([struct.pack("<i", 1)]))
    struct.pack_into("<HH", buf, 8, vsize, tsize)
    with pytest.raises(FlatbufferError, match=message):
        Table(bytes(buf), struct.unpack_from("<I", buf, 0)[0], "t")


def test_field_outside_its_table() -> None:
    buf = bytearray(_layout([struct.pack("<i", 1)]))
    struct.pack_into("<H", buf, 12, 60)  # field 0 at offset 60 of an 8-byte table
    with pytest.raises(FlatbufferError, match="outside its table"):
        root(bytes(buf), b"TFL3").int32(0, 0)
