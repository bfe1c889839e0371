"""AAR checks and the byte-stable finishing step (consumer ProGuard rules)."""

from __future__ import annotations

import zipfile

import pytest

from realtools import TRIPLES, aapt2, link_so, run, zipalign  # noqa: F401  (fixtures)
from standin.elfimage import make_so
from tflite_slim.runtime.artifacts.aar import FLEX_PROGUARD, RUNTIME_PROGUARD, RUNTIME_SO, check_aar, finish_aar
from tflite_slim.errors import BuildError

ARM64 = make_so("arm64-v8a", b"a" * 100, align=16384)
ARMV7 = make_so("armeabi-v7a", b"b" * 50)


def make_aar(path, entries, date=(2024, 5, 6, 7, 8, 10)):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name, date), data)
    return str(path)


FULL = {
    "AndroidManifest.xml": "<manifest/>",
    "classes.jar": b"PK",
    "R.txt": "",
    "jni/arm64-v8a/libtensorflowlite_jni.so": ARM64,
    "jni/armeabi-v7a/libtensorflowlite_jni.so": ARMV7,
}


def test_check_reports_sizes(tmp_path):
    path = make_aar(tmp_path / "x.aar", FULL)
    report = check_aar(path, ("arm64-v8a", "armeabi-v7a"), RUNTIME_SO)
    assert report.so_sizes == (("arm64-v8a", len(ARM64)), ("armeabi-v7a", len(ARMV7)))
    assert report.so_load_align == (("arm64-v8a", 16384), ("armeabi-v7a", 4096))
    assert report.file_name == "x.aar" and report.size == (tmp_path / "x.aar").stat().st_size
    assert report.to_json()["so_sizes"] == {"arm64-v8a": len(ARM64), "armeabi-v7a": len(ARMV7)}
    assert report.warnings == ()


@pytest.mark.parametrize(
    "drop, abis, missing",
    [
        ("AndroidManifest.xml", ("arm64-v8a",), "AndroidManifest.xml"),
        ("classes.jar", ("arm64-v8a",), "classes.jar"),
        ("jni/armeabi-v7a/libtensorflowlite_jni.so", ("arm64-v8a", "armeabi-v7a"),
         "jni/armeabi-v7a/libtensorflowlite_jni.so"),
        (None, ("x86",), "jni/x86/libtensorflowlite_jni.so"),
    ],
)
def test_check_names_what_is_missing(tmp_path, drop, abis, missing):
    entries = {k: v for k, v in FULL.items() if k != drop}
    path = make_aar(tmp_path / "x.aar", entries)
    with pytest.raises(BuildError, match=missing):
        check_aar(path, abis, RUNTIME_SO)


def test_check_rejects_non_zip(tmp_path):
    (tmp_path / "x.aar").write_bytes(b"not a zip")
    with pytest.raises(BuildError, match="not a readable AAR"):
        check_aar(str(tmp_path / "x.aar"), ("arm64-v8a",), RUNTIME_SO)


def test_finish_is_byte_stable_and_adds_rules(tmp_path):
    a = make_aar(tmp_path / "a.aar", FULL, date=(2024, 1, 1, 0, 0, 0))
    b = make_aar(tmp_path / "b.aar", dict(reversed(list(FULL.items()))), date=(2025, 6, 7, 8, 9, 10))
    finish_aar(a, str(tmp_path / "a2.aar"), RUNTIME_PROGUARD)
    finish_aar(b, str(tmp_path / "b2.aar"), RUNTIME_PROGUARD)
    assert (tmp_path / "a2.aar").read_bytes() == (tmp_path / "b2.aar").read_bytes()
    z = zipfile.ZipFile(tmp_path / "a2.aar")
    assert z.namelist() == sorted(z.namelist())
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
    text = z.read("proguard.txt").decode()
    assert "-keep @org.tensorflow.lite.annotations.UsedByReflection class *" in text
    for name, data in FULL.items():
        assert z.read(name) == (data.encode() if isinstance(data, str) else data)
    # Finishing twice changes nothing (rules are added once).
    finish_aar(str(tmp_path / "a2.aar"), str(tmp_path / "a3.aar"), RUNTIME_PROGUARD)
    assert (tmp_path / "a3.aar").read_bytes() == (tmp_path / "a2.aar").read_bytes()


