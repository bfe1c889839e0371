"""The generated Bazel package: collision-free names and the BUILD file TensorFlow's macros accept."""

from __future__ import annotations

import ast

import pytest

from tflite_slim.runtime.spec.buildfile import (
    BuildFileSpec,
    package_file_names,
    render_build_file,
    source_file_names,
)
from tflite_slim.errors import UsageError


def _models(mapping: dict) -> dict:
    return {k: "models/" + v for k, v in mapping.items()}


@pytest.mark.parametrize(
    "paths, expected",
    [
        (["a/model.tflite"], {"a/model.tflite": "model.tflite"}),
        # build_aar.sh's trap: two model.tflite from different folders overwrite each other.
        (
            ["b/model.tflite", "a/model.tflite"],
            {"a/model.tflite": "model.tflite", "b/model.tflite": "model_2.tflite"},
        ),
        (
            ["x/M.tflite", "y/m.tflite", "z/m.tflite"],
            {"x/M.tflite": "M.tflite", "y/m.tflite": "m_2.tflite", "z/m.tflite": "m_3.tflite"},
        ),
        (["d/my model(1).tflite"], {"d/my model(1).tflite": "my_model_1_.tflite"}),
        (["d/.hidden.tflite"], {"d/.hidden.tflite": "_hidden.tflite"}),
        (["a/x.bin", "a/x.bin"], {"a/x.bin": "x.bin"}),
        (["p/m_2.tflite", "q/m.tflite", "r/m.tflite"],
         {"p/m_2.tflite": "m_2.tflite", "q/m.tflite": "m.tflite", "r/m.tflite": "m_3.tflite"}),
        # Names Bazel reads as package/workspace/repository boundaries, in any case.
        (["a/BUILD"], {"a/BUILD": "BUILD_2"}),
        (["a/build"], {"a/build": "build_2"}),
        (["a/BUILD.bazel"], {"a/BUILD.bazel": "BUILD_2.bazel"}),
        (["a/WORKSPACE", "b/WORKSPACE.bazel"], {"a/WORKSPACE": "WORKSPACE_2", "b/WORKSPACE.bazel": "WORKSPACE_2.bazel"}),
        (["a/MODULE.bazel", "a/REPO.bazel"], {"a/MODULE.bazel": "MODULE_2.bazel", "a/REPO.bazel": "REPO_2.bazel"}),
    ],
)
def test_package_file_names_never_collide(paths, expected):
    names = package_file_names(paths)
    assert names == _models(expected)
    assert len({n.lower() for n in names.values()}) == len(names)


def test_source_names_refuse_collisions():
    assert source_file_names(["a/op.cc", "a/op.h"]) == {"a/op.cc": "custom_ops/op.cc", "a/op.h": "custom_ops/op.h"}
    with pytest.raises(UsageError, match="same file name"):
        source_file_names(["a/op.cc", "b/op.cc"])


@pytest.mark.parametrize("name", ["BUILD", "BUILD.bazel", "WORKSPACE", "WORKSPACE.bazel", "MODULE.bazel",
                                  "REPO.bazel", "build"])
def test_source_named_like_a_bazel_file_is_refused(name):
    with pytest.raises(UsageError, match=f"'src/{name}' is named like a Bazel file"):
        source_file_names([f"src/{name}"])


@pytest.mark.parametrize(
    "model, source",
    [
        ("m/op.cc", "s/op.cc"),  # a model and a source with one basename
        ("m/op.h", "s/op.h"),
        ("m/OP.CC", "s/op.cc"),  # ... ignoring case
        ("m/op_2.cc", "s/op_2.cc"),
    ],
)
def test_models_and_sources_never_share_a_name(model, source):
    """Each kind has its own folder: neither overwrites the other, nor the BUILD file."""
    names = list(package_file_names([model]).values()) + list(source_file_names([source]).values())
    lowered = {n.lower() for n in names}
    assert len(lowered) == 2 and "build" not in lowered and "build.bazel" not in lowered


def _calls(text: str) -> list[tuple[str, list, dict]]:
    tree = ast.parse(text)
    out = []
    for node in tree.body:
        call = node.value
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        out.append((call.func.id, [ast.literal_eval(a) for a in call.args], kwargs))
    return out


