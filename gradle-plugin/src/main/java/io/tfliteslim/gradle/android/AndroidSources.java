package io.tfliteslim.gradle.android;

import org.codehaus.groovy.runtime.InvokerHelper;
import org.gradle.api.Action;
import org.gradle.api.Project;
import io.tfliteslim.gradle.compat.Reflect;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where an Android app keeps its models, read from the Android Gradle Plugin without compiling
 * against it, in the order AGP supports:
 * <ol>
 * <li>the Variant API (AGP 7+, the only route on AGP 9): a callback registered with
 * {@code androidComponents.onVariants(selector().all(), ...)} when the plugin is applied, or when AGP
 * is applied later ({@code plugins.withId}), collects every variant's {@code sources.assets} and
 * {@code sources.mlModels} ({@code SourceDirectories.Layered}, read through {@code all}), generated
 * asset folders included;</li>
 * <li>the AGP 8 DSL: {@code android.sourceSets*.assets.srcDirs} and {@code mlModels.srcDirs};</li>
 * <li>{@code src/main/assets}.</li>
 * </ol>
 * Each fallback past the first with an {@code android} extension is said once, in one warning naming why.
 */
public final class AndroidSources {
    /** The plugin ids that create {@code androidComponents}. */
    static final List<String> AGP_IDS = Arrays.asList("com.android.application", "com.android.library",
            "com.android.dynamic-feature", "com.android.test");

    private final Project project;
    /** Every variant's {@code Layered} assets and mlModels, as AGP gave them. */
    private final List<Object> layered = new ArrayList<>();
    private boolean registered;
    private int variants;
    /** Why the Variant API gave nothing (null while it may still). */
    private String variantApiProblem;
    /** The one warning given, if any (for tests). */
    private String warning;
    /** Every variant the Variant API gave, and who wants to hear of them. */
    private final List<VariantModels> variantModels = new ArrayList<>();
    private final List<java.util.function.Consumer<VariantModels>> listeners = new ArrayList<>();

    /**
     * Where one variant's models are, as AGP's providers (never read here): what AGP's assets merge reads, the
     * variant's {@code sources.assets} (source sets, generated folders) and the {@code android-assets} of its
     * runtime configuration (library modules, AARs), and its {@code mlModels}.
     */
    public static final class VariantModels {
        public final String name;
        /** {@code sources.assets.all}; null when AGP gave none. */
        public final Object assets;
        /** {@code sources.mlModels.all}, or null. */
        public final Object mlModels;
        /** {@code variant.runtimeConfiguration} (AGP 7+), whose dependencies' assets AGP merges; or null. */
        public final org.gradle.api.artifacts.Configuration runtimeConfiguration;
        /**
         * The names of the variant's classpaths that carry the TFLite runtime: its runtime and compile
         * configurations and those of its nested components (unit tests, instrumented tests, test fixtures).
         */
        public final java.util.Set<String> classpaths = new java.util.TreeSet<>();

        VariantModels(String name, Object assets, Object mlModels, org.gradle.api.artifacts.Configuration runtimeConfiguration) {
            this.name = name;
            this.runtimeConfiguration = runtimeConfiguration;
            this.assets = assets;
            this.mlModels = mlModels;
        }
    }

    /** The variants the Variant API gave so far. */
    public List<VariantModels> variants() {
        return new ArrayList<>(variantModels);
    }

    /** {@code listener} hears of every variant, those already seen included. */
    public void eachVariant(java.util.function.Consumer<VariantModels> listener) {
        listeners.add(listener);
        for (VariantModels v : new ArrayList<>(variantModels)) {
            listener.accept(v);
        }
    }

    public AndroidSources(Project project) {
        this.project = project;
    }

    /** At apply time: register the variant callback now, or once AGP is applied. */
    public void register() {
        Object components = project.getExtensions().findByName("androidComponents");
        if (components != null) {
            onVariants(components);
            return;
        }
        for (String id : AGP_IDS) {
            project.getPluginManager().withPlugin(id, plugin -> {
                Object later = project.getExtensions().findByName("androidComponents");
                if (later != null && !registered) {
                    onVariants(later);
                }
            });
        }
    }