def test_finish_keeps_existing_rules(tmp_path):
    src = make_aar(tmp_path / "f.aar", {**FULL, "proguard.txt": "-keep class org.tensorflow.lite.** { *; }"})
    finish_aar(src, str(tmp_path / "f2.aar"), FLEX_PROGUARD)
    text = zipfile.ZipFile(tmp_path / "f2.aar").read("proguard.txt").decode()
    assert text.startswith("-keep class org.tensorflow.lite.** { *; }\n# Added by tflite-slim")
    assert text.endswith("-keep class org.tensorflow.lite.flex.FlexDelegate { *; }\n")


ENTRY = "jni/arm64-v8a/libtensorflowlite_jni.so"


@pytest.mark.parametrize(
    "entry, data, found",
    [
        (ENTRY, make_so("armeabi-v7a"), "is ELF32 little-endian EM_ARM \\(32-bit ARM\\), but arm64-v8a needs "
                                        "ELF64 little-endian EM_AARCH64"),
        (ENTRY, make_so("x86_64", align=16384), "is ELF64 little-endian EM_X86_64 \\(x86_64\\), but arm64-v8a"),
        ("jni/armeabi-v7a/libtensorflowlite_jni.so", make_so("arm64-v8a"), "is ELF64 little-endian EM_AARCH64"),
        ("jni/armeabi-v7a/libtensorflowlite_jni.so", make_so("armeabi-v7a", bits=64), "is ELF64 little-endian EM_ARM"),
        ("jni/x86/libtensorflowlite_jni.so", make_so("x86_64"), "but x86 needs ELF32 little-endian EM_386"),
        ("jni/x86_64/libextra.so", make_so("x86"), "jni/x86_64/libextra.so is ELF32 little-endian EM_386"),
        (ENTRY, make_so("arm64-v8a", align=16384, machine=999), "e_machine 999"),
        (ENTRY, make_so("arm64-v8a", align=16384)[:5] + b"\x02" + make_so("arm64-v8a", align=16384)[6:],
         "is ELF64 big-endian"),
        (ENTRY, make_so("arm64-v8a", align=16384, e_type=2), "is an ELF file of type 2, not a shared object"),
        (ENTRY, make_so("arm64-v8a", align=16384, loads=0), "no LOAD segment"),
        (ENTRY, b"#!/bin/sh\necho not a library\n", "is not an ELF shared object \\(not an ELF file"),
        (ENTRY, b"", "is not an ELF shared object \\(not an ELF file"),
        (ENTRY, make_so("arm64-v8a", b"x" * 500, align=16384)[:300], "is not an ELF shared object|is truncated"),
    ],
)
def test_check_refuses_a_library_that_is_not_for_its_abi(tmp_path, entry, data, found):
    path = make_aar(tmp_path / "x.aar", {**FULL, entry: data})
    with pytest.raises(BuildError, match=found) as e:
        check_aar(path, ("arm64-v8a", "armeabi-v7a"), RUNTIME_SO)
    message = str(e.value)
    assert message.startswith(f"{path}: {entry} ") and "\n" not in message


def test_check_ignores_what_android_does_not_load(tmp_path):
    extra = {"jni/mips/libx.so": b"junk", "jni/arm64-v8a/README.txt": b"junk", "jni/arm64-v8a/sub/libx.so": b"junk",
             "assets/lib.so": b"junk"}
    assert check_aar(make_aar(tmp_path / "x.aar", {**FULL, **extra}), ("arm64-v8a",), RUNTIME_SO).so_sizes


def test_check_streams_a_large_library(tmp_path):
    big = make_so("arm64-v8a", bytes(64 << 20), align=16384)
    path = tmp_path / "big.aar"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in {**FULL, ENTRY: big}.items():
            z.writestr(name, data)
    assert check_aar(str(path), ("arm64-v8a",), RUNTIME_SO).so_sizes == (("arm64-v8a", len(big)),)


@pytest.mark.parametrize("abi", ["arm64-v8a", "x86_64"])
def test_64_bit_library_below_16kb_fails_or_warns(tmp_path, abi):
    entry = f"jni/{abi}/libtensorflowlite_jni.so"
    path = make_aar(tmp_path / "x.aar", {**FULL, entry: make_so(abi, align=4096)})
    with pytest.raises(BuildError, match=f"{entry} has a LOAD segment aligned to 4096 bytes, below the 16 KB") as e:
        check_aar(path, ("arm64-v8a", "armeabi-v7a"), RUNTIME_SO)
    assert "--alignment-check warn" in str(e.value) and "\n" not in str(e.value)
    report = check_aar(path, ("arm64-v8a", "armeabi-v7a"), RUNTIME_SO, alignment="warn")
    assert len(report.warnings) == 1 and entry in report.warnings[0]


