"""The stand-in bazel fails where the real build would, and writes AARs of the real layout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from standin.workspace import BAZEL, make_tensorflow_workspace
from tflite_slim.runtime.spec.buildfile import BuildFileSpec, render_build_file
from standin.tffiles import PRE_SPLIT_BUILD_DEF

FLAGS = [
    "-c", "opt", "--cxxopt=--std=c++17", "--fat_apk_cpu=arm64-v8a,armeabi-v7a",
    "--define=xnn_enable_arm_fp16=false", "--host_crosstool_top=@bazel_tools//tools/cpp:toolchain",
]


#: The first bytes of a TFLite flatbuffer: root offset, then the file identifier.
TFLITE = b"\x1c\x00\x00\x00TFL3"


def run(ws: Path, *args: str, cwd: Path = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BAZEL), *args], cwd=cwd or ws, capture_output=True, text=True)


@pytest.fixture
def ws(tmp_path):
    root = make_tensorflow_workspace(tmp_path / "tf")
    pkg = root / "gen"
    pkg.mkdir()
    (pkg / "a.tflite").write_bytes(TFLITE + b"model-a")
    (pkg / "f.tflite").write_bytes(TFLITE + b"model-f")
    (pkg / "BUILD").write_text(
        render_build_file(BuildFileSpec(models=("a.tflite", "f.tflite"), flex_models=("f.tflite",)))
    )
    return root


def test_builds_runtime_aar_with_real_layout(ws):
    done = run(ws, "build", *FLAGS, "//gen:tensorflow-lite")
    assert done.returncode == 0, done.stderr
    aar = ws / "bazel-bin" / "gen" / "tensorflow-lite.aar"
    names = set(zipfile.ZipFile(aar).namelist())
    assert {"AndroidManifest.xml", "classes.jar", "R.txt", "LICENSE",
            "jni/arm64-v8a/libtensorflowlite_jni.so", "jni/armeabi-v7a/libtensorflowlite_jni.so"} == names


def test_flex_builds_with_build_aar_sh_flags_and_writes_flex_so(ws):
    """build_aar.sh builds the flex AAR with the runtime's flags, no --config=monolithic: so does the stand-in."""
    done = run(ws, "build", *FLAGS, "//gen:tensorflow-lite-select-tf-ops")
    assert done.returncode == 0, done.stderr
    names = zipfile.ZipFile(ws / "bazel-bin/gen/tensorflow-lite-select-tf-ops.aar").namelist()
    assert "jni/arm64-v8a/libtensorflowlite_flex_jni.so" in names


def test_a_model_that_is_not_tflite_fails_like_gen_op_registration(ws):
    """What a model overwritten by a same-named source (or the BUILD file) would look like to Bazel."""
    (ws / "gen/a.tflite").write_text("#include <x.h>\n")
    done = run(ws, "build", *FLAGS, "//gen:tensorflow-lite")
    assert done.returncode == 1 and "'a.tflite' is not a TensorFlow Lite model" in done.stderr


def test_a_label_into_a_subpackage_is_refused(ws):
    (ws / "gen/models").mkdir()
    (ws / "gen/models/a.tflite").write_bytes(TFLITE)
    (ws / "gen/BUILD").write_text(render_build_file(BuildFileSpec(models=("models/a.tflite",))))
    assert run(ws, "build", *FLAGS, "//gen:tensorflow-lite").returncode == 0
    (ws / "gen/models/BUILD").write_text("")
    done = run(ws, "build", *FLAGS, "//gen:tensorflow-lite")
    assert done.returncode == 1 and "'gen/models' is a subpackage" in done.stderr


def test_accepted_attributes_come_from_the_macro_signature(ws):
    """A pre-split build_def.bzl mentions c_api_experimental.h elsewhere; its macro still lacks 'experimental'."""
    (ws / "tensorflow/lite/build_def.bzl").write_text(PRE_SPLIT_BUILD_DEF)
    (ws / "gen/BUILD").write_text(render_build_file(BuildFileSpec(models=("a.tflite",))))
    done = run(ws, "build", *FLAGS, "//gen:tensorflow-lite")
    assert done.returncode == 1 and "unexpected keyword argument(s): experimental" in done.stderr
    (ws / "gen/BUILD").write_text(render_build_file(BuildFileSpec(models=("a.tflite",), experimental_api=None)))
    assert run(ws, "build", *FLAGS, "//gen:tensorflow-lite").returncode == 0


