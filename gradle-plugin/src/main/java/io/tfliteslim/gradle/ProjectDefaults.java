package io.tfliteslim.gradle;

import io.tfliteslim.gradle.android.AndroidDsl;
import io.tfliteslim.gradle.android.AndroidSources;
import io.tfliteslim.gradle.repositories.SlimRepositories;
import io.tfliteslim.gradle.repositories.SourceChoice;
import io.tfliteslim.gradle.repositories.Substitutions;
import io.tfliteslim.gradle.tasks.SlimTasks;
import io.tfliteslim.gradle.tasks.TaskSettings;
import io.tfliteslim.gradle.tasks.ToolSpec;
import io.tfliteslim.gradle.tool.PythonCandidates;
import io.tfliteslim.gradle.tool.ToolCommands;
import io.tfliteslim.gradle.tool.ToolProvisioner;
import org.gradle.api.Project;
import org.gradle.api.file.ConfigurableFileCollection;
import org.gradle.api.file.FileCollection;
import org.gradle.api.file.FileTree;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.gradle.util.GradleVersion;

/**
 * The extension's values with their defaults filled in from the project.
 *
 * <p>The Android Gradle Plugin is read by name (the Variant API and DSL through
 * {@link AndroidSources}, every variant's {@code ndk.abiFilters} and
 * {@code android.ndkVersion} through {@link AndroidDsl}), so the plugin
 * neither compiles against nor requires AGP. The tasks see these values through
 * {@link TaskSettings} only.
 */
public final class ProjectDefaults implements TaskSettings {
    /** Gradle property that sets the default interpreter (handy for CI and tests). */
    public static final String PYTHON_PROPERTY = ToolProvisioner.PYTHON_PROPERTY;
    /** Gradle property that sets the default {@code pipIndexUrl}. */
    public static final String PIP_INDEX_URL_PROPERTY = ToolProvisioner.PIP_INDEX_URL_PROPERTY;

    private final Project project;
    private final TfliteSlimExtension ext;
    private final AndroidSources androidSources;

    public ProjectDefaults(Project project, TfliteSlimExtension ext) {
        this.project = project;
        this.ext = ext;
        this.androidSources = new AndroidSources(project);
    }

    /** At apply time: read the Android sources through the Variant API where AGP has it (never too late). */
    void registerAndroidSources() {
        androidSources.register();
    }

    /** {@code listener} hears of every variant the Variant API gives (see {@link AndroidSources#eachVariant}). */
    void eachVariant(java.util.function.Consumer<AndroidSources.VariantModels> listener) {
        androidSources.eachVariant(listener);
    }

    /** The settings of one variant's tasks: its own models and report directory, the rest the project's. */
    TaskSettings forVariant(AndroidSources.VariantModels variant) {
        return new VariantDefaults(this, variant);
    }

    Project project() {
        return project;
    }

    TfliteSlimExtension extension() {
        return ext;
    }

    /** The warning reading the Android sources gave, or null (for tests). */
    public String androidSourcesWarning() {
        return androidSources.warning();
    }

    /**
     * The interpreter: the extension's, else the Gradle property, else {@code python3}. A relative
     * path in the extension is the module's; in the property (given on the command line, where the
     * user stands in the root project) it is the root project's, so
     * {@code ./gradlew :app:tfliteReport -PtfliteSlim.python=../.venv/bin/python} means what it says.
     */
    public String python() {
        if (ext.getPython() != null) {
            return interpreterPath(ext.getPython(), project.getProjectDir());
        }
        Object property = project.findProperty(PYTHON_PROPERTY);
        return property != null ? interpreterPath(property.toString(), project.getRootDir()) : PythonCandidates.DEFAULT;
    }

    /** A bare command name stays (looked up on PATH); a relative path is made absolute against {@code base}. */
    static String interpreterPath(String value, File base) {
        if (!value.contains("/") && !value.contains(File.separator)) {
            return value;
        }
        File f = new File(value);
        return f.isAbsolute() ? value : new File(base, value).toPath().normalize().toString();
    }

