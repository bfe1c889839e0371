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
 * {@code --tensorflow-version V}. A LiteRT 2.x version is passed as well (the tool trims 2.1.6+ and 2.2.0 as a
 * drop-in for that exact version, and refuses the other 2.x lines with the reason); a 1.x LiteRT version
 * beside it wins, and TensorFlow Lite beside a 2.x one too (the 2.x then stays stock). When nothing (or
 * something ambiguous: both kinds, two versions, a dynamic version) is declared, the tool's own message
 * asks for a source.
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
        Set<String> all = versions(declared, LITERT);
        Set<String> litert = new TreeSet<>();
        for (String v : all) {
            if (Substitutions.isLiteRtOneX(v)) {
                litert.add(v);
            }
        }
        Set<String> tflite = versions(declared, TENSORFLOW_LITE);
        if (litert.size() == 1 && tflite.isEmpty()) {
            return new SourceChoice(null, litert.iterator().next());
        }
        if (tflite.size() == 1 && litert.isEmpty()) {
            return new SourceChoice(tflite.iterator().next(), null);
        }
        if (all.size() == 1 && tflite.isEmpty()) {
            return new SourceChoice(null, all.iterator().next());  // LiteRT 2.x: the drop-in for that version
        }
        return new SourceChoice(null, null);
    }

    private static Set<String> versions(Collection<String> declared, String module) {
        Set<String> out = new TreeSet<>();
        for (String gav : declared) {
            if (gav.startsWith(module + ":")) {
                String version = gav.substring(module.length() + 1);
                // Only a plain release names a source tag; ranges and dynamic versions do not.
                if (version.matches("[0-9][0-9A-Za-z.\\-]*") && !version.contains("+")) {
                    out.add(version);
                }
            }
        }
        return out;
    }
}
