package io.tfliteslim.gradle.gradle8;

import kotlin.jvm.functions.Function1;
import org.gradle.api.Action;
import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.artifacts.Configuration;
import org.gradle.api.file.Directory;
import org.gradle.api.file.DirectoryProperty;
import org.gradle.api.provider.ListProperty;
import org.gradle.api.provider.Provider;
import org.gradle.api.tasks.TaskProvider;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Variant API of the Android Gradle Plugin 9, as much of it as the Gradle 8 ProjectBuilder tests need, for the
 * real Gradle 8.10.2 runtime (the main suite's {@code StandInAgp9} is the whole-plugin stand-in on Gradle 4.4, which
 * cannot express {@code TaskProvider} or {@code DirectoryProperty}). Shaped from AGP 9.0.0's sources as published in
 * the {@code jrodbx/agp-sources} mirror (read, not copied or compiled against):
 * <ul>
 * <li>{@code AndroidComponentsExtensionImpl.kt} 9.0.0: {@code selector()},
 * {@code onVariants(VariantSelector, Action<VariantT>)}; {@code VariantSelector.all()}. The test runs the
 * callbacks with {@link Components#run}, where AGP runs them in its afterEvaluate;</li>
 * <li>{@code Component}: {@code getName()}, {@code getSources()}, {@code getRuntimeConfiguration()},
 * {@code getCompileConfiguration()} ({@code <name>RuntimeClasspath}, {@code <name>CompileClasspath}, as AGP's
 * {@code VariantDependencies} names them);</li>
 * <li>{@code Variant.getNestedComponents()}, {@code HasHostTests.getHostTests()} and {@code HasDeviceTests.getDeviceTests()}
 * ({@code HasDeviceTests.kt} 9.0.0: maps keyed by test type, {@code "UnitTest"} and {@code DeviceTestBuilder.ANDROID_TEST_TYPE},
 * {@code "AndroidTest"}; {@code ApplicationVariantImpl.kt} 9.0.0); the instrumented test only where asked (AGP builds it
 * for the testBuildType, debug by default);</li>
 * <li>{@code Sources.kt} 9.0.0: nullable {@code assets} and {@code mlModels} of type {@code SourceDirectories.Layered};</li>
 * <li>{@code LayeredSourceDirectoriesImpl.kt} 9.0.0: one list of directories per source set or generator, added lowest
 * priority first; {@code all} is that list reversed (highest priority first). {@code SourceDirectoriesImpl.kt} 9.0.0:
 * {@code addGeneratedSourceDirectory(taskProvider, wiredWith)} adds {@code taskProvider.flatMap(wiredWith)}, so the
 * producer travels with the value (Gradle 8 refuses to compute it before the task ran), and gives the task's directory
 * the convention {@code build/generated/<source type>/<task name>}; {@code addStaticSourceDirectory(String)} adds a
 * project directory.</li>
 * </ul>
 * Static layers: {@code src/main/<type>}, then {@code src/<variant>/<type>} (a variant without flavors: its build type).
 */
public final class StandInVariantApi {
    private StandInVariantApi() {
    }

    /** variant.VariantSelector. */
    public static final class Selector {
        public Selector all() {
            return this;
        }
    }

    /** variant.AndroidComponentsExtension, registered as {@code androidComponents}. */
    public static final class Components {
        private final List<Action<? super Variant>> callbacks = new ArrayList<>();

        public Selector selector() {
            return new Selector();
        }

        public void onVariants(Selector selector, Action<? super Variant> callback) {
            callbacks.add(callback);
        }

        /** What AGP does for each variant after evaluation: runs the callbacks registered for it. */
        void run(Variant variant) {
            for (Action<? super Variant> callback : callbacks) {
                callback.execute(variant);
            }
        }
    }

    /** {@code project}'s {@code androidComponents} extension, added to it. */
    static Components register(Project project) {
        Components components = new Components();
        project.getExtensions().add("androidComponents", components);
        return components;
    }

    /** variant.Component: a variant or one of its nested (test) components. */
    public static class Component {
        private final String name;
        private final Configuration runtime;
        private final Configuration compile;

        Component(Project project, String name) {
            this.name = name;
            runtime = classpath(project, name + "RuntimeClasspath");
            compile = classpath(project, name + "CompileClasspath");
        }

        public String getName() {
            return name;
        }

        public Configuration getRuntimeConfiguration() {
            return runtime;
        }

        public Configuration getCompileConfiguration() {
            return compile;
        }

        private static Configuration classpath(Project project, String name) {
            Configuration c = project.getConfigurations().create(name);
            c.extendsFrom(project.getConfigurations().maybeCreate("implementation"));
            return c;
        }
    }

    /** variant.Variant (an ApplicationVariant's parts read here). */
    public static final class Variant extends Component {
        private final Sources sources;
        private final Map<String, Component> hostTests = new LinkedHashMap<>();
        private final Map<String, Component> deviceTests = new LinkedHashMap<>();

        Variant(Project project, String name, boolean androidTest) {
            super(project, name);
            sources = new Sources(new Layered(project, "assets", name), new Layered(project, "ml", name));
            hostTests.put("UnitTest", new Component(project, name + "UnitTest"));
            if (androidTest) {
                deviceTests.put("AndroidTest", new Component(project, name + "AndroidTest"));
            }
        }

        public Sources getSources() {
            return sources;
        }

        public List<Component> getNestedComponents() {
            List<Component> all = new ArrayList<>(hostTests.values());
            all.addAll(deviceTests.values());
            return all;
        }

        public Map<String, Component> getHostTests() {
            return hostTests;
        }

        public Map<String, Component> getDeviceTests() {
            return deviceTests;
        }
    }

    /** variant.Sources. */
    public static final class Sources {
        private final Layered assets;
        private final Layered mlModels;

        Sources(Layered assets, Layered mlModels) {
            this.assets = assets;
            this.mlModels = mlModels;
        }

        public Layered getAssets() {
            return assets;
        }

        public Layered getMlModels() {
            return mlModels;
        }
    }

    /** variant.SourceDirectories.Layered. */
    public static final class Layered {
        private final Project project;
        private final String type;
        /** Lowest priority first, as AGP adds them. */
        private final ListProperty<Collection<Directory>> directories;
        private final Provider<List<Collection<Directory>>> all;

        @SuppressWarnings({"unchecked", "rawtypes"})
        Layered(Project project, String type, String variant) {
            this.project = project;
            this.type = type;
            directories = (ListProperty) project.getObjects().listProperty(Collection.class);
            all = directories.map(layers -> {
                List<Collection<Directory>> reversed = new ArrayList<>(layers);
                Collections.reverse(reversed);
                return reversed;
            });
            addStaticSourceDirectory("src/main/" + type);
            addStaticSourceDirectory("src/" + variant + "/" + type);
        }

        public Provider<List<Collection<Directory>>> getAll() {
            return all;
        }

        public void addStaticSourceDirectory(String srcDir) {
            directories.add(Collections.singletonList(project.getLayout().getProjectDirectory().dir(srcDir)));
        }

        public <T extends Task> void addGeneratedSourceDirectory(TaskProvider<T> task, Function1<T, DirectoryProperty> wiredWith) {
            task.configure(t -> wiredWith.invoke(t).convention(
                    project.getLayout().getBuildDirectory().dir("generated/" + type + "/" + task.getName())));
            directories.add(task.flatMap(wiredWith::invoke).map(Collections::<Directory>singletonList));
        }
    }
}
