# Stand-in for LiteRT tflite/build_def.bzl: only the signature tflite-slim reads (the macro's parameters,
# as in the snapshot of 2026-08-21); the CMake backend does not run Bazel.
def tflite_custom_android_library(
        name,
        models = [],
        srcs = [],
        deps = [],
        custom_package = "org.tensorflow.lite",
        visibility = ["//visibility:private"],
        include_xnnpack_delegate = True,
        include_nnapi_delegate = True,
        experimental = False):
    pass
