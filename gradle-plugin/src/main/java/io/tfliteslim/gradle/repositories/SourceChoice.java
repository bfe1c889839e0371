package io.tfliteslim.gradle.repositories;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which TensorFlow / LiteRT release to build when the extension names none:
 * the release of the stock runtime the app declares.
 *
 * <p>Pure: takes the declared {@code group:module:version} strings, so the
 * choice is unit-tested without a project. An app on LiteRT
 * ({@code com.google.ai.edge.litert:litert:V}) gets {@code --litert-version V},
 * one on TensorFlow Lite ({@code org.tensorflow:tensorflow-lite:V}) gets
 * {@code --tensorflow-version V}. A LiteRT 2.x version is never passed: that is
 * the CompiledModel runtime, which the plugin leaves in place
 * ({@link Substitutions#warningFor}) and the tool refuses to build; when nothing (or something ambiguous:
 * both kinds, two versions, a dynamic version) is declared, the tool's own
 * message asks for a source.
 */
public final class SourceChoice {
    static final String LITERT = "com.google.ai.edge.litert:litert";
    static final String TENSORFLOW_LITE = "org.tensorflow:tensorflow-lite";

    /** {@code --tensorflow-version} value, or null. */
    public final String tensorflowVersion;
    /** {@code --litert-version} value, or null. */
    public final String litertVersion;

    private SourceChoice(String tensorflowVersion, String litertVersion) {
        this.tensorflowVersion = tensorflowVersion;
        this.litertVersion = litertVersion;
    }

    /**
     * The versions to pass: the configured ones when any source setting is set, else the one
     * the declared stock dependency gives.
     */
    public static SourceChoice choose(boolean sourceSet, String tensorflowVersion, String litertVersion,
                                      Collection<String> declared) {
        if (sourceSet || tensorflowVersion != null || litertVersion != null) {
            return new SourceChoice(tensorflowVersion, litertVersion);
        }
        Set<String> litert = versions(declared, LITERT);
        Set<String> tflite = versions(declared, TENSORFLOW_LITE);
        if (litert.size() == 1 && tflite.isEmpty()) {
            return new SourceChoice(null, litert.iterator().next());
        }
        if (tflite.size() == 1 && litert.isEmpty()) {
            return new SourceChoice(tflite.iterator().next(), null);
        }
        return new SourceChoice(null, null);
    }

    private static Set<String> versions(Collection<String> declared, String module) {
        Set<String> out = new TreeSet<>();
        for (String gav : declared) {
            if (gav.startsWith(module + ":")) {
                String version = gav.substring(module.length() + 1);
                // Only a plain release names a source tag; ranges and dynamic versions do not.
                if (version.matches("[0-9][0-9A-Za-z.\\-]*") && !version.contains("+")
                        && (!LITERT.equals(module) || Substitutions.isLiteRtOneX(version))) {
                    out.add(version);
                }
            }
        }
        return out;
    }
}
