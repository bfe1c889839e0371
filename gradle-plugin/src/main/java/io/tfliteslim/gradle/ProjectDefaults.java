package io.tfliteslim.gradle;

import org.codehaus.groovy.runtime.InvokerHelper;
import org.gradle.api.Project;
import org.gradle.api.file.FileCollection;
import org.gradle.api.file.FileTree;

import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The extension's values with their defaults filled in from the project.
 *
 * <p>The Android Gradle Plugin is read through Groovy's dynamic property
 * access ({@code android.sourceSets*.assets.srcDirs},
 * {@code android.defaultConfig.ndk.abiFilters}), so the plugin neither
 * compiles against nor requires AGP, and works with any AGP version.
 */
public final class ProjectDefaults {
    /** Gradle property that sets the default interpreter (handy for CI and tests). */
    public static final String PYTHON_PROPERTY = "tfliteSlim.python";

    private final Project project;
    private final TfliteSlimExtension ext;

    public ProjectDefaults(Project project, TfliteSlimExtension ext) {
        this.project = project;
        this.ext = ext;
    }

    /** The interpreter: the extension's, else the Gradle property, else {@code python3}. */
    public String python() {
        if (ext.getPython() != null) {
            return ext.getPython();
        }
        Object property = project.findProperty(PYTHON_PROPERTY);
        return property != null ? property.toString() : "python3";
    }

    /** Where models are looked for: the configured locations, the Android assets dirs, or src/main/assets. */
    public List<File> modelLocations() {
        Set<File> dirs = new LinkedHashSet<>();
        if (!ext.getModels().isEmpty()) {
            dirs.addAll(project.files(ext.getModels().toArray()).getFiles());
        } else {
            Object android = project.getExtensions().findByName("android");
            if (android != null) {
                dirs.addAll(androidAssetDirs(android));
            }
            if (dirs.isEmpty()) {
                dirs.add(project.file("src/main/assets"));
            }
        }
        return new ArrayList<>(dirs);
    }

    /** The model files: every location's files that match include and not exclude. */
    public FileTree models() {
        FileCollection locations = project.files((java.util.concurrent.Callable<List<File>>) this::modelLocations);
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
        if (android != null) {
            Object filters = path(android, "defaultConfig", "ndk", "abiFilters");
            if (filters instanceof Collection && !((Collection<?>) filters).isEmpty()) {
                Set<String> abis = new TreeSet<>();
                for (Object abi : (Collection<?>) filters) {
                    abis.add(abi.toString());
                }
                return new ArrayList<>(abis);
            }
        }
        return new ArrayList<>(TfliteSlimExtension.ALL_ABIS);
    }

    /** The repository directory, or null for mavenLocal(). */
    public File repository() {
        return ext.getRepository() == null ? null : project.file(ext.getRepository());
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

    /** The build step's options from the extension. */
    public ToolCommands.BuildOptions buildOptions() {
        List<String> srcs = new ArrayList<>();
        for (File f : project.files(ext.getCustomOpsSrcs().toArray()).getFiles()) {
            srcs.add(relative(f));
        }
        // A bare command name ("bazelisk") is looked up on PATH by the tool; a path is made absolute.
        String bazel = null;
        if (ext.getBazel() != null) {
            String b = ext.getBazel().toString();
            bazel = b.contains("/") || b.contains(File.separator) ? project.file(ext.getBazel()).getAbsolutePath() : b;
        }
        return new ToolCommands.BuildOptions(abis(), optionalPath(ext.getTensorflowSource()), ext.getTensorflowVersion(),
                ext.getBackend(), bazel, srcs, ext.getCustomOpsDeps(), ext.getExperimentalApi());
    }

    private List<File> androidAssetDirs(Object android) {
        List<File> dirs = new ArrayList<>();
        Object sourceSets = property(android, "sourceSets");
        Collection<?> all = sourceSets instanceof Map ? ((Map<?, ?>) sourceSets).values()
                : sourceSets instanceof Collection ? (Collection<?>) sourceSets : null;
        if (all == null) {
            return dirs;
        }
        // Every source set: main, build types, flavors and their combinations.
        for (Object sourceSet : all) {
            Object srcDirs = path(sourceSet, "assets", "srcDirs");
            if (srcDirs instanceof Collection) {
                for (Object d : (Collection<?>) srcDirs) {
                    dirs.add(project.file(d));
                }
            }
        }
        return dirs;
    }

    private static Object path(Object start, String... names) {
        Object value = start;
        for (String name : names) {
            value = property(value, name);
            if (value == null) {
                return null;
            }
        }
        return value;
    }

    private static Object property(Object target, String name) {
        if (target instanceof Map) {
            return ((Map<?, ?>) target).get(name);
        }
        try {
            return InvokerHelper.getProperty(target, name);
        } catch (RuntimeException e) {
            // Not an Android-shaped object (another plugin's "android" extension): no defaults from it.
            return null;
        }
    }
}