def test_unconfigured_checkout_fails_like_real_build(tmp_path):
    root = make_tensorflow_workspace(tmp_path / "tf", configured=False)
    (root / "gen").mkdir()
    (root / "gen/a.tflite").write_bytes(TFLITE)
    (root / "gen/BUILD").write_text(render_build_file(BuildFileSpec(models=("a.tflite",))))
    done = run(root, "build", *FLAGS, "//gen:tensorflow-lite")
    assert done.returncode == 1 and "android_sdk_repository" in done.stderr


def test_outside_workspace_fails(tmp_path):
    done = run(tmp_path, "build", *FLAGS, "//gen:tensorflow-lite")
    assert done.returncode == 2 and "workspace" in done.stderr


@pytest.mark.parametrize(
    "drop, extra, message",
    [
        ("-c", [], "passes '-c'"),
        ("--cxxopt=--std=c++17", [], "'--cxxopt=--std=c++17'"),
        ("--define=xnn_enable_arm_fp16=false", [], "xnn_enable_arm_fp16"),
        (None, ["--frobnicate"], "Unrecognized option: --frobnicate"),
        ("--fat_apk_cpu=arm64-v8a,armeabi-v7a", ["--fat_apk_cpu=mips"], "unknown cpu"),
    ],
)
def test_flags_are_checked(ws, drop, extra, message):
    flags = list(FLAGS)
    if drop == "-c":
        flags = flags[2:]
    elif drop:
        flags.remove(drop)
    done = run(ws, "build", *flags, *extra, "//gen:tensorflow-lite")
    assert done.returncode != 0 and message in done.stderr


@pytest.mark.parametrize(
    "build, message",
    [
        ("tflite_custom_android_library(name = 'x')\n", "name 'tflite_custom_android_library' is not defined"),
        ("load('//tensorflow/lite:build_def.bzl', 'tflite_custom_android_library')\n"
         "tflite_custom_android_library(name = 'x', modles = [])\n", "unexpected keyword argument(s): modles"),
        ("load('//tensorflow/lite:build_def.bzl', 'tflite_cc_library')\n", "does not contain symbol"),
        ("load('//tensorflow/lite:nope.bzl', 'x')\n", "no such file"),
        ("load('//tensorflow/lite:build_def.bzl', 'tflite_custom_android_library')\n"
         "tflite_custom_android_library(name = 'x', models = ['missing.tflite'])\n", "missing input file"),
        ("this is not starlark(\n", "syntax error"),
        ("load('//tensorflow/lite/java:aar_with_jni.bzl', 'aar_with_jni')\n"
         "aar_with_jni(name = 'tensorflow-lite', android_library = ':lib')\n", "':lib' is not declared"),
        ("load('//tensorflow/lite/java:aar_with_jni.bzl', 'aar_with_jni')\n", "no such target"),
    ],
)
def test_build_file_contract(ws, build, message):
    (ws / "gen" / "BUILD").write_text(build)
    done = run(ws, "build", *FLAGS, "//gen:tensorflow-lite")
    assert done.returncode != 0 and message in done.stderr, done.stderr


def test_missing_package(ws):
    done = run(ws, "build", *FLAGS, "//nowhere:tensorflow-lite")
    assert done.returncode == 1 and "no such package" in done.stderr


def test_required_flags_are_the_workspace_scripts(ws):
    """With an older build_aar.sh the flex build has no xnn define; the runtime build still needs it."""
    from standin.tffiles import BUILD_AAR_OLD

    (ws / "tensorflow/lite/tools/build_aar.sh").write_text(BUILD_AAR_OLD)
    flags = [f for f in FLAGS if f != "--define=xnn_enable_arm_fp16=false"]
    assert run(ws, "build", *flags, "//gen:tensorflow-lite-select-tf-ops").returncode == 0
    done = run(ws, "build", *flags, "//gen:tensorflow-lite")
    assert done.returncode == 2 and "'--define=xnn_enable_arm_fp16=false' for //tmp:tensorflow-lite" in done.stderr
