"""A fake TensorFlow checkout that ``tests/standin/bazel`` accepts.

It has the files the real build looks at, under TensorFlow's real names: the
``WORKSPACE`` marking the Bazel workspace root, ``.tf_configure.bazelrc`` as
``./configure`` writes it (with the Android SDK/NDK lines only when
``configured``; no such file when ``configured`` is None, as in GitHub's
archive), ``configure``/``configure.py`` (the stand-in ``configure.py`` of this
directory, which asks TensorFlow's questions and checks the SDK/NDK as the real
one does), the version in ``tensorflow/tf_version.bzl`` and
``tensorflow/core/public/version.h``, the ``.bzl`` files whose macros the
generated BUILD file loads (with the real macros' signatures; the bodies are
not TensorFlow's, the stand-in reads only the ``def`` lines), the ``bazel
build`` lines of ``build_aar.sh`` and the configure answers of
``build_aar_with_docker.sh`` as recent releases have them, and the kernel
header and ``register.cc`` lines the kernel check reads, for that version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

STANDIN_DIR = Path(__file__).resolve().parent
#: The stand-in executable (a Python script).
BAZEL = STANDIN_DIR / "bazel"
CONFIGURE_PY = STANDIN_DIR / "configure.py"

_ANDROID_LINES = (
    'build --action_env ANDROID_NDK_HOME="/opt/android-ndk"\n'
    'build --action_env ANDROID_NDK_API_LEVEL="21"\n'
    'build --action_env ANDROID_BUILD_TOOLS_VERSION="31.0.0"\n'
    'build --action_env ANDROID_SDK_API_LEVEL="23"\n'
    'build --action_env ANDROID_SDK_HOME="/opt/android-sdk"\n'
)


#: ``tflite_custom_android_library`` as releases after the Java API split declare it (the
#: body is not TensorFlow's; the stand-in bazel reads only the signature).
BUILD_DEF_AFTER_SPLIT = (
    '"""Build macros for TF Lite (stand-in)."""\n\n'
    "def tflite_custom_android_library(\n        name,\n        models = [],\n        srcs = [],\n"
    "        deps = [],\n        custom_package = \"org.tensorflow.lite\",\n"
    "        visibility = [\"//visibility:private\"],\n        include_xnnpack_delegate = True,\n"
    "        include_nnapi_delegate = True,\n        experimental = False):\n    pass\n"
)

#: The two ``bazel build`` lines of build_aar.sh as recent releases have them (the rest of the
#: script is left out: tflite-slim reads only these).
BUILD_AAR_SH = """#!/bin/bash
function generate_tflite_aar {
  bazel ${CACHE_DIR_FLAG} build -c opt --cxxopt='--std=c++17' \\
        --fat_apk_cpu=${TARGET_ARCHS} \\
        --define=xnn_enable_arm_fp16=false \\
        --host_crosstool_top=@bazel_tools//tools/cpp:toolchain \\
        //tmp:tensorflow-lite
}

function generate_flex_aar {
  bazel ${CACHE_DIR_FLAG} build -c opt --cxxopt='--std=c++17' \\
      --fat_apk_cpu=${TARGET_ARCHS} \\
      --define=xnn_enable_arm_fp16=false \\
      --host_crosstool_top=@bazel_tools//tools/cpp:toolchain \\
      //tmp:tensorflow-lite-select-tf-ops
}
"""

#: The configure step of a recent build_aar_with_docker.sh (clang answered, LLVM 18).
BUILD_AAR_WITH_DOCKER_SH = """#!/bin/bash
  cd /tensorflow_src
  configs=(
    '/usr/bin/python3'
    '/usr/lib/python3/dist-packages'
    'N'
    'N'
    'Y'
    '/usr/lib/llvm-18/bin/clang'
    '-Wno-sign-compare -Wno-c++20-designator -Wno-gnu-inline-cpp-without-extern'
    'y'
    '/android/sdk'
  )
  printf '%s\\n' "${configs[@]}" | ./configure
