"""What the test workspace's genrules run in place of the NDK, android_library and android_binary.

Real Bazel runs these actions (sandboxed, from the execroot); only the
compiler and the Android packaging are stood in for, because this machine has
no NDK or Android SDK. Outputs are byte-stable (sorted entries, fixed times).

  jni      the "compiled" native library: a digest of its inputs
  library  an android_library's AAR: AndroidManifest.xml (custom_package), classes.jar, R.txt
  apk      the dummy app's lib/<abi>/<so> for each --fat_apk_cpu ABI: an ELF shared object
           of that ABI's machine type whose one LOAD segment (the library's bytes) is
           aligned to --max-page-size (16 KB when the build passes tflite-slim's linkopt), with the
           NDK's .note.android.ident for ANDROID_NDK_API_LEVEL (the configured tree's --action_env)
  aar      aar_with_jni's final step: the library's AAR + jni/<abi>/*.so + LICENSE
"""

import argparse
import hashlib
import io
import os
import re
import struct
import sys
import time
import zipfile

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
#: ABI -> (ELF class: 1 = 32-bit, 2 = 64-bit, e_machine, e_flags), as the NDK's compilers emit them.
ELF_MACHINES = {
    "arm64-v8a": (2, 183, 0),  # EM_AARCH64
    "armeabi-v7a": (1, 40, 0x05000200),  # EM_ARM, EABI5 soft-float (Android's softfp ABI)
    "x86": (1, 3, 0),  # EM_386
    "x86_64": (2, 62, 0),  # EM_X86_64
}


def android_note(api_level):
    """The NDK's ``.note.android.ident`` (crtbegin_so.o's note: the API level the library was built for).

    The real NDK takes the level from the toolchain it was configured with
    (``ANDROID_NDK_API_LEVEL``, passed by .tf_configure.bazelrc's ``--action_env``).
    """
    desc = struct.pack("<I", api_level) + b"r26d".ljust(64, b"\0") + b"11394342".ljust(64, b"\0")
    return struct.pack("<III", 8, len(desc), 1) + b"Android\0" + desc


def elf_library(abi, payload, align, api_level=None):
    """A shared object (ET_DYN) of ``abi``'s machine: ELF header, one PT_LOAD of ``payload`` aligned to ``align``,
    and, given ``api_level``, a PT_NOTE holding the NDK's ``.note.android.ident``.

    What the AAR check reads (class, machine, type, LOAD alignment, the note's
    API level) is what a real NDK link writes; ``align`` is lld's -z max-page-size (4 KB without it).
    """
    elf_class, machine, flags = ELF_MACHINES[abi]
    note = android_note(api_level) if api_level is not None else b""
    phnum = 2 if note else 1
    ident = b"\x7fELF" + bytes([elf_class, 1, 1, 0]) + bytes(8)  # little-endian, version 1, SysV
    if elf_class == 2:
        note_at = 64 + 56 * phnum
        start = note_at + len(note)
        header = struct.pack("<HHIQQQIHHHHHH", 3, machine, 1, 0, 64, 0, flags, 64, 56, phnum, 64, 0, 0)
        phdr = struct.pack("<IIQQQQQQ", 1, 5, start, start, start, len(payload), len(payload), align)
        if note:
            phdr += struct.pack("<IIQQQQQQ", 4, 4, note_at, note_at, note_at, len(note), len(note), 4)
    else:
        note_at = 52 + 32 * phnum
        start = note_at + len(note)
        header = struct.pack("<HHIIIIIHHHHHH", 3, machine, 1, 0, 52, 0, flags, 52, 32, phnum, 40, 0, 0)
        phdr = struct.pack("<IIIIIIII", 1, start, start, start, len(payload), len(payload), 5, align)
        if note:
            phdr += struct.pack("<IIIIIIII", 4, note_at, note_at, note_at, len(note), len(note), 4, 4)
    return ident + header + phdr + note + payload


def write_zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, entries[name])


def read_zip(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def cmd_jni(args):
    digest = hashlib.sha256()
    for flag in args.flag:
        digest.update(flag.encode() + b"\0")
    for src in args.srcs:
        with open(src, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    with open(args.out, "wb") as f:
        f.write(b"tflite-slim test workspace native library\0" + digest.digest())


def cmd_library(args):
    with open(args.manifest) as f:
        manifest = re.sub(r'package="[^"]*"', 'package="%s"' % args.package, f.read(), count=1)
    jar = io.BytesIO()
    classes = {"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n"}
    classes.update({c: b"\xca\xfe\xba\xbe" for c in args.classes.split(",")})
    write_zip(jar, classes)
    write_zip(args.out, {"AndroidManifest.xml": manifest.encode(), "classes.jar": jar.getvalue(), "R.txt": b""})


def cmd_apk(args):
    entries = {}
    level = os.environ.get("ANDROID_NDK_API_LEVEL", "").strip('"')
    api = int(level) if level.isdigit() else None
    for abi in args.abis.split(","):
        for lib in args.libs:
            with open(lib, "rb") as f:
                entries["lib/%s/%s" % (abi, os.path.basename(lib))] = elf_library(abi, f.read(), args.max_page_size, api)
    write_zip(args.out, entries)


def cmd_aar(args):
    if args.test_action == "fail":
        print("tflite-slim test workspace: failing as asked by --define=tflite_slim_test_action=fail",
              file=sys.stderr)
        return 1
    if args.test_action == "sleep":
        time.sleep(600)  # a long compile, for Ctrl-C tests; Bazel must stop it
    entries = read_zip(args.library)
    for name, data in read_zip(args.apk).items():
        if name.startswith("lib/") and name.endswith(".so"):
            entries["jni/" + name[len("lib/"):]] = data
    with open(args.license, "rb") as f:
        entries["LICENSE"] = f.read()
    for header in args.header:
        with open(header, "rb") as f:
            entries["headers/" + (os.path.basename(header) if args.flatten_headers else header)] = f.read()
    if args.test_note != "none":
        entries["tflite-slim-test-note.txt"] = args.test_note.encode()
    write_zip(args.out, entries)
    return 0


def main(argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("jni")
    p.add_argument("--out", required=True)
    p.add_argument("--flag", action="append", default=[])
    p.add_argument("srcs", nargs="*")
    p = sub.add_parser("library")
    p.add_argument("--manifest", required=True)
    p.add_argument("--package", required=True)
    p.add_argument("--classes", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("apk")
    p.add_argument("--abis", required=True)
    p.add_argument("--max-page-size", type=int, default=4096)
    p.add_argument("--out", required=True)
    p.add_argument("libs", nargs="+")
    p = sub.add_parser("aar")
    p.add_argument("--library", required=True)
    p.add_argument("--apk", required=True)
    p.add_argument("--license", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--flatten-headers", action="store_true")
    p.add_argument("--test-note", default="none")
    p.add_argument("--test-action", default="none")
    args = parser.parse_args(argv)
    handler = {"jni": cmd_jni, "library": cmd_library, "apk": cmd_apk, "aar": cmd_aar}[args.command]
    return handler(args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
