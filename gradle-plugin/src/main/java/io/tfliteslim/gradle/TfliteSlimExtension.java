package io.tfliteslim.gradle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code tfliteSlim { ... }} block. Unset values take the defaults the
 * plugin computes when the tasks run (see {@link ProjectDefaults}): models from
 * the Android assets, ABIs from {@code ndk.abiFilters}, the tool's own defaults
 * for everything it is not told.
 */
public class TfliteSlimExtension {
    /** The four ABIs TensorFlow Lite ships for Android. */
    public static final List<String> ALL_ABIS = java.util.Collections.unmodifiableList(
            Arrays.asList("arm64-v8a", "armeabi-v7a", "x86", "x86_64"));

    private String python;
    private String pipIndexUrl;
    private final List<Object> models = new ArrayList<>();
    private final List<String> include = new ArrayList<>(Arrays.asList("**/*.tflite"));
    private final List<String> exclude = new ArrayList<>();
    private List<String> targetAbis;
    private Object tensorflowSource;
    private String tensorflowVersion;
    private String backend;
    private Object bazel;
    private final List<Object> customOpsSrcs = new ArrayList<>();
    private final List<String> customOpsDeps = new ArrayList<>();
    private String groupId;
    private Boolean experimentalApi;
    private boolean verify = true;
    private List<String> stockRuntimeVariants = new ArrayList<>();
    private Object repository;
    private boolean required;
    private Object repositoryUrl;
    private final Credentials credentials = new Credentials();
    private boolean allowInsecureProtocol;
    private String runtimeVersion;
    private final List<String> bazelArgs = new ArrayList<>();
    private Object cacheDir;
    private boolean noCache;
    private Object docker;
    private String checkpoint;
    private String selectTfOpsArtifactId;
    private Boolean align16kb;
    private String optLevel;
    private Boolean lto;
    private String alignmentCheck;
    private String litertVersion;
    private String ndkVersion;
    private Integer androidApiLevel;
    private Object cmake;
    private Object ninja;
    private Object cxx;
    private Integer jobs;
    private final Map<String, Object> cmakeDepSources = new TreeMap<>();
    private Object tensorflowSourceDir;
    private Object sdk;
    private Object ndk;
    private Integer minSdk;
    private String depMirror;
    private String compilerCache;
    private Object compilerCacheDir;
    private String compilerCacheRemote;
    private boolean compilerCacheReadOnly;
    private boolean bazelPublicCache;
    private Boolean xnnpack;

    /**
     * Python 3.9+: used as it is when it has this version of tflite-slim, else the base of the virtual
     * environment the plugin installs its tool into; default: Gradle property {@code tfliteSlim.python}, else {@code python3}.
     */
    public String getPython() {
        return python;
    }

    public void setPython(String python) {
        this.python = python;
    }

    /** pip's {@code --index-url} (a PyPI mirror) for the tool's environment; null: pip's own configuration (or Gradle property {@code tfliteSlim.pipIndexUrl}). */
    public String getPipIndexUrl() {
        return pipIndexUrl;
    }

    public void setPipIndexUrl(String pipIndexUrl) {
        this.pipIndexUrl = pipIndexUrl;
    }

    /** Directories (or files) holding the models; empty means the defaults. */
    public List<Object> getModels() {
        return models;
    }

    public void setModels(List<Object> models) {
        this.models.clear();
        this.models.addAll(models);
    }

    public void models(Object... paths) {
        models.addAll(Arrays.asList(paths));
    }

    /** Ant-style patterns the model files must match; default {@code **}{@code /*.tflite}. */
    public List<String> getInclude() {
        return include;
    }

    public void setInclude(List<String> patterns) {
        include.clear();
        include.addAll(patterns);
    }

    public void include(String... patterns) {
        include.addAll(Arrays.asList(patterns));
    }

    public List<String> getExclude() {
        return exclude;
    }

    public void setExclude(List<String> patterns) {
        exclude.clear();
        exclude.addAll(patterns);
    }

    public void exclude(String... patterns) {
        exclude.addAll(Arrays.asList(patterns));
    }