    /** Where models are looked for: the configured locations, the Android sources (see {@link AndroidSources}), or src/main/assets. */
    public List<File> modelLocations() {
        Set<File> dirs = new LinkedHashSet<>();
        if (!ext.getModels().isEmpty()) {
            dirs.addAll(project.files(ext.getModels().toArray()).getFiles());
        } else {
            Object android = project.getExtensions().findByName("android");
            dirs.addAll(android != null ? androidSources.modelDirs(android) : Collections.singletonList(project.file("src/main/assets")));
        }
        return new ArrayList<>(dirs);
    }

    /**
     * The model files: every location's files that match include and not exclude. {@code models} is given
     * to {@code files()} as it is, so a task there (or its outputs, a provider of them) is a build
     * dependency of every task reading the models, and generated models exist before they are read.
     */
    @Override
    public FileTree models() {
        ConfigurableFileCollection locations = project.files((java.util.concurrent.Callable<Object>) () -> {
            if (!ext.getModels().isEmpty()) {
                return new ArrayList<>(ext.getModels());
            }
            if (project.getExtensions().findByName("android") != null && androidSources.hasVariants()) {
                // Every variant's Layered.all providers as they are (Gradle 6+): Gradle takes the producers of generated
                // folders from them without computing their values, which Gradle 8 refuses before those tasks ran.
                List<Object> all = new ArrayList<>(VariantDefaults.lazily(androidSources.producers()));
                // And the models the app's libraries and AARs bring, of every variant that gets the slim runtime: the
                // runtime is built for what the APKs carry (tfliteVerify<Variant> checks the same).
                for (AndroidSources.VariantModels variant : androidSources.variants()) {
                    org.gradle.api.artifacts.ArtifactCollection dependencies = forVariant(variant).dependencyAssets();
                    if (dependencies != null && !ext.getStockRuntimeVariants().contains(variant.name)) {
                        all.add(dependencies.getArtifactFiles());
                    }
                }
                return all;
            }
            return modelLocations();
        });
        return locations.getAsFileTree().matching(p -> {
            p.include(ext.getInclude());
            p.exclude(ext.getExclude());
        });
    }

    /** Model paths for the tool's command line: relative to the project dir, sorted (stable records). */
    public List<String> modelArgs() {
        Set<String> paths = new TreeSet<>();
        for (File f : models().getFiles()) {
            paths.add(relative(f));
        }
        return new ArrayList<>(paths);
    }

    /** The target ABIs: configured, else the app's {@code ndk.abiFilters}, else all four. */
    public List<String> abis() {
        if (ext.getTargetAbis() != null && !ext.getTargetAbis().isEmpty()) {
            return new ArrayList<>(ext.getTargetAbis());
        }
        Object android = project.getExtensions().findByName("android");
        List<String> filters = android == null ? Collections.<String>emptyList() : AndroidDsl.abiFilters(android);
        if (!filters.isEmpty()) {
            return filters;
        }
        return new ArrayList<>(TfliteSlimExtension.ALL_ABIS);
    }

    /** The repository directory, or null for mavenLocal(). */
    @Override
    public File repository() {
        return ext.getRepository() == null ? null : project.file(ext.getRepository());
    }

    /**
     * Where tfliteSlim installs: the repository directory, or for mavenLocal() the directory Gradle's
     * mavenLocal() reads (never the tool's own default, which Gradle does not read); null only when no
     * MavenLocal repository is declared anywhere.
     */
    @Override
    public File installRepository() {
        File repo = repository();
        return repo != null ? repo : SlimRepositories.mavenLocalDirectory(project);
    }

    /** A path the tool gets: relative to the project dir when inside it. */
    public String relative(File file) {
        java.nio.file.Path base = project.getProjectDir().toPath().toAbsolutePath().normalize();
        java.nio.file.Path p = file.toPath().toAbsolutePath().normalize();
        return p.startsWith(base) ? base.relativize(p).toString().replace(File.separatorChar, '/') : p.toString();
    }