"""

#: The custom ops register.cc adds with AddCustom in every release so far.
REGISTER_CC = "".join(
    f'  AddCustom("{name}", tflite::ops::custom::Register_{fn}());\n'
    for name, fn in (("NumericVerify", "NUMERIC_VERIFY"), ("Mfcc", "MFCC"),
                     ("AudioSpectrogram", "AUDIO_SPECTROGRAM"),
                     ("TFLite_Detection_PostProcess", "DETECTION_POSTPROCESS"))
)


def builtin_op_kernels_h(version: str) -> str:
    """The kernel header of release ``version``: a ``Register_<OP>()`` per builtin that release has.

    Derived from the schema's op list, leaving out the codes no release has a
    kernel for and the ops first shipped after ``version`` (TensorFlow's
    runtime_version table, as tflite_slim.runtime.trees.kernels records it).
    """
    from tflite_slim.runtime.trees.kernels import FIRST_RELEASE, NEVER_KERNELS
    from tflite_slim.analysis.schema import BUILTIN_OPERATOR_NAMES

    def key(v: str) -> tuple:
        return tuple(int(x) for x in v.split("-")[0].split("."))

    ops = [op for op in BUILTIN_OPERATOR_NAMES
           if op not in NEVER_KERNELS and key(FIRST_RELEASE.get(op, "0.0.0")) <= key(version)]
    return ("namespace tflite {\nnamespace ops {\nnamespace builtin {\n\n"
            + "".join(f"TfLiteRegistration* Register_{op}();\n" for op in ops)
            + "\n}  // namespace builtin\n}  // namespace ops\n}  // namespace tflite\n")


def make_tensorflow_workspace(
    directory: Union[str, Path], version: str = "2.16.1", configured: Optional[bool] = True
) -> Path:
    """Create the fake checkout in ``directory`` (created if needed) and return its path.

    ``configured``: True, ./configure answered for Android; False, configured
    without Android; None, never configured (a fresh clone or release archive).
    """
    root = Path(directory)
    major, minor, patch = version.split(".")
    files = {
        "WORKSPACE": 'workspace(name = "org_tensorflow")\n',
        "LICENSE": "Apache License 2.0 (stand-in checkout)\n",
        # As TensorFlow's: run configure.py with PYTHON_BIN_PATH (else python3).
        "configure": ('#!/usr/bin/env bash\nset -e\n'
                      'PYTHON_BIN_PATH="${PYTHON_BIN_PATH:-$(which python3 || which python)}"\n'
                      '"$PYTHON_BIN_PATH" "$(dirname "$0")/configure.py" "$@"\necho "Configuration finished"\n'),
        "configure.py": CONFIGURE_PY.read_text(),
        "tools/.keep": "",
        ".bazelrc": "try-import %workspace%/.tf_configure.bazelrc\n",
        ".tf_configure.bazelrc": (
            'build --action_env PYTHON_BIN_PATH="/usr/bin/python3"\n'
            "build:opt --copt=-Wno-sign-compare\n"
            + (_ANDROID_LINES if configured else "")
        ),
        "tensorflow/BUILD": "",
        "tensorflow/tf_version.bzl": f'TF_VERSION = "{version}"\n',
        "tensorflow/core/public/version.h": (
            f"#define TF_MAJOR_VERSION {major}\n#define TF_MINOR_VERSION {minor}\n"
            f'#define TF_PATCH_VERSION {patch}\n#define TF_VERSION_SUFFIX ""\n'
        ),
        "tensorflow/lite/BUILD": "",
        "tensorflow/lite/build_def.bzl": BUILD_DEF_AFTER_SPLIT,
        "tensorflow/lite/java/BUILD": "",
        "tensorflow/lite/java/aar_with_jni.bzl": (
            "def aar_with_jni(\n        name,\n        android_library,\n        headers = None,\n"
            "        flatten_headers = False):\n    pass\n"
        ),
        "tensorflow/lite/java/AndroidManifest.xml": (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<manifest xmlns:android="http://schemas.android.com/apk/res/android"\n'
            '    package="org.tensorflow.lite">\n    <uses-sdk android:minSdkVersion="19" />\n</manifest>\n'
        ),
        "tensorflow/lite/java/proguard.flags": "-keep class org.tensorflow.lite.** { *; }\n",
        "tensorflow/lite/delegates/flex/BUILD": "",
        "tensorflow/lite/delegates/flex/build_def.bzl": (
            "def tflite_flex_android_library(\n        name,\n        models = [],\n"
            "        custom_package = \"org.tensorflow.lite.flex\",\n"
            "        visibility = [\"//visibility:private\"]):\n    pass\n"
        ),
        "tensorflow/lite/tools/build_aar.sh": BUILD_AAR_SH,
        "tensorflow/lite/tools/build_aar_with_docker.sh": BUILD_AAR_WITH_DOCKER_SH,
        "tensorflow/lite/kernels/builtin_op_kernels.h": builtin_op_kernels_h(version),
        "tensorflow/lite/kernels/register.cc": REGISTER_CC,
        "tensorflow/tools/dockerfiles/tflite-android.Dockerfile": "FROM tensorflow/tensorflow:devel\n",
    }
    if configured is None:
        del files[".tf_configure.bazelrc"]
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "configure").chmod(0o755)
    return root


_LITERT_ANDROID_LINES = _ANDROID_LINES


def _kernel_header(guard: str) -> str:
    """``tflite/core/kernels/builtin_op_kernels.h``: ``Register_<OP>()`` for every builtin op with a kernel."""
    from tflite_slim.analysis import schema

    skip = {"CUSTOM", "DELEGATE", "PLACEHOLDER_FOR_GREATER_OP_CODES"}
    names = sorted({schema.builtin_name(c) for c in range(256)} - skip)
    decls = "".join(f"TfLiteRegistration* Register_{n}();\n" for n in names if not n.startswith("BUILTIN_"))
    return (f"#ifndef {guard}\n#define {guard}\n#include \"tflite/core/c/common.h\"\n"
            f"namespace tflite {{\nnamespace ops {{\nnamespace builtin {{\n"
            f"{decls}}}  // namespace builtin\n}}  // namespace ops\n}}  // namespace tflite\n#endif\n")


#: ``tflite/kernels/builtin_op_kernels.h`` as LiteRT HEAD (f67457790) has it: it declares nothing itself,
#: it includes the core header and re-exports the names listed in ``builtin_ops_list.inc``.
LITERT_FORWARDING_KERNELS_H = """#ifndef TENSORFLOW_LITE_KERNELS_BUILTIN_OP_KERNELS_H_
#define TENSORFLOW_LITE_KERNELS_BUILTIN_OP_KERNELS_H_

