"""A fake TensorFlow checkout that ``tests/standin/bazel`` accepts.

It has the files the real build looks at, under TensorFlow's real names: the
``WORKSPACE`` marking the Bazel workspace root, ``.tf_configure.bazelrc`` as
``./configure`` writes it (with the Android SDK/NDK lines only when
``configured``), the version in ``tensorflow/tf_version.bzl`` and
``tensorflow/core/public/version.h``, and the ``.bzl`` files whose macros the
generated BUILD file loads. The macros' bodies are not TensorFlow's; the
stand-in checks calls against the signatures it knows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

STANDIN_DIR = Path(__file__).resolve().parent
#: The stand-in executable (a Python script).
BAZEL = STANDIN_DIR / "bazel"

_ANDROID_LINES = (
    'build --action_env ANDROID_NDK_HOME="/opt/android-ndk"\n'
    'build --action_env ANDROID_NDK_API_LEVEL="21"\n'
    'build --action_env ANDROID_BUILD_TOOLS_VERSION="31.0.0"\n'
    'build --action_env ANDROID_SDK_API_LEVEL="23"\n'
    'build --action_env ANDROID_SDK_HOME="/opt/android-sdk"\n'
)


def make_tensorflow_workspace(
    directory: Union[str, Path], version: str = "2.16.1", configured: bool = True
) -> Path:
    """Create the fake checkout in ``directory`` (created if needed) and return its path."""
    root = Path(directory)
    major, minor, patch = version.split(".")
    files = {
        "WORKSPACE": 'workspace(name = "org_tensorflow")\n',
        "LICENSE": "Apache License 2.0 (stand-in checkout)\n",
        "configure": "#!/bin/sh\necho 'stand-in: run the real ./configure in a real checkout'\n",
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
        "tensorflow/lite/build_def.bzl": (
            "def tflite_custom_android_library(name, models = [], srcs = [], deps = [],\n"
            "        custom_package = 'org.tensorflow.lite', visibility = ['//visibility:private'],\n"
            "        include_xnnpack_delegate = True, include_nnapi_delegate = True, experimental = False):\n"
            "    pass\n"
        ),
        "tensorflow/lite/java/BUILD": "",
        "tensorflow/lite/java/aar_with_jni.bzl": "def aar_with_jni(name, android_library, **kwargs):\n    pass\n",
        "tensorflow/lite/java/AndroidManifest.xml": (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<manifest xmlns:android="http://schemas.android.com/apk/res/android"\n'
            '    package="org.tensorflow.lite">\n    <uses-sdk android:minSdkVersion="19" />\n</manifest>\n'
        ),
        "tensorflow/lite/java/proguard.flags": "-keep class org.tensorflow.lite.** { *; }\n",
        "tensorflow/lite/delegates/flex/BUILD": "",
        "tensorflow/lite/delegates/flex/build_def.bzl": (
            "def tflite_flex_android_library(name, **kwargs):\n    pass\n"
        ),
        "tensorflow/lite/tools/build_aar.sh": "#!/bin/bash\necho stand-in\n",
        "tensorflow/tools/dockerfiles/tflite-android.Dockerfile": "FROM tensorflow/tensorflow:devel\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "configure").chmod(0o755)
    return root
