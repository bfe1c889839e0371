"""ELF header and LOAD alignment reading: hostile bytes (always) and real clang/lld output."""

from __future__ import annotations

import random
import struct
import time

import pytest

from realtools import TRIPLES, link_so  # noqa: F401  (fixture)
from standin.elfimage import make_so
from tflite_slim.runtime.artifacts import elf
from tflite_slim.runtime.artifacts.elf import ElfError, read_elf, read_header

GOOD64 = make_so("arm64-v8a", b"payload" * 20, align=16384)
GOOD32 = make_so("armeabi-v7a", b"payload" * 20)


def patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


@pytest.mark.parametrize(
    "abi, bits, machine",
    [("arm64-v8a", 64, 183), ("armeabi-v7a", 32, 40), ("x86", 32, 3), ("x86_64", 64, 62)],
)
@pytest.mark.parametrize("align", [4096, 16384, 65536])
def test_reads_header_and_load_alignment(abi, bits, machine, align):
    data = make_so(abi, b"x" * 300, align=align, loads=3)
    info = read_elf(data)
    assert (info.header.bits, info.header.little_endian, info.header.machine) == (bits, True, machine)
    assert info.header.e_type == elf.ET_DYN
    assert [s.align for s in info.loads] == [align] * 3
    assert info.min_load_align == align
    assert info.min_file_size == len(data)


def test_big_endian_is_read_as_such():
    data = bytearray(GOOD32)
    data[5] = elf.ELFDATA2MSB
    header = read_header(bytes(data))
    assert not header.little_endian
    assert header.describe().startswith("ELF32 big-endian")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "no \\\\x7fELF magic"),
        (b"\x7fEL", "no \\\\x7fELF magic"),
        (b"PK\x03\x04" + bytes(60), "no \\\\x7fELF magic"),
        (b"\x7fELF\x02\x01", "truncated ELF identification"),
        (GOOD64[:4] + b"\x03" + GOOD64[5:], "unknown ELF class 3"),
        (GOOD64[:5] + b"\x00" + GOOD64[6:], "unknown ELF data encoding 0"),
        (GOOD64[:6] + b"\x02" + GOOD64[7:], "unknown ELF version 2"),
        (GOOD64[:40], "truncated ELF header \\(40 of 64 bytes\\)"),
        (GOOD32[:51], "truncated ELF header \\(51 of 52 bytes\\)"),
        (patched(GOOD64, 56, "<H", 0xFFFF), "extended program header numbering"),
        (patched(GOOD64, 54, "<H", 40), "e_phentsize 40 is smaller"),
        (patched(GOOD32, 42, "<H", 31), "e_phentsize 31 is smaller"),
        (patched(GOOD64, 32, "<Q", 1 << 62), "past the end of the file"),
        (patched(GOOD32, 28, "<I", len(GOOD32) - 8), "past the end of the file"),
        (patched(GOOD64, 56, "<H", 60000), "program header table ends at"),
        (GOOD64[:64 + 56 + 8], "past the end of the file"),  # second program header cut
        (GOOD64[:-1], "truncated: headers and LOAD segments need"),
        (patched(GOOD64, 64 + 8, "<Q", 1 << 40), "truncated: headers and LOAD segments need"),  # p_offset
        (patched(GOOD64, 40, "<Q", 4096), "truncated"),  # section header table beyond the file
        (patched(GOOD64, 64 + 48, "<Q", 24576), "LOAD segment 0 has p_align 24576, not a power of two"),
        (patched(GOOD32, 52 + 28, "<I", 12288), "LOAD segment 0 has p_align 12288, not a power of two"),
    ],
)
def test_hostile_bytes_are_elf_errors(data, message):
    with pytest.raises(ElfError, match=message):
        read_elf(data)


def test_every_prefix_and_byte_flip_is_parsed_or_refused():
    """No IndexError/struct.error/MemoryError on any truncation or single-byte corruption."""
    for data in (GOOD64, GOOD32):
        for n in range(len(data)):
            with pytest.raises(ElfError):
                read_elf(data[:n])
        rng = random.Random(1)
        for _ in range(2000):
            b = bytearray(data)
            b[rng.randrange(len(b))] = rng.randrange(256)
            try:
                read_elf(bytes(b))
            except ElfError:
                pass


def test_huge_counts_cost_nothing():
    """A header claiming 65534 program headers in a tiny file is refused before any work on them."""
    data = patched(patched(GOOD64, 56, "<H", 65534), 54, "<H", 65535)
    start = time.perf_counter()
    for _ in range(1000):
        with pytest.raises(ElfError):
            read_elf(data)
    assert time.perf_counter() - start < 2


def test_a_large_table_is_read_linearly():
    """65534 real program headers (3.6 MB) parse in one pass."""
    phnum = 65534
    table = b"".join(struct.pack("<IIQQQQQQ", 1, 4, 0, 0, 0, 0, 0, 16384) for _ in range(phnum))
    header = bytearray(GOOD64[:64])
    struct.pack_into("<H", header, 56, phnum)
    start = time.perf_counter()
    info = read_elf(bytes(header) + table)
    assert len(info.loads) == phnum and info.min_load_align == 16384
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("abi", sorted(TRIPLES))
@pytest.mark.parametrize("align_16kb", [False, True])
def test_real_clang_lld_libraries(link_so, abi, align_16kb):  # noqa: F811
    from tflite_slim.runtime.artifacts.aar import ABI_MACHINES

    data = link_so(abi, align_16kb)
    info = read_elf(data)
    assert (info.header.bits, info.header.machine) == ABI_MACHINES[abi]
    assert info.header.little_endian and info.header.e_type == elf.ET_DYN
    assert len(info.loads) >= 2  # lld: at least a read-only and an executable segment
    assert info.min_load_align == (16384 if align_16kb else 4096)
    # lld writes section headers at the end: the headers account for the whole file.
    assert info.min_file_size == len(data)