#include "tflite/core/kernels/builtin_op_kernels.h"

namespace tflite {
namespace ops {
namespace builtin {

#define TFLITE_OP(NAME) \\
    using ::tflite::ops::builtin::NAME;

#include "tflite/kernels/builtin_ops_list.inc"

#undef TFLITE_OP

}  // namespace builtin
}  // namespace ops
}  // namespace tflite

#endif  // TENSORFLOW_LITE_KERNELS_BUILTIN_OP_KERNELS_H_
"""

#: LiteRT HEAD's ``.bazelrc`` Android lines (f67457790, lines 45-168 and 493), in its order.
LITERT_BAZELRC = """build --incompatible_enable_cc_toolchain_resolution
build:clang_local --noincompatible_enable_cc_toolchain_resolution
build:clang_local --noincompatible_enable_android_toolchain_resolution
build:android --config=clang_local
build:android --crosstool_top=//external:android/crosstool
build:android --host_crosstool_top=@bazel_tools//tools/cpp:toolchain
build:android_arm --config=android
build:android_arm --cpu=armeabi-v7a
build:android_arm --fat_apk_cpu=armeabi-v7a
build:android_arm --platforms=@org_tensorflow//tensorflow/tools/toolchains/android:armeabi-v7a
build:android_arm64 --config=android
build:android_arm64 --cpu=arm64-v8a
build:android_arm64 --fat_apk_cpu=arm64-v8a
build:android_arm64 --platforms=@org_tensorflow//tensorflow/tools/toolchains/android:arm64-v8a
build:android_arm64 --incompatible_enable_cc_toolchain_resolution
build:android_arm64 --incompatible_enable_android_toolchain_resolution
build:android_x86 --config=android
build:android_x86 --cpu=x86
build:android_x86 --fat_apk_cpu=x86
build:android_x86 --platforms=@org_tensorflow//tensorflow/tools/toolchains/android:x86
build:android_x86_64 --config=android
build:android_x86_64 --cpu=x86_64
build:android_x86_64 --fat_apk_cpu=x86_64
build:android_x86_64 --platforms=@org_tensorflow//tensorflow/tools/toolchains/android:x86_64
try-import %workspace%/.litert_configure.bazelrc
"""

#: LiteRT HEAD's WORKSPACE Android lines (f67457790, lines 418-440): the SDK/NDK from the environment.
LITERT_WORKSPACE_ANDROID = """
load("@rules_android_ndk//:rules.bzl", "android_ndk_repository")

