"""The 2.x drop-in AAR: the app's stock litert AAR with only libLiteRt.so replaced (the stand-in AAR of
``standin/litert2stock.py``)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from standin.litert2stock import stock_aar
from tflite_slim.errors import BuildError, UsageError
from tflite_slim.runtime.artifacts import litert2aar
from tflite_slim.runtime.artifacts.elf import ElfError, exported_symbols


def test_the_drop_in_keeps_every_entry_and_replaces_only_the_library(tmp_path):
    stock = litert2aar.read_stock(stock_aar(tmp_path / "s.aar"), ["arm64-v8a", "linux-x86_64"])
    assert stock.abis == ("arm64-v8a", "x86_64")
    (tmp_path / "lib").write_bytes(b"trimmed")
    (tmp_path / "host").write_bytes(b"host")
    litert2aar.write_drop_in(stock, {"arm64-v8a": tmp_path / "lib", "linux-x86_64": tmp_path / "host"},
                             tmp_path / "out.aar")
    with zipfile.ZipFile(tmp_path / "s.aar") as a, zipfile.ZipFile(tmp_path / "out.aar") as b:
        before = {n: a.read(n) for n in a.namelist()}
        after = {n: b.read(n) for n in b.namelist()}
    assert after.pop("jni/arm64-v8a/libLiteRt.so") == b"trimmed"
    assert after.pop("jni/linux-x86_64/libLiteRt.so") == b"host"
    before.pop("jni/arm64-v8a/libLiteRt.so")
    assert after == before  # classes.jar, the GPU library, x86_64's stock library: as they were
    assert litert2aar.kept_stock(stock, {"arm64-v8a": 1, "linux-x86_64": 1}) == ("x86_64",)
    first = (tmp_path / "out.aar").read_bytes()
    litert2aar.write_drop_in(stock, {"arm64-v8a": tmp_path / "lib", "linux-x86_64": tmp_path / "host"},
                             tmp_path / "out.aar")
    assert (tmp_path / "out.aar").read_bytes() == first  # byte-stable


@pytest.mark.parametrize("make,abis,said", [
    (lambda p: p, ["arm64-v8a"], "no such file"),
    (lambda p: (p.write_bytes(b"not a zip"), p)[1], ["arm64-v8a"], "not a readable AAR"),
    (lambda p: stock_aar(p, libs={"arm64-v8a": b"x"}), ["armeabi-v7a"],
     "has no jni/armeabi-v7a/libLiteRt.so (its libraries: libLiteRt.so, libstandin_gpu_accelerator.so)"),
    # litert-api ships liblitert_jni.so only.
    (lambda p: stock_aar(p, libs={}, extra={"jni/arm64-v8a/liblitert_jni.so": b"x"}), ["arm64-v8a"],
     "(not litert-api)"),
])
def test_a_wrong_stock_aar_is_one_line_naming_it(tmp_path, make, abis, said):
    path = make(tmp_path / "s.aar")
    with pytest.raises(UsageError) as e:
        litert2aar.read_stock(path, abis)
    assert said in str(e.value) and str(path) in str(e.value) and "\n" not in str(e.value)


def test_no_classes_and_oversized_entries_are_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "s.aar"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("jni/arm64-v8a/libLiteRt.so", b"x")
    with pytest.raises(UsageError, match="has no classes.jar"):
        litert2aar.read_stock(path, ["arm64-v8a"])
    monkeypatch.setattr(litert2aar, "MAX_ENTRY_BYTES", 64)
    with pytest.raises(UsageError, match="entry jni/x86_64/libLiteRt.so is larger than a litert AAR"):
        litert2aar.read_stock(stock_aar(tmp_path / "t.aar"), ["arm64-v8a"])


@pytest.mark.parametrize("stock,ours,problems", [
    (["Java_a", "LiteRtX", "kLiteRtRuntimeBuiltin"], ["Java_a", "LiteRtX", "kLiteRtRuntimeBuiltin"], []),
    (["Java_a", "LiteRtX", "LiteRtY"], ["Java_a", "LiteRtX"], ["lacks 1 symbol(s) the stock libLiteRt.so exports (LiteRtY)"]),
    # What the stock library exports outside the patterns (none do, by its version script) is not compared.
    (["Java_a", "operator_new"], ["Java_a"], []),
    (["Java_a"], ["Java_a", "_ZN6tflite3FooEv"], ["exports 1 symbol(s) outside the version script (_ZN6tflite3FooEv)"]),
])
def test_symbol_problems(stock, ours, problems):
    exported = lambda n: n.startswith(("Java_", "LiteRt", "TfLite")) or n == "kLiteRtRuntimeBuiltin"
    assert litert2aar.symbol_problems(stock, ours, exported) == problems


def test_a_library_lacking_a_stock_export_is_not_a_drop_in(tmp_path):
    so = _elf_with_dynsym(["Java_x", "LiteRtA"])
    stock = litert2aar.read_stock(stock_aar(tmp_path / "s.aar", libs={"arm64-v8a": _elf_with_dynsym(
        ["Java_x", "LiteRtA", "LiteRtB"])}), ["arm64-v8a"])
    (tmp_path / "lib.so").write_bytes(so)
    with pytest.raises(BuildError, match=r"not a drop-in for .*s\.aar's jni/arm64-v8a/libLiteRt\.so: lacks 1 "
                                         r"symbol\(s\) the stock libLiteRt\.so exports \(LiteRtB\)"):
        litert2aar.check_library(stock, "arm64-v8a", tmp_path / "lib.so", lambda n: n.startswith(("Java_", "LiteRt")))


def _elf_with_dynsym(names) -> bytes:
    """A minimal little-endian ELF64 with a .dynsym and .dynstr section (enough for exported_symbols)."""
    strtab = b"\0" + b"".join(n.encode() + b"\0" for n in names)
    syms = b"\0" * 24
    pos = 1
    for n in names:
        syms += struct.pack("<IBBHQQ", pos, (1 << 4) | 2, 0, 7, 0, 0)  # GLOBAL FUNC, section 7
        pos += len(n) + 1
    header_size = 64
    str_off = header_size
    sym_off = str_off + len(strtab)
    sh_off = sym_off + len(syms)
    shdrs = b"\0" * 64
    shdrs += struct.pack("<IIQQQQIIQQ", 0, 3, 0, 0, str_off, len(strtab), 0, 0, 1, 0)  # 1: .dynstr
    shdrs += struct.pack("<IIQQQQIIQQ", 0, 11, 0, 0, sym_off, len(syms), 1, 1, 8, 24)  # 2: .dynsym -> 1
    ident = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    header = ident + struct.pack("<HHIQQQIHHHHHH", 3, 183, 1, 0, 0, sh_off, 0, 64, 56, 0, 64, 3, 0)
    return header + strtab + syms + shdrs


def test_exported_symbols_reads_a_dynsym():
    assert exported_symbols(_elf_with_dynsym(["LiteRtB", "Java_x"])) == ("Java_x", "LiteRtB")


@pytest.mark.parametrize("damage", [
    lambda d: d[:100],  # the section table cut off
    lambda d: d[:-64 * 3] + struct.pack("<IIQQQQIIQQ", 0, 11, 0, 0, 1 << 40, 24, 1, 1, 8, 24) * 3,
])
def test_a_malformed_dynsym_is_an_elf_error(damage):
    with pytest.raises(ElfError):
        exported_symbols(damage(_elf_with_dynsym(["LiteRtB"])))


@pytest.mark.parametrize("table,refused", [(2 << 20, True), (40_000, False)])
def test_a_crafted_dynstr_costs_linear_time(table, refused):
    """100,000 symbols each naming a different offset of a string table with no NUL: every name runs to the
    table's end. Read in one pass over the NULs, not one scan and one copy per symbol (which ran a minute and
    gigabytes for 2 MB); a name far longer than any export is refused."""
    import time
    n = 100_000
    strtab = b"\0" + b"a" * table
    syms = b"\0" * 24 + b"".join(struct.pack("<IBBHQQ", 1 + i * 7, (1 << 4) | 2, 0, 7, 0, 0) for i in range(n))
    str_off, sym_off = 64, 64 + len(strtab)
    sh_off = sym_off + len(syms)
    shdrs = (b"\0" * 64 + struct.pack("<IIQQQQIIQQ", 0, 3, 0, 0, str_off, len(strtab), 0, 0, 1, 0)
             + struct.pack("<IIQQQQIIQQ", 0, 11, 0, 0, sym_off, len(syms), 1, 1, 8, 24))
    header = (b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
              + struct.pack("<HHIQQQIHHHHHH", 3, 62, 1, 0, 0, sh_off, 0, 64, 56, 0, 64, 3, 0))
    start = time.monotonic()
    if refused:
        with pytest.raises(ElfError, match="longer than 65536 bytes"):
            exported_symbols(header + strtab + syms + shdrs)
    else:
        assert len(exported_symbols(header + strtab + syms + shdrs)) > 5_000  # offsets past the table are skipped
    assert time.monotonic() - start < 5
