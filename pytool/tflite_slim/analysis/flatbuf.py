"""Bounds-checked access to raw flatbuffer tables.

Python's flatbuffers package has no verifier: given a non-model it happily
returns garbage or raises ``IndexError``/``struct.error`` from deep inside. This
module reads only what it is asked for (a table's scalar, string, byte vector or
vector of tables) and checks every offset and length against the buffer before
using it, so a malformed file becomes one :class:`FlatbufferError` with a reason,
never a wrong answer, another exception or a hang. Every read is O(1) except
vectors, whose lengths are checked against the buffer size first.

Reads go through a :class:`Source`: file bytes in memory (:class:`BytesSource`)
or the file itself read page by page (:class:`FileSource`). The file is not
memory-mapped: a mapped file that is truncated while it is read kills the
process with SIGBUS, which Python cannot turn into an error; a short
``pread`` can be.
"""

from __future__ import annotations

import mmap
import os
import struct
from typing import Iterator, Optional, Union


class FlatbufferError(Exception):
    """The bytes are not a well-formed flatbuffer where we looked."""


class BytesSource:
    """A flatbuffer already in memory (bytes, bytearray, memoryview or an mmap)."""

    __slots__ = ("data",)

    def __init__(self, data: Union[bytes, bytearray, memoryview, mmap.mmap]) -> None:
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, s: slice) -> bytes:
        return bytes(self.data[s])

    def unpack_from(self, st: struct.Struct, pos: int) -> tuple:
        return st.unpack_from(self.data, pos)


class FileSource:
    """An open file read with bounded ``pread`` calls, a page at a time, as the reader asks.

    Only the pages holding what the reader visits are read (operator codes,
    subgraphs, operators, Flex options), so parse time does not grow with
    the weights. The size is fixed when the file is opened; a read that
    comes back short means the file shrank meanwhile, and is an error for
    this file. At most :data:`MAX_PAGES` pages are kept: a crafted file that
    spreads its tables over gigabytes costs reads, not memory.
    """

    PAGE = 1 << 14
    MAX_PAGES = 4096  # 64 MiB

    __slots__ = ("fd", "size", "_pages")

    def __init__(self, fd: int, size: int) -> None:
        self.fd = fd
        self.size = size
        self._pages: dict[int, bytes] = {}

    def __len__(self) -> int:
        return self.size

    def _read(self, pos: int, n: int) -> bytes:
        data = os.pread(self.fd, n, pos)
        if len(data) != n:
            raise FlatbufferError(
                f"the file shrank while it was read ({self.size} bytes when opened, "
                f"{pos + len(data)} readable at most); read it again once it is complete"
            )
        return data

    def _page(self, index: int) -> bytes:
        page = self._pages.get(index)
        if page is None:
            start = index * self.PAGE
            page = self._read(start, min(self.PAGE, self.size - start))
            if len(self._pages) >= self.MAX_PAGES:
                self._pages.clear()
            self._pages[index] = page
        return page

    def unpack_from(self, st: struct.Struct, pos: int) -> tuple:
        index, offset = divmod(pos, self.PAGE)
        page = self._page(index)
        if offset + st.size <= len(page):
            return st.unpack_from(page, offset)
        return st.unpack(self[pos : pos + st.size])

    def __getitem__(self, s: slice) -> bytes:
        start, stop, _ = s.indices(self.size)
        if stop <= start:
            return b""
        if stop - start > 4 * self.PAGE:
            return self._read(start, stop - start)  # big options: read once, do not cache
        first, last = start // self.PAGE, (stop - 1) // self.PAGE
        data = b"".join(self._page(i) for i in range(first, last + 1))
        base = first * self.PAGE
        return data[start - base : stop - base]


#: Anything a :class:`Source` can wrap, or a source itself.
Source = Union[BytesSource, FileSource]
Buffer = Union[bytes, bytearray, memoryview, mmap.mmap, BytesSource, FileSource]


def as_source(buf: Buffer) -> Source:
    """``buf`` as a :class:`Source` (bytes-like objects are wrapped)."""
    return buf if isinstance(buf, (BytesSource, FileSource)) else BytesSource(buf)

_U16 = struct.Struct("<H")
_I32 = struct.Struct("<i")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_I8 = struct.Struct("<b")


