"""Custom ops other projects put in models, and what an app does about each (data, with sources).

A custom op TensorFlow Lite has no kernel for normally needs the app's own
kernel (``Register_<NAME>()``). Some names belong to a known project, for which
that advice is wrong: LiteRT's NPU dispatch op is run by LiteRT's NPU runtime,
MediaPipe's ops by MediaPipe's own op resolver, TensorFlow Lite Micro's signal
ops by TFLite Micro. :func:`known_custom_op` says whose an op is; the report and
the build's error use it. Every entry names the file it was checked against
(google-ai-edge/LiteRT, google-ai-edge/mediapipe, tensorflow/tflite-micro on GitHub).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from tflite_slim.analysis.schema import registration_function


@dataclass(frozen=True)
class KnownOp:
    """Whose custom op a name is, what it means for an app, and where that was read."""

    #: The group the report files it under ("LiteRT NPU dispatch", "MediaPipe", ...).
    project: str
    #: What to do, one sentence or two (follows "custom op NAME is ...").
    advice: str
    #: Where the name and its kernel were checked (repository and path).
    source: str


#: What every NPU dispatch op means for an app (both custom codes LiteRT used for it).
_NPU = (
    "LiteRT's NPU dispatch op: the model was compiled ahead of time for one NPU, and this op carries the "
    "compiled NPU code. LiteRT's NPU runtime (its dispatch delegate with the SoC vendor's dispatch library, "
    "e.g. Qualcomm, MediaTek, Google Tensor) runs it; no CPU kernel exists, so there is nothing to trim or "
    "register. For the app: ship LiteRT's NPU runtime and the vendor's dispatch library for that SoC, and keep "
    "a CPU/GPU model for other devices; a TensorFlow Lite CPU runtime (stock or slim) cannot run this model, "
    "so leave it out of the slim build's models"
)

#: MediaPipe's custom ops: name -> (kernel source, the op resolvers of MediaPipe that register it), as read in
#: google-ai-edge/mediapipe (master): MediaPipeBuiltinOpResolver (mediapipe/tasks/cc/core/
#: mediapipe_builtin_op_resolver.cc, MediaPipe Tasks) and MediaPipe_RegisterTfLiteOpResolver
#: (mediapipe/util/tflite/cpu_op_resolver.cc, the calculators' inference).
_TASKS = "MediaPipeBuiltinOpResolver (mediapipe/tasks/cc/core/mediapipe_builtin_op_resolver.cc)"
_CPU = "MediaPipe_RegisterTfLiteOpResolver (mediapipe/util/tflite/cpu_op_resolver.cc)"
_OPERATIONS = "mediapipe/util/tflite/operations/"
_LANGUAGE = "mediapipe/tasks/cc/text/language_detector/custom_ops/"
MEDIAPIPE_OPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Convolution2DTransposeBias": (_OPERATIONS + "transpose_conv_bias.cc", (_TASKS, _CPU)),
    "MaxPoolingWithArgmax2D": (_OPERATIONS + "max_pool_argmax.cc", (_TASKS, _CPU)),
    "MaxUnpooling2D": (_OPERATIONS + "max_unpooling.cc", (_TASKS, _CPU)),
    "TransformTensorBilinear": (_OPERATIONS + "transform_tensor_bilinear.cc", (_TASKS, _CPU)),
    "TransformLandmarks": (_OPERATIONS + "transform_landmarks.cc", (_TASKS, _CPU)),
    "Landmarks2TransformMatrix": (_OPERATIONS + "landmarks_to_transform_matrix.cc", (_TASKS, _CPU)),
    "Resampler": (_OPERATIONS + "resampler.cc", (_CPU,)),
    "NGramHash": (_LANGUAGE + "ngram_hash.cc", (_TASKS,)),
    "KmeansEmbeddingLookup": (_LANGUAGE + "kmeans_embedding_lookup.cc", (_TASKS,)),
}


def _mediapipe(name: str, kernel: str, resolvers: tuple[str, ...]) -> KnownOp:
    return KnownOp(
        "MediaPipe",
        f"one of MediaPipe's ops: its kernel is MediaPipe's {kernel}, registered by MediaPipe's own op resolver "
        f"({' and '.join(resolvers)}). An app running this model through MediaPipe (Tasks or its graphs) gets "
        "the kernel from MediaPipe's library, not from the TensorFlow Lite runtime; to run the model on a slim "
        f"runtime directly, give a source defining tflite::ops::custom::{registration_function(name)}() that returns "
        "MediaPipe's registration (tfliteSlim.customOpsSrcs / --custom-ops-srcs)",
        f"google-ai-edge/mediapipe {kernel}; " + "; ".join(resolvers),
    )


#: TensorFlow Lite Micro's signal library (audio feature extraction): the names its MicroMutableOpResolver
#: registers (AddWindow -> "SignalWindow", ...; tensorflow/tflite-micro tensorflow/lite/micro/
#: micro_mutable_op_resolver.h), kernels in signal/micro/kernels/.
TFLM_SIGNAL_OPS = ("SignalDelay", "SignalEnergy", "SignalFftAutoScale", "SignalFilterBank", "SignalFilterBankLog",
                   "SignalFilterBankSpectralSubtraction", "SignalFilterBankSquareRoot", "SignalFramer",
                   "SignalIrfft", "SignalOverlapAdd", "SignalPCAN", "SignalRfft", "SignalStacker", "SignalWindow")


def _tflm_signal(name: str) -> KnownOp:
    return KnownOp(
        "TensorFlow Lite Micro signal library",
        "an op of TensorFlow Lite Micro's signal library (audio feature extraction): its kernel is in "
        "tflite-micro's signal/micro/kernels/, registered by TFLite Micro's MicroMutableOpResolver with TFLite "
        "Micro's kernel interface (TFLMRegistration), which the Android runtime does not load. The model is made "
        "for microcontrollers: on Android, do this preprocessing in the app, or give a source defining "
        f"tflite::ops::custom::{registration_function(name)}() with a TfLiteRegistration port of that kernel "
        "(tfliteSlim.customOpsSrcs / --custom-ops-srcs)",
        "tensorflow/tflite-micro tensorflow/lite/micro/micro_mutable_op_resolver.h; signal/micro/kernels/",
    )


#: Custom op name -> what it is. Names are compared exactly (custom codes are case-sensitive), except
#: ``ethos-u``, which Vela writes in lower case.
KNOWN_CUSTOM_OPS: dict[str, KnownOp] = {
    # LiteRT: kLiteRtDispatchOpCustomName, "Shared custom_name for all dispatch ops" (litert/core/build_stamp.h;
    # kLiteRtDispatchOpCustomCode in earlier releases);
    # the first LiteRT releases spelled it "NPU_OP" (tensorflow/lite/experimental/lrt/core/litert_model_serialize.h).
    "DISPATCH_OP": KnownOp("LiteRT NPU dispatch", _NPU,
                           "google-ai-edge/LiteRT litert/core/build_stamp.h (kLiteRtDispatchOpCustomName); "
                           "litert/runtime/dispatch/dispatch_delegate.cc"),
    "NPU_OP": KnownOp("LiteRT NPU dispatch", _NPU + " (NPU_OP is the name the first LiteRT releases gave it)",
                      "tensorflow/tensorflow tensorflow/lite/experimental/lrt/core/litert_model_serialize.h "
                      "(kLiteRtDispatchOpCustomCode = \"NPU_OP\")"),
    "ethos-u": KnownOp(
        "Arm Ethos-U (microcontrollers)",
        "the op Arm's Vela compiler puts in models for the Ethos-U NPU of microcontrollers, run by TensorFlow "
        "Lite Micro, not by the Android runtime: ship the model as it was before Vela",
        "tensorflow/tflite-micro tensorflow/lite/micro/kernels/ethos_u/README.md"),
    **{name: _mediapipe(name, kernel, resolvers) for name, (kernel, resolvers) in MEDIAPIPE_OPS.items()},
    **{name: _tflm_signal(name) for name in TFLM_SIGNAL_OPS},
}


def known_custom_op(name: str) -> Optional[KnownOp]:
    """The project ``name`` belongs to (None: nobody we know; the generic advice applies)."""
    return KNOWN_CUSTOM_OPS.get(name) or (KNOWN_CUSTOM_OPS["ethos-u"] if name.lower() == "ethos-u" else None)
