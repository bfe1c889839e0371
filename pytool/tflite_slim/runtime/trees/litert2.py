"""LiteRT's 2.x runtime (``com.google.ai.edge.litert:litert`` 2.x): its release lines, told apart by the tree.

tflite-slim builds LiteRT's 1.x Interpreter line (``tflite/java``, ``libtensorflowlite_jni.so``). The 2.x
artifacts are built from ``litert/kotlin`` around other libraries, and their layout changed twice within 2.x;
this module holds what each line ships, where each fact was read, and why a line is not trimmed (2.0.x,
2.1.0-2.1.5), so such a release is refused with that reason before anything is downloaded. 2.1.6+ and 2.2.0
are trimmed by :mod:`tflite_slim.runtime.litert2build`.

Every fact below was read at the tags named (``git show <tag>:<path>`` in google-ai-edge/LiteRT); the table
is also in ``docs/litert2.md``. Facts, not code: nothing of LiteRT is copied.

* ``litert/version.bzl``: ``LITERT_EXPERIMENTAL_VERSION`` exists from the 2.x tags on (not at v1.0.1-v1.4.1)
  and does not name the release: ``2.1.0`` at v2.1.1, ``2.2.0`` at v2.1.3-v2.1.6. A tree's line is therefore
  read from its files (:func:`line_of_tree`), a release's from its tag (:func:`line_of_version`).
* ``litert/kotlin/BUILD``: the ``tflite_jni_binary`` targets and the ``aar_with_jni`` AARs, per line below.
* ``litert/kotlin/src/copied_from_tflite/java/org/tensorflow/lite/TensorFlowLite.java`` (from v2.1.0):
  the Interpreter's classes come from ``tflite/java`` (copied, some with changes), and ``TensorFlowLite``
  loads ``LiteRt`` (``LIB_NAME = "LiteRt"``); at v1.x ``tflite/java``'s loads ``tensorflowlite_jni``.
* Kernels: every route ends in ``tflite/core/kernels/register.cc``'s ``BuiltinOpResolver::BuiltinOpResolver()``
  (``litert/runtime/compiled_model.cc`` makes a ``BuiltinOpResolverWithoutDefaultDelegates``, a subclass;
  ``tflite/core/create_op_resolver_with_builtin_ops.cc``'s ``tflite::CreateOpResolver()``, which the TFLite
  JNI calls in ``nativeinterpreterwrapper_jni.cc``, makes the same), and from v2.1.4
  ``compiled_model.cc`` also makes ``BuiltinRefOpResolver`` (``tflite/kernels/register_ref.cc``) when
  reference CPU kernels are asked for. ``--define=litert_builtin_ops=false`` (``litert/BUILD``
  ``without_builtin_ops``) swaps CompiledModel's resolver for ``StubOpResolver`` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

#: The last tag these facts were read at.
CHECKED_UP_TO = "v2.2.0"

_EXPERIMENTAL = re.compile(r'^LITERT_EXPERIMENTAL_VERSION\s*=\s*"([^"]+)"', re.M)
_RELEASE = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True)
class ReleaseLine:
    """One shape of the 2.x runtime: what its AARs hold and what tflite-slim lacks to trim it."""

    #: ``2.0.x``, ``2.1.0-2.1.5``, ``2.1.6+``, ``2.2.0``.
    name: str
    #: The tags read for these facts.
    tags: tuple[str, ...]
    #: Maven artifact -> the libraries its AAR's ``jni/<abi>/`` holds (as ``litert/kotlin/BUILD`` links them).
    artifacts: tuple[tuple[str, tuple[str, ...]], ...]
    #: The ``litert/kotlin/BUILD`` targets that build them.
    targets: tuple[str, ...]
    #: Whether the 2.x AAR carries the Interpreter API (``org.tensorflow.lite.*``, from ``tflite/java``).
    interpreter_api: bool
    #: The library ``org.tensorflow.lite.TensorFlowLite`` loads (None: no Interpreter API in the AAR).
    interpreter_loads: Optional[str]
    #: The library the Kotlin CompiledModel classes load (``System.loadLibrary`` in ``Environment.kt``).
    kotlin_loads: str
    #: How the JNI reaches the runtime.
    runtime_link: str
    #: Why tflite-slim does not trim this line (the refusal's reason); empty for a line it trims.
    missing: str

    @property
    def trimmed(self) -> bool:
        """Whether ``tflite-slim build --litert-version`` trims this line (the CMake path: 2.1.6+ and 2.2.0)."""
        return not self.missing

    def refusal(self, what: str, version: str) -> str:
        """The one line said for release ``version`` of this line where it is not built (``what``: the request)."""
        if self.trimmed:
            return (f"{what}: LiteRT {self.name} ({self.shipped()}) is trimmed by `tflite-slim build "
                    f"--litert-version {version} --backend cmake --stock-aar FILE` (a drop-in for "
                    f"com.google.ai.edge.litert:litert:{version}); `tflite-slim plan` gives its coordinates and "
                    "--backend local --dry-run --litert-source DIR the Bazel spec; other dry runs do not cover 2.x yet")
        return (f"{what}: LiteRT {self.name} ({self.shipped()}): not trimmed: {self.missing}; keep the stock "
                f"com.google.ai.edge.litert:litert:{version}, or move the app to litert 2.1.6 or later")

    def shipped(self) -> str:
        return "; ".join(f"{a}: {', '.join(libs)}" for a, libs in self.artifacts)


LINES = (
    ReleaseLine(
        name="2.0.x",
        tags=("v2.0.2", "v2.0.3"),
        # litert_kotlin_api_native_deps exports :litert_jni_lib and //litert/c:litert_runtime_c_api_shared_lib,
        # the cc_library "based on libLiteRtRuntimeCApi.so" (litert/c/BUILD).
        artifacts=(("litert", ("liblitert_jni.so", "libLiteRtRuntimeCApi.so")),),
        targets=("//litert/kotlin:litert_jni", "//litert/kotlin:litert"),
        interpreter_api=False,
        interpreter_loads=None,
        kotlin_loads="litert_jni",
        runtime_link="liblitert_jni.so links the CompiledModel JNI; the runtime is libLiteRtRuntimeCApi.so",
        # litert/c/BUILD: litert_runtime_c_api_so, a cc_shared_library named libLiteRtRuntimeCApi.so.
        missing="its kernels sit in libLiteRtRuntimeCApi.so (//litert/c:litert_runtime_c_api_so), which "
                "liblitert_jni.so links, and its litert/c/CMakeLists.txt builds no shared library",
    ),
    ReleaseLine(
        name="2.1.0-2.1.5",
        tags=("v2.1.0", "v2.1.1", "v2.1.2", "v2.1.3", "v2.1.4", "v2.1.5"),
        artifacts=(("litert", ("libLiteRt.so",)),),
        targets=("//litert/kotlin:LiteRt", "//litert/kotlin:litert"),
        interpreter_api=True,
        interpreter_loads="LiteRt",
        kotlin_loads="LiteRt",
        runtime_link="one libLiteRt.so: CompiledModel JNI, runtime (litert_tflite_runtime_c_api_so_shim) "
                     "and the TFLite JNI (//tflite/java/src/main/native)",
        # litert/kotlin/src/main/jni has no CMakeLists.txt at v2.1.0-v2.1.5; litert/c/CMakeLists.txt names its
        # shared library LiteRtRuntimeCApi at v2.1.0-v2.1.2.
        missing="its libLiteRt.so also holds the CompiledModel JNI (litert/kotlin/src/main/jni), which no CMake "
                "file of the tree builds, and v2.1.0-v2.1.2 name the CMake library LiteRtRuntimeCApi",
    ),
    ReleaseLine(
        name="2.1.6+",
        tags=("v2.1.6",),
        artifacts=(("litert-api", ("liblitert_jni.so",)), ("litert", ("libLiteRt.so",))),
        targets=("//litert/kotlin:litert_jni", "//litert/kotlin:LiteRt", "//litert/kotlin:litert-api-aar",
                 "//litert/kotlin:litert-aar"),
        interpreter_api=True,
        interpreter_loads="LiteRt",
        kotlin_loads="litert_jni",
        # litert/cc/internal/litert_runtime_builtin.h: an inline pointer to a struct of the LiteRt* functions;
        # ci/build_android_package.sh builds litert-api-aar with --define=litert_runtime_link_mode=dynamic, which
        # makes litert/cc/internal:litert_runtime_proxy depend on litert_runtime_builtin_dynamic
        # (-> //litert/c:litert_runtime_c_api_shared_lib, libLiteRt.so) instead of the static runtime.
        runtime_link="liblitert_jni.so (exports Java_* only, built with --define=litert_runtime_link_mode=dynamic) "
                     "links libLiteRt.so and calls it through the header-inline kLiteRtRuntimeBuiltin table of the "
                     "LiteRt* functions libLiteRt.so exports (Java_*, TfLite*, LiteRt*)",
        missing="",
    ),
    ReleaseLine(
        name="2.2.0",
        tags=("v2.2.0",),
        artifacts=(("litert-api", ("liblitert_jni.so",)), ("litert", ("libLiteRt.so",))),
        targets=("//litert/kotlin:litert_jni", "//litert/kotlin:LiteRt", "//litert/kotlin:litert-api-aar",
                 "//litert/kotlin:litert-aar"),
        interpreter_api=True,
        interpreter_loads="LiteRt",
        kotlin_loads="litert_jni",
        # litert/c/internal/litert_runtime_builtin.cc: GetLiteRtRuntimeBuiltin() under
        # LITERT_CC_RUNTIME_BUILTIN_NONE on Android; litert/c/internal/litert_runtime_api_export.h.
        runtime_link="liblitert_jni.so dlopens libLiteRt.so and looks up the exported data symbol "
                     "kLiteRtRuntimeBuiltin (LITERT_CC_RUNTIME_BUILTIN_NONE on Android)",
        missing="",
    ),
)
LINE_BY_NAME = {line.name: line for line in LINES}


def line_of_version(version: str) -> Optional[ReleaseLine]:
    """The line of a 2.x release ``X.Y.Z`` (its tag), None for a 2.x release newer than those read."""
    m = _RELEASE.match(version)
    if not m or m.group(1) != "2":
        raise ValueError(f"{version!r} is not a LiteRT 2.x release")
    minor, patch = int(m.group(2)), int(m.group(3))
    if minor == 0:
        return LINE_BY_NAME["2.0.x"]
    if minor == 1:
        return LINE_BY_NAME["2.1.0-2.1.5"] if patch <= 5 else LINE_BY_NAME["2.1.6+"] if patch == 6 else None
    if minor == 2 and patch == 0:
        return LINE_BY_NAME["2.2.0"]
    return None


def refusal_for_version(version: str, option: str = "--litert-version") -> str:
    """Why ``--litert-version <2.x>`` is refused, in one line, before anything is downloaded."""
    line = line_of_version(version)
    what = f"{option} {version}"
    if line is None:
        return (f"{what}: a LiteRT 2.x release newer than those tflite-slim has read (up to {CHECKED_UP_TO}); "
                "its layout is not known, so it is not trimmed; keep the stock runtime")
    return line.refusal(what, version)


def experimental_version(root: Path) -> Optional[str]:
    """``LITERT_EXPERIMENTAL_VERSION`` in ``litert/version.bzl`` (the 2.x line's, not the release), else None."""
    bzl = root / "litert/version.bzl"
    if not bzl.is_file():
        return None
    m = _EXPERIMENTAL.search(bzl.read_text(errors="replace"))
    return m.group(1) if m else None


#: Files that tell the lines apart (each present from the first tag of its line on, absent before).
TWO_ARTIFACTS = "litert/kotlin/litert_api_version_script.lds"  # v2.1.6+
RUNTIME_EXPORT = "litert/c/internal/litert_runtime_api_export.h"  # v2.2.0
INTERPRETER_COPY = "litert/kotlin/src/copied_from_tflite/java/org/tensorflow/lite/TensorFlowLite.java"  # v2.1.0+
KOTLIN_BUILD = "litert/kotlin/BUILD"


def line_of_tree(root: Path) -> Optional[ReleaseLine]:
    """The 2.x line a LiteRT tree builds, read from its files; None for a tree without one (the 1.x tags).

    A tree without ``LITERT_EXPERIMENTAL_VERSION`` is a 1.x tag (v1.x ships ``litert/kotlin`` too, for the
    1.x line). Which 2.x line is read from the files listed above, not from that version (see the module).
    """
    version = experimental_version(root)
    if version is None or not version.startswith("2.") or not (root / KOTLIN_BUILD).is_file():
        return None
    if (root / TWO_ARTIFACTS).is_file():
        return LINE_BY_NAME["2.2.0" if (root / RUNTIME_EXPORT).is_file() else "2.1.6+"]
    if (root / INTERPRETER_COPY).is_file():
        return LINE_BY_NAME["2.1.0-2.1.5"]
    return LINE_BY_NAME["2.0.x"]


def tree_note(root: Path, line: ReleaseLine, version_1x: str) -> str:
    """What a build from a 2.x checkout makes: its 1.x Interpreter line, never the 2.x runtime."""
    how = (f"the 2.x runtime is built with --litert-version <its tag> --litert-source {root} --stock-aar FILE"
           if line.trimmed else f"the 2.x runtime of this line is not trimmed: {line.missing}")
    return (f"tflite-slim: note: {root} is a LiteRT {line.name} tree; this builds its 1.x Interpreter line "
            f"(tflite/java, libtensorflowlite_jni.so, version {version_1x}), which a "
            f"com.google.ai.edge.litert:litert 2.x app does not load; {how}")
