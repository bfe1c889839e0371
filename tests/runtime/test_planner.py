"""The plan and generate phases: pure functions of the earlier phases' results (no tree, no I/O here)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tflite_slim.analysis.opset import FlexOp, ModelOps, OpSet
from tflite_slim.errors import ToolchainError
from tflite_slim.runtime.trees import tfscripts
from tflite_slim.runtime.trees.android import AndroidConfig, action_env_flags
from tflite_slim.runtime.trees.androidtree import TreeAndroid
from tflite_slim.runtime.generate import generate
from tflite_slim.runtime.inputs import CustomOpSource, Inputs
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW
from tflite_slim.runtime.spec.plan import DEFAULT_BUILD_FLAGS, SourceFile, build_flags_for
from tflite_slim.runtime.planner import PlanOptions, make_plan
from tflite_slim.runtime.resolve import SourceTree
from tflite_slim.runtime.trees.tfsource import TensorflowSource

ROOT = Path("/nonexistent/tf")
OPS = OpSet({"ADD": (1,)})
FLEX_OPS = OpSet({"ADD": (1,)}, flex_ops=(FlexOp("AddV2"),))
SCRIPT_FLAGS = {tfscripts.RUNTIME_LABEL: ("-c", "opt", tfscripts.ABIS_FLAG),
                tfscripts.FLEX_LABEL: ("-c", "dbg", tfscripts.ABIS_FLAG)}
ANDROID = AndroidConfig("/sdk", "/ndk", "34", "21", "34.0.0", "26.1.10909125")
#: What LiteRT HEAD's .bazelrc/WORKSPACE say (see test_androidtree): SDK/NDK from the environment, API level 26,
#: Android toolchain resolution with a --platforms label per ABI.
ENV_TREE = TreeAndroid(None, False, {"arm64-v8a": "//p:arm64", "armeabi-v7a": "//p:arm", "x86_64": "//p:x86_64"},
                       True, 26)


def inputs(ops: OpSet = OPS, custom=()) -> Inputs:
    return Inputs((ModelOps("/m/a.tflite", "0" * 64, 100, 1, ops),), ops, tuple(custom))


#: tflite_custom_android_library's parameters as LiteRT v2.0.2's tflite/build_def.bzl declares them;
#: OLD_PARAMS: the same without ``experimental``, as in releases before it was added.
OLD_PARAMS = ("name", "models", "srcs", "deps", "custom_package", "visibility", "include_xnnpack_delegate",
              "include_nnapi_delegate")
PARAMS = OLD_PARAMS + ("experimental",)


def tree(layout=TENSORFLOW, params=PARAMS, script_flags=None, **kw) -> SourceTree:
    fields = dict(source=TensorflowSource(ROOT, "2.16.1", "c" * 40, layout), layout=layout, version="2.16.1",
                  commit="c" * 40, release=None, checkpoint=None, android=None, built=ROOT,
                  runtime_parameters=params, script_flags=script_flags,
                  flex_package_files=((str(ROOT / "java/proguard.flags"), "proguard.flags"),))
    fields.update(kw)
    return SourceTree(**fields)


OPTIONS = PlanOptions(("armeabi-v7a", "arm64-v8a", "arm64-v8a"), experimental_api=False, align_16kb=True,
                      custom_ops_deps=("//x:y",), bazel_args=("--jobs=2",))


@pytest.mark.parametrize(
    "source, options, field, expected",
    [
        # What the tree says about the runtime macro decides whether --no-experimental-api can be honoured.
        (tree(), OPTIONS, "experimental_api", False),
        (tree(params=OLD_PARAMS), OPTIONS, "experimental_api", True),  # no attribute: the full API
        (tree(params=None), OPTIONS, "experimental_api", False),  # unknown: a current release, as asked
        (tree(), OPTIONS, "abis", ("arm64-v8a", "armeabi-v7a")),
        (tree(), OPTIONS, "custom_ops_deps", ("//x:y",)),
        (tree(), OPTIONS, "bazel_args", ("--jobs=2",)),
        (tree(), OPTIONS, "tf_version", "2.16.1"),
        (tree(), OPTIONS, "tf_commit", "c" * 40),
        (tree(version="2.17.0", commit=None), OPTIONS, "tf_commit", None),  # a checkpoint's revision
        (tree(), OPTIONS, "source", "tensorflow"),
        (tree(layout=LITERT), OPTIONS, "source", "litert"),
        (tree(), OPTIONS, "build_flags", DEFAULT_BUILD_FLAGS),  # build_aar.sh not read: the newest one's
        (tree(script_flags=SCRIPT_FLAGS), OPTIONS, "build_flags", build_flags_for(SCRIPT_FLAGS)),
        (tree(layout=LITERT, script_flags=SCRIPT_FLAGS), OPTIONS, "build_flags", build_flags_for(None, LITERT)),
        (tree(), OPTIONS, "android", None),
        (tree(android=ANDROID), OPTIONS, "android", ANDROID),
        (tree(), dataclasses.replace(OPTIONS, align_16kb=False), "align_16kb", False),
        # Declared: hashed, from the options; observed: from the tree, recorded only.
        (tree(), dataclasses.replace(OPTIONS, ndk_version="26"), "ndk_version", "26"),
        (tree(), dataclasses.replace(OPTIONS, android_api_level=23), "android_api_level", 23),
        (tree(), OPTIONS, "commit_declared", True),  # a checkout's HEAD
        (tree(release="2.16.1"), OPTIONS, "commit_declared", False),  # a downloaded archive's commit
        (tree(release="2.16.1", checkpoint="abc"), OPTIONS, "commit_declared", True),
        (tree(min_api_level=26), dataclasses.replace(OPTIONS, android_api_level=26), "min_api_level", 26),
        (tree(), dataclasses.replace(OPTIONS, android_api_level=23), "min_api_level", 23),  # unknown: as declared
        (tree(), OPTIONS, "min_api_level", None),
        (tree(facts=ENV_TREE), OPTIONS, "android_platforms", (("arm64-v8a", "//p:arm64"), ("armeabi-v7a", "//p:arm"))),
        (tree(facts=dataclasses.replace(ENV_TREE, toolchain_resolution=False)), OPTIONS, "android_platforms", ()),
        (tree(facts=ENV_TREE, android=ANDROID), OPTIONS, "env_flags", action_env_flags(ANDROID)),
        (tree(facts=dataclasses.replace(ENV_TREE, needs_configure=True), android=ANDROID), OPTIONS, "env_flags", ()),
        (tree(android=ANDROID), OPTIONS, "env_flags", ()),  # facts not read (a checkpoint): configured as before
    ],
)
def test_plan_from_the_phases_results(source, options, field, expected):
    assert getattr(make_plan(inputs(), source, options), field) == expected


def test_custom_op_sources_enter_the_plan_by_content():
    custom = (CustomOpSource("/src/op.cc", "custom_ops/op.cc", "a" * 64, "code"),)
    plan = make_plan(inputs(custom=custom), tree(), OPTIONS)
    assert plan.custom_ops_srcs == (SourceFile("custom_ops/op.cc", "a" * 64),)
    moved = (CustomOpSource("/elsewhere/op.cc", "custom_ops/op.cc", "a" * 64, "code"),)
    assert make_plan(inputs(custom=moved), tree(), OPTIONS).fingerprint == plan.fingerprint


@pytest.mark.parametrize("ops, flex_files", [(OPS, False), (FLEX_OPS, True)])
def test_generate_names_the_files_and_copies_the_flex_files_only_for_flex(ops, flex_files):
    custom = (CustomOpSource("/src/op.cc", "custom_ops/op.cc", "a" * 64, "code"),)
    source = tree()
    plan = make_plan(inputs(ops, custom), source, OPTIONS)
    job = generate(plan, inputs(ops, custom), source, print)
    expected = (("/m/a.tflite", "models/a.tflite"), ("/src/op.cc", "custom_ops/op.cc"))
    assert job.package.files == expected + (source.flex_package_files if flex_files else ())
    assert job.package.path == f"tflite_slim_build/p{plan.fingerprint[:16]}"
    assert job.root == ROOT and job.release is None and job.plan == plan
    assert ("experimental = False" in job.package.build_file) and "Register_ADD" in job.registration


def test_generate_leaves_out_an_attribute_the_macro_does_not_take():
    source = tree(params=OLD_PARAMS)
    job = generate(make_plan(inputs(), source, OPTIONS), inputs(), source, print)
    assert "experimental" not in job.package.build_file


def test_a_tree_with_toolchain_resolution_must_name_a_platform_for_every_abi():
    only_arm = dataclasses.replace(ENV_TREE, platforms={"arm64-v8a": "//p:arm64"})
    with pytest.raises(ToolchainError, match=r"^/nonexistent/tf: the tree builds with Android toolchain resolution "
                                             r"but names no --platforms label for armeabi-v7a"):
        make_plan(inputs(), tree(facts=only_arm), OPTIONS)
