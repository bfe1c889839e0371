"""Minimal, valid ELF shared objects built in Python, for the stand-in ``bazel`` and the tests.

No compiler needed: a System V ELF header, a program header table of PT_LOAD
segments with the asked alignment, and a payload, laid out the way a linker
would (segment offsets congruent to their addresses modulo the alignment);
with ``api_level``, a PT_NOTE segment holding the NDK's ``.note.android.ident``
(name ``Android``, type 1, descriptor: the API level then the NDK's 64-byte
version and build-number strings, as bionic's ``crtbrand.S``/NDK r23+ lay it out).
The stand-in runs as a script with this directory on ``sys.path``; tests
import it as ``standin.elfimage``. Standard library only.
"""

from __future__ import annotations

import struct

#: ELF class (32/64) and e_machine per Android ABI.
ABI_MACHINES = {"arm64-v8a": (64, 183), "armeabi-v7a": (32, 40), "x86": (32, 3), "x86_64": (64, 62)}
#: The alignment ``-z max-page-size`` gives without the flag (lld's default for Android's ABIs).
DEFAULT_ALIGN = 4096


def android_note(api_level: int, ndk: bytes = b"r26d") -> bytes:
    """The ``.note.android.ident`` note bytes (little-endian)."""
    desc = struct.pack("<I", api_level) + ndk.ljust(64, b"\0") + b"11394342".ljust(64, b"\0")
    return struct.pack("<III", 8, len(desc), 1) + b"Android\0" + desc


def make_so(abi: str, payload: bytes = b"", *, align: int = DEFAULT_ALIGN, e_type: int = 3,
            machine: "int | None" = None, bits: "int | None" = None, loads: int = 2,
            api_level: "int | None" = None) -> bytes:
    """An ELF shared object for ``abi`` with ``loads`` LOAD segments aligned to ``align``.

    ``machine``/``bits``/``e_type`` override what ``abi`` implies (for wrong-ABI tests).
    """
    abi_bits, abi_machine = ABI_MACHINES[abi]
    bits = bits or abi_bits
    machine = abi_machine if machine is None else machine
    is64 = bits == 64
    ehsize, phentsize = (64, 56) if is64 else (52, 32)
    phoff = ehsize
    note = android_note(api_level) if api_level is not None else b""
    phnum = loads + (1 if note else 0)
    note_at = phoff + phentsize * phnum
    data_start = note_at + len(note)
    body = payload or b"\0"
    # Split the payload over the segments; each segment i sits at file offset `off`.
    step = -(-len(body) // max(loads, 1))
    phdrs, pos = b"", data_start
    for i in range(loads):
        chunk = body[i * step:(i + 1) * step]
        vaddr = i * align + pos  # distinct pages, congruent to the offset modulo align
        if is64:
            phdrs += struct.pack("<IIQQQQQQ", 1, 5 if i == 0 else 6, pos, vaddr, vaddr, len(chunk), len(chunk), align)
        else:
            phdrs += struct.pack("<IIIIIIII", 1, pos, vaddr, vaddr, len(chunk), len(chunk), 5 if i == 0 else 6, align)
        pos += len(chunk)
    if note:
        if is64:
            phdrs += struct.pack("<IIQQQQQQ", 4, 4, note_at, note_at, note_at, len(note), len(note), 4)
        else:
            phdrs += struct.pack("<IIIIIIII", 4, note_at, note_at, note_at, len(note), len(note), 4, 4)
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1, 0]) + bytes(8)
    if is64:
        header = struct.pack("<HHIQQQIHHHHHH", e_type, machine, 1, 0, phoff, 0, 0, ehsize, phentsize, phnum, 64, 0, 0)
    else:
        header = struct.pack("<HHIIIIIHHHHHH", e_type, machine, 1, 0, phoff, 0, 0, ehsize, phentsize, phnum, 40, 0, 0)
    return ident + header + phdrs + note + body
