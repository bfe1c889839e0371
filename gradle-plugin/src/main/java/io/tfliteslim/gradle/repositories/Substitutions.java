package io.tfliteslim.gradle.repositories;

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
 *
 * <p>LiteRT ships two lines under {@code com.google.ai.edge.litert}: 1.x, the
 * Interpreter runtime built from {@code tflite/java} (what tflite-slim trims
 * and labels with LiteRT's {@code LITERT_FULL_VERSION}), and 2.x, the
 * CompiledModel runtime built from {@code litert/kotlin} around
 * {@code libLiteRt.so}, whose kernels all come from the all-ops resolvers
 * ({@code register.cc}, {@code register_ref.cc}). tflite-slim trims 2.1.6+ and 2.2.0 as a drop-in for
 * one exact version ({@link Coordinates#replaces}: the stock AAR with only {@code libLiteRt.so} replaced);
 * only that module at that version is substituted, {@code litert-api} stays stock, and a 1.x runtime
 * never stands in for a 2.x request (the slim 1.x AAR lacks the {@code com.google.ai.edge.litert.*}
 * classes the app compiles against). {@link #warningFor} says once why a 2.x module stays stock.
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
            "org.tensorflow:tensorflow-lite-select-tf-ops",
            "com.google.ai.edge.litert:litert-select-tf-ops"));

    /** LiteRT's group: its modules are replaced only on the 1.x line. */
    public static final String LITERT_GROUP = "com.google.ai.edge.litert";

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
        return targetFor(group, module, null, coordinates);
    }

    /**
     * As {@link #targetFor(String, String, Coordinates)} for a request of {@code version}: a LiteRT module is
     * replaced only when {@code version} is on the 1.x line (a 2.x, dynamic or unknown version is kept,
     * since replacing a 2.x runtime breaks the app's compile). Null {@code version}: not known to the caller.
     */
    public static String targetFor(String group, String module, String version, Coordinates coordinates) {
        if (coordinates == null) {
            return null;
        }
        String id = group + ":" + module;
        if (LITERT_GROUP.equals(group) && version != null && !isLiteRtOneX(version)) {
            // A 2.x request: only the drop-in built for exactly this module and version stands in for it.
            return (id + ":" + version.trim()).equals(coordinates.replaces) ? coordinates.runtime.notation() : null;
        }
        if (coordinates.replaces != null) {
            return null;  // a 2.x drop-in replaces its one module, never a 1.x or TensorFlow Lite runtime
        }
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

    /** Whether a requested LiteRT version is on the 1.x line ({@code 1.4.1}, {@code 1.0.1-rc1}, {@code [1.4,1.5)}). */
    public static boolean isLiteRtOneX(String version) {
        String v = version.trim();
        while (!v.isEmpty() && (v.charAt(0) == '[' || v.charAt(0) == '(')) {
            v = v.substring(1);
        }
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end > 0 && v.substring(0, end).equals("1") && (end == v.length() || v.charAt(end) == '.'
            || v.charAt(end) == ',' || v.charAt(end) == '-');
    }

    /**
     * The warning for a stock LiteRT module left in place (a 2.x or unknown version), or null when
     * {@code group:module:version} is substituted or not LiteRT's runtime. The plugin logs it once per module.
     */
    public static String warningFor(String group, String module, String version) {
        return warningFor(group, module, version, null);
    }

    /**
     * As {@link #warningFor(String, String, String)} with what tfliteSlim installed ({@code installed}, null: none):
     * no warning for the module a 2.x drop-in replaces at its version, nor for {@code litert-api} beside it
     * (it stays stock by design); a drop-in for another version says to run tfliteSlim again.
     */
    public static String warningFor(String group, String module, String version, Coordinates installed) {
        if (!LITERT_GROUP.equals(group) || !isStockRuntime(group, module) || version == null
                || isLiteRtOneX(version)) {
            return null;
        }
        String replaces = installed == null ? null : installed.replaces;
        if (replaces != null) {
            String requested = group + ":" + module + ":" + version.trim();
            if (requested.equals(replaces) || (group + ":litert-api:" + version.trim()).equals(
                    replaces.replace(":litert:", ":litert-api:"))) {
                return null;
            }
            if ((group + ":" + module).equals(LITERT_GROUP + ":litert")) {
                return "tfliteSlim: " + requested + " is requested, and the trimmed LiteRT runtime installed is the "
                    + "drop-in for " + replaces + ", so the stock runtime is used: run `gradle tfliteSlim` again to "
                    + "build the drop-in for " + version.trim() + ".";
            }
        }
        // A versionless request (a platform or constraint picks the version) may well be 2.x: kept too.
        String requested = version.trim().isEmpty() ? group + ":" + module + " (requested without a version)"
            : group + ":" + module + ":" + version;
        return "tfliteSlim: " + requested + " is LiteRT's 2.x CompiledModel runtime (or a "
            + "version not on the 1.x line), and no trimmed runtime for it is installed, so it is left as is: the "
            + "app keeps the stock runtime. `gradle tfliteSlim` builds the drop-in for litert 2.1.6 and 2.2.0 "
            + "(libLiteRt.so with only the app's ops; docs/litert2.md); other 2.x releases are not trimmed: use "
            + "2.1.6+ or the 1.x Interpreter API line (" + group + ":" + module + ":1.4.1), or remove the "
            + "tfliteSlim plugin.";
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