    /**
     * ABIs to build; null means every variant's {@code ndk.abiFilters} together ({@code defaultConfig}'s plus
     * its flavor's and build type's), else {@link #ALL_ABIS}.
     */
    public List<String> getTargetAbis() {
        return targetAbis;
    }

    public void setTargetAbis(List<String> targetAbis) {
        this.targetAbis = targetAbis == null ? null : new ArrayList<>(targetAbis);
    }

    /** A TensorFlow (or LiteRT) source tree configured for Android (for the bazel backend): {@code --source}. */
    public Object getSource() {
        return tensorflowSource;
    }

    public void setSource(Object source) {
        this.tensorflowSource = source;
    }

    /** The former name of {@link #getSource()}, kept as an alias. */
    public Object getTensorflowSource() {
        return tensorflowSource;
    }

    public void setTensorflowSource(Object tensorflowSource) {
        this.tensorflowSource = tensorflowSource;
    }

    /** A LiteRT release to build ({@code --litert-version}); one of source, tensorflowVersion, litertVersion. */
    public String getLitertVersion() {
        return litertVersion;
    }

    public void setLitertVersion(String litertVersion) {
        this.litertVersion = litertVersion;
    }

    /** A TensorFlow release to build (the tool fetches or uses its Docker image). */
    public String getTensorflowVersion() {
        return tensorflowVersion;
    }

    public void setTensorflowVersion(String tensorflowVersion) {
        this.tensorflowVersion = tensorflowVersion;
    }

    /** {@code local} (bazel in tensorflowSource), {@code docker} or {@code cmake} (no Bazel); null: the tool's (local). */
    public String getBackend() {
        return backend;
    }

    public void setBackend(String backend) {
        this.backend = backend;
    }

    /** The bazel (or bazelisk) executable; null means the tool looks on PATH. */
    public Object getBazel() {
        return bazel;
    }

    public void setBazel(Object bazel) {
        this.bazel = bazel;
    }

    /** C++ sources of the app's custom ops, compiled into the runtime. */
    public List<Object> getCustomOpsSrcs() {
        return customOpsSrcs;
    }

    public void setCustomOpsSrcs(List<Object> srcs) {
        customOpsSrcs.clear();
        customOpsSrcs.addAll(srcs);
    }

    public void customOpsSrcs(Object... srcs) {
        customOpsSrcs.addAll(Arrays.asList(srcs));
    }

    /** Bazel labels the custom op sources depend on. */
    public List<String> getCustomOpsDeps() {
        return customOpsDeps;
    }

    public void setCustomOpsDeps(List<String> deps) {
        customOpsDeps.clear();
        customOpsDeps.addAll(deps);
    }

    public void customOpsDeps(String... deps) {
        customOpsDeps.addAll(Arrays.asList(deps));
    }

    /** Maven groupId of the slim artifacts; null means the tool's default ({@code io.tfliteslim}). */
    public String getGroupId() {
        return groupId;
    }

    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    /**
     * Include TensorFlow Lite's full Java API ({@code Interpreter}), not only the stable
     * {@code InterpreterApi} subset; null means the tool's default (on).
     */
    public Boolean getExperimentalApi() {
        return experimentalApi;
    }

    public void setExperimentalApi(Boolean experimentalApi) {
        this.experimentalApi = experimentalApi;
    }

    /** Run {@code tfliteVerify} before the app's build ({@code preBuild}); default true. */
    public boolean isVerify() {
        return verify;
    }

    /** The same as {@code isVerify()}: Kotlin sees {@code verify} as a property only through a get-prefixed getter. */
    public boolean getVerify() {
        return verify;
    }

    public void setVerify(boolean verify) {
        this.verify = verify;
    }

    /**
     * Android variants that keep the stock TensorFlow Lite runtime (for example a variant without models):
     * their runtime and compile classpaths, and their unit and instrumented tests', are not substituted,
     * and their build does not run {@code tfliteVerify<Variant>}. Empty (the default): every variant gets the
     * slim runtime. Names as AGP gives them ({@code freeRelease}).
     */
    public List<String> getStockRuntimeVariants() {
        return stockRuntimeVariants;
    }

