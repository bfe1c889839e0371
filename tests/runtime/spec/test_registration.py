"""Registration code generation: TensorFlow's gen_op_registration output, and custom-op checks."""

from __future__ import annotations

import pytest

from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import FlexOp, OpSet
from tflite_slim.runtime.spec.registration import (
    TFLITE_PROVIDED_CUSTOM_OPS,
    check_custom_ops,
    custom_ops_needing_sources,
    invalid_custom_op_names,
    normalize_custom_op_name,
    render_registration,
)


@pytest.mark.parametrize(
    "name, normalized",
    [
        ("CustomOp", "CUSTOM_OP"),
        ("custom_op", "CUSTOM_OP"),
        ("TFLite_Detection_PostProcess", "TFLITE_DETECTION_POST_PROCESS"),
        ("Convolution2DTransposeBias", "CONVOLUTION2DTRANSPOSE_BIAS"),
        ("MaxPoolingWithArgmax2D", "MAX_POOLING_WITH_ARGMAX2D"),
        ("SignalPCAN", "SIGNAL_PCAN"),
        ("Mfcc", "MFCC"),
        ("AudioSpectrogram", "AUDIO_SPECTROGRAM"),
        ("MTKEXT_CONV_2D", "MTKEXT_CONV_2D"),
        ("FlexAddV2", "FLEX_ADD_V2"),
        ("aB", "A_B"),
        ("ABC", "ABC"),
        ("a1B", "A1B"),  # only lowercase-then-uppercase splits, as RE2 "([a-z])([A-Z])"
    ],
)
def test_normalize_matches_tensorflow_rule(name, normalized):
    assert normalize_custom_op_name(name) == normalized


@pytest.mark.parametrize(
    "names, bad",
    [
        (["CustomOp", "custom_op", "X1"], []),
        (["ethos-u"], ["ethos-u"]),
        (["with space", "ok"], ["with space"]),
        (['quo"te'], ['quo"te']),
        (["caf\u00e9"], ["caf\u00e9"]),
        ([""], [""]),
        (["a.b", "a::b"], ["a.b", "a::b"]),
    ],
)
def test_invalid_custom_op_names(names, bad):
    assert invalid_custom_op_names(names) == bad


GOLDEN_BUILTINS = """\
#include "tensorflow/lite/kernels/builtin_op_kernels.h"
#include "tensorflow/lite/model.h"
#include "tensorflow/lite/op_resolver.h"
void RegisterSelectedOps(::tflite::MutableOpResolver* resolver) {
  resolver->AddBuiltin(::tflite::BuiltinOperator_ADD, ::tflite::ops::builtin::Register_ADD());
  resolver->AddBuiltin(::tflite::BuiltinOperator_CONV_2D, ::tflite::ops::builtin::Register_CONV_2D());
}
"""

GOLDEN_VERSIONS = """\
#include "tensorflow/lite/kernels/builtin_op_kernels.h"
#include "tensorflow/lite/model.h"
#include "tensorflow/lite/op_resolver.h"
void RegisterSelectedOps(::tflite::MutableOpResolver* resolver) {
  resolver->AddBuiltin(::tflite::BuiltinOperator_CONV_2D, ::tflite::ops::builtin::Register_CONV_2D(), 1, 3);
  resolver->AddBuiltin(::tflite::BuiltinOperator_FULLY_CONNECTED, ::tflite::ops::builtin::Register_FULLY_CONNECTED(), 2, 2);
  resolver->AddBuiltin(::tflite::BuiltinOperator_RESHAPE, ::tflite::ops::builtin::Register_RESHAPE());
}
"""

GOLDEN_CUSTOM = """\
#include "tensorflow/lite/kernels/builtin_op_kernels.h"
#include "tensorflow/lite/model.h"
#include "tensorflow/lite/op_resolver.h"
namespace tflite {
namespace ops {
namespace custom {
// Forward-declarations for the custom ops.
TfLiteRegistration* Register_CONVOLUTION2DTRANSPOSE_BIAS();
TfLiteRegistration* Register_TFLITE_DETECTION_POST_PROCESS();
}  // namespace custom
}  // namespace ops
}  // namespace tflite
void RegisterSelectedOps(::tflite::MutableOpResolver* resolver) {
  resolver->AddBuiltin(::tflite::BuiltinOperator_LOGISTIC, ::tflite::ops::builtin::Register_LOGISTIC());
  resolver->AddCustom("Convolution2DTransposeBias", ::tflite::ops::custom::Register_CONVOLUTION2DTRANSPOSE_BIAS());
  resolver->AddCustom("TFLite_Detection_PostProcess", ::tflite::ops::custom::Register_TFLITE_DETECTION_POST_PROCESS());
}
"""

# Flex ops are skipped (IsFlexOp) but still open the custom namespace block.
GOLDEN_FLEX = """\
#include "tensorflow/lite/kernels/builtin_op_kernels.h"
#include "tensorflow/lite/model.h"
#include "tensorflow/lite/op_resolver.h"
namespace tflite {
namespace ops {
namespace custom {
// Forward-declarations for the custom ops.
}  // namespace custom
}  // namespace ops
}  // namespace tflite
void RegisterSelectedOps(::tflite::MutableOpResolver* resolver) {
  resolver->AddBuiltin(::tflite::BuiltinOperator_ADD, ::tflite::ops::builtin::Register_ADD(), 1, 2);
}
"""

