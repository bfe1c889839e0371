package io.tfliteslim.gradle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The command lines the plugin runs: {@code <python> -m tflite_slim <command> ...}.
 *
 * <p>Pure: every value comes in as an argument, so the argv is unit-tested
 * without a project. All decisions about models, op sets and builds are the
 * Python tool's; this class only spells its options.
 */
public final class ToolCommands {
    /** The Python package that is the tool ({@code python -m tflite_slim}). */
    public static final String MODULE = "tflite_slim";

    private ToolCommands() {
    }

    /** {@code analyze MODEL... --format json -o JSON --html HTML}: the op report, no toolchain needed. */
    public static List<String> analyze(String python, List<String> models, String jsonOut, String htmlOut) {
        List<String> argv = start(python, "analyze");
        argv.addAll(models);
        argv.add("--format");
        argv.add("json");
        argv.add("-o");
        argv.add(jsonOut);
        argv.add("--html");
        argv.add(htmlOut);
        return Collections.unmodifiableList(argv);
    }

    /** {@code analyze MODEL...}: the same report as a text table on stdout, for the console. */
    public static List<String> analyzeText(String python, List<String> models) {
        List<String> argv = start(python, "analyze");
        argv.addAll(models);
        return Collections.unmodifiableList(argv);
    }

    /** {@code build MODEL... --out DIR --target-archs A,B [options]}: the slim AARs and their ops.json. */
    public static List<String> build(String python, List<String> models, String outDir, BuildOptions options) {
        List<String> argv = start(python, "build");
        argv.addAll(models);
        argv.add("--out");
        argv.add(outDir);
        if (!options.abis.isEmpty()) {
            argv.add("--target-archs");
            argv.add(String.join(",", options.abis));
        }
        option(argv, "--tensorflow-src", options.tensorflowSource);
        option(argv, "--tensorflow-version", options.tensorflowVersion);
        option(argv, "--backend", options.backend);
        option(argv, "--bazel", options.bazel);
        // One flag per value: the tool's options take one value each (repeatable).
        for (String src : options.customOpsSrcs) {
            option(argv, "--custom-ops-srcs", src);
        }
        for (String dep : options.customOpsDeps) {
            option(argv, "--custom-ops-deps", dep);
        }
        if (options.experimentalApi != null) {
            argv.add(options.experimentalApi ? "--experimental-api" : "--no-experimental-api");
        }
        return Collections.unmodifiableList(argv);
    }

    /** {@code install OUT [--repo DIR] [--group-id G] --coordinates-out FILE}: publish into a Maven repository. */
    public static List<String> install(String python, String outDir, String repository, String groupId,
                                       String coordinatesOut) {
        List<String> argv = start(python, "install");
        argv.add(outDir);
        option(argv, "--repo", repository);
        option(argv, "--group-id", groupId);
        // No --force: a weights-only change reuses the cached runtime and publishes the same bytes
        // (the published record leaves the model list out), so the install is a no-op; different
        // bytes under the same version mean something is wrong, and the tool says so.
        argv.add("--coordinates-out");
        argv.add(coordinatesOut);
        return Collections.unmodifiableList(argv);
    }

    /** {@code verify --ops OPS_JSON MODEL...}: exit 1 listing what the runtime lacks. */
    public static List<String> verify(String python, String opsJson, List<String> models) {
        List<String> argv = start(python, "verify");
        argv.add("--ops");
        argv.add(opsJson);
        argv.addAll(models);
        return Collections.unmodifiableList(argv);
    }

    private static List<String> start(String python, String command) {
        if (python == null || python.trim().isEmpty()) {
            throw new IllegalArgumentException("tfliteSlim.python is empty: set it to a Python 3.9+ interpreter");
        }
        List<String> argv = new ArrayList<>();
        argv.add(python);
        argv.add("-m");
        argv.add(MODULE);
        argv.add(command);
        return argv;
    }

    private static void option(List<String> argv, String flag, String value) {
        if (value != null && !value.isEmpty()) {
            argv.add(flag);
            argv.add(value);
        }
    }

    /** The settings of {@code build} that change its result, as plain values. */
    public static final class BuildOptions {
        final List<String> abis;
        final String tensorflowSource;
        final String tensorflowVersion;
        final String backend;
        final String bazel;
        final List<String> customOpsSrcs;
        final List<String> customOpsDeps;
        final Boolean experimentalApi;

        /** Nulls and empty lists leave the option out, so the tool's own default applies. */
        public BuildOptions(List<String> abis, String tensorflowSource, String tensorflowVersion, String backend,
                            String bazel, List<String> customOpsSrcs, List<String> customOpsDeps,
                            Boolean experimentalApi) {
            this.abis = copy(abis);
            this.tensorflowSource = tensorflowSource;
            this.tensorflowVersion = tensorflowVersion;
            this.backend = backend;
            this.bazel = bazel;
            this.customOpsSrcs = copy(customOpsSrcs);
            this.customOpsDeps = copy(customOpsDeps);
            this.experimentalApi = experimentalApi;
        }

        private static List<String> copy(List<String> values) {
            return values == null ? Collections.<String>emptyList()
                    : Collections.unmodifiableList(new ArrayList<>(values));
        }
    }
}