    public void setStockRuntimeVariants(List<String> stockRuntimeVariants) {
        this.stockRuntimeVariants = stockRuntimeVariants == null ? new ArrayList<>() : new ArrayList<>(stockRuntimeVariants);
    }

    /** Maven repository directory to install into and resolve from; null means mavenLocal(). */
    public Object getRepository() {
        return repository;
    }

    public void setRepository(Object repository) {
        this.repository = repository;
    }

    /** Fail the app's build when no slim runtime is there yet (default false: warn and use the stock one). */
    public boolean isRequired() {
        return required;
    }

    /** The same as {@code isRequired()}: Kotlin sees {@code required} as a property only through a get-prefixed getter. */
    public boolean getRequired() {
        return required;
    }

    public void setRequired(boolean required) {
        this.required = required;
    }

    /**
     * A shared Maven repository (URL) holding the runtime CI deployed: the app resolves it from there
     * without building, and {@code tfliteSlimPublish} deploys to it.
     */
    public Object getRepositoryUrl() {
        return repositoryUrl;
    }

    public void setRepositoryUrl(Object repositoryUrl) {
        this.repositoryUrl = repositoryUrl;
    }

    /** Credentials for {@link #getRepositoryUrl()}. */
    public Credentials getCredentials() {
        return credentials;
    }

    public void credentials(org.gradle.api.Action<? super Credentials> action) {
        action.execute(credentials);
    }

    /** Allow a plain {@code http://} repositoryUrl (Gradle's allowInsecureProtocol; deploy's --allow-insecure-http). */
    public boolean isAllowInsecureProtocol() {
        return allowInsecureProtocol;
    }

    /** The same as {@code isAllowInsecureProtocol()}: Kotlin sees {@code allowInsecureProtocol} as a property only through a get-prefixed getter. */
    public boolean getAllowInsecureProtocol() {
        return allowInsecureProtocol;
    }

    public void setAllowInsecureProtocol(boolean allowInsecureProtocol) {
        this.allowInsecureProtocol = allowInsecureProtocol;
    }

    /** The slim runtime's version: install/deploy {@code --version}, and the version resolved; null means computed from the plan. */
    public String getRuntimeVersion() {
        return runtimeVersion;
    }

    public void setRuntimeVersion(String runtimeVersion) {
        this.runtimeVersion = runtimeVersion;
    }

    /** Extra {@code bazel build} arguments ({@code --bazel-arg}, one each). */
    public List<String> getBazelArgs() {
        return bazelArgs;
    }

    public void setBazelArgs(List<String> args) {
        bazelArgs.clear();
        bazelArgs.addAll(args);
    }

    public void bazelArgs(String... args) {
        bazelArgs.addAll(Arrays.asList(args));
    }

    /** The tool's cache directory ({@code --cache-dir}); null means the tool's default. */
    public Object getCacheDir() {
        return cacheDir;
    }

    public void setCacheDir(Object cacheDir) {
        this.cacheDir = cacheDir;
    }

    /** Always run Bazel and store nothing ({@code --no-cache}). */
    public boolean isNoCache() {
        return noCache;
    }

    /** The same as {@code isNoCache()}: Kotlin sees {@code noCache} as a property only through a get-prefixed getter. */
    public boolean getNoCache() {
        return noCache;
    }

    public void setNoCache(boolean noCache) {
        this.noCache = noCache;
    }

    /** The Docker client ({@code --docker}); null means docker on PATH. */
    public Object getDocker() {
        return docker;
    }

    public void setDocker(Object docker) {
        this.docker = docker;
    }

    /** Docker backend: the TensorFlow revision to build ({@code --checkpoint}). */
    public String getCheckpoint() {
        return checkpoint;
    }

    public void setCheckpoint(String checkpoint) {
        this.checkpoint = checkpoint;
    }

    /** artifactId of the slim Select TF ops AAR ({@code --select-tf-ops-artifact-id}). */
    public String getSelectTfOpsArtifactId() {
        return selectTfOpsArtifactId;
    }

