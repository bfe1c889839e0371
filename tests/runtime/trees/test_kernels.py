"""The early kernel check: every Register_X the registration code calls must exist in the tree or the sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from standin import tffiles
from tflite_slim.runtime.trees.kernels import (
    FIRST_RELEASE,
    check_tree,
    declared_builtin_kernels,
    missing_kernels,
    provided_custom_ops,
    summary,
)
from tflite_slim.analysis.opset import FlexOp, OpSet
from tflite_slim.runtime.trees.layout import LITERT
from tflite_slim.runtime.spec.registration import TFLITE_PROVIDED_CUSTOM_OPS, kernels_header
from tflite_slim.analysis.schema import BUILTIN_OPERATOR_NAMES


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture
def new_tree(tmp_path):
    """A recent layout: the forwarding header, the core header, register.cc under core/."""
    return tree(tmp_path, {
        "tensorflow/lite/kernels/builtin_op_kernels.h": tffiles.FORWARDING_KERNELS_H,
        "tensorflow/lite/core/kernels/builtin_op_kernels.h": tffiles.CORE_KERNELS_H,
        "tensorflow/lite/core/kernels/register.cc": tffiles.REGISTER_CC,
    })


def test_declarations_follow_the_forwarding_header_and_skip_comments(new_tree):
    assert declared_builtin_kernels(new_tree) == {"ADD", "CONV_2D", "STABLEHLO_ADD"}


def test_old_layout_has_the_declarations_itself(tmp_path):
    root = tree(tmp_path, {"tensorflow/lite/kernels/builtin_op_kernels.h": tffiles.CORE_KERNELS_H})
    assert declared_builtin_kernels(root) == {"ADD", "CONV_2D", "STABLEHLO_ADD"}
    assert declared_builtin_kernels(tmp_path / "none") is None


def test_header_path_is_one_place_and_can_vary(tmp_path):
    """A LiteRT tree keeps the header under tflite/: the path derives from tflite_path."""
    assert kernels_header() == "tensorflow/lite/kernels/builtin_op_kernels.h"
    root = tree(tmp_path, {"tflite/kernels/builtin_op_kernels.h": "TfLiteRegistration* Register_ABS();\n"})
    assert declared_builtin_kernels(root, "tflite") == {"ABS"}
    assert declared_builtin_kernels(root) is None


def test_includes_outside_the_tree_are_not_followed(tmp_path):
    root = tree(tmp_path, {
        "tensorflow/lite/kernels/builtin_op_kernels.h": '#include "tensorflow/lite/../../etc/builtin_op_kernels.h"\n'
                                                         '#include "/etc/builtin_op_kernels.h"\n',
    })
    assert declared_builtin_kernels(root) == frozenset()


def test_provided_custom_ops(new_tree, tmp_path):
    assert provided_custom_ops(new_tree) == TFLITE_PROVIDED_CUSTOM_OPS
    other = tree(tmp_path / "o", {"tensorflow/lite/kernels/register.cc": 'AddCustom("Mfcc", R());\n'
                                                                         '// AddCustom("Gone", R());\n'})
    assert provided_custom_ops(other) == {"Mfcc"}
    assert provided_custom_ops(tmp_path / "none") == TFLITE_PROVIDED_CUSTOM_OPS


PER_MODEL = {
    "m/a.tflite": OpSet({"ADD": (1,), "STABLEHLO_COMPOSITE": (1,)}),
    "m/b.tflite": OpSet({"DELEGATE": (1,), "STABLEHLO_COMPOSITE": (1,), "BUILTIN_250": (1,)}),
    "m/c.tflite": OpSet({"CONV_2D": (2,), "ZEROS_LIKE": (1,)}, ("MyOp", "Mfcc"), (FlexOp("AddV2"),)),
}


def test_every_missing_op_named_with_models_and_release(new_tree):
    missing = check_tree(new_tree, PER_MODEL, {})
    by_op = {m.op: m for m in missing}
    assert sorted(by_op) == ["BUILTIN_250", "DELEGATE", "MyOp", "STABLEHLO_COMPOSITE", "ZEROS_LIKE"]
    composite = by_op["STABLEHLO_COMPOSITE"]
    assert composite.models == ("m/a.tflite", "m/b.tflite")
    assert "TensorFlow 2.17.0 is the first release with it" in composite.message()
    assert "no TensorFlow Lite release has a kernel" in by_op["DELEGATE"].message()
    assert "newer than tflite-slim knows" in by_op["BUILTIN_250"].message()
    assert "not in this tree" in by_op["ZEROS_LIKE"].message()
    assert by_op["MyOp"].kind == "custom" and "Register_MY_OP" in by_op["MyOp"].message()
    line = summary(missing, "2.16.1", new_tree)
    assert "\n" not in line and line.startswith("TensorFlow 2.16.1 at ")
    assert "builtin op DELEGATE (no Register_DELEGATE in tensorflow/lite/kernels/builtin_op_kernels.h" in line
    assert line.endswith(". To fix: build with TensorFlow 2.17.0 or later (--tensorflow-version, or a newer "
                         "checkout); leave out the models using ops no known release has")
    only_new = [m for m in missing if m.op == "STABLEHLO_COMPOSITE"]
    assert summary(only_new, "2.16.1", new_tree).endswith("build with TensorFlow 2.17.0 or later "
                                                          "(--tensorflow-version, or a newer checkout)")


def test_a_litert_tree_is_not_told_to_use_a_tensorflow_release(tmp_path):
    """FIRST_RELEASE counts TensorFlow releases; LiteRT's versions (1.x, 2.1.x) are another series."""
    root = tree(tmp_path, {f"tflite/{rel[len('tensorflow/lite/'):]}": text.replace("tensorflow/lite/", "tflite/")
                           for rel, text in {
                               "tensorflow/lite/kernels/builtin_op_kernels.h": tffiles.FORWARDING_KERNELS_H,
                               "tensorflow/lite/core/kernels/builtin_op_kernels.h": tffiles.CORE_KERNELS_H,
                               "tensorflow/lite/core/kernels/register.cc": tffiles.REGISTER_CC,
                           }.items()})
    missing = check_tree(root, {"m/a.tflite": PER_MODEL["m/a.tflite"]}, {}, layout=LITERT)
    assert [m.op for m in missing] == ["STABLEHLO_COMPOSITE"]
    assert missing[0].reason == ("no Register_STABLEHLO_COMPOSITE in tflite/kernels/builtin_op_kernels.h; "
                                 "TensorFlow Lite has had it since TensorFlow 2.17.0")
    line = summary(missing, "2.1.6", root, LITERT)
    assert line.startswith(f"LiteRT 2.1.6 at {root} cannot register these ops")
    assert line.endswith(". To fix: build with a newer LiteRT release (--litert-version, or a newer checkout)")
    assert "--tensorflow-version" not in line and "TensorFlow 2.17.0 or later" not in line


