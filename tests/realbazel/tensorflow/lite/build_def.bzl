"""tflite_custom_android_library with TensorFlow 2.16's signature, built from genrules only.

TensorFlow's macro compiles the op registration for the models into
libtensorflowlite_jni.so (cc rules, the NDK) and wraps it in an
android_library (manifest, Java classes) plus aar_with_jni. Here genrules
running android_stand_in.py make the same outputs without a compiler:
``<name>.aar`` (the android_library's AAR) and ``<name>_jni_libs`` (its native
code, which the real aar_with_jni reaches through android_binary's deps).
"""

load("//tensorflow/lite/java:aar_with_jni.bzl", "aar_with_jni")

_TOOL = "//tensorflow/lite/java:android_stand_in.py"

#: The Java classes the AAR carries: the stable API, plus Interpreter with experimental = True.
_STABLE_CLASSES = "org/tensorflow/lite/InterpreterApi.class,org/tensorflow/lite/annotations/UsedByReflection.class"
_EXPERIMENTAL_CLASSES = ",org/tensorflow/lite/Interpreter.class"

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
    """Generates a tflite Android library, stripping off unused operators (TensorFlow's arguments)."""
    if deps:
        fail("this test workspace has no cc deps to link: deps = %s" % deps)

    # Stands in for tflite_jni_binary(name = "libtensorflowlite_jni.so"): the "compiled" code
    # is a digest of what the real one is built from (models, custom-op sources, delegates).
    native.genrule(
        name = "libtensorflowlite_jni",
        srcs = models + srcs,
        outs = ["libtensorflowlite_jni.so"],
        tools = [_TOOL],
        cmd = "$${PYTHON_BIN_PATH} $(location %s) jni --out $@ --flag xnnpack=%s --flag nnapi=%s $(SRCS)" % (
            _TOOL,
            include_xnnpack_delegate,
            include_nnapi_delegate,
        ),
        visibility = visibility,
    )
    native.filegroup(
        name = "%s_jni_libs" % name,
        srcs = ["libtensorflowlite_jni.so"],
        visibility = visibility,
    )

    # Stands in for android_library(name = name, ...): its implicit <name>.aar output.
    classes = _STABLE_CLASSES + (_EXPERIMENTAL_CLASSES if experimental else "")
    native.genrule(
        name = name,
        srcs = ["//tensorflow/lite/java:AndroidManifest.xml"],
        outs = [name + ".aar"],
        tools = [_TOOL],
        cmd = "$${PYTHON_BIN_PATH} $(location %s) library --manifest $(location %s) --package %s --classes %s --out $@" % (
            _TOOL,
            "//tensorflow/lite/java:AndroidManifest.xml",
            custom_package,
            classes,
        ),
        visibility = visibility,
    )

    aar_with_jni(
        name = "%s_aar" % name,
        android_library = name,
    )