    private void onVariants(Object components) {
        registered = true;
        Method onVariants = onVariantsMethod(components);
        Object selector = Reflect.get(Reflect.get(components, "selector"), "all");
        if (onVariants == null || selector == null) {
            variantApiProblem = "androidComponents has no onVariants(selector().all(), Action)";
            return;
        }
        Action<Object> collect = variant -> {
            variants++;
            Object sources = Reflect.get(variant, "getSources");
            for (String kind : new String[]{"getAssets", "getMlModels"}) {
                Object dirs = Reflect.get(sources, kind);
                if (dirs != null) {
                    layered.add(dirs);
                }
            }
            Object name = Reflect.get(variant, "getName");
            if (name != null) {
                VariantModels v = new VariantModels(name.toString(),
                        Reflect.get(Reflect.get(sources, "getAssets"), "getAll"), Reflect.get(Reflect.get(sources, "getMlModels"), "getAll"),
                        runtimeConfiguration(variant));
                v.classpaths.addAll(classpaths(variant));
                variantModels.add(v);
                for (java.util.function.Consumer<VariantModels> listener : new ArrayList<>(listeners)) {
                    listener.accept(v);
                }
            }
        };
        try {
            onVariants.setAccessible(true);
            onVariants.invoke(components, selector, collect);
        } catch (InvocationTargetException e) {
            // AGP: "It is too late to add actions as the callbacks already executed." (applied after evaluation).
            variantApiProblem = "androidComponents.onVariants refused the callback (" + firstLine(e.getCause()) + ")";
        } catch (IllegalAccessException e) {
            variantApiProblem = "androidComponents.onVariants is not accessible (" + e.getMessage() + ")";
        }
    }