@pytest.mark.parametrize("abi", ["armeabi-v7a", "x86"])
def test_32_bit_libraries_may_stay_at_4kb(tmp_path, abi):
    path = make_aar(tmp_path / "x.aar", {**FULL, f"jni/{abi}/libtensorflowlite_jni.so": make_so(abi, align=4096)})
    report = check_aar(path, (abi,), RUNTIME_SO)
    assert report.so_load_align == ((abi, 4096),) and report.warnings == ()


# --- Real libraries linked by Debian's clang and lld -------------------------------------------


def real_aar(path, link_so, abis, align_16kb=True, **override):
    entries = {"AndroidManifest.xml": MANIFEST, "classes.jar": b"PK", "R.txt": ""}
    entries.update({f"jni/{abi}/{RUNTIME_SO}": link_so(abi, align_16kb) for abi in abis})
    entries.update(override)
    return make_aar(path, entries)


MANIFEST = ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<manifest xmlns:android="http://schemas.android.com/apk/res/android"\n'
            '    package="org.tensorflow.lite">\n    <uses-sdk android:minSdkVersion="19" />\n</manifest>\n')
ALL_ABIS = tuple(sorted(TRIPLES))


def test_real_libraries_pass_and_report_their_sizes(tmp_path, link_so):  # noqa: F811
    path = real_aar(tmp_path / "x.aar", link_so, ALL_ABIS)
    report = check_aar(path, ALL_ABIS, RUNTIME_SO)
    assert report.so_sizes == tuple((abi, len(link_so(abi, True))) for abi in ALL_ABIS)
    assert report.so_load_align == tuple((abi, 16384) for abi in ALL_ABIS)


def test_real_libraries_without_the_flag(tmp_path, link_so):  # noqa: F811
    path = real_aar(tmp_path / "x.aar", link_so, ALL_ABIS, align_16kb=False)
    with pytest.raises(BuildError) as e:
        check_aar(path, ALL_ABIS, RUNTIME_SO)
    # Only the 64-bit ABIs are named: 32-bit devices keep 4 KB pages.
    assert "jni/arm64-v8a/" in str(e.value) and "jni/x86_64/" in str(e.value)
    assert "armeabi-v7a" not in str(e.value) and "jni/x86/" not in str(e.value)
    report = check_aar(path, ALL_ABIS, RUNTIME_SO, alignment="warn")
    assert dict(report.so_load_align) == {abi: 4096 for abi in ALL_ABIS}


@pytest.mark.parametrize("abi, other", [("arm64-v8a", "armeabi-v7a"), ("armeabi-v7a", "arm64-v8a"),
                                        ("x86", "x86_64"), ("x86_64", "arm64-v8a")])
def test_real_library_in_the_wrong_abi_directory(tmp_path, link_so, abi, other):  # noqa: F811
    entry = f"jni/{abi}/{RUNTIME_SO}"
    path = real_aar(tmp_path / "x.aar", link_so, ALL_ABIS, **{entry: link_so(other, True)})
    with pytest.raises(BuildError, match=f"{entry} is ELF.*but {abi} needs"):
        check_aar(path, ALL_ABIS, RUNTIME_SO)


# --- Real packaging tools (aapt2, zipalign) on the AARs finish_aar writes ----------------------


def finished(tmp_path, link_so, abis=ALL_ABIS):  # noqa: F811
    src = real_aar(tmp_path / "bazel.aar", link_so, abis)
    finish_aar(src, str(tmp_path / "tensorflow-lite.aar"), RUNTIME_PROGUARD)
    return tmp_path / "tensorflow-lite.aar"


