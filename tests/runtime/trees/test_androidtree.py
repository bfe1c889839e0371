"""What a tree's .bazelrc and WORKSPACE say about its Android build (pure parsing, LiteRT's real shapes).

The texts are the lines of LiteRT's own files that matter (HEAD f67457790 and the tags named),
via the stand-in workspace, which mirrors them; an optional test reads a real checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from standin.workspace import LITERT_BAZELRC, LITERT_WORKSPACE_ANDROID, make_litert_workspace, make_tensorflow_workspace
from tflite_slim.runtime.trees import androidtree
from tflite_slim.runtime.trees.androidtree import (
    ConfigureImport,
    android_platforms,
    android_toolchain_resolution,
    configure_import,
    declares_android_repositories,
    workspace_ndk_api_level,
)

TF_LABEL = "@org_tensorflow//tensorflow/tools/toolchains/android:"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("try-import %workspace%/.litert_configure.bazelrc\n", ConfigureImport(".litert_configure.bazelrc", False)),
        # v2.0.2: "Fail on missing litert configure."
        ("import %workspace%/.litert_configure.bazelrc\ntry-import %workspace%/xla_configure.bazelrc\n",
         ConfigureImport(".litert_configure.bazelrc", True)),
        # v1.4.1 (and TensorFlow): TensorFlow's file name.
        ("try-import %workspace%/xla_configure.bazelrc\ntry-import %workspace%/.tf_configure.bazelrc\n",
         ConfigureImport(".tf_configure.bazelrc", False)),
        ("# try-import %workspace%/.tf_configure.bazelrc\n", None),
        ("try-import %workspace%/xla_configure.bazelrc\n", None),
        ("try-import %workspace%/../.tf_configure.bazelrc\n", None),
    ],
)
def test_configure_import(text, expected):
    assert configure_import(text) == expected


@pytest.mark.parametrize(
    "text, configs, expected",
    [
        (LITERT_BAZELRC, ("android_arm64",), True),  # android_arm64 re-enables after android's clang_local
        (LITERT_BAZELRC, ("android",), False),  # clang_local turns it off
        (LITERT_BAZELRC, (), None),
        ("common --noincompatible_enable_android_toolchain_resolution\n", ("android_arm64",), False),  # v1.4.1
        ("build:a --config=b\nbuild:b --config=a\nbuild:b --incompatible_enable_android_toolchain_resolution\n",
         ("a",), True),  # a cycle ends
        ("build --incompatible_enable_android_toolchain_resolution=false\n", (), False),
        ("build:x --incompatible_enable_android_toolchain_resolution  # on\n", ("x",), True),
    ],
)
def test_android_toolchain_resolution(text, configs, expected):
    assert android_toolchain_resolution(text, configs) is expected


def test_platform_labels_per_abi_from_litert_head():
    assert android_platforms(LITERT_BAZELRC) == {abi: TF_LABEL + abi
                                                 for abi in ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("build:ios_arm64 --platforms=@build_bazel_apple_support//platforms:ios_arm64\n", {}),  # no cpu
        ("build:x --cpu=x86\nbuild:x --platforms=//a:x,//b:x\n", {}),  # not one platform
        ("build:x --cpu=x86\nbuild:x --cpu=x86_64\nbuild:x --platforms=//p:x\n", {}),  # not one ABI
        ('build:x --fat_apk_cpu=x86\nbuild:x --platforms="//p:x"\n', {"x86": "//p:x"}),
        ("build:x --cpu=x86 \\\n    --platforms=//p:x\n", {"x86": "//p:x"}),  # continuation
    ],
)
def test_platform_labels_edge_cases(text, expected):
    assert android_platforms(text) == expected


@pytest.mark.parametrize(
    "workspace, declares, level",
    [
        (LITERT_WORKSPACE_ANDROID, True, 26),  # HEAD, v2.2.0
        (LITERT_WORKSPACE_ANDROID.replace("    api_level = 26,\n", ""), True, 31),  # v2.1.6: rules_android_ndk's default
        ('load("@org_tensorflow//tensorflow:workspace0.bzl", "tf_workspace0")\ntf_workspace0()\n', False, None),
        ("# android_ndk_repository(name = 'x', api_level = 30)\nandroid_sdk_repository(name='s')\n", False, None),
    ],
)
def test_workspace_android_repositories(workspace, declares, level):
    assert declares_android_repositories(workspace) is declares
    if declares:
        assert workspace_ndk_api_level(workspace) == level


@pytest.mark.parametrize(
    "make, needs, rc, resolution, api",
    [
        (lambda d: make_litert_workspace(d), False, ".litert_configure.bazelrc", True, 26),
        (lambda d: make_litert_workspace(d, version="1.4.1", tag="v1.4.1"), True, ".tf_configure.bazelrc", False,
         None),
        (lambda d: make_tensorflow_workspace(d), True, ".tf_configure.bazelrc", False, None),
    ],
)
def test_read_tree(tmp_path, make, needs, rc, resolution, api):
    tree = androidtree.read_tree(make(tmp_path / "t"), always_configure="tensorflow" in str(make.__code__.co_names),
                                 configs=("android_arm64",), default_rc=".tf_configure.bazelrc")
    assert (tree.needs_configure, tree.configure_rc, tree.toolchain_resolution, tree.workspace_api_level) == (
        needs, rc, resolution, api)


REAL = os.environ.get("TFLITE_SLIM_REAL_LITERT")


@pytest.mark.skipif(not REAL, reason="TFLITE_SLIM_REAL_LITERT is unset: set it to a LiteRT checkout to read its "
                                     "real .bazelrc and WORKSPACE")
def test_a_real_litert_checkout():
    """Against a real tree: what HEAD (2026-08) says; the stand-in must say the same."""
    tree = androidtree.read_tree(Path(str(REAL)), always_configure=False, configs=("android_arm64",))
    assert not tree.needs_configure and tree.toolchain_resolution
    assert tree.configure_rc == ".litert_configure.bazelrc"
    assert tree.platforms == android_platforms(LITERT_BAZELRC)
    assert tree.workspace_api_level == workspace_ndk_api_level(LITERT_WORKSPACE_ANDROID)
