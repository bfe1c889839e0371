"""The Bazel path's spec for a LiteRT 2.x tree (checked against the stand-in here, and against the real tags
when ``TFLITE_SLIM_REAL_LITERT`` names a LiteRT repository). No Bazel runs: the spec is not run yet."""

from __future__ import annotations

import os
import subprocess

import pytest

from standin.litert2tree import make_litert2_tree
from tflite_slim.analysis.opset import OpSet
from tflite_slim.errors import UsageError
from tflite_slim.runtime.litert2 import bazel_spec
from tflite_slim.runtime.spec.resolverbody import REGISTER_CC, REGISTER_REF_CC
from tflite_slim.runtime.trees.litert2 import KOTLIN_BUILD, LINE_BY_NAME

OPS = OpSet(builtin_ops={"ADD": (1,), "CONV_2D": (1, 2)})


@pytest.mark.parametrize("line", ["2.1.6+", "2.2.0"])
def test_the_spec_replaces_both_resolvers_and_builds_litert(tmp_path, line):
    root = make_litert2_tree(tmp_path / "t", line)
    spec = bazel_spec.spec_for(root, LINE_BY_NAME[line], OPS, ["arm64-v8a", "armeabi-v7a"], 26)
    assert [p for p, _ in spec.replaced] == [REGISTER_CC.path, REGISTER_REF_CC.path]
    register = dict(spec.replaced)[REGISTER_CC.path]
    assert "BuiltinOperator_ADD" in register and "BuiltinOperator_CONV_2D" in register
    assert "BuiltinOperator_SOFTMAX" not in register and "MaybeCreateXNNPACKDelegate" in register
    assert dict(spec.commands)["arm64-v8a"] == (
        "bazel", "build", "-c", "opt", "--cxxopt=--std=c++17", "--config=android_arm64",
        "--repo_env=HERMETIC_PYTHON_VERSION=3.11", "--action_env=ANDROID_NDK_API_LEVEL=26", "//litert/kotlin:LiteRt")
    assert dict(spec.commands)["armeabi-v7a"][5] == "--config=android_arm"
    text = bazel_spec.render(spec)
    assert "a spec: tflite-slim does not run it yet" in text
    assert f"{REGISTER_CC.path}: keeps ADD, CONV_2D" in text
    assert f"{REGISTER_REF_CC.path}: keeps ADD, CONV_2D" in text
    assert "bazel-bin/litert/kotlin/libLiteRt.so" in text


@pytest.mark.parametrize("edit,said", [
    (lambda t: t.replace('linkscript = ":litert_version_script.lds",', ""), 'linkscript = ":litert_version_script.lds"'),
    (lambda t: t.replace('"//tflite/java/src/main/native",  # TFLite JNI', ""), '"//tflite/java/src/main/native"'),
    (lambda t: t.replace('name = "LiteRt"', 'name = "LiteRtOther"'), 'has no tflite_jni_binary(name = "LiteRt"'),
])
def test_a_litert_target_not_as_read_is_refused(tmp_path, edit, said):
    root = make_litert2_tree(tmp_path / "t", "2.2.0")
    build = root / KOTLIN_BUILD
    build.write_text(edit(build.read_text()))
    with pytest.raises(UsageError) as e:
        bazel_spec.spec_for(root, LINE_BY_NAME["2.2.0"], OPS, ["arm64-v8a"], 26)
    assert said in str(e.value) and str(build) in str(e.value)


def test_lines_not_trimmed_and_desktop_abis_are_refused(tmp_path):
    root = make_litert2_tree(tmp_path / "t", "2.1.0-2.1.5")
    with pytest.raises(UsageError, match="not trimmed"):
        bazel_spec.spec_for(root, LINE_BY_NAME["2.1.0-2.1.5"], OPS, ["arm64-v8a"], 26)
    with pytest.raises(UsageError, match="the Bazel path builds the Android ABIs"):
        bazel_spec.bazel_argv("bazel", "linux-x86_64", 26)


REAL = os.environ.get("TFLITE_SLIM_REAL_LITERT")


@pytest.mark.skipif(not REAL, reason="TFLITE_SLIM_REAL_LITERT is unset: set it to a LiteRT checkout or git dir to "
                                     "check the LiteRt target and the Android configs at v2.1.6 and v2.2.0")
@pytest.mark.parametrize("tag", ["v2.1.6", "v2.2.0"])
def test_the_litert_target_and_configs_at_the_real_tags(tag):
    def show(path: str) -> str:
        return subprocess.run(["git", "-C", REAL, "show", f"{tag}:{path}"], capture_output=True, text=True,
                              check=True).stdout

    bazel_spec.check_target(show(KOTLIN_BUILD), f"{tag}:{KOTLIN_BUILD}")
    rc = show(".bazelrc")
    for config in bazel_spec.CONFIGS.values():
        assert f"build:{config} --config=android" in rc, (tag, config)
    ci = show("ci/build_android_package.sh")
    assert '"--cxxopt=--std=c++17"' in ci and '"--repo_env=HERMETIC_PYTHON_VERSION=3.11"' in ci
    assert "//litert/kotlin:litert-aar" in ci
