package io.tfliteslim.gradle.tool;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tool's messages in the plugin's words: a command-line option the tool names ({@code --source},
 * {@code --custom-ops-srcs}) becomes the plugin setting that passes it ({@code tfliteSlim.source},
 * {@code tfliteSlim.customOpsSrcs}), so a Gradle user is told what to set where they set things. Pure.
 * Only the tool's own options are rewritten (Bazel's, such as {@code --config}, are left as they are);
 * {@code --version} is ambiguous (Bazel, Docker) and stays.
 */
public final class PluginSpelling {
    private static final Map<String, String> SETTINGS = new LinkedHashMap<>();

    static {
        String[][] pairs = {
            {"--source", "source"}, {"--tensorflow-src", "source"}, {"--tensorflow-version", "tensorflowVersion"},
            {"--litert-version", "litertVersion"}, {"--custom-ops-srcs", "customOpsSrcs"}, {"--custom-ops-deps", "customOpsDeps"},
            {"--bazel", "bazel"}, {"--bazel-arg", "bazelArgs"}, {"--backend", "backend"}, {"--checkpoint", "checkpoint"},
            {"--docker", "docker"}, {"--target-archs", "targetAbis"}, {"--cache-dir", "cacheDir"}, {"--no-cache", "noCache"},
            {"--align-16kb", "align16kb"}, {"--no-align-16kb", "align16kb"}, {"--alignment-check", "alignmentCheck"},
            {"--opt-level", "optLevel"}, {"--lto", "lto"}, {"--no-lto", "lto"},
            {"--experimental-api", "experimentalApi"}, {"--no-experimental-api", "experimentalApi"},
            {"--group-id", "groupId"}, {"--select-tf-ops-artifact-id", "selectTfOpsArtifactId"},
            {"--ndk-version", "ndkVersion"}, {"--android-api-level", "androidApiLevel"}, {"--repo", "repository"},
            {"--url", "repositoryUrl"}, {"--username", "credentials.username"}, {"--password-env", "credentials.password"},
            {"--allow-insecure-http", "allowInsecureProtocol"}, {"--sdk", "sdk"}, {"--ndk", "ndk"}, {"--min-sdk", "minSdk"},
            {"--dep-mirror", "depMirror"}, {"--cmake", "cmake"}, {"--ninja", "ninja"}, {"--cxx", "cxx"}, {"--jobs", "jobs"},
            {"--cmake-dep-source", "cmakeDepSources"}, {"--tensorflow-source-dir", "tensorflowSourceDir"},
            {"--compiler-cache", "compilerCache"}, {"--compiler-cache-dir", "compilerCacheDir"},
            {"--compiler-cache-remote", "compilerCacheRemote"}, {"--compiler-cache-read-only", "compilerCacheReadOnly"},
            {"--bazel-public-cache", "bazelPublicCache"}, {"--no-xnnpack", "xnnpack"},
        };
        for (String[] p : pairs) {
            SETTINGS.put(p[0], "tfliteSlim." + p[1]);
        }
    }

    /** An option token: not part of a longer option, a word or a path. */
    private static final Pattern OPTION = Pattern.compile("(?<![\\w/.-])--[a-z0-9][a-z0-9-]*(?![\\w-])");

    private PluginSpelling() {
    }

    /** {@code text} with every tool option replaced by its plugin setting. */
    public static String of(String text) {
        Matcher m = OPTION.matcher(text);
        StringBuffer out = new StringBuffer();
        while (m.find()) {
            String setting = SETTINGS.get(m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(setting != null ? setting : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
