"""Reading what the AAR check needs from an ELF shared object: header, LOAD alignment, Android API level.

Pure functions over bytes, no I/O. Every offset and count read from the file
is checked against the bytes actually given before it is used, so a truncated
or hostile file is a :class:`ElfError` (never an IndexError, never a huge
allocation) and the work is linear in the program header table, which is
itself bounded by the file.

Reading happens in two steps so a caller streaming a large ``.so`` out of a
zip needs only the first :data:`IDENT_AND_HEADER` bytes and then the program
header table (:func:`read_header`, then :func:`read_program_headers`);
:func:`read_elf` does both over a whole buffer. Layouts are the System V ABI's
(``Elf32_Ehdr``/``Elf64_Ehdr``, ``Elf32_Phdr``/``Elf64_Phdr``).

The NDK links ``crtbegin_so.o`` into every shared object; it carries the
``.note.android.ident`` note (name ``Android``, type 1, the first 32-bit word
of its descriptor the API level the library was built for), which the linker
places in a ``PT_NOTE`` segment: :func:`read_note_segments` finds those and
:func:`android_api_level` reads the level from their bytes.
"""

from __future__ import annotations

import bisect
import re
import struct
from dataclasses import dataclass
from typing import Optional

MAGIC = b"\x7fELF"
ELFCLASS32, ELFCLASS64 = 1, 2
ELFDATA2LSB, ELFDATA2MSB = 1, 2
ET_DYN = 3
PT_LOAD = 1
PT_NOTE = 4
#: The NDK's ABI note (bionic's ``crtbrand``/``abi_note``): name "Android", type 1, descriptor starts with the API level.
ANDROID_NOTE_NAME = b"Android\0"
NT_ANDROID_IDENT = 1
#: A note segment larger than this is not the NDK's (its note is under 200 bytes).
MAX_NOTE_BYTES = 1 << 16
#: e_phnum's "the real count is elsewhere" marker; no Android library needs it.
PN_XNUM = 0xFFFF

EM_386, EM_ARM, EM_X86_64, EM_AARCH64 = 3, 40, 62, 183
MACHINE_NAMES = {EM_386: "EM_386 (x86)", EM_ARM: "EM_ARM (32-bit ARM)", EM_X86_64: "EM_X86_64 (x86_64)",
                 EM_AARCH64: "EM_AARCH64 (AArch64)"}

#: Bytes :func:`read_header` needs: the largest header (Elf64_Ehdr).
IDENT_AND_HEADER = 64
_HEADER_SIZE = {ELFCLASS32: 52, ELFCLASS64: 64}
_PHDR_SIZE = {ELFCLASS32: 32, ELFCLASS64: 56}
# After e_ident: e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, e_flags,
# e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx.
_EHDR = {ELFCLASS32: "HHIIIIIHHHHHH", ELFCLASS64: "HHIQQQIHHHHHH"}
# p_type then (32-bit) p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align
# or (64-bit) p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align.
_PHDR = {ELFCLASS32: "IIIIIIII", ELFCLASS64: "IIQQQQQQ"}


class ElfError(ValueError):
    """The bytes are not a well-formed ELF file; the message says what is wrong."""


@dataclass(frozen=True)
class ElfHeader:
    """The ELF header fields the AAR check uses."""

    bits: int  # 32 or 64
    little_endian: bool
    e_type: int
    machine: int
    phoff: int
    phentsize: int
    phnum: int
    #: End of the section header table (0 without one): the file must be at least this long.
    sh_end: int

    @property
    def ph_end(self) -> int:
        """Offset just past the program header table."""
        return self.phoff + self.phentsize * self.phnum

    def describe(self) -> str:
        """e.g. ``ELF64 little-endian EM_AARCH64 (AArch64)``, for error messages."""
        name = MACHINE_NAMES.get(self.machine, f"e_machine {self.machine}")
        return f"ELF{self.bits} {'little' if self.little_endian else 'big'}-endian {name}"


@dataclass(frozen=True)
class LoadSegment:
    """One PT_LOAD program header."""

    offset: int
    filesz: int
    align: int


@dataclass(frozen=True)
class ElfInfo:
    """An ELF file's header and LOAD segments."""

    header: ElfHeader
    loads: tuple[LoadSegment, ...]

    @property
    def min_load_align(self) -> int:
        """The smallest LOAD alignment (0 without LOAD segments): what page size it can be mapped with."""
        return min((s.align for s in self.loads), default=0)

    @property
    def loaded_bytes(self) -> int:
        """What the LOAD segments hold: the file without the padding between them and what follows them
        (the size estimator's measure, which grows by bytes where the file grows by pages)."""
        return sum(s.filesz for s in self.loads)

    @property
    def min_file_size(self) -> int:
        """How long the file must be to hold its headers and every LOAD segment's bytes."""
        ends = [self.header.ph_end, self.header.sh_end] + [s.offset + s.filesz for s in self.loads]
        return max(ends)