    /** {@code null}-safe {@code project.file(value)} path, for optional file settings. */
    public String optionalPath(Object value) {
        return value == null ? null : project.file(value).getAbsolutePath();
    }

    /** The build step's options from the extension (the source release from the app's stock dependency when unset). */
    @Override
    public ToolCommands.BuildOptions buildOptions() {
        List<String> srcs = new ArrayList<>();
        for (File f : customOpsSrcFiles().getFiles()) {
            srcs.add(relative(f));
        }
        SourceChoice source = SourceChoice.choose(ext.getSource() != null, ext.getTensorflowVersion(), ext.getLitertVersion(),
                declaredDependencies());
        return new ToolCommands.BuildOptions.Builder()
                .abis(abis())
                .source(optionalPath(ext.getSource()))
                .tensorflowVersion(source.tensorflowVersion)
                .litertVersion(source.litertVersion)
                .backend(ext.getBackend())
                .checkpoint(ext.getCheckpoint())
                .bazel(command(ext.getBazel()))
                .bazelArgs(ext.getBazelArgs())
                .docker(command(ext.getDocker()))
                .cacheDir(optionalPath(ext.getCacheDir()))
                .noCache(ext.isNoCache())
                .customOps(srcs, ext.getCustomOpsDeps())
                .experimentalApi(ext.getExperimentalApi())
                .align16kb(ext.getAlign16kb())
                .alignmentCheck(ext.getAlignmentCheck())
                .optLevel(ext.getOptLevel())
                .lto(ext.getLto())
                .ndkVersion(ndkVersion())
                .androidApiLevel(ext.getAndroidApiLevel())
                .cmake(command(ext.getCmake()))
                .ninja(command(ext.getNinja()))
                .cxx(command(ext.getCxx()))
                .jobs(ext.getJobs())
                .cmakeDepSources(cmakeDepSources())
                .tensorflowSourceDir(optionalPath(ext.getTensorflowSourceDir()))
                .sdk(sdk())
                .ndk(ext.getNdk() != null ? optionalPath(ext.getNdk()) : optionalPath(AndroidDsl.ndkPath(android())))
                .minSdk(ext.getMinSdk() != null ? ext.getMinSdk() : AndroidDsl.minSdk(android()))
                .depMirror(ext.getDepMirror())
                .compilerCache(ext.getCompilerCache())
                .compilerCacheDir(optionalPath(ext.getCompilerCacheDir()))
                .compilerCacheRemote(ext.getCompilerCacheRemote())
                .compilerCacheReadOnly(ext.isCompilerCacheReadOnly())
                .bazelPublicCache(ext.isBazelPublicCache())
                .xnnpack(ext.getXnnpack())
                .build();
    }

    private Object android() {
        return project.getExtensions().findByName("android");
    }

    /**
     * The SDK the tool searches: the setting, else where AGP found it ({@code android.sdkDirectory}), else
     * the root project's {@code local.properties} {@code sdk.dir} (the tool runs elsewhere and would not see it).
     */
    private String sdk() {
        if (ext.getSdk() != null) {
            return optionalPath(ext.getSdk());
        }
        File fromAgp = AndroidDsl.sdkDirectory(android());
        if (fromAgp != null) {
            return fromAgp.getAbsolutePath();
        }
        File local = new File(project.getRootDir(), "local.properties");
        if (local.isFile()) {
            java.util.Properties p = new java.util.Properties();
            try (java.io.InputStream in = new java.io.FileInputStream(local)) {
                p.load(in);
            } catch (java.io.IOException e) {
                return null;
            }
            String dir = p.getProperty("sdk.dir");
            return dir == null || dir.trim().isEmpty() ? null : new File(dir.trim()).getAbsolutePath();
        }
        return null;
    }