def framework_stub(tmp_path, aapt2):  # noqa: F811
    """The two framework attributes the manifest uses, as aapt2's ``-I``: android.jar is not on this machine."""
    res = tmp_path / "fw/res/values"
    res.mkdir(parents=True)
    (res / "attrs.xml").write_text(
        '<resources><attr name="minSdkVersion" format="integer|string"/>'
        '<public type="attr" name="minSdkVersion" id="0x7f01020c"/></resources>')
    (tmp_path / "fw/AndroidManifest.xml").write_text(
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="android"/>')
    done = run([aapt2, "compile", "-o", tmp_path / "fw/res.zip", "--dir", tmp_path / "fw/res"])
    assert done.returncode == 0, done.stderr
    done = run([aapt2, "link", "--manifest", tmp_path / "fw/AndroidManifest.xml", "-o", tmp_path / "fw.apk",
                tmp_path / "fw/res.zip"])
    assert done.returncode == 0, done.stderr
    return tmp_path / "fw.apk"


def apk_from_aar(tmp_path, aar, aapt2, zipalign):  # noqa: F811
    """What an app build does with the AAR: link its manifest, add its jni/ libraries as lib/, zipalign."""
    z = zipfile.ZipFile(aar)
    (tmp_path / "AndroidManifest.xml").write_bytes(z.read("AndroidManifest.xml"))
    done = run([aapt2, "link", "--manifest", tmp_path / "AndroidManifest.xml", "-I", framework_stub(tmp_path, aapt2),
                "-o", tmp_path / "base.apk"])
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "base.apk", "a") as apk:
        for name in z.namelist():
            if name.startswith("jni/") and name.endswith(".so"):
                # Stored, as AGP packages them (useLegacyPackaging = false) so they can be mapped in place.
                apk.writestr(zipfile.ZipInfo("lib/" + name[4:], (1980, 1, 1, 0, 0, 0)), z.read(name))
    done = run([zipalign, "-f", "-p", "4", tmp_path / "base.apk", tmp_path / "app.apk"])
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp_path / "app.apk"


def test_aapt2_reads_the_finished_aar_manifest(tmp_path, link_so, aapt2, zipalign):  # noqa: F811
    apk = apk_from_aar(tmp_path, finished(tmp_path, link_so), aapt2, zipalign)
    badging = run([aapt2, "dump", "badging", apk])
    assert badging.returncode == 0, badging.stderr
    lines = badging.stdout.splitlines()
    assert lines[0].startswith("package: name='org.tensorflow.lite'")
    assert "sdkVersion:'19'" in lines
    assert "native-code: 'arm64-v8a' 'armeabi-v7a' 'x86' 'x86_64'" in lines
    tree = run([aapt2, "dump", "xmltree", "--file", "AndroidManifest.xml", apk])
    assert 'A: package="org.tensorflow.lite"' in tree.stdout and "minSdkVersion(0x0101020c)=19" in tree.stdout


def test_aapt2_refuses_a_broken_manifest(tmp_path, link_so, aapt2, zipalign):  # noqa: F811
    """The check above can fail: a manifest without a valid package is refused by aapt2."""
    src = real_aar(tmp_path / "bazel.aar", link_so, ("arm64-v8a",),
                   **{"AndroidManifest.xml": MANIFEST.replace("org.tensorflow.lite", "1org")})
    finish_aar(src, str(tmp_path / "bad.aar"), RUNTIME_PROGUARD)
    with pytest.raises(AssertionError, match="1org"):
        apk_from_aar(tmp_path, tmp_path / "bad.aar", aapt2, zipalign)


def test_zipalign_on_the_aar_and_an_apk_made_from_it(tmp_path, link_so, aapt2, zipalign):  # noqa: F811
    aar = finished(tmp_path, link_so)
    # The AAR deflates its libraries (smaller to publish): zipalign has nothing to align in it, and
    # an app build extracts them and stores them aligned in the APK itself (AGP 8.5.1+: 16 KB).
    check = run([zipalign, "-c", "-v", "-p", "4", aar])
    assert check.returncode == 0, check.stdout
    so_lines = [l for l in check.stdout.splitlines() if l.strip().endswith(".so (OK - compressed)")]
    assert len(so_lines) == len(ALL_ABIS)
    apk = apk_from_aar(tmp_path, aar, aapt2, zipalign)
    check = run([zipalign, "-c", "-v", "-p", "4", apk])
    assert check.returncode == 0, check.stdout
    assert sum(l.strip().endswith(".so (OK)") for l in check.stdout.splitlines()) == len(ALL_ABIS)
    # Unaligned stored libraries are what zipalign -c catches.
    with zipfile.ZipFile(tmp_path / "raw.apk", "w") as raw:
        raw.writestr("a", b"x")
        raw.writestr("lib/arm64-v8a/libtensorflowlite_jni.so", link_so("arm64-v8a", True))
    assert run([zipalign, "-c", "-p", "4", tmp_path / "raw.apk"]).returncode != 0


# --- The minimum API level: in the manifest, and read back from every library ---