class Table:
    """One flatbuffer table at ``pos`` inside ``buf``, with its vtable checked."""

    __slots__ = ("buf", "pos", "_vtable", "_vtable_size", "_table_size", "what")

    def __init__(self, buf: Buffer, pos: int, what: str) -> None:
        buf = as_source(buf)
        self.buf = buf
        self.pos = pos
        self.what = what
        size = len(buf)
        _need(buf, pos, 4, what)
        vtable = pos - buf.unpack_from(_I32, pos)[0]
        if vtable < 0 or vtable + 4 > size:
            raise FlatbufferError(f"{what}: vtable offset points outside the file")
        vsize, tsize = buf.unpack_from(_U16, vtable)[0], buf.unpack_from(_U16, vtable + 2)[0]
        if vsize < 4 or vsize % 2 or vtable + vsize > size:
            raise FlatbufferError(f"{what}: malformed vtable (size {vsize})")
        if tsize < 4:
            raise FlatbufferError(f"{what}: malformed table size {tsize}")
        if pos + tsize > size:
            raise FlatbufferError(f"{what}: table extends past the end of the file")
        self._vtable = vtable
        self._vtable_size = vsize
        self._table_size = tsize

    def _field(self, slot: int, width: int) -> Optional[int]:
        """Absolute position of field ``slot`` (``None`` when absent)."""
        entry = 4 + 2 * slot
        if entry + 2 > self._vtable_size:
            return None
        off = self.buf.unpack_from(_U16, self._vtable + entry)[0]
        if off == 0:
            return None
        if off + width > self._table_size:
            raise FlatbufferError(f"{self.what}: field {slot} lies outside its table")
        return self.pos + off

    def int8(self, slot: int, default: int) -> int:
        p = self._field(slot, 1)
        return default if p is None else self.buf.unpack_from(_I8, p)[0]

    def int32(self, slot: int, default: int) -> int:
        p = self._field(slot, 4)
        return default if p is None else self.buf.unpack_from(_I32, p)[0]

    def uint32(self, slot: int, default: int) -> int:
        p = self._field(slot, 4)
        return default if p is None else self.buf.unpack_from(_U32, p)[0]

    def uint64(self, slot: int, default: int) -> int:
        p = self._field(slot, 8)
        return default if p is None else self.buf.unpack_from(_U64, p)[0]

    def _target(self, slot: int) -> Optional[int]:
        """Where the offset field ``slot`` points (``None`` when absent)."""
        p = self._field(slot, 4)
        if p is None:
            return None
        target = p + self.buf.unpack_from(_U32, p)[0]
        if target + 4 > len(self.buf):
            raise FlatbufferError(f"{self.what}: field {slot} points outside the file")
        return target

    def _vector(self, slot: int, elem_size: int) -> Optional[tuple[int, int]]:
        """``(first element position, length)`` of a vector field."""
        target = self._target(slot)
        if target is None:
            return None
        n = self.buf.unpack_from(_U32, target)[0]
        start = target + 4
        # Checked before any loop over the vector: a fuzzed length cannot
        # make us iterate more often than the file has bytes.
        if start + n * elem_size > len(self.buf):
            raise FlatbufferError(f"{self.what}: vector field {slot} of {n} elements extends past the end of the file")
        return start, n

    def byte_span(self, slot: int) -> Optional[tuple[int, int]]:
        """``(start, length)`` of a ``[ubyte]`` or string field, bounds-checked; ``None`` when absent.

        The start identifies the bytes: fields that point at the same vector
        have the same start, so a reader can decode shared bytes once.
        """
        return self._vector(slot, 1)

    def bytes_(self, slot: int) -> Optional[bytes]:
        """A ``[ubyte]`` field (or a string's raw bytes), copied; ``None`` when absent."""
        vec = self._vector(slot, 1)
        if vec is None:
            return None
        start, n = vec
        return self.buf[start : start + n]

    def string(self, slot: int) -> Optional[str]:
        raw = self.bytes_(slot)
        if raw is None:
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise FlatbufferError(f"{self.what}: string field {slot} is not UTF-8") from e

    def vector_length(self, slot: int) -> int:
        vec = self._vector(slot, 4)
        return 0 if vec is None else vec[1]

    def table_vector(self, slot: int) -> Optional[tuple[int, int]]:
        """``(first element position, length)`` of a ``[Table]`` field, bounds-checked."""
        return self._vector(slot, 4)

    def positions(self, slot: int) -> Iterator[int]:
        """Where the tables of a ``[Table]`` field start, in order (checked when made a :class:`Table`).

        Lets a reader skip building a table it has already read: crafted
        files may point many elements at one table.
        """
        vec = self._vector(slot, 4)
        if vec is None:
            return
        start, n = vec
        buf = self.buf
        for elem in range(start, start + 4 * n, 4):
            yield elem + buf.unpack_from(_U32, elem)[0]

    def tables(self, slot: int, what: str) -> Iterator["Table"]:
        """The tables of a ``[Table]`` field, in order (nothing when absent)."""
        for i, pos in enumerate(self.positions(slot)):
            yield Table(self.buf, pos, f"{what} {i}")


def root(buf: Buffer, identifier: bytes) -> Table:
    """The root table, after checking the size and the file identifier."""
    buf = as_source(buf)
    if len(buf) < 8:
        raise FlatbufferError(f"file too short ({len(buf)} bytes) to be a flatbuffer")
    if buf[4:8] != identifier:
        raise FlatbufferError(f"not a TFLite flatbuffer (no {identifier.decode()} identifier at bytes 4..8)")
    return Table(buf, buf.unpack_from(_U32, 0)[0], "model")


def _need(buf: Buffer, pos: int, n: int, what: str) -> None:
    if pos < 0 or pos + n > len(buf):
        raise FlatbufferError(f"{what}: offset {pos} points outside the file")