    public void setSelectTfOpsArtifactId(String selectTfOpsArtifactId) {
        this.selectTfOpsArtifactId = selectTfOpsArtifactId;
    }

    /** 16 KB-aligned native libraries ({@code --align-16kb} / {@code --no-align-16kb}); null means the tool's default. */
    public Boolean getAlign16kb() {
        return align16kb;
    }

    public void setAlign16kb(Boolean align16kb) {
        this.align16kb = align16kb;
    }

    /** What a LOAD segment below 16 KB does: {@code error} or {@code warn} ({@code --alignment-check}). */
    public String getAlignmentCheck() {
        return alignmentCheck;
    }

    public void setAlignmentCheck(String alignmentCheck) {
        this.alignmentCheck = alignmentCheck;
    }

    /**
     * The NDK revision the runtime is built with ({@code --ndk-version}, e.g. {@code 27.0.12077973}):
     * part of the runtime version, and checked against the NDK the build finds. Null means the app's
     * {@code android.ndkVersion} when set, else none declared.
     */
    public String getNdkVersion() {
        return ndkVersion;
    }

    public void setNdkVersion(String ndkVersion) {
        this.ndkVersion = ndkVersion;
    }

    /** The minimum Android API level the runtime is built for ({@code --android-api-level}); null means none declared. */
    public Integer getAndroidApiLevel() {
        return androidApiLevel;
    }

    public void setAndroidApiLevel(Integer androidApiLevel) {
        this.androidApiLevel = androidApiLevel;
    }

    /**
     * {@code credentials { username = ...; password = ... }}. The password is a String or a
     * {@code Provider<String>}: {@code providers.environmentVariable("DEPLOY_TOKEN")} (Gradle 6.1+)
     * reaches {@code tfliteSlimPublish} unread, so the secret is not stored with the task
     * (configuration cache); a String is.
     */
    public static class Credentials {
        private String username;
        private Object password;

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        /** A String, a {@code Provider<String>}, or null. */
        public Object getPassword() {
            return password;
        }

        public void setPassword(Object password) {
            this.password = password;
        }

        /** The password now (a provider read), for repository credentials resolved in this build. */
        String passwordValue() {
            return io.tfliteslim.gradle.tasks.Secrets.valueOf(password);
        }
    }

    /** CMake 3.19+ for {@code backend = 'cmake'} (a name on PATH or a path); null: the tool's choice. */
    public Object getCmake() {
        return cmake;
    }

    public void setCmake(Object cmake) {
        this.cmake = cmake;
    }

    /** Ninja for {@code backend = 'cmake'}; null: the tool's choice. */
    public Object getNinja() {
        return ninja;
    }

    public void setNinja(Object ninja) {
        this.ninja = ninja;
    }

    /** The C++ compiler of a desktop ({@code host}) build, e.g. a cross compiler; null: {@code c++}. */
    public Object getCxx() {
        return cxx;
    }

    public void setCxx(Object cxx) {
        this.cxx = cxx;
    }

    /**
     * The CMake backend's optimization level, {@code "Os"}, {@code "O2"} or {@code "O3"} ({@code --opt-level}; a
     * declared input: it enters the runtime's version); null: the tool's default (docs/optimization.md).
     */
    public String getOptLevel() {
        return optLevel;
    }

    public void setOptLevel(String optLevel) {
        this.optLevel = optLevel;
    }

    /**
     * Link-time optimization of the CMake backend's library ({@code --lto} / {@code --no-lto}; a declared input:
     * it enters the runtime's version); null: the tool's default, off (docs/optimization.md).
     */
    public Boolean getLto() {
        return lto;
    }

    public void setLto(Boolean lto) {
        this.lto = lto;
    }

    /** Parallel compile jobs of the CMake backend; null: Ninja's default. */
    public Integer getJobs() {
        return jobs;
    }

    public void setJobs(Integer jobs) {
        this.jobs = jobs;
    }

    /** CMake dependencies from local directories (name as TFLite's tools/cmake/modules name it -> directory). */
    public Map<String, Object> getCmakeDepSources() {
        return cmakeDepSources;
    }