GOLDEN_FLEX_ONLY = """\
#include "tensorflow/lite/model.h"
#include "tensorflow/lite/op_resolver.h"
namespace tflite {
namespace ops {
namespace custom {
// Forward-declarations for the custom ops.
}  // namespace custom
}  // namespace ops
}  // namespace tflite
void RegisterSelectedOps(::tflite::MutableOpResolver* resolver) {
}
"""


@pytest.mark.parametrize(
    "ops, golden",
    [
        (OpSet({"CONV_2D": (1,), "ADD": (1,)}), GOLDEN_BUILTINS),
        (OpSet({"CONV_2D": (1, 3), "RESHAPE": (1,), "FULLY_CONNECTED": (2,)}), GOLDEN_VERSIONS),
        (
            OpSet({"LOGISTIC": (1,)}, ("TFLite_Detection_PostProcess", "Convolution2DTransposeBias")),
            GOLDEN_CUSTOM,
        ),
        (OpSet({"ADD": (1, 2)}, (), (FlexOp("Softplus", (("T", "DT_FLOAT"),)),)), GOLDEN_FLEX),
        (OpSet({}, (), (FlexOp("AddV2"),)), GOLDEN_FLEX_ONLY),
    ],
    ids=["builtins", "versions", "custom", "flex", "flex-only"],
)
def test_golden_registration_per_kind(ops, golden):
    assert render_registration(ops) == golden


def test_custom_versions_and_namespace():
    text = render_registration(OpSet({}, {"MyOp": (1, 2)}), namespace="custom_ns")
    assert '  resolver->AddCustom("MyOp", ::tflite::ops::custom::Register_MY_OP(), 1, 2);\n' in text
    assert "namespace custom_ns {\nvoid RegisterSelectedOps" in text
    assert text.endswith("}\n}  // namespace custom_ns\n")
    assert '#include "tensorflow/lite/kernels/builtin_op_kernels.h"' not in text


def test_render_rejects_non_identifier_custom_op():
    with pytest.raises(UsageError, match="'ethos-u'"):
        render_registration(OpSet({}, ("ethos-u",)))


def test_tflite_provided_custom_ops_need_no_sources():
    per_model = {"a.tflite": OpSet({}, tuple(sorted(TFLITE_PROVIDED_CUSTOM_OPS)))}
    assert custom_ops_needing_sources(per_model) == {}
    check_custom_ops(per_model, have_sources=False)  # no error


def test_unknown_custom_op_without_sources_names_op_and_models():
    per_model = {
        "m/b.tflite": OpSet({}, ("Sinh",)),
        "m/a.tflite": OpSet({}, ("Sinh", "Mfcc")),
        "m/c.tflite": OpSet({"ADD": (1,)}),
    }
    with pytest.raises(UsageError) as e:
        check_custom_ops(per_model, have_sources=False)
    msg = str(e.value)
    assert "Sinh (Register_SINH) used by m/a.tflite, m/b.tflite" in msg
    assert "--custom-ops-srcs" in msg and "Mfcc" not in msg and "c.tflite" not in msg
    check_custom_ops(per_model, have_sources=True)


def test_known_projects_custom_ops_say_whose_they_are():
    per_model = {"npu.tflite": OpSet({}, ("DISPATCH_OP",)), "selfie.tflite": OpSet({}, ("Convolution2DTransposeBias",))}
    with pytest.raises(UsageError) as e:
        check_custom_ops(per_model, have_sources=False)
    msg = str(e.value)
    assert "DISPATCH_OP (Register_DISPATCH_OP) used by npu.tflite" in msg
    assert ". DISPATCH_OP is LiteRT's NPU dispatch op: " in msg and "nothing to trim or register" in msg
    assert ". Convolution2DTransposeBias is one of MediaPipe's ops: its kernel is MediaPipe's " \
           "mediapipe/util/tflite/operations/transpose_conv_bias.cc" in msg
    with pytest.raises(UsageError) as e:
        check_custom_ops({"m.tflite": OpSet({}, ("Sinh",))}, have_sources=False)
    assert str(e.value).endswith("each must define tflite::ops::custom::Register_<NAME>()")


def test_bad_name_refused_even_with_sources():
    with pytest.raises(UsageError, match="ethos-u in npu.tflite"):
        check_custom_ops({"npu.tflite": OpSet({}, ("ethos-u",))}, have_sources=True)


def test_registration_for_every_shared_model_matches_expected(expected):
    """Every model in ../shared/models: its registration registers exactly expected.json's ops."""
    import re

    checked = 0
    for path, entry in sorted(expected.items()):
        if "error" in entry:
            continue
        builtins = {k: tuple(v) for k, v in entry["builtin_ops"].items()}
        ops = OpSet(builtins, tuple(entry["custom_ops"]), tuple(FlexOp(f) for f in entry["flex_ops"]))
        if invalid_custom_op_names(ops.custom_ops):
            with pytest.raises(UsageError):
                render_registration(ops)
            continue
        text = render_registration(ops)
        got_builtin = dict(
            (m.group(1), m.group(2))
            for m in re.finditer(r"AddBuiltin\(::tflite::BuiltinOperator_(\w+), [^)]*\)(, \d+, \d+)?\);", text)
        )
        assert set(got_builtin) == set(builtins), path
        for name, vs in builtins.items():
            pair = (min(vs), max(vs))
            assert got_builtin[name] == (None if pair == (1, 1) else f", {pair[0]}, {pair[1]}"), (path, name)
        got_custom = re.findall(r'AddCustom\("([^"]+)"', text)
        assert got_custom == sorted(entry["custom_ops"]), path
        assert "Flex" not in "".join(got_custom)
        checked += 1
    assert checked > 200