android_ndk_repository(
    name = "androidndk",
    api_level = 26,
)

load("//:android_ndk_env.bzl", "check_android_ndk_env")

check_android_ndk_env(name = "android_ndk_env")

load("@android_ndk_env//:current_android_ndk_env.bzl", "ANDROID_NDK_HOME_IS_SET")

register_toolchains("@androidndk//:all" if ANDROID_NDK_HOME_IS_SET else "@android_ndk_env//:all")

load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")

maybe(
    android_sdk_repository,
    name = "androidsdk",
)
"""


def make_litert_workspace(
    directory: Union[str, Path], version: str = "1.5.0", configured: Optional[bool] = None, tag: str = "head",
) -> Path:
    """A fake LiteRT checkout (``google-ai-edge/LiteRT``), as ``make_tensorflow_workspace`` makes TensorFlow's.

    ``tag="head"`` mirrors HEAD (f67457790, 2026-08-21): a ``WORKSPACE`` that
    declares the SDK/NDK repositories from the environment (rules_android_ndk,
    ``api_level = 26``), so no configure is needed; ``.bazelrc``'s Android
    configs (``android_arm64`` with Android toolchain resolution and
    TensorFlow's platform labels) and its try-import of
    ``.litert_configure.bazelrc``; a ``./configure`` wrapper and
    ``configure.py``; ``litert/version.bzl`` with ``LITERT_FULL_VERSION``
    (``version``), ``LITERT_EXPERIMENTAL_VERSION = "2.3.0"`` and
    ``LITERT_ANDROID_NDK_MIN_SDK_VERSION = 24``; ``tflite/java/AndroidManifest.xml``
    (minSdk 21); ``ci/tflite-android.Dockerfile`` (``ANDROID_NDK_API_LEVEL 21``);
    the kernel header forwarding to ``tflite/core/kernels/builtin_op_kernels.h``
    and ``builtin_ops_list.inc``; the macros under ``tflite/`` with LiteRT's
    signatures. ``tag="v1.4.1"`` mirrors that tag: TensorFlow's workspace
    provides Android (no SDK/NDK repositories in the ``WORKSPACE``), so
    ``./configure`` must write ``.tf_configure.bazelrc`` (which its
    ``.bazelrc`` try-imports), and Android toolchain resolution is off.
    ``configured``: None, no configure file (a fresh clone); True, configured
    for Android; False, configured without Android.
    """
    root = Path(directory)
    head = tag == "head"
    rc = ".litert_configure.bazelrc" if head else ".tf_configure.bazelrc"
    bazelrc = LITERT_BAZELRC if head else (
        LITERT_BAZELRC.replace("build:android_arm64 --incompatible_enable_android_toolchain_resolution\n", "")
        .replace("build:android_arm64 --incompatible_enable_cc_toolchain_resolution\n", "")
        .replace("build --incompatible_enable_cc_toolchain_resolution\n", "")
        .replace(".litert_configure.bazelrc", ".tf_configure.bazelrc")
        + "common --noincompatible_enable_android_toolchain_resolution\n")
    files = {
        "WORKSPACE": 'workspace(name = "litert")\n' + (LITERT_WORKSPACE_ANDROID if head else ""),
        "LICENSE": "Apache License 2.0 (stand-in LiteRT checkout)\n",
        # LiteRT's ./configure (since 2024-12): run configure.py with PYTHON_BIN_PATH (else python3).
        "configure": ('#!/usr/bin/env bash\nset -e\nset -o pipefail\n'
                      'if [ -z "$PYTHON_BIN_PATH" ]; then\n'
                      '  PYTHON_BIN_PATH=$(which python3 || which python || true)\nfi\n'
                      'CONFIGURE_DIR=$(dirname "$0")\n"$PYTHON_BIN_PATH" "${CONFIGURE_DIR}/configure.py" "$@"\n'
                      'echo "Configuration finished"\n'),
        "configure.py": CONFIGURE_PY.read_text().replace('".tf_configure.bazelrc"', f'"{rc}"'),
        "tools/.keep": "",
        ".bazelrc": bazelrc,
        rc: (
            'build --action_env PYTHON_BIN_PATH="/usr/bin/python3"\n'
            "build:opt --copt=-Wno-sign-compare\n"
            + (_LITERT_ANDROID_LINES if configured else "")
        ),
        "litert/BUILD": "",
        "litert/version.bzl": (
            '"""Contains the version of litert."""\n\n'
            f'# The next version of LiteRT.\nLITERT_FULL_VERSION = "{version}"\n\n'
            + ('LITERT_EXPERIMENTAL_VERSION = "2.3.0"\n\n'
               "LITERT_ANDROID_NDK_MIN_SDK_VERSION = 24\n" if head else "")
        ),
        "tflite/BUILD": "",
        "tflite/build_def.bzl": (
            "def tflite_custom_android_library(\n        name,\n        models = [],\n        srcs = [],\n"
            "        deps = [],\n        custom_package = 'org.tensorflow.lite',\n"
            "        visibility = ['//visibility:private'],\n        include_xnnpack_delegate = True,\n"
            "        include_nnapi_delegate = True,\n        experimental = False):\n    pass\n"
        ),
        "tflite/kernels/BUILD": "",
        "tflite/kernels/builtin_op_kernels.h": LITERT_FORWARDING_KERNELS_H,
        "tflite/kernels/builtin_ops_list.inc": "TFLITE_OP(Register_ADD)\nTFLITE_OP(Register_AVERAGE_POOL_2D)\n",
        "tflite/core/kernels/builtin_op_kernels.h": _kernel_header("TENSORFLOW_LITE_CORE_KERNELS_BUILTIN_OP_KERNELS_H_"),
        "tflite/java/BUILD": "",
        "tflite/java/aar_with_jni.bzl": (
            "def aar_with_jni(\n        name,\n        android_library,\n        headers = None,\n"
            "        flatten_headers = False,\n        strip_headers_prefix = '',\n"
            "        license_file = '@org_tensorflow//:LICENSE',\n        third_party_notice = None):\n    pass\n"
        ),
        "tflite/java/AndroidManifest.xml": (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<manifest xmlns:android="http://schemas.android.com/apk/res/android"\n'
            '    package="org.tensorflow.lite">\n\n'
            '    <!-- TFLite Java Library is built against NDK API 21. -->\n'
            '    <uses-sdk\n        android:minSdkVersion="21" />\n\n    <application />\n\n</manifest>\n'
        ),
        "tflite/java/proguard.flags": "-keep class org.tensorflow.lite.** { *; }\n",
        "tflite/delegates/flex/BUILD": "",
        "tflite/delegates/flex/build_def.bzl": (
            "def tflite_flex_android_library(\n        name,\n        models = [],\n        additional_deps = [],\n"
            "        custom_package = 'org.tensorflow.lite.flex',\n        testonly = 0,\n"
            "        visibility = ['//visibility:private']):\n    pass\n"
        ),
        "tflite/tools/build_aar.sh": (
            "#!/bin/bash\n# Broken in-tree, like LiteRT's: it still loads TensorFlow's labels.\n"
            "echo 'load(\"//tensorflow/lite:build_def.bzl\", \"tflite_custom_android_library\")'\n"
        ),
        "ci/tflite-android.Dockerfile": "# 21 is required for LiteRT v1 packages.\nENV ANDROID_NDK_API_LEVEL 21\n",
    }
    if configured is None:
        del files[rc]
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "configure").chmod(0o755)
    return root


def make_android_sdk(
    directory: Union[str, Path], api_levels: tuple = ("33", "34"), build_tools: tuple = ("33.0.2", "34.0.0")
) -> Path:
    """An Android SDK as far as configure.py looks: ``platforms/android-<level>`` and ``build-tools/<version>``."""
    root = Path(directory)
    for level in api_levels:
        (root / "platforms" / f"android-{level}").mkdir(parents=True, exist_ok=True)
        (root / "platforms" / f"android-{level}" / "source.properties").write_text(f"AndroidVersion.ApiLevel={level}\n")
    for version in build_tools:
        (root / "build-tools" / version).mkdir(parents=True, exist_ok=True)
        (root / "build-tools" / version / "source.properties").write_text(f"Pkg.Revision={version}\n")
    return root


def make_android_ndk(directory: Union[str, Path], revision: str = "25.2.9519653", meta: bool = True) -> Path:
    """An Android NDK as far as configure.py looks: ``source.properties`` and ``meta/platforms.json``."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    (root / "source.properties").write_text(f"Pkg.Desc = Android NDK\nPkg.Revision = {revision}\n")
    if meta:
        (root / "meta").mkdir(exist_ok=True)
        (root / "meta" / "platforms.json").write_text(
            '{"min": 19, "max": 33, "aliases": {"20": 19, "25": 24, "J": 16, "K": 19, "L": 21, "M": 23}}\n'
        )
    return root


CMAKE_TREE = STANDIN_DIR / "cmaketree"


def copy_cmake_tree(root: Path) -> Path:
    """A copy of the TFLite-shaped CMake stand-in (``cmaketree``, see its README) at ``root/litert``, marked
    as a LiteRT tree (``tflite/build_def.bzl`` with the post-split macro signature), a ``root/tensorflow``
    holding what the build reads from TensorFlow (for ``--tensorflow-source-dir``), and the stand-in's CMake
    dependencies as local directories under ``root/deps`` (:func:`local_dependency_args` names them).
    Builds never write into the repository. Returns ``root``."""
    import shutil

    from standin.deps import HEADERS, TREES, files_of, make_tensorflow_dir
    from standin.tffiles import POST_SPLIT_BUILD_DEF

    shutil.copytree(CMAKE_TREE, root / "litert")
    (root / "litert" / "tflite" / "build_def.bzl").write_text(POST_SPLIT_BUILD_DEF)
    make_tensorflow_dir(root / "tensorflow")
    for name in (*HEADERS, *TREES):
        for path, text in files_of(name).items():
            (root / "deps" / name / path).parent.mkdir(parents=True, exist_ok=True)
            (root / "deps" / name / path).write_text(text)
    return root


def local_dependency_args(root: Path) -> list[str]:
    """``--cmake-dep-source NAME=DIR`` for each dependency :func:`copy_cmake_tree` laid out (offline builds)."""
    return [arg for d in sorted((root / "deps").iterdir()) for arg in ("--cmake-dep-source", f"{d.name}={d}")]
