"""tflite_flex_android_library with TensorFlow 2.16's signature, built from genrules only.

TensorFlow's macro compiles the TF kernels the models need into
libtensorflowlite_flex_jni.so and wraps it in an android_library with the
FlexDelegate class. Same outputs here as in tensorflow/lite/build_def.bzl:
``<name>.aar`` and ``<name>_jni_libs``.
"""

_TOOL = "//tensorflow/lite/java:android_stand_in.py"

def tflite_flex_android_library(
        name,
        models = [],
        additional_deps = [],
        custom_package = "org.tensorflow.lite.flex",
        testonly = 0,
        visibility = ["//visibility:private"]):
    """A rule to generate an android library based on the selective-built jni library (TensorFlow's arguments)."""
    if additional_deps:
        fail("this test workspace has no cc deps to link: additional_deps = %s" % additional_deps)
    native.genrule(
        name = "libtensorflowlite_flex_jni",
        srcs = models,
        outs = ["libtensorflowlite_flex_jni.so"],
        tools = [_TOOL],
        cmd = "$${PYTHON_BIN_PATH} $(location %s) jni --out $@ $(SRCS)" % _TOOL,
        testonly = testonly,
        visibility = visibility,
    )
    native.filegroup(
        name = "%s_jni_libs" % name,
        srcs = ["libtensorflowlite_flex_jni.so"],
        testonly = testonly,
        visibility = visibility,
    )
    native.genrule(
        name = name,
        srcs = ["//tensorflow/lite/java:AndroidManifest.xml"],
        outs = [name + ".aar"],
        tools = [_TOOL],
        cmd = ("$${PYTHON_BIN_PATH} $(location %s) library --manifest $(location %s) --package %s " +
               "--classes org/tensorflow/lite/flex/FlexDelegate.class --out $@") % (
            _TOOL,
            "//tensorflow/lite/java:AndroidManifest.xml",
            custom_package,
        ),
        testonly = testonly,
        visibility = visibility,
    )
