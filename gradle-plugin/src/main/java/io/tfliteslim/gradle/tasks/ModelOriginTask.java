package io.tfliteslim.gradle.tasks;

import org.gradle.api.GradleException;
import org.gradle.api.artifacts.ArtifactCollection;
import org.gradle.api.artifacts.result.ResolvedArtifactResult;
import org.gradle.api.file.FileCollection;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A task on one Android variant's models that can say where each came from ({@link ModelOrigins}): its
 * inputs are AGP's per-folder and per-dependency assets, what AGP's merge reads (the variant's
 * {@code sources.assets}/{@code mlModels} folders, and its runtime classpath's {@code android-assets}
 * artifacts with each one's component). All are read when the task runs, never at configuration.
 */
public abstract class ModelOriginTask<A extends ToolAction> extends ToolTask<A> {
    private FileCollection appModelDirs;
    private ArtifactCollection dependencyAssets;
    /** For the app folders' names (captured: no Task.project when the task runs). */
    private File projectDir;

    @Override
    void configure(TaskSettings defaults) {
        super.configure(defaults);
        projectDir = getProject().getProjectDir();
        appModelDirs = defaults.appModelDirs();
        dependencyAssets = defaults.dependencyAssets();
    }

    /** The variant's own model folders, highest priority first (null: no variant, no origins). */
    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    @Optional
    public FileCollection getAppModelDirs() {
        return appModelDirs;
    }

    /** The variant's dependencies' asset folders. */
    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    @Optional
    public FileCollection getDependencyAssets() {
        return dependencyAssets == null ? null : dependencyAssets.getArtifactFiles();
    }

    /** Which dependency each of {@link #getDependencyAssets()} is (a new version of the same assets is another origin). */
    @Input
    @Optional
    public List<String> getDependencyNames() {
        if (dependencyAssets == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (ResolvedArtifactResult a : dependencyAssets.getArtifacts()) {
            names.add(a.getId().getComponentIdentifier().getDisplayName());
        }
        return names;
    }

    /**
     * What the variant's APK carries of its model files, as AGP's merge decides: one file per path inside the assets,
     * from the highest-priority folder that has it (the app's folders, highest first, then the dependencies'), so a
     * library's model the app overrides is not analyzed. Without a variant: every model file.
     */
    @Override
    protected Iterable<File> modelFiles() {
        if (!hasOrigins()) {
            return super.modelFiles();
        }
        java.util.Set<File> inputs = new java.util.LinkedHashSet<>(getModels().getFiles());
        List<File> roots = new ArrayList<>(appModelDirs.getFiles());
        if (dependencyAssets != null) {
            roots.addAll(dependencyAssets.getArtifactFiles().getFiles());
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<File> out = new ArrayList<>();
        for (File root : roots) {
            for (String path : relativeFiles(root)) {
                File f = new File(root, path);
                if (inputs.remove(f) && seen.add(path)) {
                    out.add(f);
                }
            }
        }
        // An input under none of the folders (none expected): given as it is rather than dropped.
        for (File f : inputs) {
            boolean shadowed = false;
            for (File root : roots) {
                shadowed |= f.toPath().startsWith(root.toPath());
            }
            if (!shadowed) {
                out.add(f);
            }
        }
        return out;
    }

    /** Whether the models have a variant whose origins can be told. */
    boolean hasOrigins() {
        return appModelDirs != null;
    }

    /**
     * Each model's origin, keyed by the model's path as the tool is given it ({@link ToolSpec#argFor}); the
     * origin's own path is the model's inside the APK's assets. Empty without a variant.
     */
    Map<String, ModelOrigins.Origin> originsByModel() {
        Map<String, ModelOrigins.Origin> out = new TreeMap<>();
        if (!hasOrigins()) {
            return out;
        }
        List<String> models = new ArrayList<>();
        Map<String, String> argOf = new LinkedHashMap<>();
        getModels().getAsFileTree().visit(d -> {
            if (!d.isDirectory()) {
                String path = d.getRelativePath().getPathString();
                models.add(path);
                argOf.put(spec().argFor(d.getFile()), path);
            }
        });
        Map<String, ModelOrigins.Origin> byPath = new TreeMap<>();
        for (ModelOrigins.Origin o : ModelOrigins.of(models, appFolders(), dependencyFolders())) {
            byPath.put(o.path, o);
        }
        for (Map.Entry<String, String> e : argOf.entrySet()) {
            out.put(e.getKey(), byPath.get(e.getValue()));
        }
        return out;
    }

    /** The origins of the models as their merged-assets paths say them (for origins.json). */
    List<ModelOrigins.Origin> origins() {
        Map<String, ModelOrigins.Origin> byPath = new TreeMap<>();
        for (ModelOrigins.Origin o : originsByModel().values()) {
            byPath.put(o.path, o);
        }
        return new ArrayList<>(byPath.values());
    }

    private LinkedHashMap<String, Set<String>> appFolders() {
        LinkedHashMap<String, Set<String>> app = new LinkedHashMap<>();
        Path project = projectDir.toPath();
        for (File dir : appModelDirs.getFiles()) {
            String name = dir.toPath().startsWith(project) ? project.relativize(dir.toPath()).toString().replace(File.separatorChar, '/')
                    : dir.getPath();
            app.computeIfAbsent(name, k -> new TreeSet<>()).addAll(relativeFiles(dir));
        }
        return app;
    }

    private Map<String, Set<String>> dependencyFolders() {
        Map<String, Set<String>> dependencies = new TreeMap<>();
        if (dependencyAssets != null) {
            for (ResolvedArtifactResult a : dependencyAssets.getArtifacts()) {
                dependencies.computeIfAbsent(a.getId().getComponentIdentifier().getDisplayName(), k -> new TreeSet<>())
                        .addAll(relativeFiles(a.getFile()));
            }
        }
        return dependencies;
    }

    /** The regular files under {@code dir}, as paths relative to it ('/'-separated); none when it is absent. */
    static Set<String> relativeFiles(File dir) {
        Set<String> out = new TreeSet<>();
        if (!dir.isDirectory()) {
            return out;
        }
        Path root = dir.toPath();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(p -> out.add(root.relativize(p).toString().replace(File.separatorChar, '/')));
        } catch (IOException e) {
            throw new GradleException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }
}