    /**
     * The names of {@code variant}'s runtime and compile configurations and those of every component nested in
     * it, which AGP gives through several getters over its versions; all are read (by name) and joined, since a
     * test APK whose classpath resolved another runtime than its tested APK carries a second copy of it:
     * {@code getNestedComponents()} (AGP 8.x/9: unit test, android test, test fixtures), {@code getUnitTest()}
     * (AGP 7/8, deprecated in 8.x), {@code getAndroidTest()} ({@code HasAndroidTest}), {@code getTestFixtures()},
     * and AGP 9's maps {@code getHostTests()} ({@code HasHostTests}: unit and screenshot tests) and
     * {@code getDeviceTests()} ({@code HasDeviceTests}: a list in AGP 8.x, a map in 9). A getter that is absent,
     * returns nothing or throws (a removed API) adds nothing.
     */
    static java.util.Set<String> classpaths(Object variant) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        List<Object> components = new ArrayList<>();
        components.add(variant);
        for (String getter : new String[]{"getNestedComponents", "getUnitTest", "getAndroidTest", "getTestFixtures",
                "getHostTests", "getDeviceTests"}) {
            Object got;
            try {
                got = Reflect.get(variant, getter);
            } catch (RuntimeException e) {
                continue;
            }
            if (got instanceof Map) {
                components.addAll(((Map<?, ?>) got).values());
            } else if (got instanceof Iterable) {
                for (Object c : (Iterable<?>) got) {
                    components.add(c);
                }
            } else if (got != null) {
                components.add(got);
            }
        }
        for (Object c : components) {
            for (String getter : new String[]{"getRuntimeConfiguration", "getCompileConfiguration"}) {
                Object cfg;
                try {
                    cfg = Reflect.get(c, getter);
                } catch (RuntimeException e) {
                    continue;
                }
                if (cfg instanceof org.gradle.api.artifacts.Configuration) {
                    names.add(((org.gradle.api.artifacts.Configuration) cfg).getName());
                }
            }
        }
        return names;
    }

    /** {@code variant.getRuntimeConfiguration()} (AGP 7+), or null. */
    static org.gradle.api.artifacts.Configuration runtimeConfiguration(Object variant) {
        Object c = Reflect.get(variant, "getRuntimeConfiguration");
        return c instanceof org.gradle.api.artifacts.Configuration ? (org.gradle.api.artifacts.Configuration) c : null;
    }

    private static Method onVariantsMethod(Object components) {
        for (Method m : components.getClass().getMethods()) {
            if (m.getName().equals("onVariants") && m.getParameterTypes().length == 2
                    && m.getParameterTypes()[1] == Action.class) {
                return m;
            }
        }
        return null;
    }

    /** The {@code Layered.all} providers, for the models' build dependencies (generated asset folders). */
    public List<Object> producers() {
        List<Object> out = new ArrayList<>();
        for (Object l : layered) {
            Object all = Reflect.get(l, "getAll");
            if (all != null) {
                out.add(all);
            }
        }
        return out;
    }

    /** The model directories of an Android project ({@code android} is its extension): never empty. */
    public List<File> modelDirs(Object android) {
        List<File> dirs = variantDirs();
        if (!dirs.isEmpty()) {
            return dirs;
        }
        String dslProblem = dslDirs(android, dirs);
        if (variantApiProblem != null) {
            warn(variantApiProblem + "; " + (dirs.isEmpty() ? dslProblem + "; models are read from src/main/assets only"
                    : "models are read from android.sourceSets instead, which misses generated asset folders"));
        } else if (dirs.isEmpty()) {
            warn(dslProblem + "; models are read from src/main/assets only");
        }
        if (dirs.isEmpty()) {
            dirs.add(project.file("src/main/assets"));
        }
        return dirs;
    }

    /** Whether the Variant API gave variants (their folders are then read only when a task runs). */
    public boolean hasVariants() {
        return registered && variants > 0;
    }

    /** Every variant's assets and mlModels directories, every layer (empty when the Variant API gave none). */
    private List<File> variantDirs() {
        List<File> dirs = new ArrayList<>();
        if (!registered) {
            return dirs;
        }
        if (variants == 0) {
            if (variantApiProblem == null) {
                variantApiProblem = "no variant reached androidComponents.onVariants (none enabled, or read before AGP created them)";
            }
            return dirs;
        }
        for (Object all : producers()) {
            addFiles(Reflect.get(all, "getOrNull"), dirs);
        }
        return dirs;
    }

    /** AGP 8's DSL into {@code dirs}; null when it read, else why not. */
    private String dslDirs(Object android, List<File> dirs) {
        Object sourceSets;
        try {
            sourceSets = InvokerHelper.getProperty(android, "sourceSets");
        } catch (RuntimeException e) {
            return "android.sourceSets is not readable (" + firstLine(e) + ")";
        }
        Collection<?> all = sourceSets instanceof Map ? ((Map<?, ?>) sourceSets).values()
                : sourceSets instanceof Collection ? (Collection<?>) sourceSets : null;
        if (all == null) {
            return "android.sourceSets is not a collection";
        }
        // Every source set: main, build types, flavors and their combinations.
        for (Object sourceSet : all) {
            for (String kind : new String[]{"assets", "mlModels"}) {
                Object srcDirs;
                try {
                    srcDirs = InvokerHelper.getProperty(InvokerHelper.getProperty(sourceSet, kind), "srcDirs");
                } catch (RuntimeException e) {
                    if (kind.equals("assets")) {
                        // AGP 9's AndroidSourceDirectorySet has srcDir(s)/setSrcDirs but no srcDirs getter.
                        return "android.sourceSets*.assets.srcDirs is not readable (" + firstLine(e) + ")";
                    }
                    continue;
                }
                addFiles(srcDirs, dirs);
            }
        }
        return dirs.isEmpty() ? "android.sourceSets declare no assets directories" : null;
    }

    /** Files, {@code Directory}s and nested collections of them. */
    private void addFiles(Object value, List<File> into) {
        if (value instanceof Collection) {
            for (Object v : (Collection<?>) value) {
                addFiles(v, into);
            }
        } else if (value instanceof File) {
            addOnce(project.file(value), into);
        } else if (value != null) {
            Object file = Reflect.get(value, "getAsFile");
            addOnce(project.file(file != null ? file : value), into);
        }
    }

    private static void addOnce(File f, List<File> into) {
        if (!into.contains(f)) {
            into.add(f);
        }
    }

    private void warn(String why) {
        if (warning == null) {
            warning = "tflite-slim: " + why + ". Set tfliteSlim.models to the directories that hold the models.";
            project.getLogger().warn(warning);
        }
    }

    public String warning() {
        return warning;
    }

    private static String firstLine(Throwable e) {
        String m = e == null || e.getMessage() == null ? String.valueOf(e) : e.getMessage().trim();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).trim();
    }
}