    public void setCmakeDepSources(Map<String, Object> sources) {
        cmakeDepSources.clear();
        cmakeDepSources.putAll(sources);
    }

    public void cmakeDepSource(String name, Object dir) {
        cmakeDepSources.put(name, dir);
    }

    /** The TensorFlow tree LiteRT's CMake build reads ({@code TENSORFLOW_SOURCE_DIR}); null: the tool's. */
    public Object getTensorflowSourceDir() {
        return tensorflowSourceDir;
    }

    public void setTensorflowSourceDir(Object dir) {
        this.tensorflowSourceDir = dir;
    }

    /** {@code auto} (ccache, else sccache, else none), {@code ccache}, {@code sccache} or {@code none}; null: auto. */
    public String getCompilerCache() {
        return compilerCache;
    }

    public void setCompilerCache(String compilerCache) {
        this.compilerCache = compilerCache;
    }

    /** The compiler cache's local storage; null: the tool's cache directory. */
    public Object getCompilerCacheDir() {
        return compilerCacheDir;
    }

    public void setCompilerCacheDir(Object dir) {
        this.compilerCacheDir = dir;
    }

    /**
     * The compiler cache the team shares (http(s) WebDAV; s3/redis with sccache; local Bazel's remote cache),
     * without credentials: those come from TFLITE_SLIM_COMPILER_CACHE_USERNAME/_PASSWORD where Gradle runs.
     */
    public String getCompilerCacheRemote() {
        return compilerCacheRemote;
    }

    public void setCompilerCacheRemote(String url) {
        this.compilerCacheRemote = url;
    }

    /**
     * The XNNPACK delegate in the CMake backend's library (null: the tool's default, in, as stock LiteRT has it
     * and applies it by default); {@code false} leaves it out ({@code --no-xnnpack}): smaller, slower float models.
     * Declared, so part of the runtime's version.
     */
    public Boolean getXnnpack() {
        return xnnpack;
    }

    public void setXnnpack(Boolean xnnpack) {
        this.xnnpack = xnnpack;
    }

    /** Read the shared compiler cache only (developers; CI writes). */
    public boolean isCompilerCacheReadOnly() {
        return compilerCacheReadOnly;
    }

    /** The same as {@code isCompilerCacheReadOnly()}, for Kotlin's property syntax. */
    public boolean getCompilerCacheReadOnly() {
        return compilerCacheReadOnly;
    }

    public void setCompilerCacheReadOnly(boolean readOnly) {
        this.compilerCacheReadOnly = readOnly;
    }

    /** Local Bazel reads LiteRT's public remote cache ({@code --config=public_cache}). */
    public boolean isBazelPublicCache() {
        return bazelPublicCache;
    }

    /** The same as {@code isBazelPublicCache()}, for Kotlin's property syntax. */
    public boolean getBazelPublicCache() {
        return bazelPublicCache;
    }

    public void setBazelPublicCache(boolean bazelPublicCache) {
        this.bazelPublicCache = bazelPublicCache;
    }

    /** The Android SDK whose ndk/ and cmake/ the CMake backend searches; null: the app's {@code android.sdkDirectory}. */
    public Object getSdk() {
        return sdk;
    }

    public void setSdk(Object sdk) {
        this.sdk = sdk;
    }

    /** The NDK directory; null: the app's {@code android.ndkPath}, else the SDK's ndk/ (by {@code ndkVersion}, else the newest). */
    public Object getNdk() {
        return ndk;
    }

    public void setNdk(Object ndk) {
        this.ndk = ndk;
    }

    /** The app's minSdk, the API level the CMake backend builds for; null: {@code android.defaultConfig.minSdk}. */
    public Integer getMinSdk() {
        return minSdk;
    }

    public void setMinSdk(Integer minSdk) {
        this.minSdk = minSdk;
    }

    /** A mirror of the CMake dependencies and TensorFlow's files ({@code <url>/<name>/<revision>.tar.gz}); null: upstream. */
    public String getDepMirror() {
        return depMirror;
    }

    public void setDepMirror(String depMirror) {
        this.depMirror = depMirror;
    }
}