def read_header(data: bytes) -> ElfHeader:
    """Parse the ELF identification and header from the start of a file (needs up to 64 bytes)."""
    if data[:4] != MAGIC:
        raise ElfError("not an ELF file (no \\x7fELF magic)")
    if len(data) < 16:
        raise ElfError(f"truncated ELF identification ({len(data)} of 16 bytes)")
    ei_class, ei_data, ei_version = data[4], data[5], data[6]
    if ei_class not in _HEADER_SIZE:
        raise ElfError(f"unknown ELF class {ei_class}")
    if ei_data not in (ELFDATA2LSB, ELFDATA2MSB):
        raise ElfError(f"unknown ELF data encoding {ei_data}")
    if ei_version != 1:
        raise ElfError(f"unknown ELF version {ei_version}")
    size = _HEADER_SIZE[ei_class]
    if len(data) < size:
        raise ElfError(f"truncated ELF header ({len(data)} of {size} bytes)")
    endian = "<" if ei_data == ELFDATA2LSB else ">"
    (e_type, machine, _version, _entry, phoff, shoff, _flags, _ehsize, phentsize, phnum,
     shentsize, shnum, _shstrndx) = struct.unpack_from(endian + _EHDR[ei_class], data, 16)
    if phnum == PN_XNUM:
        raise ElfError("extended program header numbering (e_phnum 0xffff) is not supported")
    if phnum and phentsize < _PHDR_SIZE[ei_class]:
        raise ElfError(f"e_phentsize {phentsize} is smaller than a program header ({_PHDR_SIZE[ei_class]})")
    return ElfHeader(
        bits=32 if ei_class == ELFCLASS32 else 64,
        little_endian=ei_data == ELFDATA2LSB,
        e_type=e_type,
        machine=machine,
        phoff=phoff,
        phentsize=phentsize,
        phnum=phnum,
        sh_end=shoff + shentsize * shnum if shoff else 0,
    )


def _program_headers(header: ElfHeader, table: bytes) -> list[tuple[int, int, int, int]]:
    """(p_type, p_offset, p_filesz, p_align) of each program header in ``table`` (bytes ``[phoff, ph_end)``)."""
    need = header.phentsize * header.phnum
    if len(table) < need:
        raise ElfError(f"program header table truncated ({len(table)} of {need} bytes at offset {header.phoff})")
    cls = ELFCLASS32 if header.bits == 32 else ELFCLASS64
    fmt = struct.Struct(("<" if header.little_endian else ">") + _PHDR[cls])
    out = []
    for i in range(header.phnum):
        fields = fmt.unpack_from(table, i * header.phentsize)
        if cls == ELFCLASS32:
            p_type, offset, _vaddr, _paddr, filesz, _memsz, _flags, align = fields
        else:
            p_type, _flags, offset, _vaddr, _paddr, filesz, _memsz, align = fields
        out.append((p_type, offset, filesz, align))
    return out


def read_program_headers(header: ElfHeader, table: bytes) -> tuple[LoadSegment, ...]:
    """The LOAD segments from ``table``, the file's bytes ``[phoff, ph_end)``."""
    loads = []
    for i, (p_type, offset, filesz, align) in enumerate(_program_headers(header, table)):
        if p_type != PT_LOAD:
            continue
        if align > 1 and align & (align - 1):
            # The System V ABI: 0 and 1 mean no alignment, anything else is a power of two.
            raise ElfError(f"LOAD segment {i} has p_align {align}, not a power of two")
        loads.append(LoadSegment(offset, filesz, align))
    return tuple(loads)


def read_elf(data: bytes) -> ElfInfo:
    """Header and LOAD segments of a whole ELF file in ``data``; checks that it holds what they describe."""
    header = read_header(data)
    if header.ph_end > len(data):
        raise ElfError(f"program header table ends at {header.ph_end}, past the end of the file ({len(data)} bytes)")
    info = ElfInfo(header, read_program_headers(header, data[header.phoff:header.ph_end]))
    if info.min_file_size > len(data):
        raise ElfError(f"truncated: headers and LOAD segments need {info.min_file_size} bytes, "
                       f"the file has {len(data)}")
    return info


def read_note_segments(header: ElfHeader, table: bytes) -> tuple[tuple[int, int], ...]:
    """(offset, size) of each PT_NOTE segment in ``table`` (the program header table's bytes), by offset."""
    return tuple(sorted((offset, filesz) for p_type, offset, filesz, _ in _program_headers(header, table)
                        if p_type == PT_NOTE))


