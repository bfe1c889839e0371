"""Small files shaped like TensorFlow's own, from two revisions each, for the readers in tflite_slim.

Written for these tests from what TensorFlow's sources state (macro signatures,
the ``bazel build`` lines of ``build_aar.sh``, the ``configs=(...)`` answers of
``build_aar_with_docker.sh``, the kernel header's declarations), trimmed to
what matters; bodies and comments are ours.
"""

from __future__ import annotations

#: build_def.bzl before the Java API split (2.8/2.9 era): no ``experimental`` parameter, but
#: ``tflite_custom_c_library`` further down names ``c_api_experimental.h``.
PRE_SPLIT_BUILD_DEF = '''"""Build macros for TF Lite."""

load("//tensorflow/lite/java:aar_with_jni.bzl", "aar_with_jni")

def tflite_custom_cc_library(
        name,
        models = [],
        srcs = [],
        deps = [],
        visibility = ["//visibility:private"],
        **kwargs):
    """A cc library with only the operators the models use."""
    pass

def tflite_custom_android_library(
        name,
        models = [],
        srcs = [],
        deps = [],
        custom_package = "org.tensorflow.lite",
        visibility = ["//visibility:private"],
        include_xnnpack_delegate = True,
        include_nnapi_delegate = True):
    """An Android library with only the operators the models use.

    Args:
        name: Name of the target.
        models: The models whose operators to keep (experimental ones too).
    """
    tflite_custom_cc_library(name = "%s_cc" % name, models = models, srcs = srcs, deps = deps)

def tflite_custom_c_library(
        name,
        models = [],
        **kwargs):
    """The C API with only the operators the models use."""
    native.cc_library(
        name = name,
        hdrs = [
            "//tensorflow/lite/c:c_api.h",
            "//tensorflow/lite/c:c_api_experimental.h",
        ],
        **kwargs
    )
'''

#: build_def.bzl after the split: the same macro with ``experimental = False`` last.
POST_SPLIT_BUILD_DEF = PRE_SPLIT_BUILD_DEF.replace(
    "        include_nnapi_delegate = True):\n",
    "        include_nnapi_delegate = True,\n        # Whether to include the experimental Java API.\n"
    "        experimental = False):\n",
)

_AAR_RULE = """  bazel ${{CACHE_DIR_FLAG}} build -c opt --cxxopt='--std=c++17' \\
        --fat_apk_cpu=${{TARGET_ARCHS}} \\
{extra}        --host_crosstool_top=@bazel_tools//tools/cpp:toolchain \\
        //tmp:{target}
"""


def build_aar_sh(flex_define: bool) -> str:
    """build_aar.sh's two custom builds; older ones leave the xnn_enable_arm_fp16 define out of the flex one."""
    define = "        --define=xnn_enable_arm_fp16=false \\\n"
    return (
        "#!/bin/bash\nset -e\n\nfunction generate_tflite_aar {\n  pushd ${TMP_DIR} > /dev/null\n  popd\n"
        + _AAR_RULE.format(extra=define, target="tensorflow-lite")
        + "}\n\nfunction generate_flex_aar {\n  cp ${ROOT_DIR}/tensorflow/lite/java/AndroidManifest.xml .\n"
        + _AAR_RULE.format(extra=define if flex_define else "", target="tensorflow-lite-select-tf-ops")
        + "}\n\n# Only the full AAR (no models) and the flex-op lister get --config=monolithic.\n"
        "if [ -z ${FLAG_MODELS} ]; then\n  bazel ${CACHE_DIR_FLAG} build -c opt --cxxopt='--std=c++17' \\\n"
        "    --config=monolithic \\\n    --fat_apk_cpu=${TARGET_ARCHS} \\\n"
        "    //tensorflow/lite/java:tensorflow-lite\nfi\n"
        "bazel ${CACHE_DIR_FLAG} build -c opt --config=monolithic \\\n"
        "  //tensorflow/lite/tools:list_flex_ops_no_kernel_main\n"
    )


