"""AAR checks and the byte-stable finishing step (consumer ProGuard rules)."""

from __future__ import annotations

import zipfile

import pytest

from tflite_slim.aar import FLEX_PROGUARD, RUNTIME_PROGUARD, RUNTIME_SO, check_aar, finish_aar
from tflite_slim.errors import BuildError


def make_aar(path, entries, date=(2024, 5, 6, 7, 8, 10)):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name, date), data)
    return str(path)


FULL = {
    "AndroidManifest.xml": "<manifest/>",
    "classes.jar": b"PK",
    "R.txt": "",
    "jni/arm64-v8a/libtensorflowlite_jni.so": b"\x7fELF" + b"a" * 100,
    "jni/armeabi-v7a/libtensorflowlite_jni.so": b"\x7fELF" + b"b" * 50,
}


def test_check_reports_sizes(tmp_path):
    path = make_aar(tmp_path / "x.aar", FULL)
    report = check_aar(path, ("arm64-v8a", "armeabi-v7a"), RUNTIME_SO)
    assert report.so_sizes == (("arm64-v8a", 104), ("armeabi-v7a", 54))
    assert report.file_name == "x.aar" and report.size == (tmp_path / "x.aar").stat().st_size
    assert report.to_json()["so_sizes"] == {"arm64-v8a": 104, "armeabi-v7a": 54}


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
