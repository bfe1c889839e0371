package io.tfliteslim.gradle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    private Object repository;

    /** Python 3.9+ with the tool installed; default: Gradle property {@code tfliteSlim.python}, else {@code python3}. */
    public String getPython() {
        return python;
    }

    public void setPython(String python) {
        this.python = python;
    }

    /** Directories (or files) holding the models; empty means the defaults. */
    public List<Object> getModels() {
        return models;
    }

    public void setModels(List<?> models) {
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

    /** ABIs to build; null means {@code android.defaultConfig.ndk.abiFilters}, else {@link #ALL_ABIS}. */
    public List<String> getTargetAbis() {
        return targetAbis;
    }

    public void setTargetAbis(List<String> targetAbis) {
        this.targetAbis = targetAbis == null ? null : new ArrayList<>(targetAbis);
    }

    /** A TensorFlow checkout configured for Android (for the bazel backend). */
    public Object getTensorflowSource() {
        return tensorflowSource;
    }

    public void setTensorflowSource(Object tensorflowSource) {
        this.tensorflowSource = tensorflowSource;
    }

    /** A TensorFlow release to build (the tool fetches or uses its Docker image). */
    public String getTensorflowVersion() {
        return tensorflowVersion;
    }

    public void setTensorflowVersion(String tensorflowVersion) {
        this.tensorflowVersion = tensorflowVersion;
    }

    /** {@code local} (bazel in tensorflowSource) or {@code docker}; null means the tool's default (local). */
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

    public void setCustomOpsSrcs(List<?> srcs) {
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

    public void setVerify(boolean verify) {
        this.verify = verify;
    }

    /** Maven repository directory to install into and resolve from; null means mavenLocal(). */
    public Object getRepository() {
        return repository;
    }

    public void setRepository(Object repository) {
        this.repository = repository;
    }
}