    private java.util.Map<String, String> cmakeDepSources() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (java.util.Map.Entry<String, Object> e : ext.getCmakeDepSources().entrySet()) {
            out.put(e.getKey(), project.file(e.getValue()).getAbsolutePath());
        }
        return out;
    }

    /** The declared NDK revision: the setting, else the app's {@code android.ndkVersion}, else none. */
    public String ndkVersion() {
        if (ext.getNdkVersion() != null) {
            return ext.getNdkVersion();
        }
        return AndroidDsl.ndkVersion(project.getExtensions().findByName("android"));
    }

    /** A bare command name ("bazelisk") is looked up on PATH by the tool; a path is made absolute. */
    private String command(Object value) {
        if (value == null) {
            return null;
        }
        String v = value.toString();
        return v.contains("/") || v.contains(File.separator) ? project.file(value).getAbsolutePath() : v;
    }

    /** Every {@code group:name:version} the project's configurations declare (for {@link SourceChoice}). */
    public List<String> declaredDependencies() {
        List<String> out = new ArrayList<>();
        for (org.gradle.api.artifacts.Configuration cfg : new ArrayList<>(project.getConfigurations())) {
            for (org.gradle.api.artifacts.Dependency d : cfg.getDependencies()) {
                if (d.getGroup() != null && d.getVersion() != null) {
                    out.add(d.getGroup() + ":" + d.getName() + ":" + d.getVersion());
                }
            }
        }
        return out;
    }

    /** The custom op sources as files (an input of tfliteSlim). */
    @Override
    public FileCollection customOpsSrcFiles() {
        return project.files((java.util.concurrent.Callable<Object[]>) () -> ext.getCustomOpsSrcs().toArray());
    }

    /** What the actions need of every task, as plain values. */
    @Override
    public ToolSpec toolSpec() {
        // No model is listed here (the task graph is ready, no generator has run): the task lists them from its
        // input when it runs (ToolSpec#useModels). Nor are the Variant API's folders read: a generated folder's
        // provider is mapped from a task output, which Gradle 8 refuses to read before the task ran.
        String where;
        if (ext.getModels().isEmpty() && project.getExtensions().findByName("android") != null && androidSources.hasVariants()) {
            where = "every variant's sources.assets and sources.mlModels";
        } else {
            StringBuilder dirs = new StringBuilder();
            for (File dir : modelLocations()) {
                dirs.append(dirs.length() == 0 ? "" : ", ").append(relative(dir));
            }
            where = dirs.toString();
        }
        return toolSpec(Collections.<String>emptyList(), where);
    }

    /** {@link #toolSpec()} for these models, looked for in {@code where} (for the "no models" message). */
    ToolSpec toolSpec(List<String> models, String where) {
        return new ToolSpec(python(), project.getProjectDir(), models, where, ext.getInclude().toString(), provisioner());
    }

    /** {@code path} under the build directory. */
    File buildPath(String path) {
        return buildFile(path);
    }

    /**
     * Provisions the tool from {@link #python()} into the Gradle user home when that interpreter lacks it;
     * with no interpreter named, from the first Python 3.9+ {@link PythonCandidates} finds for the
     * machine ({@code py -3} on Windows, Homebrew or python.org's on macOS, {@code python3} elsewhere).
     */
    ToolProvisioner provisioner() {
        Object property = project.findProperty(PIP_INDEX_URL_PROPERTY);
        String indexUrl = ext.getPipIndexUrl() != null ? ext.getPipIndexUrl() : property != null ? property.toString() : null;
        File home = new File(project.getGradle().getGradleUserHomeDir(), "caches/tflite-slim/python");
        return pythonNamed() ? new ToolProvisioner(python(), home, indexUrl, offline())
                : ToolProvisioner.discovering(home, indexUrl, offline());
    }

    /** The build names the interpreter (the setting, or the Gradle property). */
    boolean pythonNamed() {
        return ext.getPython() != null || project.findProperty(PYTHON_PROPERTY) != null;
    }

    /** Gradle runs with {@code --offline}. */
    @Override
    public boolean offline() {
        return project.getGradle().getStartParameter().isOffline();
    }

    /** Under the build directory, read through {@code layout} (Gradle 4.1+; Gradle 8.3 deprecates {@code buildDir}). */
    private File buildFile(String path) {
        return new File(project.getLayout().getBuildDirectory().getAsFile().get(), path);
    }

    @Override
    public File reportDir() {
        return buildFile("reports/tflite-slim");
    }

    @Override
    public File outDir() {
        return buildFile("tflite-slim/out");
    }

    /** {@code build/tflite-slim/coordinates.json}: what tfliteSlim installed. */
    @Override
    public File coordinatesFile() {
        return buildFile("tflite-slim/coordinates.json");
    }

    /** Team flow: what tfliteSlimPlan computed. */
    @Override
    public File planFile() {
        return buildFile("tflite-slim/plan.json");
    }

    /** Team flow: the plan once tfliteVerify found the deployed runtime covers the models. */
    @Override
    public File verifiedFile() {
        return buildFile("tflite-slim/deployed.json");
    }

    @Override
    public File resultFile() {
        return buildFile("tflite-slim/verify.txt");
    }

    @Override
    public boolean required() {
        return ext.isRequired();
    }

    /** Team flow: a shared repository, or a pinned runtime version, is configured. */
    @Override
    public boolean teamMode() {
        return ext.getRepositoryUrl() != null || ext.getRuntimeVersion() != null;
    }

    /** The shared repository's URL, or null. */
    @Override
    public String repositoryUrl() {
        return ext.getRepositoryUrl() == null ? null : project.uri(ext.getRepositoryUrl()).toString();
    }

    public TfliteSlimExtension.Credentials credentials() {
        return ext.getCredentials();
    }

    @Override
    public String username() {
        return ext.getCredentials().getUsername();
    }

    @Override
    public Object password() {
        return ext.getCredentials().getPassword();
    }

    /** tfliteVerify runs before the app's build: asked for ({@code verify}, the default), or the team flow. */
    @Override
    public boolean verifyBeforeBuild() {
        return ext.isVerify() || teamMode();
    }

    @Override
    public boolean allowInsecureProtocol() {
        return ext.isAllowInsecureProtocol();
    }

    /** The slim artifacts' groupId. */
    public String group() {
        return ext.getGroupId() != null ? ext.getGroupId() : "io.tfliteslim";
    }

    @Override
    public ToolCommands.Publication publication() {
        return new ToolCommands.Publication(ext.getGroupId(), ext.getSelectTfOpsArtifactId(), ext.getRuntimeVersion());
    }

    @Override
    public String litert2Version() {
        String v = SourceChoice.choose(ext.getSource() != null, ext.getTensorflowVersion(), ext.getLitertVersion(),
                declaredDependencies()).litertVersion;
        return v != null && !Substitutions.isLiteRtOneX(v) ? v : null;
    }

    /** A detached configuration (the dependency substitution does not touch it): the app's own stock file. */
    @Override
    public File stockLitert(String extension) {
        String notation = Substitutions.LITERT_GROUP + ":litert:" + litert2Version() + "@" + extension;
        org.gradle.api.artifacts.Configuration cfg = project.getConfigurations().detachedConfiguration(
                project.getDependencies().create(notation));
        cfg.setTransitive(false);
        try {
            return cfg.getSingleFile();
        } catch (RuntimeException e) {
            throw new org.gradle.api.GradleException("tfliteSlim: cannot resolve " + notation + " from the project's "
                    + "repositories (google() must be among them): the trimmed LiteRT 2.x runtime keeps the stock "
                    + "AAR's classes and libraries and its POM's dependencies (" + e.getMessage() + ")", e);
        }
    }

    /** Team flow: the deployed runtime's ops.json (the {@code tfliteSlimOps} configuration), resolved when read. */
    @Override
    public FileCollection deployedOps() {
        return project.getConfigurations().getByName(SlimTasks.OPS_CONFIGURATION).getIncoming().getFiles();
    }

    /** The repositories the slim group may come from: the install directory (or mavenLocal), then the shared one. */
    public List<SlimRepositories.Spec> repositorySpecs() {
        TfliteSlimExtension.Credentials c = ext.getCredentials();
        return SlimRepositories.specs(repository(), repositoryUrl(), c.getUsername() != null || c.getPassword() != null,
                ext.isAllowInsecureProtocol());
    }
}