def android_api_level(notes: bytes, little_endian: bool = True) -> Optional[int]:
    """The API level of the first ``Android`` note of type 1 in ``notes`` (a note segment's bytes), None if none.

    Each note is ``namesz, descsz, type`` (32-bit words) then the name and the
    descriptor, each padded to 4 bytes; every size is checked against the bytes given.
    """
    word = struct.Struct("<I" if little_endian else ">I")
    pos = 0
    while pos + 12 <= len(notes):
        namesz, descsz, ntype = (word.unpack_from(notes, pos + 4 * i)[0] for i in range(3))
        name_at = pos + 12
        desc_at = name_at + _pad4(namesz)
        end = desc_at + _pad4(descsz)
        if end > len(notes):
            raise ElfError(f"note at offset {pos} of its segment runs past the segment ({end} > {len(notes)} bytes)")
        if notes[name_at:name_at + namesz] == ANDROID_NOTE_NAME and ntype == NT_ANDROID_IDENT:
            if descsz < 4:
                raise ElfError(f"the Android note's descriptor has {descsz} bytes, fewer than its API level's 4")
            return int(word.unpack_from(notes, desc_at)[0])
        pos = end
    return None


def _pad4(n: int) -> int:
    return (n + 3) & ~3


_SHDR = {ELFCLASS32: "IIIIIIIIII", ELFCLASS64: "IIQQQQIIQQ"}
_SYM = {ELFCLASS32: ("IIIBBH", 16), ELFCLASS64: ("IBBHQQ", 24)}
SHT_DYNSYM = 11
SHN_ABS = 0xFFF1
#: A library with more dynamic symbols than this is not one we built or read (LiteRt exports a few hundred).
MAX_DYNAMIC_SYMBOLS = 1 << 20
#: Mangled C++ names run to a few KB; a far longer one is a crafted table.
MAX_NAME_BYTES = 1 << 16


def exported_symbols(data: bytes) -> tuple[str, ...]:
    """The names a shared library exports: its ``.dynsym`` entries that are defined (a section index) and
    global or weak, sorted (what ``nm -D --defined-only`` lists, without the version suffix). Linear in the
    file; a malformed table is an :class:`ElfError`."""
    header = read_header(data)
    cls = ELFCLASS32 if header.bits == 32 else ELFCLASS64
    endian = "<" if header.little_endian else ">"
    (_t, _m, _v, _e, _ph, shoff, _f, _eh, _pe, _pn, shentsize, shnum, _ss) = struct.unpack_from(
        endian + _EHDR[cls], data, 16)
    shdr = struct.Struct(endian + _SHDR[cls])
    if not shoff or shentsize < shdr.size or shoff + shentsize * shnum > len(data):
        raise ElfError("no section header table, or it lies beyond the file")
    sections = [shdr.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
    dynsym = [s for s in sections if s[1] == SHT_DYNSYM]
    if not dynsym:
        return ()
    _name, _type, _flags, _addr, offset, size, link, _info, _align, entsize = dynsym[0]
    fmt, width = _SYM[cls]
    if entsize < width or link >= shnum or offset + size > len(data) or size // width > MAX_DYNAMIC_SYMBOLS:
        raise ElfError("malformed .dynsym section")
    strtab = sections[link]
    str_off, str_size = strtab[4], strtab[5]
    if str_off + str_size > len(data):
        raise ElfError(".dynstr lies beyond the file")
    names = data[str_off:str_off + str_size]
    # Each name ends at the next NUL: found by bisecting the NULs' offsets (one pass), so a crafted table whose
    # names all run to its end costs linear time, not one scan per symbol.
    nuls = [m.start() for m in re.finditer(b"\x00", names)]
    sym = struct.Struct(endian + fmt)
    out = set()
    for i in range(1, size // entsize):  # entry 0 is the undefined symbol
        fields = sym.unpack_from(data, offset + i * entsize)
        if cls == ELFCLASS32:
            st_name, _value, _size, st_info, _other, st_shndx = fields
        else:
            st_name, st_info, _other, st_shndx, _value, _size = fields
        binding = st_info >> 4
        # Undefined, absolute (the version-definition names), local; GNU_UNIQUE (10) is global too.
        if st_shndx in (0, SHN_ABS) or binding not in (1, 2, 10) or st_name >= len(names):
            continue
        k = bisect.bisect_left(nuls, st_name)
        end = nuls[k] if k < len(nuls) else len(names)
        if end - st_name > MAX_NAME_BYTES:
            raise ElfError(f"a dynamic symbol name longer than {MAX_NAME_BYTES} bytes; not a library's export")
        out.add(names[st_name:end].decode("utf-8", "replace"))
    return tuple(sorted(n for n in out if n))
