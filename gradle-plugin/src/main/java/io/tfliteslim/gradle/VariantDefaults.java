package io.tfliteslim.gradle;

import io.tfliteslim.gradle.android.AndroidSources;
import io.tfliteslim.gradle.tasks.TaskSettings;
import io.tfliteslim.gradle.tasks.ToolSpec;
import io.tfliteslim.gradle.tool.ToolCommands;
import org.gradle.api.Buildable;
import org.gradle.api.file.ConfigurableFileCollection;
import org.gradle.api.file.FileCollection;
import org.gradle.api.provider.Provider;
import org.gradle.util.GradleVersion;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One Android variant's task settings: its models are what its APK carries, read where AGP's assets merge reads
 * them: the variant's {@code sources.assets} (source sets and generated folders) and {@code sources.mlModels},
 * given to {@code files()} as AGP's providers, and its runtime classpath's {@code android-assets} artifacts (library
 * modules, AARs). Not the merged assets ({@code SingleArtifact.ASSETS}): AGP's merge task depends on
 * {@code pre<Variant>Build} ({@code VariantTaskCreationAction}), which depends on {@code tfliteVerify<Variant>}, so
 * reading its output was a cycle. Nothing is read at configuration time; the report goes to
 * {@code build/reports/tflite-slim/<variant>}. Everything else is the project's ({@link ProjectDefaults}). With
 * {@code tfliteSlim.models} set, those are every variant's models.
 */
final class VariantDefaults implements TaskSettings {
    private final ProjectDefaults project;
    private final AndroidSources.VariantModels variant;

    VariantDefaults(ProjectDefaults project, AndroidSources.VariantModels variant) {
        this.project = project;
        this.variant = variant;
    }

    /** AGP's providers for this variant's own folders: the layered assets, then mlModels (highest priority first in each). */
    private List<Object> sources() {
        List<Object> out = new ArrayList<>();
        if (variant.assets != null) {
            out.add(variant.assets);
        }
        if (variant.mlModels != null) {
            out.add(variant.mlModels);
        }
        return out;
    }

    /**
     * {@link #sources()} as {@code files()} reads them. Gradle 6+: the providers themselves, so Gradle takes
     * their producers without computing their values (a generated folder's provider is a task output, and
     * Gradle 8 refuses to compute a value mapped from one before the task ran). Before: a Callable per
     * provider, since Gradle before 6 does not look into a provider's collection of directories
     * ({@code Layered.all}'s shape).
     */
    private List<Object> values() {
        return lazily(sources());
    }

    /** {@code sources} as {@code files()} takes them lazily on this Gradle (see {@link #values()}). */
    static List<Object> lazily(List<Object> sources) {
        if (GradleVersion.current().compareTo(GradleVersion.version("6.0")) >= 0) {
            return sources;
        }
        List<Object> out = new ArrayList<>();
        for (Object source : sources) {
            out.add(source instanceof Provider ? (Callable<Object>) ((Provider<?>) source)::get : source);
        }
        return out;
    }

    private List<Object> producers() {
        if (GradleVersion.current().compareTo(GradleVersion.version("6.0")) >= 0) {
            // The providers in files() carry their producers; as builtBy items, one without a producer
            // (mlModels' static folders) would be read as a task name and fail.
            return Collections.emptyList();
        }
        List<Object> out = new ArrayList<>();
        for (Object source : sources()) {
            if (source instanceof Buildable) {
                out.add(source);
            }
        }
        return out;
    }

    @Override
    public FileCollection models() {
        TfliteSlimExtension ext = project.extension();
        ConfigurableFileCollection files = project.project().files((Callable<Object>) () -> {
            if (!ext.getModels().isEmpty()) {
                return new ArrayList<>(ext.getModels());
            }
            List<Object> all = new ArrayList<>(values());
            // Below the app's own folders, as in AGP's merge: the dependencies' assets (their producers come with them).
            org.gradle.api.artifacts.ArtifactCollection dependencies = dependencyAssets();
            if (dependencies != null) {
                all.add(dependencies.getArtifactFiles());
            }
            return all;
        });
        // The providers' producers (AGP's merge task, generators). Gradle 6+ takes them from the providers
        // in files(); before, dependsOn would read a provider's value as a task, so only what says it is Buildable.
        files.builtBy((Callable<Object>) () -> ext.getModels().isEmpty() ? producers() : Collections.emptyList());
        return files.getAsFileTree().matching(p -> {
                    p.include(ext.getInclude());
                    p.exclude(ext.getExclude());
                });
    }

