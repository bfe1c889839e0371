package io.tfliteslim.gradle.tasks;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The advice under a failed {@code build}: the one that fits the failure.
 *
 * <p>Pure: reads the tool's output. A custom op without a kernel names the
 * setting and the {@code Register_<NAME>} functions to define; a toolchain
 * problem gets the toolchain advice; anything else (a bad model, a bad
 * setting) only the tool's own message, which already says what to do.
 */
public final class FailureAdvice {
    static final String TOOLCHAIN = "The native build uses TFLite's CMake build with Android Studio's NDK and CMake: "
            + "install them with the SDK Manager (SDK Tools > NDK (Side by side), CMake) or point tfliteSlim { sdk = ... } "
            + "(or ndk, cmake) at them. With Bazel instead: tfliteSlim { backend = 'local' } and a checkout configured "
            + "for Android (source = ...), or backend = 'docker' with tensorflowVersion. `gradle tfliteReport` shows the "
            + "models' ops without any toolchain.";
    /** LiteRT has no Docker backend: its runtime is built with CMake (the default) or Bazel. */
    static final String TOOLCHAIN_LITERT = "The native build uses TFLite's CMake build of LiteRT's release "
            + "(tfliteSlim.litertVersion) with Android Studio's NDK and CMake: install them with the SDK Manager (SDK Tools "
            + "> NDK (Side by side), CMake) or point tfliteSlim { sdk = ... } (or ndk, cmake) at them. With Bazel instead: "
            + "tfliteSlim { backend = 'local' } and a checkout configured for Android (source = ...). `gradle tfliteReport` "
            + "shows the models' ops without any toolchain.";
    private static final Pattern REGISTER = Pattern.compile("\\b(Register_[A-Za-z0-9_]+)\\b");
    /** What the tool's toolchain errors (ToolchainError and failing Bazel/Docker runs) talk about. */
    private static final Pattern TOOLCHAIN_WORDS = Pattern.compile(
            "bazel|docker|configure|\\.tf_configure\\.bazelrc|ANDROID_|NDK|--tensorflow-src|--source|"
                    + "--tensorflow-version|--litert-version|not executable|cmake|ninja|--sdk|--min-sdk|JDK|javac",
            Pattern.CASE_INSENSITIVE);

    private FailureAdvice() {
    }

    /** The advice for a failed TensorFlow build whose output is {@code text}, or null. */
    public static String forBuild(String text) {
        return forBuild(text, false);
    }

    /** The advice for a failed build ({@code litert}: of a LiteRT runtime) whose output is {@code text}, or null. */
    public static String forBuild(String text, boolean litert) {
        if (text.contains("custom op(s) without a kernel")) {
            Set<String> functions = new TreeSet<>();
            Matcher m = REGISTER.matcher(text);
            while (m.find()) {
                functions.add("tflite::ops::custom::" + m.group(1) + "()");
            }
            return "The models use custom ops that TensorFlow Lite has no kernel for: add their C++ sources to "
                    + "tfliteSlim.customOpsSrcs (and their Bazel deps to tfliteSlim.customOpsDeps); the sources must define "
                    + String.join(", ", functions) + ". `gradle tfliteReport` marks every custom op that needs one.";
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("error: ") && TOOLCHAIN_WORDS.matcher(line).find()) {
                return litert ? TOOLCHAIN_LITERT : TOOLCHAIN;
            }
        }
        return null;
    }
}