def _aar_with_api(tmp_path, levels: dict) -> str:
    entries = {"AndroidManifest.xml": b'<manifest package="org.tensorflow.lite"/>', "classes.jar": b"PK"}
    for abi, api in levels.items():
        entries[f"jni/{abi}/{RUNTIME_SO}"] = make_so(abi, b"x" * 64, align=16384, api_level=api)
    return str(make_aar(tmp_path / "a.aar", entries))


def test_every_library_must_be_built_for_the_declared_level(tmp_path):
    path = _aar_with_api(tmp_path, {"arm64-v8a": 26, "armeabi-v7a": 26})
    assert check_aar(path, ("arm64-v8a", "armeabi-v7a"), RUNTIME_SO, min_api=26).size > 0
    with pytest.raises(BuildError, match=r"jni/arm64-v8a/libtensorflowlite_jni.so is built for API level 26, "
                                         r"but the AAR declares minSdkVersion 21"):
        check_aar(path, ("arm64-v8a", "armeabi-v7a"), RUNTIME_SO, min_api=21)
    mixed = _aar_with_api(tmp_path, {"arm64-v8a": 26, "armeabi-v7a": 21})
    with pytest.raises(BuildError, match="armeabi-v7a/libtensorflowlite_jni.so is built for API level 21"):
        check_aar(mixed, ("arm64-v8a", "armeabi-v7a"), RUNTIME_SO, min_api=26)
    bare = _aar_with_api(tmp_path, {"arm64-v8a": None})
    with pytest.raises(BuildError, match=r"has no .note.android.ident \(not linked by the NDK\)"):
        check_aar(bare, ("arm64-v8a",), RUNTIME_SO, min_api=26)
    assert check_aar(bare, ("arm64-v8a",), RUNTIME_SO).size > 0  # unknown level (Docker): not checked


@pytest.mark.parametrize(
    "manifest, expected",
    [
        ('<manifest package="p">\n    <uses-sdk\n        android:minSdkVersion="21" />\n</manifest>',
         '<manifest package="p">\n    <uses-sdk\n        android:minSdkVersion="26" />\n</manifest>'),
        ('<manifest package="p"/>', '<manifest package="p">\n    <uses-sdk android:minSdkVersion="26" />\n</manifest>'),
        ('<?xml version="1.0"?>\n<manifest xmlns:android="a" package="p">\n<application/>\n</manifest>\n',
         '<?xml version="1.0"?>\n<manifest xmlns:android="a" package="p">\n    <uses-sdk android:minSdkVersion="26" />\n'
         '\n<application/>\n</manifest>\n'),
    ],
)
def test_the_manifest_declares_the_level(manifest, expected):
    from tflite_slim.runtime.artifacts.aar import set_min_sdk

    assert set_min_sdk(manifest, 26) == expected
    assert set_min_sdk(set_min_sdk(manifest, 26), 26) == expected  # idempotent


def test_finish_writes_the_level_into_the_manifest(tmp_path):
    src = _aar_with_api(tmp_path, {"arm64-v8a": 24})
    finish_aar(src, str(tmp_path / "out.aar"), RUNTIME_PROGUARD, min_sdk=24)
    with zipfile.ZipFile(tmp_path / "out.aar") as z:
        assert 'android:minSdkVersion="24"' in z.read("AndroidManifest.xml").decode()
    check_aar(str(tmp_path / "out.aar"), ("arm64-v8a",), RUNTIME_SO, min_api=24)


def test_desktop_libraries_have_no_android_note_and_are_not_asked_for_one(tmp_path):
    """A CMake build for host and Android ABIs: the level is read from the Android libraries only."""
    entries = {"AndroidManifest.xml": b'<manifest package="org.tensorflow.lite"/>', "classes.jar": b"PK",
               f"jni/arm64-v8a/{RUNTIME_SO}": make_so("arm64-v8a", b"x" * 64, align=16384, api_level=23),
               f"jni/linux-x86_64/{RUNTIME_SO}": make_so("x86_64", b"x" * 64, align=16384)}  # same ELF identity
    path = str(make_aar(tmp_path / "mixed.aar", entries))
    report = check_aar(path, ("arm64-v8a", "linux-x86_64"), RUNTIME_SO, min_api=23)
    assert [abi for abi, _ in report.so_sizes] == ["arm64-v8a", "linux-x86_64"]
    with pytest.raises(BuildError, match="arm64-v8a/libtensorflowlite_jni.so is built for API level 23"):
        check_aar(path, ("arm64-v8a", "linux-x86_64"), RUNTIME_SO, min_api=26)
