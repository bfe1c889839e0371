"""Reading TensorFlow's own build files: the macro's parameters, build_aar.sh's flags, the Docker answers."""

from __future__ import annotations

import time

import pytest

from standin import tffiles
from tflite_slim.runtime.trees import tfscripts
from tflite_slim.runtime.trees.tfscripts import (
    ABIS_FLAG,
    FLEX_LABEL,
    RUNTIME_LABEL,
    bazel_flags,
    configure_answers,
    has_experimental_parameter,
    macro_parameters,
    read_build_flags,
)

COMMON = ("-c", "opt", "--cxxopt=--std=c++17", ABIS_FLAG)
HOST = "--host_crosstool_top=@bazel_tools//tools/cpp:toolchain"
XNN = "--define=xnn_enable_arm_fp16=false"


def test_pre_split_macro_has_no_experimental_parameter_though_the_file_mentions_it():
    assert "experimental" in tffiles.PRE_SPLIT_BUILD_DEF  # c_api_experimental.h, and the docstring
    assert macro_parameters(tffiles.PRE_SPLIT_BUILD_DEF, "tflite_custom_android_library") == (
        "name", "models", "srcs", "deps", "custom_package", "visibility",
        "include_xnnpack_delegate", "include_nnapi_delegate")


def test_post_split_macro_has_it_after_a_comment():
    params = macro_parameters(tffiles.POST_SPLIT_BUILD_DEF, "tflite_custom_android_library")
    assert params[-1] == "experimental" and "include_nnapi_delegate" in params


@pytest.mark.parametrize(
    "text, expected",
    [
        ("def f(name, **kwargs):\n    pass\n", ("name", "**kwargs")),
        ("def f(a, b = (1, 2), c = {'x': [3]}, *args, d = 'e,f)'):\n  pass\n", ("a", "b", "c", "*args", "d")),
        ("def f(\n  a,  # experimental, later\n  b = \"\"\"x)\"\"\",\n):\n pass\n", ("a", "b")),
        ("def g(experimental):\n  pass\n", None),  # no such def
        ("    def f(experimental):\n", None),  # nested, not a top-level macro
        ("def f(a, b = 'unterminated\n", None),
    ],
)
def test_macro_parameters(text, expected):
    assert macro_parameters(text, "f") == expected


@pytest.mark.parametrize(
    "text, expected",
    [(tffiles.PRE_SPLIT_BUILD_DEF, False), (tffiles.POST_SPLIT_BUILD_DEF, True), ("# nothing\n", None)],
)
def test_has_experimental_parameter_reads_the_tree(tmp_path, text, expected):
    (tmp_path / "tensorflow/lite").mkdir(parents=True)
    (tmp_path / tfscripts.BUILD_DEF).write_text(text)
    assert has_experimental_parameter(tmp_path) is expected
    assert has_experimental_parameter(tmp_path / "nowhere") is None


@pytest.mark.parametrize(
    "script, runtime, flex",
    [
        (tffiles.BUILD_AAR_NEW, COMMON + (XNN, HOST), COMMON + (XNN, HOST)),
        (tffiles.BUILD_AAR_OLD, COMMON + (XNN, HOST), COMMON + (HOST,)),
    ],
)
def test_bazel_flags_per_target(script, runtime, flex):
    assert bazel_flags(script, RUNTIME_LABEL) == runtime
    assert bazel_flags(script, FLEX_LABEL) == flex
    assert not any("monolithic" in f for f in runtime + flex)


@pytest.mark.parametrize(
    "script",
    [
        "#!/bin/bash\necho nothing here\n",
        # An expansion we cannot know replaces a flag.
        "bazel build -c opt ${EXTRA} --fat_apk_cpu=${TARGET_ARCHS} //tmp:tensorflow-lite\n",
        # No ABI flag: our ABI choice could not reach Bazel.
        "bazel build -c opt //tmp:tensorflow-lite\n",
        "bazel build -c opt --fat_apk_cpu=${TARGET_ARCHS} '//tmp:tensorflow-lite\n",
    ],
)
def test_bazel_flags_unknown(script):
    assert bazel_flags(script, RUNTIME_LABEL) is None


def test_read_build_flags(tmp_path):
    assert read_build_flags(tmp_path) is None
    (tmp_path / "tensorflow/lite/tools").mkdir(parents=True)
    (tmp_path / tfscripts.BUILD_AAR).write_text(tffiles.BUILD_AAR_OLD)
    assert read_build_flags(tmp_path) == {RUNTIME_LABEL: COMMON + (XNN, HOST), FLEX_LABEL: COMMON + (HOST,)}
    (tmp_path / tfscripts.BUILD_AAR).write_text(tffiles.BUILD_AAR_OLD.replace(FLEX_LABEL, "//tmp:other"))
    assert read_build_flags(tmp_path) is None  # half a script is no script


def test_known_flags_are_the_newest_scripts():
    assert tfscripts.KNOWN_BUILD_FLAGS == {
        RUNTIME_LABEL: bazel_flags(tffiles.BUILD_AAR_NEW, RUNTIME_LABEL),
        FLEX_LABEL: bazel_flags(tffiles.BUILD_AAR_NEW, FLEX_LABEL),
    }


@pytest.mark.parametrize(
    "script, expected",
    [
        (tffiles.DOCKER_NEW, tuple(tffiles.DOCKER_CONFIGS_CLANG)),
        (tffiles.DOCKER_OLD, tuple(tffiles.DOCKER_CONFIGS_NO_CLANG)),
        ("configs=(\n  'N'\n)\n", None),  # never piped into ./configure
        ("  configs=(\n    \"$HOME\"\n  )\n  printf '%s\\n' \"${configs[@]}\" | ./configure\n", None),
        ("#!/bin/bash\n", None),
    ],
)
def test_configure_answers(script, expected):
    assert configure_answers(script) == expected


def test_known_answers_are_the_newest_scripts():
    assert tfscripts.KNOWN_CONFIGURE_ANSWERS == configure_answers(tffiles.DOCKER_NEW)
    assert "Y" in tfscripts.KNOWN_CONFIGURE_ANSWERS  # clang, as recent scripts answer


def test_parsing_is_linear():
    """A hostile tree cannot make reading its scripts slow."""
    big = "def tflite_custom_android_library(\n" + "    a = [[[[1]]]],\n" * 20000 + "):\n"
    noise = ("bazel build " + "x " * 50000 + "\n") * 5 + "  configs=(\n" + "    'N'\n" * 50000
    start = time.monotonic()
    assert len(macro_parameters(big, "tflite_custom_android_library")) == 20000
    assert bazel_flags(noise, RUNTIME_LABEL) is None and configure_answers(noise) is None
    assert time.monotonic() - start < 10
