"""Checking and finishing the AARs Bazel writes.

``aar_with_jni`` (``tensorflow/lite/java/aar_with_jni.bzl``) zips the
android_library's AAR (``AndroidManifest.xml``, ``classes.jar``, ``R.txt``)
with ``jni/<abi>/*.so`` from a dummy APK and ``LICENSE``. We check that every
requested ABI's library is there and that every ``jni/<abi>/*.so`` is an ELF
shared object of that ABI's machine whose LOAD segments fit 16 KB pages where
Android uses them (:func:`check_so`), add the consumer ProGuard rules the custom
AAR lacks (``proguard.txt``, which the Android Gradle plugin applies to apps
that shrink), and rewrite the zip byte-stably: sorted entries, fixed
timestamps and permissions, so equal inputs give equal files.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Optional, Sequence

from tflite_slim.runtime.artifacts import elf
from tflite_slim.runtime.artifacts.abis import HOST_ABIS
from tflite_slim.errors import BuildError

RUNTIME_SO = "libtensorflowlite_jni.so"
FLEX_SO = "libtensorflowlite_flex_jni.so"
PROGUARD_ENTRY = "proguard.txt"
#: 1980-01-01, the earliest time a zip entry can carry: no wall-clock in outputs.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)

#: Native code looks these up by name (JNI, Class.forName); R8 must not rename or drop them.
RUNTIME_PROGUARD = """\
# Added by tflite-slim: TensorFlow Lite's native code reaches these by reflection.
-keep class org.tensorflow.lite.annotations.UsedByReflection
-keep @org.tensorflow.lite.annotations.UsedByReflection class *
-keepclassmembers class * {
    @org.tensorflow.lite.annotations.UsedByReflection *;
}
"""
#: The interpreter loads the Flex delegate with Class.forName("org.tensorflow.lite.flex.FlexDelegate").
FLEX_PROGUARD = RUNTIME_PROGUARD + """\
-keep class org.tensorflow.lite.flex.FlexDelegate { *; }
"""


#: ELF class and machine each ABI directory must hold (Android's ABIs are all little-endian).
ABI_MACHINES = {
    "arm64-v8a": (64, elf.EM_AARCH64),
    "armeabi-v7a": (32, elf.EM_ARM),
    "x86": (32, elf.EM_386),
    "x86_64": (64, elf.EM_X86_64),
    # The CMake backend's desktop builds (--target-archs host) carry these in the same layout.
    "linux-x86_64": (64, elf.EM_X86_64),
    "linux-aarch64": (64, elf.EM_AARCH64),
}
#: Desktop ABIs: their libraries are linked by the host's compiler, with no Android API level (no note).
DESKTOP_ABIS = tuple(HOST_ABIS)
#: The ABIs whose devices may run with 16 KB pages: Android's page-size guide and
#: the NDK (r27+ adds ``-z max-page-size=16384`` only for these) leave 32-bit ABIs at 4 KB.
PAGE_16K_ABIS = ("arm64-v8a", "x86_64")
PAGE_16K = 16384
ALIGNMENT_CHECKS = ("error", "warn")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class AarReport:
    """Sizes of one finished AAR and of its native library per ABI, and what the check only warned about."""

    file_name: str
    size: int
    so_sizes: tuple[tuple[str, int], ...]
    #: The smallest LOAD segment alignment of the library per ABI (the page size it can be mapped with).
    so_load_align: tuple[tuple[str, int], ...] = ()
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"file": self.file_name, "size": self.size, "so_sizes": dict(self.so_sizes),
                "so_load_align": dict(self.so_load_align)}


def check_aar(path: str, abis: Sequence[str], so_name: str, *, alignment: str = "error",
              min_api: Optional[int] = None) -> AarReport:
    """Verify ``path`` is an AAR with a manifest, classes.jar and ``jni/<abi>/<so_name>`` per ABI.

    Every ``jni/<abi>/*.so`` must be an ELF shared object for that ABI's
    machine and as long as its headers say. On 64-bit ABIs a LOAD segment
    aligned below 16 KB is an error, or with ``alignment="warn"`` a line in
    the report's ``warnings``. With ``min_api``, each library's
    ``.note.android.ident`` must say it was built for exactly that API level
    (the level the AAR's manifest declares); desktop ABIs' libraries (:data:`DESKTOP_ABIS`) have none.
    """
    if alignment not in ALIGNMENT_CHECKS:
        raise ValueError(f"alignment must be one of {ALIGNMENT_CHECKS}, not {alignment!r}")
    try:
        with zipfile.ZipFile(path) as z:
            infos = {i.filename: i for i in z.infolist()}
            required = ["AndroidManifest.xml", "classes.jar"] + [f"jni/{abi}/{so_name}" for abi in abis]
            missing = [r for r in required if r not in infos]
            if missing:
                raise BuildError(
                    f"{path}: the built AAR lacks {', '.join(missing)}; check the Bazel output above "
                    "(an ABI Bazel did not select: without --android_platforms, Android toolchain resolution "
                    "builds only the first --platforms value; or an NDK without that ABI)"
                )
            libs = {name: check_so(path, z, info, min_api) for name, info in sorted(infos.items()) if _abi_of(name)}
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise BuildError(f"{path}: Bazel's output is not a readable AAR (zip): {e}") from e
    misaligned = [
        f"{name} has a LOAD segment aligned to {align} bytes"
        for name, align in libs.items()
        if _abi_of(name) in PAGE_16K_ABIS and align < PAGE_16K
    ]
    warnings: tuple[str, ...] = ()
    if misaligned:
        message = (
            f"{path}: {'; '.join(misaligned)}, below the 16 KB ({PAGE_16K}) that Android 15+ devices with "
            "16 KB pages need (Google Play requires it for apps targeting Android 15+); build with "
            "--align-16kb (the default), or accept it with --alignment-check warn"
        )
        warnings = (message,)
    so_sizes = tuple((abi, infos[f"jni/{abi}/{so_name}"].file_size) for abi in abis)
    so_align = tuple((abi, libs[f"jni/{abi}/{so_name}"]) for abi in abis)
    return apply_alignment(AarReport(os.path.basename(path), os.path.getsize(path), so_sizes, so_align, warnings),
                           alignment)


def apply_alignment(report: AarReport, alignment: str) -> AarReport:
    """``report`` as :func:`check_aar` with ``alignment`` returns it: with ``error``, a library below 16 KB fails.

    Lets a caller that checked with ``warn`` (the build cache, telling damage
    from a plan's own result) apply the user's setting without reading the AAR again.
    """
    if report.warnings and alignment == "error":
        raise BuildError(report.warnings[0])
    return report


_MIN_SDK = re.compile(r'(android:minSdkVersion\s*=\s*)"[^"]*"')
_MANIFEST_OPEN = re.compile(r"<manifest\b[^>]*?(/?)>", re.S)


def set_min_sdk(manifest: str, level: int) -> str:
    """``manifest`` with ``<uses-sdk android:minSdkVersion="level"/>`` (replaced, or added after ``<manifest>``)."""
    if _MIN_SDK.search(manifest):
        return _MIN_SDK.sub(lambda m: f'{m.group(1)}"{level}"', manifest, count=1)
    m = _MANIFEST_OPEN.search(manifest)
    if m is None:
        raise BuildError("the built AAR's AndroidManifest.xml has no <manifest> element")
    uses = f'\n    <uses-sdk android:minSdkVersion="{level}" />\n'
    if m.group(1):  # <manifest .../>: open it to hold the element
        return manifest[:m.start()] + m.group(0)[:-2].rstrip() + ">" + uses + "</manifest>" + manifest[m.end():]
    return manifest[:m.end()] + uses + manifest[m.end():]


def _abi_of(name: str) -> Optional[str]:
    """The ABI of a ``jni/<abi>/<lib>.so`` entry Android would load, else None."""
    parts = name.split("/")
    if len(parts) == 3 and parts[0] == "jni" and parts[1] in ABI_MACHINES and parts[2].endswith(".so"):
        return parts[1]
    return None


def check_so(path: str, z: zipfile.ZipFile, info: zipfile.ZipInfo, min_api: Optional[int] = None) -> int:
    """Check one ``jni/<abi>/*.so`` entry of the AAR at ``path``; return its smallest LOAD alignment.

    Streams the entry: only the header and the program header table are kept,
    so a large library costs time linear in its size and little memory.
    """
    abi = _abi_of(info.filename)
    assert abi is not None
    bits, machine = ABI_MACHINES[abi]
    if abi in DESKTOP_ABIS:
        min_api = None  # linked by the host's compiler: no .note.android.ident to read
    wanted = f"ELF{bits} little-endian {elf.MACHINE_NAMES[machine]}"
    where = f"{path}: {info.filename}"
    try:
        with z.open(info) as f:
            head = f.read(elf.IDENT_AND_HEADER)
            header = elf.read_header(head)
            # The identity first: a library of another ABI is named as such, whatever else is wrong.
            if (header.bits, header.little_endian, header.machine) != (bits, True, machine):
                raise BuildError(f"{where} is {header.describe()}, but {abi} needs {wanted}: a library built "
                                 "for another ABI (check --fat_apk_cpu and the Android toolchain's configuration)")
            if header.e_type != elf.ET_DYN:
                raise BuildError(f"{where} is an ELF file of type {header.e_type}, not a shared object (ET_DYN, 3)")
            if header.ph_end > info.file_size:
                raise elf.ElfError(f"program header table ends at {header.ph_end}, past the end of the file "
                                   f"({info.file_size} bytes)")
            table = _read_span(f, head, header.phoff, header.ph_end)
            lib = elf.ElfInfo(header, elf.read_program_headers(header, table))
            api = _api_level(f, header, table, max(len(head), header.ph_end)) if min_api is not None else None
    except elf.ElfError as e:
        raise BuildError(f"{where} is not an ELF shared object ({e}); {abi} needs {wanted}") from e
    if not lib.loads:
        raise BuildError(f"{where} is not an ELF shared object (no LOAD segment)")
    if lib.min_file_size > info.file_size:
        raise BuildError(f"{where} is truncated: its headers and LOAD segments need {lib.min_file_size} bytes, "
                         f"the file has {info.file_size}")
    if min_api is not None and api != min_api:
        found = "has no .note.android.ident (not linked by the NDK)" if api is None else f"is built for API level {api}"
        raise BuildError(f"{where} {found}, but the AAR declares minSdkVersion {min_api} (the level the tree "
                         "sets); check the NDK API level the tree's Android toolchain was configured with")
    return lib.min_load_align


def _api_level(stream: IO[bytes], header: elf.ElfHeader, table: bytes, pos: int) -> Optional[int]:
    """The Android note's API level, reading on from ``pos`` (the bytes before it were consumed) to each note."""
    for offset, size in elf.read_note_segments(header, table):
        if offset < pos or size > elf.MAX_NOTE_BYTES:
            continue  # never the NDK's note (it follows the program headers and is small)
        skipped = _skip(stream, offset - pos)
        data = _read_span(stream, b"", 0, size)
        if skipped != offset - pos or len(data) != size:
            raise elf.ElfError(f"note segment at {offset} ({size} bytes) runs past the end of the file")
        pos = offset + size
        level = elf.android_api_level(data, header.little_endian)
        if level is not None:
            return level
    return None


def _skip(stream: IO[bytes], n: int) -> int:
    """Read and drop ``n`` bytes in chunks (nothing kept); how many there were."""
    done = 0
    while done < n:
        chunk = stream.read(min(_CHUNK, n - done))
        if not chunk:
            break
        done += len(chunk)
    return done


def _read_span(stream: IO[bytes], consumed: bytes, start: int, end: int) -> bytes:
    """Bytes ``[start, end)`` of a stream whose first ``len(consumed)`` bytes were ``consumed``."""
    pos = len(consumed)
    out = bytearray(consumed[start:end])
    while pos < start:  # skipped in chunks: nothing before the table is kept
        chunk = stream.read(min(_CHUNK, start - pos))
        if not chunk:
            return bytes(out)
        pos += len(chunk)
    while pos < end:
        chunk = stream.read(min(_CHUNK, end - pos))
        if not chunk:
            break
        out += chunk
        pos += len(chunk)
    return bytes(out)


def finish_aar(src: str, dst: str, proguard_rules: str, min_sdk: Optional[int] = None) -> None:
    """Copy ``src`` to ``dst`` with ``proguard_rules`` in ``proguard.txt``, byte-stably.

    Rules already in the AAR's ``proguard.txt`` are kept; ours are appended
    once (a second pass changes nothing). With ``min_sdk``, the manifest's
    ``minSdkVersion`` says the level the native libraries were built for
    (LiteRT's ``tflite/java/AndroidManifest.xml`` says 21 while HEAD's NDK
    toolchain builds for 26: an app at 21 would fail to load them).
    """
    with zipfile.ZipFile(src) as zin:
        entries = {i.filename: zin.read(i) for i in zin.infolist()}
    if min_sdk is not None:
        entries["AndroidManifest.xml"] = set_min_sdk(entries["AndroidManifest.xml"].decode("utf-8"),
                                                     min_sdk).encode("utf-8")
    existing = entries.get(PROGUARD_ENTRY, b"").decode("utf-8")
    if proguard_rules not in existing:
        if existing and not existing.endswith("\n"):
            existing += "\n"
        existing += proguard_rules
    entries[PROGUARD_ENTRY] = existing.encode("utf-8")
    write_stable_zip(dst, entries)


def write_stable_zip(dst: str, entries: dict[str, bytes]) -> None:
    """Write ``entries`` (name -> bytes; names ending in ``/`` are folders) as a byte-stable zip.

    Sorted names, fixed timestamps and Unix attributes: equal entries give equal bytes on any host.
    """
    with zipfile.ZipFile(dst, "w") as zout:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.create_system = 3  # unix, whatever the host: same bytes everywhere
            if name.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                zout.writestr(info, b"")
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(info, entries[name])
