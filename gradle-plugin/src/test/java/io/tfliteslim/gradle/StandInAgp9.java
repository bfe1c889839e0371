package io.tfliteslim.gradle;

import org.gradle.api.Action;
import org.gradle.api.NamedDomainObjectContainer;
import org.gradle.api.Plugin;
import org.gradle.api.Project;
import org.gradle.api.file.Directory;
import org.gradle.api.provider.Provider;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A stand-in for the Android Gradle Plugin 9 ({@code com.android.application}, registered under that id
 * in the test resources only), shaped from AGP's public API (com.android.tools.build:gradle-api,
 * package com.android.build.api):
 * <ul>
 * <li>{@code variant.AndroidComponentsExtension}: {@code selector()}, {@code onVariants(VariantSelector,
 * Action<VariantT>)}; callbacks run in AGP's afterEvaluate, and one registered after they ran throws
 * "It is too late to add actions as the callbacks already executed." ({@code OperationsRegistrar});</li>
 * <li>{@code variant.VariantSelector.all()}; {@code variant.Component}: {@code getName()},
 * {@code getSources()}; {@code variant.Sources}: nullable {@code assets} and {@code mlModels} of type
 * {@code SourceDirectories.Layered}, whose {@code all} is a {@code Provider<List<Collection<Directory>>>}
 * (highest priority first) and which takes {@code addStaticSourceDirectory(String)};</li>
 * <li>{@code dsl.AndroidSourceSet} / {@code dsl.AndroidSourceDirectorySet}: {@code srcDir},
 * {@code srcDirs}, {@code setSrcDirs}, {@code getName()}, and no {@code srcDirs} getter (AGP 9 keeps only
 * the new DSL interfaces); {@code dsl.CommonExtension.ndkVersion}; {@code ndk.abiFilters} of
 * {@code defaultConfig}, of each {@code productFlavors} entry and of each {@code buildTypes} entry
 * (AGP adds a variant's flavor and build type filters to defaultConfig's: {@code MergedNdkConfig}).</li>
 * <li>the tasks {@code preBuild} and, per variant, {@code pre<Variant>Build} depending on it (AGP's
 * {@code TaskManager}), which a variant's build runs first, and which its tasks depend on (the merge task here:
 * {@code VariantTaskCreationAction.configure} adds {@code pre<Variant>Build} unless told not to, and
 * {@code MergeSourceSetFolders.CreationAction} does not tell it);</li>
 * <li>{@code variant.Component.getArtifacts()} ({@code artifact.Artifacts}) with
 * {@code get(SingleArtifact.ASSETS)}: the variant's merged assets directory,
 * {@code build/intermediates/assets/<variant>/merge<Variant>Assets}, written by the task
 * {@code merge<Variant>Assets} (AGP's {@code MergeSourceSetFolders}) from every asset layer, lowest
 * priority first (main, flavor, build type, variant, then generated folders), and from the
 * variant's runtime classpath's {@code android-assets} artifacts (AGP's
 * {@code VariantDependencies.getArtifactFileCollection(RUNTIME_CLASSPATH, ALL, ASSETS)}: a library module's
 * assets folder, {@link #libraryModule}; an AAR's {@code assets/}, extracted by a transform from
 * {@code artifactType=aar}).
 * {@code variant.Component.getRuntimeConfiguration()} is that classpath; {@code getCompileConfiguration()} and
 * the nested components (a unit test per variant, an instrumented test for debug, AGP's default testBuildType;
 * each with its own two classpaths), given as AGP 9.0.0 gives them ({@code Variant.getNestedComponents()},
 * {@code getUnitTest()}, {@code HasHostTests.getHostTests()}, {@code HasDeviceTests.getDeviceTests()}), complete
 * what AGP 9's {@code Component}/{@code Variant} give of a variant's classpaths. As AGP's, the provider carries the producing task (here as a {@code Buildable},
 * since Gradle 4.4's providers cannot).</li>
 * </ul>
 * Variants: build types debug and release times the product flavors the test declares; layers per
 * variant as AGP orders them (variant, build type, flavor, main), then directories added through the
 * Variant API (generated ones).
 */
public class StandInAgp9 implements Plugin<Project> {
    @Override
    public void apply(Project project) {
        Android android = new Android(project);
        Components components = new Components();
        project.getExtensions().add("android", android);
        project.getExtensions().add("androidComponents", components);
        // AGP's preBuild, which every pre<Variant>Build depends on (TaskManager).
        project.getTasks().create("preBuild");
        project.afterEvaluate(p -> components.run(project, android));
        // Dependencies' assets as AGP reads them: the runtime classpath's artifacts of type android-assets;
        // an AAR's are its assets/ folder (AGP's ExtractAarTransform, then the exploded AAR's assets/).
        project.getConfigurations().maybeCreate("implementation");
        project.getDependencies().registerTransform(t -> {
            t.getFrom().attribute(ARTIFACT_TYPE, "aar");
            t.getTo().attribute(ARTIFACT_TYPE, ANDROID_ASSETS);
            t.artifactTransform(ExtractAarAssets.class);
        });
    }

    /** Gradle's artifactType attribute and AGP's {@code AndroidArtifacts.ArtifactType.ASSETS} value. */
    static final org.gradle.api.attributes.Attribute<String> ARTIFACT_TYPE = org.gradle.api.attributes.Attribute.of("artifactType", String.class);
    static final String ANDROID_ASSETS = "android-assets";

    /**
     * Stands for an Android library module ({@code com.android.library}): its {@code assets} folder is
     * published as an {@code android-assets} artifact, which an app depending on it merges.
     */
    public static void libraryModule(Project library, java.io.File assets) {
        library.getConfigurations().maybeCreate("default").getOutgoing().artifact(assets, a -> a.setType(ANDROID_ASSETS));
    }

    /** An AAR's {@code assets/} entries, extracted (Gradle 4.4's ArtifactTransform; AGP uses the newer TransformAction). */
    public static class ExtractAarAssets extends org.gradle.api.artifacts.transform.ArtifactTransform {
        @Override
        public List<java.io.File> transform(java.io.File aar) {
            java.io.File out = new java.io.File(getOutputDirectory(), "assets");
            out.mkdirs();
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(aar)) {
                for (java.util.zip.ZipEntry e : java.util.Collections.list(zip.entries())) {
                    if (e.isDirectory() || !e.getName().startsWith("assets/") || e.getName().contains("..")) {
                        continue;
                    }
                    java.io.File f = new java.io.File(out, e.getName().substring("assets/".length()));
                    f.getParentFile().mkdirs();
                    try (java.io.InputStream in = zip.getInputStream(e)) {
                        java.nio.file.Files.copy(in, f.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } catch (java.io.IOException e) {
                throw new org.gradle.api.GradleException("cannot extract " + aar + ": " + e.getMessage(), e);
            }
            return java.util.Collections.singletonList(out);
        }
    }

    /** dsl.ApplicationExtension, the parts read here. */
    public static final class Android {
        private final NamedDomainObjectContainer<SourceSet> sourceSets;
        private final NamedDomainObjectContainer<ProductFlavor> productFlavorsDsl;
        private final NamedDomainObjectContainer<ProductFlavor> buildTypes;
        private final DefaultConfig defaultConfig = new DefaultConfig();
        private final List<String> productFlavors = new ArrayList<>();
        private String ndkVersion;

        Android(Project project) {
            sourceSets = project.container(SourceSet.class, SourceSet::new);
            for (String name : new String[]{"main", "debug", "release"}) {
                sourceSets.create(name);
            }
            productFlavorsDsl = project.container(ProductFlavor.class, ProductFlavor::new);
            buildTypes = project.container(ProductFlavor.class, ProductFlavor::new);
            buildTypes.create("debug");
            buildTypes.create("release");
        }

        /** dsl.ApplicationExtension.productFlavors: each a dsl.ProductFlavor with its own ndk.abiFilters. */
        public NamedDomainObjectContainer<ProductFlavor> getProductFlavors() {
            return productFlavorsDsl;
        }

        /** dsl.ApplicationExtension.buildTypes (debug, release): dsl.BuildType has ndk.abiFilters too. */
        public NamedDomainObjectContainer<ProductFlavor> getBuildTypes() {
            return buildTypes;
        }

        public NamedDomainObjectContainer<SourceSet> getSourceSets() {
            return sourceSets;
        }

        public DefaultConfig getDefaultConfig() {
            return defaultConfig;
        }

        public String getNdkVersion() {
            return ndkVersion;
        }

        public void setNdkVersion(String ndkVersion) {
            this.ndkVersion = ndkVersion;
        }

        /** Stands for {@code productFlavors { create(name) }} (one dimension). */
        public ProductFlavor flavor(String name) {
            productFlavors.add(name);
            sourceSets.maybeCreate(name);
            return productFlavorsDsl.maybeCreate(name);
        }
    }

    public static final class DefaultConfig {
        private final Ndk ndk = new Ndk();

        public Ndk getNdk() {
            return ndk;
        }
    }

    /** dsl.ProductFlavor / dsl.BuildType: the name and ndk { abiFilters }. */
    public static final class ProductFlavor implements org.gradle.api.Named {
        private final String name;
        private final Ndk ndk = new Ndk();

        ProductFlavor(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        public Ndk getNdk() {
            return ndk;
        }
    }

    public static final class Ndk {
        private final Set<String> abiFilters = new LinkedHashSet<>();

        public Set<String> getAbiFilters() {
            return abiFilters;
        }
    }

    /** dsl.AndroidSourceSet. */
    public static final class SourceSet implements org.gradle.api.Named {
        private final String name;
        private final SourceDirectorySet assets;
        private final SourceDirectorySet mlModels;

        SourceSet(String name) {
            this.name = name;
            this.assets = new SourceDirectorySet(name + " assets", "src/" + name + "/assets");
            this.mlModels = new SourceDirectorySet(name + " ml", "src/" + name + "/ml");
        }

        @Override
        public String getName() {
            return name;
        }

        public SourceDirectorySet getAssets() {
            return assets;
        }

        public SourceDirectorySet getMlModels() {
            return mlModels;
        }
    }

    /** dsl.AndroidSourceDirectorySet: setters only, no srcDirs getter. */
    public static final class SourceDirectorySet implements org.gradle.api.Named {
        private final String name;
        final List<Object> dirs = new ArrayList<>();

        SourceDirectorySet(String name, String defaultDir) {
            this.name = name;
            dirs.add(defaultDir);
        }

        @Override
        public String getName() {
            return name;
        }

        public Object srcDir(Object dir) {
            dirs.add(dir);
            return this;
        }

        public Object srcDirs(Object... more) {
            dirs.addAll(Arrays.asList(more));
            return this;
        }

        public Object setSrcDirs(Iterable<?> srcDirs) {
            dirs.clear();
            for (Object d : srcDirs) {
                dirs.add(d);
            }
            return this;
        }
    }

    /** variant.VariantSelector. */
    public static final class Selector {
        public Selector all() {
            return this;
        }
    }

    /** variant.AndroidComponentsExtension with OperationsRegistrar's refusal of late callbacks. */
    public static final class Components {
        private final List<Action<? super Variant>> callbacks = new ArrayList<>();
        private boolean executed;

        public Selector selector() {
            return new Selector();
        }

        public void onVariants(Selector selector, Action<? super Variant> callback) {
            if (executed) {
                throw new RuntimeException("\nIt is too late to add actions as the callbacks already executed.\n"
                        + "Did you try to call onVariants from the old variant API\n'applicationVariants' for instance?"
                        + " You can instead call onVariants\ndirectly from the androidComponents DSL block.");
            }
            callbacks.add(callback);
        }

        void run(Project project, Android android) {
            executed = true;
            List<String> flavors = android.productFlavors.isEmpty() ? Collections.singletonList("") : android.productFlavors;
            for (String flavor : flavors) {
                for (String buildType : new String[]{"debug", "release"}) {
                    Variant variant = new Variant(project, android, flavor, buildType);
                    for (Action<? super Variant> callback : callbacks) {
                        callback.execute(variant);
                    }
                }
            }
        }
    }

    /** variant.Variant: getName(), getSources(), getArtifacts(). */
    public static final class Variant {
        private final String name;
        private final Sources sources;
        private final Artifacts artifacts;
        private final org.gradle.api.artifacts.Configuration runtimeConfiguration;
        private final org.gradle.api.artifacts.Configuration compileConfiguration;
        private final List<Component> nestedComponents = new ArrayList<>();
        private final java.util.Map<String, Component> hostTests = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, Component> deviceTests = new java.util.LinkedHashMap<>();
        private final Component unitTest;

        Variant(Project project, Android android, String flavor, String buildType) {
            this.name = flavor.isEmpty() ? buildType : flavor + Character.toUpperCase(buildType.charAt(0)) + buildType.substring(1);
            List<String> sets = new ArrayList<>();
            if (!flavor.isEmpty()) {
                sets.add(name);
            }
            sets.add(buildType);
            if (!flavor.isEmpty()) {
                sets.add(flavor);
            }
            sets.add("main");
            this.sources = new Sources(new Layered(project, android, sets, true), new Layered(project, android, sets, false));
            this.runtimeConfiguration = project.getConfigurations().maybeCreate(name + "RuntimeClasspath");
            runtimeConfiguration.extendsFrom(project.getConfigurations().getByName("implementation"));
            this.compileConfiguration = project.getConfigurations().maybeCreate(name + "CompileClasspath");
            compileConfiguration.extendsFrom(project.getConfigurations().getByName("implementation"));
            // AGP 9 (ApplicationVariantImpl 9.0.0): HasHostTests.hostTests and HasDeviceTests.deviceTests, maps keyed by
            // test type ("UnitTest", "AndroidTest"), and nestedComponents, which lists them (Variant.kt: "UnitTest component
            // if the unit tests for this variant are enabled, AndroidTest component if ... android tests are enabled").
            // AGP builds instrumented tests for the testBuildType only (debug by default).
            unitTest = new Component(project, name + "UnitTest");
            hostTests.put("UnitTest", unitTest);
            nestedComponents.add(unitTest);
            if (buildType.equals("debug")) {
                Component androidTest = new Component(project, name + "AndroidTest");
                deviceTests.put("AndroidTest", androidTest);
                nestedComponents.add(androidTest);
            }
            String cap = Character.toUpperCase(name.charAt(0)) + name.substring(1);
            org.gradle.api.Task preVariantBuild = project.getTasks().create("pre" + cap + "Build").dependsOn("preBuild");
            this.artifacts = new Artifacts(project, android, name, sources.assets, runtimeConfiguration);
            // AGP's variant tasks depend on pre<Variant>Build: VariantTaskCreationAction's configure() adds it unless
            // dependsOnPreBuildTask = false, and MergeSourceSetFolders.CreationAction (merge<Variant>Assets) keeps the
            // default (AGP 8.x/9 sources).
            project.getTasks().getByName("merge" + cap + "Assets").dependsOn(preVariantBuild);
        }

        public Artifacts getArtifacts() {
            return artifacts;
        }

        /** variant.Component.runtimeConfiguration (AGP 7+): {@code <variant>RuntimeClasspath}, extending implementation. */
        public org.gradle.api.artifacts.Configuration getRuntimeConfiguration() {
            return runtimeConfiguration;
        }

        /** variant.Component.compileConfiguration: {@code <variant>CompileClasspath}. */
        public org.gradle.api.artifacts.Configuration getCompileConfiguration() {
            return compileConfiguration;
        }

        /** variant.Variant.nestedComponents (@Incubating in AGP 8.x, kept in 9.0.0's AnalyticsEnabledVariant): the unit and android tests. */
        public List<Component> getNestedComponents() {
            return nestedComponents;
        }

        /** variant.HasHostTests.hostTests (AGP 9): {@code "UnitTest"} to the unit test component. */
        public java.util.Map<String, Component> getHostTests() {
            return hostTests;
        }

        /** variant.HasDeviceTests.deviceTests (AGP 9): {@code "AndroidTest"} to the instrumented test component (debug only). */
        public java.util.Map<String, Component> getDeviceTests() {
            return deviceTests;
        }

        /** variant.Variant.unitTest: deprecated in AGP 8.x ("Will be removed in v9.0"), still in 9.0.0. */
        public Component getUnitTest() {
            return unitTest;
        }

        public String getName() {
            return name;
        }

        public Sources getSources() {
            return sources;
        }
    }

    /**
     * variant.Component of a nested component (a unit or instrumented test): {@code <name>RuntimeClasspath} and
     * {@code <name>CompileClasspath} (AGP's VariantDependencies), named {@code <variant>UnitTest} / {@code <variant>AndroidTest}.
     */
    public static final class Component {
        private final String name;
        private final org.gradle.api.artifacts.Configuration runtime;
        private final org.gradle.api.artifacts.Configuration compile;

        Component(Project project, String name) {
            this.name = name;
            runtime = project.getConfigurations().maybeCreate(name + "RuntimeClasspath");
            compile = project.getConfigurations().maybeCreate(name + "CompileClasspath");
            runtime.extendsFrom(project.getConfigurations().getByName("implementation"));
            compile.extendsFrom(project.getConfigurations().getByName("implementation"));
        }

        public String getName() {
            return name;
        }

        public org.gradle.api.artifacts.Configuration getRuntimeConfiguration() {
            return runtime;
        }

        public org.gradle.api.artifacts.Configuration getCompileConfiguration() {
            return compile;
        }
    }

    /** variant.Sources: nullable Layered assets and mlModels. */
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
        private final List<Collection<Directory>> layers = new ArrayList<>();

        Layered(Project project, Android android, List<String> sourceSets, boolean assets) {
            this.project = project;
            for (String name : sourceSets) {
                SourceSet set = android.sourceSets.findByName(name);
                List<Directory> layer = new ArrayList<>();
                if (set != null) {
                    for (Object dir : (assets ? set.assets : set.mlModels).dirs) {
                        layer.add(project.getLayout().getProjectDirectory().dir(project.relativePath(project.file(dir))));
                    }
                } else {
                    layer.add(project.getLayout().getProjectDirectory().dir("src/" + name + (assets ? "/assets" : "/ml")));
                }
                layers.add(layer);
            }
        }

        public Provider<List<Collection<Directory>>> getAll() {
            return project.provider(() -> new ArrayList<>(layers));
        }

        public void addStaticSourceDirectory(String srcDir) {
            layers.add(Collections.singletonList(project.getLayout().getProjectDirectory().dir(srcDir)));
        }
    }

    /** artifact.Artifacts, {@code get(SingleArtifact)} only. */
    public static final class Artifacts {
        private final MergedAssets merged;

        Artifacts(Project project, Android android, String variant, Layered assets, org.gradle.api.artifacts.Configuration runtime) {
            String cap = Character.toUpperCase(variant.charAt(0)) + variant.substring(1);
            java.io.File out = new java.io.File(project.getBuildDir(), "intermediates/assets/" + variant + "/merge" + cap + "Assets");
            org.gradle.api.tasks.Sync merge = project.getTasks().create("merge" + cap + "Assets", org.gradle.api.tasks.Sync.class, t -> {
                t.into(out);
                // Lowest priority first, so a higher layer's file replaces a lower one's (AGP's merge order).
                t.setDuplicatesStrategy(org.gradle.api.file.DuplicatesStrategy.INCLUDE);
                // Dependencies' assets (library modules, AARs), below the app's own.
                t.from(runtime.getIncoming().artifactView(v -> v.attributes(a -> a.attribute(ARTIFACT_TYPE, ANDROID_ASSETS))).getFiles());
                t.from((java.util.concurrent.Callable<Object>) () -> {
                    List<Object> dirs = new ArrayList<>();
                    List<Collection<Directory>> layers = new ArrayList<>(assets.getAll().get());
                    Collections.reverse(layers);
                    for (Collection<Directory> layer : layers) {
                        for (Directory d : layer) {
                            dirs.add(d.getAsFile());
                        }
                    }
                    return dirs;
                });
            });
            this.merged = new MergedAssets(project, merge, out);
        }

        @SuppressWarnings("unchecked")
        public <T> Provider<T> get(com.android.build.api.artifact.SingleArtifact<T> type) {
            if (type != com.android.build.api.artifact.SingleArtifact.ASSETS.INSTANCE) {
                throw new IllegalArgumentException("the stand-in has ASSETS only, not " + type);
            }
            return (Provider<T>) merged;
        }
    }

    /** The merged assets directory, as a provider that names the task producing it. */
    public static final class MergedAssets implements Provider<Directory>, org.gradle.api.Buildable {
        private final Project project;
        private final org.gradle.api.Task producer;
        private final java.io.File dir;

        MergedAssets(Project project, org.gradle.api.Task producer, java.io.File dir) {
            this.project = project;
            this.producer = producer;
            this.dir = dir;
        }

        @Override
        public Directory get() {
            return project.getLayout().getProjectDirectory().dir(dir.getAbsolutePath());
        }

        @Override
        public Directory getOrNull() {
            return get();
        }

        @Override
        public Directory getOrElse(Directory defaultValue) {
            return get();
        }

        @Override
        public <S> Provider<S> map(org.gradle.api.Transformer<? extends S, ? super Directory> transformer) {
            return project.provider(() -> transformer.transform(get()));
        }

        @Override
        public boolean isPresent() {
            return true;
        }

        @Override
        public org.gradle.api.tasks.TaskDependency getBuildDependencies() {
            return t -> Collections.singleton(producer);
        }
    }
}