@pytest.mark.parametrize("abi", sorted(TRIPLES))
def test_loaded_bytes_are_what_binutils_readelf_counts(link_so, abi, tmp_path):  # noqa: F811
    """The size estimator's measure: the LOAD segments' file bytes, as readelf -lW lists them."""
    import subprocess

    from realtools import require

    readelf = require("readelf", "binutils")
    so = tmp_path / "lib.so"
    so.write_bytes(link_so(abi, True))
    listing = subprocess.run([readelf, "-lW", str(so)], capture_output=True, text=True, check=True).stdout
    loads = [int(line.split()[4], 16) for line in listing.splitlines() if line.split()[:1] == ["LOAD"]]
    assert loads and read_elf(so.read_bytes()).loaded_bytes == sum(loads)


def test_missing_tool_skips_with_the_package_name_or_fails_under_ci(monkeypatch):
    import realtools

    monkeypatch.setattr(realtools.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"clang is not installed \(apt-get install clang lld\)"):
        realtools.require("clang", "clang lld")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=".ci/run installs it"):
        realtools.require("clang", "clang lld")


@pytest.mark.parametrize("align, expected", [(0, 0), (1, 1), (4096, 4096), (1 << 16, 1 << 16)])
def test_no_alignment_and_powers_of_two_are_read(align, expected):
    data = patched(make_so("x86_64", b"x" * 10, align=4096), 64 + 48, "<Q", align)  # first p_align
    assert read_elf(data).loads[0].align == expected


# --- The NDK's .note.android.ident (the API level a library was built for) ---

#: bionic's crtbrand layout, as the NDK's crtbegin_so.o carries it: name "Android", type 1, the API level,
#: then the NDK version and build number (64 bytes each, NDK r23+). Assembled here, linked by real lld.
NOTE_ASM = r"""
__asm__(".section .note.android.ident,\"a\",%note\n"
        ".balign 4\n"
        ".long 2f-1f\n"
        ".long 4f-3f\n"
        ".long 1\n"
        "1: .ascii \"Android\\0\"\n"
        "2: .balign 4\n"
        "3: .long API\n"
        ".ascii \"r26d\"\n .fill 60,1,0\n"
        ".ascii \"11394342\"\n .fill 56,1,0\n"
        "4: .balign 4\n"
        ".text\n");
"""


@pytest.fixture(scope="session")
def link_with_note(tmp_path_factory):
    """``link(abi, api)``: a real .so with the NDK's ABI note for ``api``, linked by Debian's clang and lld."""
    import subprocess

    from realtools import SOURCE, require

    clang = require("clang", "clang lld")
    require("ld.lld", "lld")
    work = tmp_path_factory.mktemp("note")

    def link(abi: str, api: int) -> bytes:
        src = work / f"{abi}-{api}.c"
        src.write_text(SOURCE + NOTE_ASM.replace("API", str(api)))
        out = work / f"{abi}-{api}.so"
        argv = [clang, f"--target={TRIPLES[abi]}", "-shared", "-fPIC", "-nostdlib", "-fuse-ld=lld", "-O2",
                "-o", str(out), str(src)]
        done = subprocess.run(argv, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(argv)} failed:\n{done.stderr}"
        return out.read_bytes()

    return link


@pytest.mark.parametrize("abi", sorted(TRIPLES))
@pytest.mark.parametrize("api", [21, 26])
def test_real_lld_puts_the_android_note_in_a_pt_note_segment(link_with_note, abi, api):
    data = link_with_note(abi, api)
    header = elf.read_header(data)
    notes = elf.read_note_segments(header, data[header.phoff:header.ph_end])
    assert notes and all(offset >= header.ph_end for offset, _ in notes)
    assert [elf.android_api_level(data[o:o + n]) for o, n in notes if elf.android_api_level(data[o:o + n])] == [api]


def test_a_library_without_the_note_has_no_level(link_so):  # noqa: F811
    data = link_so("arm64-v8a", False)
    header = elf.read_header(data)
    for offset, size in elf.read_note_segments(header, data[header.phoff:header.ph_end]):
        assert elf.android_api_level(data[offset:offset + size]) is None


@pytest.mark.parametrize(
    "notes, expected",
    [
        (b"", None),
        (struct.pack("<III", 4, 4, 3) + b"GNU\0" + b"abcd", None),  # another vendor's note
        (struct.pack("<III", 8, 4, 2) + b"Android\0" + struct.pack("<I", 30), None),  # another type
        (struct.pack("<III", 4, 4, 3) + b"GNU\0" + b"abcd" + struct.pack("<III", 8, 4, 1) + b"Android\0"
         + struct.pack("<I", 24), 24),  # found after another note
        (struct.pack("<III", 8, 132, 1) + b"Android\0" + struct.pack("<I", 26) + bytes(128), 26),
    ],
)
def test_android_note_parsing(notes, expected):
    assert elf.android_api_level(notes) == expected


@pytest.mark.parametrize(
    "notes, message",
    [
        (struct.pack("<III", 8, 4, 1) + b"Andr", "runs past the segment"),
        (struct.pack("<III", 0xFFFFFFF0, 4, 1) + b"Android\0", "runs past the segment"),
        (struct.pack("<III", 8, 2, 1) + b"Android\0" + b"\1\0\0\0", "fewer than its API level's 4"),
    ],
)
def test_hostile_notes_are_elf_errors(notes, message):
    with pytest.raises(elf.ElfError, match=message):
        elf.android_api_level(notes)