def test_custom_op_sources_and_deps(new_tree):
    ops = {"m/c.tflite": OpSet({"ADD": (1,)}, ("MyOp",))}
    assert [m.op for m in check_tree(new_tree, ops, {"custom_ops/other.cc": "Register_OTHER"})] == ["MyOp"]
    assert check_tree(new_tree, ops, {"custom_ops/my_op.cc": "TfLiteRegistration* Register_MY_OP() {"}) == []
    # The registration may live in a dep Bazel builds: nothing to read here, so no verdict.
    assert check_tree(new_tree, ops, {}, have_deps=True) == []


def test_a_complete_tree_passes(new_tree):
    ops = {"a": OpSet({"ADD": (1, 2), "CONV_2D": (1,)}, ("TFLite_Detection_PostProcess",), (FlexOp("Erf"),))}
    assert check_tree(new_tree, ops, {}) == []


def test_first_release_table_names_real_ops():
    assert set(FIRST_RELEASE) <= set(BUILTIN_OPERATOR_NAMES)
    assert FIRST_RELEASE["STABLEHLO_COMPOSITE"] == "2.17.0" and FIRST_RELEASE["GELU"] == "2.9.0"


def test_missing_kernels_is_linear():
    many = {f"m/{i}.tflite": OpSet({f"BUILTIN_{300 + i}": (1,)}) for i in range(3000)}
    assert len(missing_kernels(many, frozenset(), frozenset(), {})) == 3000
