"""aar_with_jni with TensorFlow's signature, built from genrules only.

TensorFlow's macro builds a dummy android_binary to get one .so per
--fat_apk_cpu ABI, then copies the android_library's AAR and adds
jni/<abi>/*.so and LICENSE. The same targets and outputs here, with
android_stand_in.py (no Android SDK/NDK on the test machine) in place of
android_binary and zip.
"""

load("//tensorflow/lite/java:fat_apk_cpu.bzl", "fat_apk_cpu_abis")

_TOOL = "//tensorflow/lite/java:android_stand_in.py"

def aar_with_jni(
        name,
        android_library,
        headers = None,
        flatten_headers = False):
    """Generates an Android AAR given an Android library target (TensorFlow's arguments)."""
    native.genrule(
        name = name + "_binary_manifest_generator",
        outs = [name + "_generated_AndroidManifest.xml"],
        cmd = "printf '%s\\n' '<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\"' " +
              "'  package=\"dummy.package.for.so\">' '  <uses-sdk android:minSdkVersion=\"999\"/>' " +
              "'</manifest>' > $@",
    )

    # Stands in for android_binary(name = name + "_dummy_app_for_so", deps = [android_library]):
    # the library's native code, once per --fat_apk_cpu ABI, under lib/<abi>/.
    native.genrule(
        name = name + "_dummy_app_for_so",
        srcs = [android_library + "_jni_libs", name + "_generated_AndroidManifest.xml"],
        outs = [name + "_dummy_app_for_so_unsigned.apk"],
        tools = [_TOOL],
        tags = ["manual"],
        cmd = ("$${PYTHON_BIN_PATH} $(location %s) apk --abis " % _TOOL) + fat_apk_cpu_abis() +
              select({
                  "//tensorflow/lite/java:max_page_size_16k": " --max-page-size 16384",
                  "//conditions:default": "",
              }) +
              (" --out $@ $(locations %s_jni_libs)" % android_library),
    )

    srcs = [
        android_library + ".aar",
        name + "_dummy_app_for_so_unsigned.apk",
        "//:LICENSE",
    ]
    cmd = ("$${{PYTHON_BIN_PATH}} $(location {tool}) aar --library $(location {lib}.aar) " +
           "--apk $(location :{name}_dummy_app_for_so_unsigned.apk) --license $(location //:LICENSE) " +
           "--out $@ --test-note '$(tflite_slim_test_note)' --test-action '$(tflite_slim_test_action)'").format(
        tool = _TOOL,
        lib = android_library,
        name = name,
    )
    if headers:
        srcs += headers
        if flatten_headers:
            cmd += " --flatten-headers"
        cmd += "".join([" --header $(location %s)" % h for h in headers])

    native.genrule(
        name = name,
        srcs = srcs,
        outs = [name + ".aar"],
        tools = [_TOOL],
        tags = ["manual"],
        cmd = cmd,
    )
