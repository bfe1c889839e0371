package io.tfliteslim.gradle;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

/** The advice under a failed build fits the failure (messages as the tool prints them). */
public class FailureAdviceTest {
    @Test
    public void customOpWithoutKernelNamesTheSettingAndTheFunctions() {
        String out = "error: custom op(s) without a kernel in TensorFlow Lite: MyOp (Register_MY_OP) used by a.tflite; "
                + "Other (Register_OTHER) used by b.tflite. Give their kernel sources with --custom-ops-srcs (and Bazel deps with "
                + "--custom-ops-deps); each must define tflite::ops::custom::Register_<NAME>()";
        assertEquals("The models use custom ops that TensorFlow Lite has no kernel for: add their C++ sources to "
                + "tfliteSlim.customOpsSrcs (and their Bazel deps to tfliteSlim.customOpsDeps); the sources must define "
                + "tflite::ops::custom::Register_MY_OP(), tflite::ops::custom::Register_OTHER(). "
                + "`gradle tfliteReport` marks every custom op that needs one.", FailureAdvice.forBuild(out));
    }

    @Test
    public void toolchainFailuresGetTheToolchainAdvice() {
        assertEquals(FailureAdvice.TOOLCHAIN, FailureAdvice.forBuild("error: --tensorflow-src /app/tf: no such directory"));
        assertEquals(FailureAdvice.TOOLCHAIN, FailureAdvice.forBuild(
                "progress\nerror: configuring TensorFlow needs Bazel: 'bazel' was not found; install Bazel"));
        assertEquals(FailureAdvice.TOOLCHAIN, FailureAdvice.forBuild(
                "error: /tf/.tf_configure.bazelrc: TensorFlow is configured without Android (no ANDROID_SDK_HOME); run ./configure"));
    }

    @Test
    public void otherFailuresGetNone() {
        assertNull(FailureAdvice.forBuild("error: src/main/assets/a.tflite: not a TFLite flatbuffer (bad magic)"));
        assertNull(FailureAdvice.forBuild("error: --custom-ops-srcs: cpp/op.cc does not exist"));
        // Words in non-error lines (progress, Bazel's own output) do not count.
        assertNull(FailureAdvice.forBuild("running bazel build ...\nerror: give exactly one of --x or --y"));
    }
}