    /** The variant's own folders (assets, then mlModels), highest priority first; null with {@code tfliteSlim.models} set. */
    @Override
    public FileCollection appModelDirs() {
        if (!project.extension().getModels().isEmpty() || (variant.assets == null && variant.mlModels == null)) {
            return null;
        }
        List<Object> layers = new ArrayList<>();
        for (Object layered : new Object[]{variant.assets, variant.mlModels}) {
            if (layered != null) {
                layers.add(layered);
            }
        }
        return project.project().files(lazily(layers));
    }

    /**
     * The runtime classpath's {@code android-assets} artifacts: what AGP's merge task reads of library modules
     * and AARs ({@code VariantDependencies.getArtifactFileCollection(RUNTIME_CLASSPATH, ALL, ASSETS)}), with
     * each one's component (a project or a module); null where AGP gave no runtime configuration.
     */
    @Override
    public org.gradle.api.artifacts.ArtifactCollection dependencyAssets() {
        if (!project.extension().getModels().isEmpty() || variant.runtimeConfiguration == null) {
            return null;
        }
        return variant.runtimeConfiguration.getIncoming().artifactView(v -> v.attributes(a -> a.attribute(
                org.gradle.api.attributes.Attribute.of("artifactType", String.class), "android-assets"))).getArtifacts();
    }

    @Override
    public ToolSpec toolSpec() {
        // The models are listed when the task runs (after the merge); none are known before.
        String where = project.extension().getModels().isEmpty()
                ? "the " + variant.name + " variant's assets and mlModels and its dependencies' assets" : project.toolSpec().searched;
        return project.toolSpec(Collections.<String>emptyList(), where);
    }

    @Override
    public File reportDir() {
        return project.buildPath("reports/tflite-slim/" + variant.name);
    }

    @Override
    public FileCollection customOpsSrcFiles() {
        return project.customOpsSrcFiles();
    }

    @Override
    public FileCollection deployedOps() {
        return project.deployedOps();
    }

    @Override
    public ToolCommands.BuildOptions buildOptions() {
        return project.buildOptions();
    }

    @Override
    public ToolCommands.Publication publication() {
        return project.publication();
    }

    @Override
    public File repository() {
        return project.repository();
    }

    @Override
    public File installRepository() {
        return project.installRepository();
    }

    @Override
    public File outDir() {
        return project.outDir();
    }

    @Override
    public File coordinatesFile() {
        return project.coordinatesFile();
    }

    @Override
    public File planFile() {
        return project.planFile();
    }

    @Override
    public File verifiedFile() {
        return project.verifiedFile();
    }

    /** This variant's verdict (tfliteVerify<Variant> is up to date after its own check only). */
    @Override
    public File resultFile() {
        return project.buildPath("tflite-slim/verify-" + variant.name + ".txt");
    }

    @Override
    public boolean required() {
        return project.required();
    }

    @Override
    public boolean teamMode() {
        return project.teamMode();
    }

    @Override
    public boolean verifyBeforeBuild() {
        // A variant that keeps the stock runtime has nothing to check against the slim one.
        return project.verifyBeforeBuild() && !project.extension().getStockRuntimeVariants().contains(variant.name);
    }

    @Override
    public String repositoryUrl() {
        return project.repositoryUrl();
    }

    @Override
    public String username() {
        return project.username();
    }

    @Override
    public Object password() {
        return project.password();
    }

    @Override
    public boolean allowInsecureProtocol() {
        return project.allowInsecureProtocol();
    }

    @Override
    public boolean offline() {
        return project.offline();
    }
}
