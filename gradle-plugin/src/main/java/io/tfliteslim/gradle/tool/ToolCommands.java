package io.tfliteslim.gradle.tool;

import java.io.Serializable;
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
        buildOptions(argv, options);
        return Collections.unmodifiableList(argv);
    }

    /**
     * {@link #build(String, List, String, BuildOptions)} of a LiteRT 2.x drop-in: {@code --stock-aar FILE} (the app's
     * stock {@code litert} AAR) when {@code stockAar} is not null.
     */
    public static List<String> build(String python, List<String> models, String outDir, BuildOptions options,
                                     String stockAar) {
        List<String> argv = new ArrayList<>(build(python, models, outDir, options));
        option(argv, "--stock-aar", stockAar);
        return Collections.unmodifiableList(argv);
    }

    /**
     * {@code plan MODEL... [build options] [coordinates] --format json -o FILE}: the coordinates a build
     * of these models would publish, computed without any toolchain.
     */
    public static List<String> plan(String python, List<String> models, BuildOptions options, Publication publication,
                                    String jsonOut) {
        List<String> argv = start(python, "plan");
        argv.addAll(models);
        buildOptions(argv, options);
        coordinates(argv, publication);
        argv.add("--format");
        argv.add("json");
        argv.add("-o");
        argv.add(jsonOut);
        return Collections.unmodifiableList(argv);
    }

    private static void buildOptions(List<String> argv, BuildOptions options) {
        if (!options.abis.isEmpty()) {
            argv.add("--target-archs");
            argv.add(String.join(",", options.abis));
        }
        option(argv, "--source", options.tensorflowSource);
        option(argv, "--tensorflow-version", options.tensorflowVersion);
        option(argv, "--litert-version", options.litertVersion);
        option(argv, "--backend", options.backend);
        option(argv, "--checkpoint", options.checkpoint);
        option(argv, "--bazel", options.bazel);
        // --bazel-arg=VALUE: a value that starts with "--" would otherwise read as an option.
        for (String arg : options.bazelArgs) {
            argv.add("--bazel-arg=" + arg);
        }
        option(argv, "--docker", options.docker);
        option(argv, "--cache-dir", options.cacheDir);
        flag(argv, "--no-cache", options.noCache);
        // One flag per value, the singular options: the tool takes each whole (the plural ones split at commas).
        for (String src : options.customOpsSrcs) {
            option(argv, "--custom-ops-src", src);
        }
        for (String dep : options.customOpsDeps) {
            option(argv, "--custom-ops-dep", dep);
        }
        if (options.experimentalApi != null) {
            argv.add(options.experimentalApi ? "--experimental-api" : "--no-experimental-api");
        }
        if (options.align16kb != null) {
            argv.add(options.align16kb ? "--align-16kb" : "--no-align-16kb");
        }
        option(argv, "--alignment-check", options.alignmentCheck);
        option(argv, "--opt-level", options.optLevel);
        if (options.lto != null) {
            argv.add(options.lto ? "--lto" : "--no-lto");
        }
        // Declared toolchain facts: part of the runtime version, so plan and build get the same.
        option(argv, "--ndk-version", options.ndkVersion);
        option(argv, "--android-api-level", options.androidApiLevel);
        // The CMake backend's tools and sources, and the compiler cache (no secret: its credentials
        // reach the tool through the environment Gradle runs in).
        option(argv, "--cmake", options.cmake);
        option(argv, "--ninja", options.ninja);
        option(argv, "--cxx", options.cxx);
        option(argv, "--jobs", options.jobs);
        for (String dep : options.cmakeDepSources) {
            option(argv, "--cmake-dep-source", dep);
        }
        option(argv, "--tensorflow-source-dir", options.tensorflowSourceDir);
        flag(argv, "--no-xnnpack", Boolean.FALSE.equals(options.xnnpack));
        option(argv, "--sdk", options.sdk);
        option(argv, "--ndk", options.ndk);
        option(argv, "--min-sdk", options.minSdk);
        option(argv, "--dep-mirror", options.depMirror);
        option(argv, "--compiler-cache", options.compilerCache);
        option(argv, "--compiler-cache-dir", options.compilerCacheDir);
        option(argv, "--compiler-cache-remote", options.compilerCacheRemote);
        flag(argv, "--compiler-cache-read-only", options.compilerCacheReadOnly);
        flag(argv, "--bazel-public-cache", options.bazelPublicCache);
    }

    private static void coordinates(List<String> argv, Publication publication) {
        option(argv, "--group-id", publication.groupId);
        option(argv, "--select-tf-ops-artifact-id", publication.selectTfOpsArtifactId);
        option(argv, "--version", publication.version);
    }

    /** {@code install OUT [--repo DIR] [--group-id G] --coordinates-out FILE}: publish into a Maven repository. */
    public static List<String> install(String python, String outDir, String repository, String groupId,
                                       String coordinatesOut) {
        return install(python, outDir, repository, new Publication(groupId, null, null), coordinatesOut);
    }

    /** {@code install OUT [--repo DIR] [coordinates] --coordinates-out FILE}. */
    public static List<String> install(String python, String outDir, String repository, Publication publication,
                                       String coordinatesOut) {
        List<String> argv = start(python, "install");
        argv.add(outDir);
        option(argv, "--repo", repository);
        coordinates(argv, publication);
        // No --force: a weights-only change reuses the cached runtime and publishes the same bytes
        // (the published record leaves the model list out), so the install is a no-op; different
        // bytes under the same version mean something is wrong, and the tool says so.
        argv.add("--coordinates-out");
        argv.add(coordinatesOut);
        return Collections.unmodifiableList(argv);
    }

    /** {@link #deploy(String, String, String, Publication, String, String, boolean)} with {@code --stock-pom FILE}
     *  when not null (a LiteRT 2.x drop-in). */
    public static List<String> deploy(String python, String outDir, String url, Publication publication,
                                      String username, String passwordEnv, boolean allowInsecureHttp, String stockPom) {
        List<String> argv = new ArrayList<>(deploy(python, outDir, url, publication, username, passwordEnv,
                allowInsecureHttp));
        option(argv, "--stock-pom", stockPom);
        return Collections.unmodifiableList(argv);
    }

    /** {@link #install(String, String, String, Publication, String)} with {@code --stock-pom FILE} when not null. */
    public static List<String> install(String python, String outDir, String repository, Publication publication,
                                       String coordinatesOut, String stockPom) {
        List<String> argv = new ArrayList<>(install(python, outDir, repository, publication, coordinatesOut));
        option(argv, "--stock-pom", stockPom);
        return Collections.unmodifiableList(argv);
    }

    /**
     * {@code deploy OUT --url URL [coordinates] --no-netrc [--username U --password-env VAR] [--allow-insecure-http]}:
     * the password travels in the environment variable {@code passwordEnv}, never on the command line.
     */
    public static List<String> deploy(String python, String outDir, String url, Publication publication,
                                      String username, String passwordEnv, boolean allowInsecureHttp) {
        List<String> argv = start(python, "deploy");
        argv.add(outDir);
        argv.add("--url");
        argv.add(url);
        coordinates(argv, publication);
        credentials(argv, username, passwordEnv, allowInsecureHttp);
        return Collections.unmodifiableList(argv);
    }

    /**
     * {@code --no-netrc [--username U --password-env VAR] [--allow-insecure-http]}: exactly the credentials
     * the build declares, none included (never the tool's own lookup in ~/.netrc, whose {@code default}
     * entry would go to any host); the password itself never on the command line.
     */
    private static void credentials(List<String> argv, String username, String passwordEnv, boolean allowInsecureHttp) {
        argv.add("--no-netrc");
        option(argv, "--username", username);
        if (username != null && !username.isEmpty()) {
            option(argv, "--password-env", passwordEnv);
        }
        if (allowInsecureHttp) {
            argv.add("--allow-insecure-http");
        }
    }

    /** {@code verify --ops OPS_JSON MODEL...}: exit 1 listing what the runtime lacks. */
    public static List<String> verify(String python, String opsJson, List<String> models) {
        List<String> argv = start(python, "verify");
        argv.add("--ops");
        argv.add(opsJson);
        argv.addAll(models);
        return Collections.unmodifiableList(argv);
    }

    /**
     * {@code verify --url URL --coordinates G:A:V [credentials] MODEL...}: the tool reads the deployed
     * {@code ops.json} from {@code url} and no other repository (exit 3: not deployed there). The
     * password travels in {@code passwordEnv}, as for {@link #deploy}.
     */
    public static List<String> verifyDeployed(String python, String url, String coordinates, String username,
                                              String passwordEnv, boolean allowInsecureHttp, List<String> models) {
        List<String> argv = start(python, "verify");
        argv.add("--url");
        argv.add(url);
        argv.add("--coordinates");
        argv.add(coordinates);
        credentials(argv, username, passwordEnv, allowInsecureHttp);
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

    private static void option(List<String> argv, String flag, Integer value) {
        option(argv, flag, value == null ? null : value.toString());
    }

    private static void flag(List<String> argv, String flag, boolean set) {
        if (set) {
            argv.add(flag);
        }
    }

    /** The coordinates asked for ({@code --group-id}, {@code --select-tf-ops-artifact-id}, {@code --version}); nulls mean the tool's. */
    public static final class Publication implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String groupId;
        public final String selectTfOpsArtifactId;
        public final String version;

        public Publication(String groupId, String selectTfOpsArtifactId, String version) {
            this.groupId = groupId;
            this.selectTfOpsArtifactId = selectTfOpsArtifactId;
            this.version = version;
        }
    }

    /** The settings of {@code build} that change its result, as plain values. */
    public static final class BuildOptions implements Serializable {
        private static final long serialVersionUID = 1L;
        public final List<String> abis;
        public final String tensorflowSource;
        public final String tensorflowVersion;
        public final String litertVersion;
        public final String backend;
        public final String checkpoint;
        public final String bazel;
        public final List<String> bazelArgs;
        public final String docker;
        public final String cacheDir;
        public final boolean noCache;
        public final List<String> customOpsSrcs;
        public final List<String> customOpsDeps;
        public final Boolean experimentalApi;
        public final Boolean align16kb;
        public final String alignmentCheck;
        public final String optLevel;
        /** {@code --lto} / {@code --no-lto}; null: the tool's default. */
        public final Boolean lto;
        public final String ndkVersion;
        public final Integer androidApiLevel;
        public final String cmake;
        public final String ninja;
        public final String cxx;
        public final Integer jobs;
        /** {@code NAME=DIR}, sorted by name. */
        public final List<String> cmakeDepSources;
        public final String tensorflowSourceDir;
        public final String sdk;
        public final String ndk;
        public final Integer minSdk;
        public final String depMirror;
        public final String compilerCache;
        public final String compilerCacheDir;
        public final String compilerCacheRemote;
        public final boolean compilerCacheReadOnly;
        public final boolean bazelPublicCache;
        /** False: {@code --no-xnnpack}; null or true: the tool's default (XNNPACK in). */
        public final Boolean xnnpack;

        /** Nulls and empty lists leave the option out, so the tool's own default applies. */
        public BuildOptions(List<String> abis, String tensorflowSource, String tensorflowVersion, String backend,
                            String bazel, List<String> customOpsSrcs, List<String> customOpsDeps,
                            Boolean experimentalApi) {
            this(new Builder().abis(abis).source(tensorflowSource).tensorflowVersion(tensorflowVersion).backend(backend)
                    .bazel(bazel).customOps(customOpsSrcs, customOpsDeps).experimentalApi(experimentalApi));
        }

        private BuildOptions(Builder b) {
            this.abis = copy(b.abis);
            this.tensorflowSource = b.source;
            this.tensorflowVersion = b.tensorflowVersion;
            this.litertVersion = b.litertVersion;
            this.backend = b.backend;
            this.checkpoint = b.checkpoint;
            this.bazel = b.bazel;
            this.bazelArgs = copy(b.bazelArgs);
            this.docker = b.docker;
            this.cacheDir = b.cacheDir;
            this.noCache = b.noCache;
            this.customOpsSrcs = copy(b.customOpsSrcs);
            this.customOpsDeps = copy(b.customOpsDeps);
            this.experimentalApi = b.experimentalApi;
            this.align16kb = b.align16kb;
            this.alignmentCheck = b.alignmentCheck;
            this.optLevel = b.optLevel;
            this.lto = b.lto;
            this.ndkVersion = b.ndkVersion;
            this.androidApiLevel = b.androidApiLevel;
            this.cmake = b.cmake;
            this.ninja = b.ninja;
            this.cxx = b.cxx;
            this.jobs = b.jobs;
            List<String> deps = new ArrayList<>();
            if (b.cmakeDepSources != null) {
                for (java.util.Map.Entry<String, String> e : new java.util.TreeMap<>(b.cmakeDepSources).entrySet()) {
                    deps.add(e.getKey() + "=" + e.getValue());
                }
            }
            this.cmakeDepSources = Collections.unmodifiableList(deps);
            this.tensorflowSourceDir = b.tensorflowSourceDir;
            this.sdk = b.sdk;
            this.ndk = b.ndk;
            this.minSdk = b.minSdk;
            this.depMirror = b.depMirror;
            this.compilerCache = b.compilerCache;
            this.compilerCacheDir = b.compilerCacheDir;
            this.compilerCacheRemote = b.compilerCacheRemote;
            this.compilerCacheReadOnly = b.compilerCacheReadOnly;
            this.bazelPublicCache = b.bazelPublicCache;
            this.xnnpack = b.xnnpack;
        }

        private static List<String> copy(List<String> values) {
            return values == null ? Collections.<String>emptyList()
                    : Collections.unmodifiableList(new ArrayList<>(values));
        }

        /** Every option, by name; unset ones leave the flag out. */
        public static final class Builder {
            private List<String> abis;
            private String source;
            private String tensorflowVersion;
            private String litertVersion;
            private String backend;
            private String checkpoint;
            private String bazel;
            private List<String> bazelArgs;
            private String docker;
            private String cacheDir;
            private boolean noCache;
            private List<String> customOpsSrcs;
            private List<String> customOpsDeps;
            private Boolean experimentalApi;
            private Boolean align16kb;
            private String alignmentCheck;
            private String optLevel;
            private Boolean lto;
            private String ndkVersion;
            private Integer androidApiLevel;
            private String cmake;
            private String ninja;
            private String cxx;
            private Integer jobs;
            private java.util.Map<String, String> cmakeDepSources;
            private String tensorflowSourceDir;
            private String sdk;
            private String ndk;
            private Integer minSdk;
            private String depMirror;
            private String compilerCache;
            private String compilerCacheDir;
            private String compilerCacheRemote;
            private boolean compilerCacheReadOnly;
            private boolean bazelPublicCache;
            private Boolean xnnpack;

            public Builder abis(List<String> v) { abis = v; return this; }
            public Builder source(String v) { source = v; return this; }
            public Builder tensorflowVersion(String v) { tensorflowVersion = v; return this; }
            public Builder litertVersion(String v) { litertVersion = v; return this; }
            public Builder backend(String v) { backend = v; return this; }
            public Builder checkpoint(String v) { checkpoint = v; return this; }
            public Builder bazel(String v) { bazel = v; return this; }
            public Builder bazelArgs(List<String> v) { bazelArgs = v; return this; }
            public Builder docker(String v) { docker = v; return this; }
            public Builder cacheDir(String v) { cacheDir = v; return this; }
            public Builder noCache(boolean v) { noCache = v; return this; }
            public Builder customOps(List<String> srcs, List<String> deps) { customOpsSrcs = srcs; customOpsDeps = deps; return this; }
            public Builder experimentalApi(Boolean v) { experimentalApi = v; return this; }
            public Builder align16kb(Boolean v) { align16kb = v; return this; }
            public Builder alignmentCheck(String v) { alignmentCheck = v; return this; }
            public Builder optLevel(String v) { optLevel = v; return this; }
            public Builder lto(Boolean v) { lto = v; return this; }
            public Builder ndkVersion(String v) { ndkVersion = v; return this; }
            public Builder androidApiLevel(Integer v) { androidApiLevel = v; return this; }
            public Builder cmake(String v) { cmake = v; return this; }
            public Builder ninja(String v) { ninja = v; return this; }
            public Builder cxx(String v) { cxx = v; return this; }
            public Builder jobs(Integer v) { jobs = v; return this; }
            public Builder cmakeDepSources(java.util.Map<String, String> v) { cmakeDepSources = v; return this; }
            public Builder tensorflowSourceDir(String v) { tensorflowSourceDir = v; return this; }
            public Builder sdk(String v) { sdk = v; return this; }
            public Builder ndk(String v) { ndk = v; return this; }
            public Builder minSdk(Integer v) { minSdk = v; return this; }
            public Builder depMirror(String v) { depMirror = v; return this; }
            public Builder compilerCache(String v) { compilerCache = v; return this; }
            public Builder compilerCacheDir(String v) { compilerCacheDir = v; return this; }
            public Builder compilerCacheRemote(String v) { compilerCacheRemote = v; return this; }
            public Builder compilerCacheReadOnly(boolean v) { compilerCacheReadOnly = v; return this; }
            public Builder bazelPublicCache(boolean v) { bazelPublicCache = v; return this; }
            public Builder xnnpack(Boolean v) { xnnpack = v; return this; }

            public BuildOptions build() {
                return new BuildOptions(this);
            }
        }
    }
}
