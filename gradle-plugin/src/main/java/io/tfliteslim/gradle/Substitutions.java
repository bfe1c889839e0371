package io.tfliteslim.gradle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which TensorFlow Lite / LiteRT modules the slim artifacts replace.
 *
 * <p>Pure: maps a requested {@code group:module} to the slim coordinates
 * (or to nothing), so it is unit-tested without resolving anything. Every
 * module that carries the TFLite runtime or its Java API is replaced, so no
 * duplicate TFLite classes end up in the app, whether the app asks for it or a
 * library (e.g. {@code tensorflow-lite-support}) brings it transitively.
 */
public final class Substitutions {
    /** Modules whose classes the slim runtime AAR carries (runtime + Java API). */
    public static final List<String> RUNTIME_MODULES = Collections.unmodifiableList(java.util.Arrays.asList(
            "org.tensorflow:tensorflow-lite",
            "org.tensorflow:tensorflow-lite-api",
            "com.google.ai.edge.litert:litert",
            "com.google.ai.edge.litert:litert-api"));

    /** Modules whose classes the slim Select TF ops AAR carries. */
    public static final List<String> SELECT_TF_OPS_MODULES = Collections.unmodifiableList(java.util.Arrays.asList(
            "org.tensorflow:tensorflow-lite-select-tf-ops"));

    private Substitutions() {
    }

    /**
     * The {@code group:artifact:version} to use instead of {@code group:module}, or null to keep it.
     *
     * <p>When the models need no Flex op there is no slim Select TF ops AAR;
     * a request for the stock one then resolves to the slim runtime, which
     * drops the unused Flex kernels instead of shipping them.
     */
    public static String targetFor(String group, String module, Coordinates coordinates) {
        if (coordinates == null) {
            return null;
        }
        String id = group + ":" + module;
        if (RUNTIME_MODULES.contains(id)) {
            return coordinates.runtime.notation();
        }
        if (SELECT_TF_OPS_MODULES.contains(id)) {
            Coordinates.Gav target = coordinates.selectTfOps != null ? coordinates.selectTfOps : coordinates.runtime;
            return target.notation();
        }
        return null;
    }

    /** Whether {@code group:module} is one of the stock modules the slim artifacts replace. */
    public static boolean isStockRuntime(String group, String module) {
        String id = group + ":" + module;
        return RUNTIME_MODULES.contains(id) || SELECT_TF_OPS_MODULES.contains(id);
    }

    /** Every substitution as {@code "requested -> target"}, in a fixed order (for logs and tests). */
    public static List<String> describe(Coordinates coordinates) {
        List<String> lines = new ArrayList<>();
        List<String> all = new ArrayList<>(RUNTIME_MODULES);
        all.addAll(SELECT_TF_OPS_MODULES);
        for (String id : all) {
            int colon = id.indexOf(':');
            lines.add(id + " -> " + targetFor(id.substring(0, colon), id.substring(colon + 1), coordinates));
        }
        return Collections.unmodifiableList(lines);
    }
}