def test_runtime_only_build_file():
    text = render_build_file(BuildFileSpec(models=("a.tflite", "b.tflite"), srcs=("op.cc",), deps=("//x:y",)))
    calls = _calls(text)
    assert [c[0] for c in calls] == ["load", "load", "tflite_custom_android_library", "aar_with_jni"]
    assert calls[0][1] == ["//tensorflow/lite:build_def.bzl", "tflite_custom_android_library"]
    assert calls[1][1] == ["//tensorflow/lite/java:aar_with_jni.bzl", "aar_with_jni"]
    lib = calls[2][2]
    assert lib == {
        "name": "custom_tensorflowlite",
        "models": ["a.tflite", "b.tflite"],
        "srcs": ["op.cc"],
        "deps": ["//x:y"],
        "custom_package": "org.tensorflow.lite",
        "include_xnnpack_delegate": True,
        "include_nnapi_delegate": True,
        "experimental": True,
    }
    assert calls[3][2] == {"name": "tensorflow-lite", "android_library": ":custom_tensorflowlite"}
    assert "tflite_flex_android_library" not in text


def test_flex_build_file_and_stable_api():
    text = render_build_file(
        BuildFileSpec(models=("a.tflite", "f.tflite"), flex_models=("f.tflite",), experimental_api=False)
    )
    calls = _calls(text)
    names = [c[0] for c in calls]
    assert names == [
        "load", "load", "load",
        "tflite_custom_android_library", "aar_with_jni",
        "tflite_flex_android_library", "aar_with_jni",
    ]
    assert calls[1][1] == ["//tensorflow/lite/delegates/flex:build_def.bzl", "tflite_flex_android_library"]
    assert calls[3][2]["experimental"] is False
    assert calls[5][2] == {
        "name": "custom_tensorflowlite_flex",
        "models": ["f.tflite"],
        "custom_package": "org.tensorflow.lite.flex",
    }
    assert calls[6][2] == {
        "name": "tensorflow-lite-select-tf-ops",
        "android_library": ":custom_tensorflowlite_flex",
    }


def test_build_file_is_stable_and_needs_models():
    spec = BuildFileSpec(models=("a.tflite",))
    assert render_build_file(spec) == render_build_file(spec)
    with pytest.raises(UsageError):
        render_build_file(BuildFileSpec(models=()))


def test_experimental_attribute_left_out_for_old_releases():
    text = render_build_file(BuildFileSpec(models=("a.tflite",), experimental_api=None))
    assert "experimental" not in text
    assert _calls(text)[2][2]["include_nnapi_delegate"] is True


OLDER_MACRO = frozenset({"name", "models", "srcs", "deps", "custom_package", "visibility"})


@pytest.mark.parametrize(
    "params, present, absent",
    [
        (None, ["srcs", "deps", "custom_package", "include_xnnpack_delegate", "experimental"], []),
        (OLDER_MACRO, ["srcs", "deps", "custom_package"],
         ["include_xnnpack_delegate", "include_nnapi_delegate", "experimental"]),
        (frozenset({"name", "models"}), [], ["srcs", "deps", "custom_package", "include_nnapi_delegate"]),
        (frozenset({"name", "**kwargs"}), ["srcs", "include_nnapi_delegate", "experimental"], []),
    ],
)
def test_only_attributes_the_trees_macro_declares(params, present, absent):
    takes_experimental = params is None or {"experimental", "**kwargs"} & params
    spec = BuildFileSpec(models=("models/a.tflite",), runtime_parameters=params,
                         experimental_api=True if takes_experimental else None)
    lib = _calls(render_build_file(spec))[2][2]
    assert all(a in lib for a in present) and not any(a in lib for a in absent)
    assert lib["models"] == ["models/a.tflite"]


def test_attribute_with_a_value_the_macro_cannot_take_is_an_error():
    with pytest.raises(UsageError, match="has no 'srcs' parameter"):
        render_build_file(BuildFileSpec(models=("a",), srcs=("custom_ops/op.cc",),
                                        runtime_parameters=frozenset({"name", "models"})))
    with pytest.raises(UsageError, match="has no 'include_nnapi_delegate' parameter"):
        render_build_file(BuildFileSpec(models=("a",), include_nnapi_delegate=False, runtime_parameters=OLDER_MACRO))
