package io.tfliteslim.gradle.tool;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tool's messages in the plugin's words: a command-line option the tool names ({@code --source},
 * {@code --custom-ops-srcs}) becomes the plugin setting that passes it ({@code tfliteSlim.source},
 * {@code tfliteSlim.customOpsSrcs}), so a Gradle user is told what to set where they set things. Pure.
 *
 * <p>Advice reads as a build script line, the same in Groovy and Kotlin DSL: a flag is its setting with the value
 * it stands for ({@code --no-xnnpack}: {@code tfliteSlim.xnnpack = false}), a choice the tool names is quoted
 * ({@code --backend local}: {@code tfliteSlim.backend = "local"}), a placeholder after an option goes
 * ({@code --bazel PATH}: {@code tfliteSlim.bazel}), "pass", "give" or "add" before an option is "set", and each
 * option of {@code --cmake/--ninja} is rewritten. Only the tool's own options are rewritten (Bazel's, such as
 * {@code --config}, and options written with {@code =} are left as they are); {@code --version} is ambiguous
 * (Bazel, Docker) and stays.
 */
public final class PluginSpelling {
    /** Options that take a value: the setting that passes it. */
    private static final Map<String, String> SETTINGS = new LinkedHashMap<>();
    /** Flags: the setting with the value that passes the flag. */
    private static final Map<String, String> FLAGS = new LinkedHashMap<>();
    /** The values the tool accepts for an option ({@code choices} in its argument parser). */
    private static final Map<String, Set<String>> CHOICES = new LinkedHashMap<>();
    /** The placeholders the tool's messages write after an option. */
    private static final Set<String> PLACEHOLDERS = new HashSet<>(Arrays.asList("PATH", "DIR", "URL", "N", "FILE", "VAR", "ARG", "X.Y.Z"));

    static {
        String[][] pairs = {
            {"--source", "source"}, {"--tensorflow-src", "source"}, {"--tensorflow-version", "tensorflowVersion"},
            {"--litert-version", "litertVersion"}, {"--custom-ops-srcs", "customOpsSrcs"}, {"--custom-ops-deps", "customOpsDeps"},
            {"--bazel", "bazel"}, {"--bazel-arg", "bazelArgs"}, {"--backend", "backend"}, {"--checkpoint", "checkpoint"},
            {"--docker", "docker"}, {"--target-archs", "targetAbis"}, {"--cache-dir", "cacheDir"},
            {"--alignment-check", "alignmentCheck"}, {"--opt-level", "optLevel"},
            {"--group-id", "groupId"}, {"--select-tf-ops-artifact-id", "selectTfOpsArtifactId"},
            {"--ndk-version", "ndkVersion"}, {"--android-api-level", "androidApiLevel"}, {"--repo", "repository"},
            {"--url", "repositoryUrl"}, {"--username", "credentials.username"}, {"--password-env", "credentials.password"},
            {"--sdk", "sdk"}, {"--ndk", "ndk"}, {"--min-sdk", "minSdk"},
            {"--dep-mirror", "depMirror"}, {"--cmake", "cmake"}, {"--ninja", "ninja"}, {"--cxx", "cxx"}, {"--jobs", "jobs"},
            {"--cmake-dep-source", "cmakeDepSources"}, {"--tensorflow-source-dir", "tensorflowSourceDir"},
            {"--compiler-cache", "compilerCache"}, {"--compiler-cache-dir", "compilerCacheDir"},
            {"--compiler-cache-remote", "compilerCacheRemote"},
        };
        for (String[] p : pairs) {
            SETTINGS.put(p[0], "tfliteSlim." + p[1]);
        }
        String[][] flags = {
            {"--no-cache", "noCache", "true"}, {"--align-16kb", "align16kb", "true"}, {"--no-align-16kb", "align16kb", "false"},
            {"--experimental-api", "experimentalApi", "true"}, {"--no-experimental-api", "experimentalApi", "false"},
            {"--allow-insecure-http", "allowInsecureProtocol", "true"}, {"--compiler-cache-read-only", "compilerCacheReadOnly", "true"},
            {"--bazel-public-cache", "bazelPublicCache", "true"}, {"--no-xnnpack", "xnnpack", "false"},
            {"--lto", "lto", "true"}, {"--no-lto", "lto", "false"},
        };
        for (String[] f : flags) {
            FLAGS.put(f[0], "tfliteSlim." + f[1] + " = " + f[2]);
        }
        // As the tool's argument parser has them (commands/build.py).
        CHOICES.put("--backend", new HashSet<>(Arrays.asList("cmake", "local", "docker")));
        CHOICES.put("--alignment-check", new HashSet<>(Arrays.asList("error", "warn")));
        CHOICES.put("--opt-level", new HashSet<>(Arrays.asList("Os", "O2", "O3")));
        CHOICES.put("--compiler-cache", new HashSet<>(Arrays.asList("auto", "ccache", "sccache", "none")));
    }

    /**
     * An option, or options joined by {@code /}, not part of a longer option, a word or a path, nor written with
     * {@code =}; with the verb before it and the word after it, which the rewrite may keep or replace.
     */
    private static final Pattern OPTION = Pattern.compile(
            "(?:\\b(pass|give|add) )?(?<![\\w/.-])(--[a-z0-9][a-z0-9-]*(?:/--[a-z0-9][a-z0-9-]*)*)(?![\\w=-])"
                    + "(?: ([A-Za-z0-9]+(?:\\.[A-Za-z0-9]+)*)(?![\\w-]))?");

    /** The tool's log lines that advise (runtime/settings.py's backend choice, its notes and warnings). */
    private static final Pattern ADVICE_LINE = Pattern.compile("tflite-slim: (?:backend |note: |warning: )");

    private PluginSpelling() {
    }

    /** {@code text} with every tool option replaced by its plugin setting. */
    public static String of(String text) {
        Matcher m = OPTION.matcher(text);
        StringBuffer out = new StringBuffer();
        while (m.find()) {
            String verb = m.group(1);
            String options = m.group(2);
            String word = m.group(3);
            String setting = setting(options);
            StringBuilder replacement = new StringBuilder();
            if (setting == null) {
                replacement.append(m.group());
            } else {
                if (verb != null) {
                    replacement.append("set ");
                }
                replacement.append(setting);
                if (word != null) {
                    Set<String> choices = CHOICES.get(options);
                    if (choices != null && choices.contains(word)) {
                        replacement.append(" = \"").append(word).append('"');
                    } else if (!(SETTINGS.containsKey(options) && PLACEHOLDERS.contains(word))) {
                        replacement.append(' ').append(word);
                    }
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * A line of the tool's output as the build log shows it: the tool's advice (which backend and why, its notes and
     * warnings) in the plugin's words; command lines and everything else (Bazel's, CMake's, the compilers') as they are.
     */
    public static String ofLogLine(String line) {
        return ADVICE_LINE.matcher(line).lookingAt() ? of(line) : line;
    }

    /** The setting of each option in {@code options} ({@code --a/--b}), or null if one is not the tool's. */
    private static String setting(String options) {
        StringBuilder settings = new StringBuilder();
        for (String option : options.split("/")) {
            String setting = FLAGS.containsKey(option) ? FLAGS.get(option) : SETTINGS.get(option);
            if (setting == null) {
                return null;
            }
            settings.append(settings.length() == 0 ? "" : "/").append(setting);
        }
        return settings.toString();
    }
}
