package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.tool.PluginSpelling;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
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

    /** LiteRT has no Docker backend: its toolchain advice never mentions Docker. */
    @Test
    public void aLiteRtAppIsNeverToldToUseDocker() {
        String out = "error: configuring TensorFlow needs Bazel: 'bazel' was not found; install Bazel";
        assertEquals(FailureAdvice.TOOLCHAIN_LITERT, FailureAdvice.forBuild(out, true));
        assertEquals(false, FailureAdvice.TOOLCHAIN_LITERT.toLowerCase(java.util.Locale.ROOT).contains("docker"));
        assertEquals(FailureAdvice.TOOLCHAIN, FailureAdvice.forBuild(out, false));
    }

    /** The verify warnings: no Docker for LiteRT, and no "set repositoryUrl" when it is set. */
    @Test
    public void verifyAdviceNeverAdvisesWhatIsSet() {
        String team = TfliteVerifyTask.Action.noRuntime(true, false);
        assertEquals(false, team.contains("set tfliteSlim.repositoryUrl"));
        assertEquals(true, team.contains("deploy it from CI (`gradle tfliteSlimPublish`)"));
        assertEquals(true, TfliteVerifyTask.Action.noRuntime(false, false).contains("set tfliteSlim.repositoryUrl (and runtimeVersion)"));
        assertEquals(false, TfliteVerifyTask.Action.noRuntime(false, true).toLowerCase(java.util.Locale.ROOT).contains("docker"));
    }

    /** The default build is TFLite's CMake build with Android Studio's NDK: the warning names that first, not Bazel. */
    @Test
    public void verifyAdviceNamesTheDefaultToolchain() {
        for (boolean litert : new boolean[]{true, false}) {
            String advice = TfliteVerifyTask.Action.noRuntime(false, litert);
            assertTrue(advice, advice.contains("Run `gradle tfliteSlim` (needs Android Studio's NDK and CMake"));
        }
    }

    /** The tool's options in its messages become the plugin settings that pass them; Bazel's and words stay. */
    @Test
    public void toolMessagesSpeakPlugin() {
        assertEquals("give exactly one of tfliteSlim.source, tfliteSlim.tensorflowVersion or tfliteSlim.litertVersion",
                PluginSpelling.of("give exactly one of --source, --tensorflow-version or --litert-version"));
        assertEquals("tfliteSlim.customOpsSrcs: cpp/op.cc does not exist (and tfliteSlim.customOpsDeps; tfliteSlim.bazelArgs, tfliteSlim.bazel)",
                PluginSpelling.of("--custom-ops-srcs: cpp/op.cc does not exist (and --custom-ops-deps; --bazel-arg, --bazel)"));
        assertEquals("tfliteSlim.source /app/tf: bazel build --config=android_arm64 --define x=1 failed; see --version",
                PluginSpelling.of("--tensorflow-src /app/tf: bazel build --config=android_arm64 --define x=1 failed; see --version"));
        // Not an option: inside a path or a longer word.
        assertEquals("/opt/--source/x a--source --sources", PluginSpelling.of("/opt/--source/x a--source --sources"));
        assertEquals("tfliteSlim.ndkVersion 25.2 does not match the NDK found (27.0); set tfliteSlim.androidApiLevel",
                PluginSpelling.of("--ndk-version 25.2 does not match the NDK found (27.0); set --android-api-level"));
    }

    /**
     * Advice names the setting as a build script writes it (the same line in Groovy and Kotlin DSL): a flag is the
     * setting with the value it stands for, a choice is quoted, "pass --x PATH" is "set tfliteSlim.x", and each of
     * "--a/--b" is a setting. The CMake-policy message is runtime/backends/cmake/backend.py's {@code _xnnpack_cmake}.
     */
    @Test
    public void adviceNamesTheSettingAsABuildScriptWritesIt() {
        assertEquals("XNNPACK (/c/xnnpack/CMakeLists.txt) sets CMake policy CMP0156, which cmake 3.25 does not know: install"
                + " a newer CMake (Android Studio's SDK Manager: SDK Tools > CMake; or pip install cmake) and set tfliteSlim.cmake,"
                + " or leave XNNPACK out with tfliteSlim.xnnpack = false",
                PluginSpelling.of("XNNPACK (/c/xnnpack/CMakeLists.txt) sets CMake policy CMP0156, which cmake 3.25 does not know:"
                        + " install a newer CMake (Android Studio's SDK Manager: SDK Tools > CMake; or pip install cmake) and pass"
                        + " --cmake, or leave XNNPACK out with --no-xnnpack"));
        assertEquals("the models use Flex (select TensorFlow) ops, which only Bazel builds, and tfliteSlim.xnnpack = false"
                + " applies to tfliteSlim.backend = \"cmake\" (Bazel's build always has XNNPACK): drop tfliteSlim.xnnpack = false",
                PluginSpelling.of("the models use Flex (select TensorFlow) ops, which only Bazel builds, and --no-xnnpack applies"
                        + " to --backend cmake (Bazel's build always has XNNPACK): drop --no-xnnpack"));
        assertEquals("drop tfliteSlim.lto = true, or set tfliteSlim.lto = false",
                PluginSpelling.of("drop --lto, or give --no-lto"));
        assertEquals("build with tfliteSlim.backend = \"local\" (Bazel) instead",
                PluginSpelling.of("build with --backend local (Bazel) instead"));
        assertEquals("rebuild with tfliteSlim.align16kb = true (the default), or accept it with tfliteSlim.alignmentCheck = \"warn\"",
                PluginSpelling.of("rebuild with --align-16kb (the default), or accept it with --alignment-check warn"));
        assertEquals("tfliteSlim.noCache = true; tfliteSlim.experimentalApi = false; tfliteSlim.experimentalApi = true;"
                        + " tfliteSlim.align16kb = false; tfliteSlim.compilerCacheReadOnly = true; tfliteSlim.bazelPublicCache = true",
                PluginSpelling.of("--no-cache; --no-experimental-api; --experimental-api; --no-align-16kb;"
                        + " --compiler-cache-read-only; --bazel-public-cache"));
        assertEquals("use https, or set tfliteSlim.allowInsecureProtocol = true",
                PluginSpelling.of("use https, or add --allow-insecure-http"));
        assertEquals("install Bazel (bazelisk) or set tfliteSlim.bazel", PluginSpelling.of("install Bazel (bazelisk) or pass --bazel PATH"));
        assertEquals("(apt-get install cmake ninja-build), or set tfliteSlim.cmake/tfliteSlim.ninja",
                PluginSpelling.of("(apt-get install cmake ninja-build), or pass --cmake/--ninja"));
        assertEquals("declare the Android API level (tfliteSlim.minSdk, the app's minSdk, or tfliteSlim.androidApiLevel)",
                PluginSpelling.of("declare the Android API level (--min-sdk N, the app's minSdk, or --android-api-level N)"));
        assertEquals("set tfliteSlim.cacheDir on a larger disk", PluginSpelling.of("give --cache-dir on a larger disk"));
        // Bazel's flags, written with '=' (the tool writes them so), and a value that is not one of the choices stay.
        assertEquals("bazel build --jobs=8 --config=android_arm64; tfliteSlim.backend nope",
                PluginSpelling.of("bazel build --jobs=8 --config=android_arm64; --backend nope"));
    }

    /**
     * The tool's log lines that advise (which backend and why, notes, warnings) speak plugin too; the command lines
     * it logs, and anything else it prints, are shown as they are.
     */
    @Test
    public void adviceInTheLogSpeaksPluginAndCommandLinesStay() {
        assertEquals("tflite-slim: backend cmake (no tfliteSlim.backend given): TFLite's CMake build with the NDK and CMake found;"
                        + " tfliteSlim.backend = \"local\" builds with Bazel",
                PluginSpelling.ofLogLine("tflite-slim: backend cmake (no --backend given): TFLite's CMake build with the NDK and"
                        + " CMake found; --backend local builds with Bazel"));
        assertEquals("tflite-slim: note: the Android SDK was not found: set tfliteSlim.sdk",
                PluginSpelling.ofLogLine("tflite-slim: note: the Android SDK was not found: pass --sdk DIR"));
        assertEquals("tflite-slim: warning: tfliteSlim.alignmentCheck = \"warn\": 1 library is not 16 KB-aligned",
                PluginSpelling.ofLogLine("tflite-slim: warning: --alignment-check warn: 1 library is not 16 KB-aligned"));
        for (String line : new String[]{"tflite-slim: bazel build --config=android_arm64 --jobs 8 //tflite_slim_build:x",
                "tflite-slim: cmake arm64-v8a: configuring /t/tflite in /c/b", "  --cmake PATH  the cmake to run"}) {
            assertEquals(line, PluginSpelling.ofLogLine(line));
        }
    }
}