BUILD_AAR_OLD = build_aar_sh(flex_define=False)
BUILD_AAR_NEW = build_aar_sh(flex_define=True)


def docker_script(configs: list[str]) -> str:
    """build_aar_with_docker.sh's container half: SDK packages, then the answers piped into ./configure."""
    lines = "".join(f"    '{c}'\n" for c in configs)
    return (
        "#!/bin/bash\nif [ ! -d /tensorflow_src ]; then\n  docker run --rm -it tflite-builder\nelse\n"
        "  sdkmanager --licenses\n  cd /tensorflow_src\n\n  # Run configure.\n"
        f"  configs=(\n{lines}  )\n"
        "  printf '%s\\n' \"${configs[@]}\" | ./configure\n\n"
        "  bash /tensorflow_src/tensorflow/lite/tools/build_aar.sh ${BUILD_FLAGS}\nfi\n"
    )


#: Python, its library path, ROCm N, CUDA N, clang N, copts, Android y, SDK path.
DOCKER_CONFIGS_NO_CLANG = ["/usr/bin/python3", "/usr/lib/python3/dist-packages", "N", "N", "N",
                           "-Wno-sign-compare -Wno-c++20-designator -Wno-gnu-inline-cpp-without-extern",
                           "y", "/android/sdk"]
#: ... and the newer answers: clang Y, then its path in the image.
DOCKER_CONFIGS_CLANG = ["/usr/bin/python3", "/usr/lib/python3/dist-packages", "N", "N", "Y",
                        "/usr/lib/llvm-18/bin/clang",
                        "-Wno-sign-compare -Wno-c++20-designator -Wno-gnu-inline-cpp-without-extern",
                        "y", "/android/sdk"]
DOCKER_OLD = docker_script(DOCKER_CONFIGS_NO_CLANG)
DOCKER_NEW = docker_script(DOCKER_CONFIGS_CLANG)

#: Newer releases: tensorflow/lite/kernels/builtin_op_kernels.h only forwards to the core header.
FORWARDING_KERNELS_H = """#ifndef TENSORFLOW_LITE_KERNELS_BUILTIN_OP_KERNELS_H_
#define TENSORFLOW_LITE_KERNELS_BUILTIN_OP_KERNELS_H_
/// See tensorflow/lite/core/kernels/builtin_op_kernels.h.
#include "tensorflow/lite/core/kernels/builtin_op_kernels.h"  // IWYU pragma: export
#endif
"""

#: ... whose declarations include some split over two lines, and one we comment out here.
CORE_KERNELS_H = """#include "tensorflow/lite/core/c/common.h"
namespace tflite {
namespace ops {
namespace builtin {
// Forward declaration of all builtin op kernel registration methods.
TfLiteRegistration* Register_ADD();
TfLiteRegistration* Register_CONV_2D();
TfLiteRegistration*
Register_STABLEHLO_ADD();  // WARNING: not implemented, using this op will crash
// TfLiteRegistration* Register_STABLEHLO_COMPOSITE();
/* TfLiteRegistration* Register_DELEGATE(); */
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
"""

#: register.cc's custom ops (AddCustom), older layout at tensorflow/lite/kernels/register.cc.
REGISTER_CC = """BuiltinOpResolver::BuiltinOpResolver() {
  AddBuiltin(BuiltinOperator_ADD, Register_ADD());
  AddCustom("NumericVerify", tflite::ops::custom::Register_NUMERIC_VERIFY());
  AddCustom("Mfcc", tflite::ops::custom::Register_MFCC());
  AddCustom("AudioSpectrogram",
            tflite::ops::custom::Register_AUDIO_SPECTROGRAM());
  AddCustom("TFLite_Detection_PostProcess",
            tflite::ops::custom::Register_DETECTION_POSTPROCESS());
}
"""
