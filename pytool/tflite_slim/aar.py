"""Checking and finishing the AARs Bazel writes.

``aar_with_jni`` (``tensorflow/lite/java/aar_with_jni.bzl``) zips the
android_library's AAR (``AndroidManifest.xml``, ``classes.jar``, ``R.txt``)
with ``jni/<abi>/*.so`` from a dummy APK and ``LICENSE``. We check that every
requested ABI's library is there, add the consumer ProGuard rules the custom
AAR lacks (``proguard.txt``, which the Android Gradle plugin applies to apps
that shrink), and rewrite the zip byte-stably: sorted entries, fixed
timestamps and permissions, so equal inputs give equal files.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from typing import Sequence

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


@dataclass(frozen=True)
class AarReport:
    """Sizes of one finished AAR and of its native library per ABI."""

    file_name: str
    size: int
    so_sizes: tuple[tuple[str, int], ...]

    def to_json(self) -> dict:
        return {"file": self.file_name, "size": self.size, "so_sizes": dict(self.so_sizes)}


def check_aar(path: str, abis: Sequence[str], so_name: str) -> AarReport:
    """Verify ``path`` is an AAR with a manifest, classes.jar and ``jni/<abi>/<so_name>`` per ABI."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = {i.filename: i for i in z.infolist()}
    except (OSError, zipfile.BadZipFile) as e:
        raise BuildError(f"{path}: Bazel's output is not a readable AAR (zip): {e}") from e
    required = ["AndroidManifest.xml", "classes.jar"] + [f"jni/{abi}/{so_name}" for abi in abis]
    missing = [r for r in required if r not in infos]
    if missing:
        raise BuildError(
            f"{path}: the built AAR lacks {', '.join(missing)}; check the Bazel output above "
            "(an ABI missing from --fat_apk_cpu, or an NDK without that ABI)"
        )
    so_sizes = tuple((abi, infos[f"jni/{abi}/{so_name}"].file_size) for abi in abis)
    return AarReport(os.path.basename(path), os.path.getsize(path), so_sizes)


def finish_aar(src: str, dst: str, proguard_rules: str) -> None:
    """Copy ``src`` to ``dst`` with ``proguard_rules`` in ``proguard.txt``, byte-stably.

    Rules already in the AAR's ``proguard.txt`` are kept; ours are appended
    once (a second pass changes nothing).
    """
    with zipfile.ZipFile(src) as zin:
        entries = {i.filename: zin.read(i) for i in zin.infolist()}
    existing = entries.get(PROGUARD_ENTRY, b"").decode("utf-8")
    if proguard_rules not in existing:
        if existing and not existing.endswith("\n"):
            existing += "\n"
        existing += proguard_rules
    entries[PROGUARD_ENTRY] = existing.encode("utf-8")
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
