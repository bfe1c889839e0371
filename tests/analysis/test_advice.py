"""Custom-op advice that knows whose op it is (LiteRT's NPU dispatch op, MediaPipe's ops), generic otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflite_slim.analysis.advice import NEEDS_KERNEL, UNREGISTRABLE, advise, build_note, custom_op_advice, grouped
from tflite_slim.analysis.analyzer import AnalyzeSettings, analyze
from tflite_slim.analysis.ecosystem import KNOWN_CUSTOM_OPS, MEDIAPIPE_OPS, TFLM_SIGNAL_OPS, known_custom_op
from tflite_slim.analysis.schema import normalize_custom_op_name
from tflite_slim.analysis.html_page import render_html
from tflite_slim.analysis.report import render_text


@pytest.mark.parametrize("op", ["DISPATCH_OP", "NPU_OP"])
def test_npu_dispatch_ops_are_explained_not_registered(op: str) -> None:
    a = advise(op)
    assert a.group == "LiteRT NPU dispatch"
    assert "Register_" not in a.text and "--custom-ops-srcs" not in a.text
    assert "nothing to trim or register" in a.text
    assert "LiteRT's NPU runtime" in a.text and "vendor's dispatch library" in a.text
    assert "CPU runtime (stock or slim) cannot run this model" in a.text


@pytest.mark.parametrize("op, kernel", [
    ("Convolution2DTransposeBias", "mediapipe/util/tflite/operations/transpose_conv_bias.cc"),
    ("MaxPoolingWithArgmax2D", "mediapipe/util/tflite/operations/max_pool_argmax.cc"),
    ("MaxUnpooling2D", "mediapipe/util/tflite/operations/max_unpooling.cc"),
    ("Landmarks2TransformMatrix", "mediapipe/util/tflite/operations/landmarks_to_transform_matrix.cc"),
    ("TransformLandmarks", "mediapipe/util/tflite/operations/transform_landmarks.cc"),
    ("TransformTensorBilinear", "mediapipe/util/tflite/operations/transform_tensor_bilinear.cc"),
    ("NGramHash", "mediapipe/tasks/cc/text/language_detector/custom_ops/ngram_hash.cc"),
])
def test_mediapipe_ops_are_named_with_their_kernel(op: str, kernel: str) -> None:
    a = advise(op)
    assert a.group == "MediaPipe"
    assert a.text.startswith(f"custom op {op} is one of MediaPipe's ops: its kernel is MediaPipe's {kernel}")
    assert "MediaPipe's own op resolver" in a.text
    assert known_custom_op(op).source.startswith(f"google-ai-edge/mediapipe {kernel}")


@pytest.mark.parametrize("op", ["SignalWindow", "SignalRfft", "SignalPCAN", "SignalFilterBankSpectralSubtraction"])
def test_tflite_micro_signal_ops_are_named_as_such(op: str) -> None:
    a = advise(op)
    assert a.group == "TensorFlow Lite Micro signal library"
    assert "tflite-micro's signal/micro/kernels/" in a.text and "TFLMRegistration" in a.text
    assert f"Register_{normalize_custom_op_name(op)}()" in a.text  # a port is still possible


def test_every_known_op_names_its_source() -> None:
    for name, known in KNOWN_CUSTOM_OPS.items():
        assert known.project and known.advice and known.source, name
        assert known.source.split()[0] in ("google-ai-edge/LiteRT", "google-ai-edge/mediapipe",
                                           "tensorflow/tensorflow", "tensorflow/tflite-micro"), name
    assert set(MEDIAPIPE_OPS) | set(TFLM_SIGNAL_OPS) <= set(KNOWN_CUSTOM_OPS)


@pytest.mark.parametrize("op, group", [("MyOp", NEEDS_KERNEL), ("my.op", UNREGISTRABLE), ("dispatch_op", NEEDS_KERNEL),
                                       ("Ethos-U", "Arm Ethos-U (microcontrollers)")])
def test_only_unknown_ops_get_the_generic_advice(op: str, group: str) -> None:
    # Custom codes are case-sensitive: "dispatch_op" is not LiteRT's; Vela's ethos-u is matched in any case.
    assert advise(op).group == group
    assert build_note(op) == ("" if group in (NEEDS_KERNEL, UNREGISTRABLE) else f"{op} is {known_custom_op(op).advice}")


def test_advice_is_grouped_known_projects_first() -> None:
    advice = custom_op_advice(["Zed", "DISPATCH_OP", "TFLite_Detection_PostProcess", "my.op", "MaxUnpooling2D"])
    assert [(g, [a.op for a in items]) for g, items in grouped(advice)] == [
        ("LiteRT NPU dispatch", ["DISPATCH_OP"]), ("MediaPipe", ["MaxUnpooling2D"]),
        (NEEDS_KERNEL, ["Zed"]), (UNREGISTRABLE, ["my.op"])]


def test_real_models_get_their_projects_advice(shared_models: Path, expected: dict) -> None:
    """The corpus's NPU-compiled LiteRT models, MediaPipe models and TFLite Micro's audio preprocessors."""
    npu = sorted(p for p, v in expected.items() if set(v.get("custom_ops", ())) & {"DISPATCH_OP", "NPU_OP"})
    mediapipe = sorted(p for p, v in expected.items() if set(v.get("custom_ops", ())) & set(MEDIAPIPE_OPS))
    signal = sorted(p for p, v in expected.items() if set(v.get("custom_ops", ())) & set(TFLM_SIGNAL_OPS))
    # 10 DISPATCH_OP + 1 NPU_OP; 4 selfie segmentation + face mesh; micro_speech's float and int8 preprocessors
    assert (len(npu), len(mediapipe), len(signal)) == (11, 5, 2)
    paths = [str(shared_models / p) for p in npu + mediapipe + signal]
    analysis = analyze(AnalyzeSettings(tuple(paths), ("*",)))
    assert len(analysis.models) == len(paths)
    groups = dict(grouped(custom_op_advice(analysis.union.custom_ops)))
    assert sorted(groups) == ["LiteRT NPU dispatch", "MediaPipe", "TensorFlow Lite Micro signal library"]
    assert len(groups["TensorFlow Lite Micro signal library"]) == 9
    assert [a.op for a in groups["LiteRT NPU dispatch"]] == ["DISPATCH_OP", "NPU_OP"]
    assert [a.op for a in groups["MediaPipe"]] == ["Convolution2DTransposeBias", "Landmarks2TransformMatrix",
                                                  "TransformLandmarks", "TransformTensorBilinear"]
    text = render_text(analysis)
    assert "Register_DISPATCH_OP" not in text and "Register_NPU_OP" not in text
    assert "custom op DISPATCH_OP is LiteRT's NPU dispatch op" in text
    page = render_html(analysis)
    assert '<details class="advice"><summary>LiteRT NPU dispatch: DISPATCH_OP, NPU_OP</summary>' in page
    assert "none in TensorFlow Lite: MediaPipe" in page
