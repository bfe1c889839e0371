package io.tfliteslim.gradle.gradle8;

import io.tfliteslim.gradle.TfliteSlimExtension;
import io.tfliteslim.gradle.tasks.TfliteSlimTask;
import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.artifacts.Configuration;
import org.gradle.api.artifacts.repositories.ArtifactRepository;
import org.gradle.api.internal.project.ProjectInternal;
import org.gradle.testfixtures.ProjectBuilder;
import org.gradle.util.GradleVersion;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The plugin jar's classes, applied by id, on the real Gradle 8.10.2 runtime (ProjectBuilder from
 * dev.gradleplugins:gradle-api, not the Gradle 4.4 the main suite runs on): the extension, the
 * lazily registered tasks and their inputs, the repositories with Gradle 8's content filtering, and
 * the substitution, resolved by Gradle 8 from real Maven layouts on disk. ProjectBuilder has no
 * Settings object, so the settings plugin is covered by the main suite's stand-ins only.
 */
public class RealGradle8Test {
    private static final String SLIM = "2.16.1-slim-0123456789ab";
    private static final String DECOY = "io.tfliteslim:tensorflow-lite:9.9.9-slim-decoy";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** The app, on the Gradle 8 runtime (the plugin not applied yet); its install directory and another repository. */
    private Project project;
    private File m2;
    private File other;

    @Before
    public void app() throws Exception {
        project = ProjectBuilder.builder().withProjectDir(temp.newFolder("app")).build();
        assertEquals(System.getProperty("tfliteSlim.gradle8.version"), GradleVersion.current().getVersion());
        m2 = new File(project.getProjectDir(), "m2");
        other = new File(project.getProjectDir(), "other-repo");
    }

    private static void write(File f, String text) throws Exception {
        f.getParentFile().mkdirs();
        Files.write(f.toPath(), text.getBytes(StandardCharsets.UTF_8));
    }

    /** A module in Maven's layout: its POM and a jar whose one entry names where it came from. */
    private static void module(File repo, String group, String artifact, String version, String origin) throws Exception {
        File dir = new File(repo, group.replace('.', '/') + "/" + artifact + "/" + version);
        write(new File(dir, artifact + "-" + version + ".pom"), "<project><modelVersion>4.0.0</modelVersion><groupId>" + group
                + "</groupId><artifactId>" + artifact + "</artifactId><version>" + version + "</version></project>\n");
        try (java.util.zip.ZipOutputStream jar = new java.util.zip.ZipOutputStream(
                new java.io.FileOutputStream(new File(dir, artifact + "-" + version + ".jar")))) {
            jar.putNextEntry(new java.util.zip.ZipEntry(origin));
            jar.closeEntry();
        }
    }

    /** coordinates.json as tfliteSlim writes it: the slim runtime {@link #SLIM} installed into {@link #m2}. */
    private void installed() throws Exception {
        write(new File(project.getProjectDir(), "build/tflite-slim/coordinates.json"), "{\"repository\": \""
                + m2.getAbsolutePath().replace("\\", "\\\\") + "\", \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\":"
                + " \"tensorflow-lite\", \"version\": \"" + SLIM + "\"}, \"select_tf_ops\": null}");
    }

    /** A Maven repository the build declares itself (before the plugin is applied); {@code name} null: Gradle's default. */
    private void repository(String name, File dir) {
        project.getRepositories().maven(r -> {
            if (name != null) {
                r.setName(name);
            }
            r.setUrl(dir.toURI());
        });
    }

    /** The plugin applied, installing into {@link #m2} when {@code withRepository}, and the project evaluated. */
    private void applyAndEvaluate(boolean withRepository) {
        project.getPluginManager().apply("io.tfliteslim");
        if (withRepository) {
            project.getExtensions().getByType(TfliteSlimExtension.class).setRepository(m2);
        }
        ((ProjectInternal) project).evaluate();
    }

    private List<String> repositoryNames() {
        List<String> names = new ArrayList<>();
        for (ArtifactRepository r : project.getRepositories()) {
            names.add(r.getName());
        }
        return names;
    }

    /** A new configuration {@code name} with {@code dependencies}. */
    private Configuration configuration(String name, String... dependencies) {
        Configuration c = project.getConfigurations().create(name);
        for (String d : dependencies) {
            project.getDependencies().add(name, d);
        }
        return c;
    }

    /** The files {@code configuration} resolves to, relative to {@link #m2}. */
    private List<String> resolvedFromM2(Configuration configuration) {
        List<String> resolved = new ArrayList<>();
        for (File f : configuration.resolve()) {
            resolved.add(m2.toPath().relativize(f.toPath()).toString());
        }
        return resolved;
    }

    /** A slim version only {@link #other} has (excluded there): not found at all. */
    private void assertTheDecoyIsNotFound() {
        Configuration decoy = configuration("decoy", DECOY);
        try {
            decoy.resolve();
            fail("io.tfliteslim was served by another repository");
        } catch (RuntimeException e) {
            assertTrue(String.valueOf(e.getCause()), String.valueOf(e.getCause()).contains("Could not find " + DECOY));
        }
    }

    @Test
    public void tasksAreRegisteredLazilyAndTheirInputsCarryTheSettings() throws Exception {
        write(new File(project.getProjectDir(), "src/main/assets/m.tflite"), "not read at configuration");
        List<String> realized = new ArrayList<>();
        project.getTasks().configureEach(t -> realized.add(t.getName()));
        project.getPluginManager().apply("io.tfliteslim");
        assertEquals("registered, not created (tasks.register on Gradle 8)", new ArrayList<String>(), realized);
        assertEquals(new TreeSet<>(Arrays.asList("tfliteReport", "tfliteSlim", "tfliteSlimPlan", "tfliteSlimPublish", "tfliteVerify")),
                new TreeSet<>(project.getTasks().getNames()));

        TfliteSlimExtension ext = project.getExtensions().getByType(TfliteSlimExtension.class);
        ext.setTargetAbis(Arrays.asList("arm64-v8a"));
        ext.setTensorflowVersion("2.16.1");
        ext.setRepository("m2");
        TfliteSlimTask slim = (TfliteSlimTask) project.getTasks().getByName("tfliteSlim");
        assertEquals("tflite-slim", slim.getGroup());
        String argv = String.join(" ", slim.getBuildArgs());
        // The models are not listed at configuration: they are the task's input files, listed when it runs.
        assertTrue(argv, argv.contains("build --out "));
        assertEquals(java.util.Collections.singleton(new File(project.getProjectDir(), "src/main/assets/m.tflite")), slim.getModels().getFiles());
        assertTrue(argv, argv.contains("--target-archs arm64-v8a --tensorflow-version 2.16.1"));
        assertEquals(m2.getAbsolutePath(), slim.getRepository());
        Set<String> dependsOn = new TreeSet<>();
        for (Object d : slim.getDependsOn()) {
            dependsOn.add(d instanceof Task ? ((Task) d).getName() : String.valueOf(d));
        }
        assertTrue(dependsOn.toString(), dependsOn.contains("tfliteReport"));
    }

    /**
     * Ours first and, with Gradle 8's content filtering, the only source of io.tfliteslim: a decoy of the
     * slim version in another repository is never taken, and the stock runtime resolves to the slim one
     * tfliteSlim installed (coordinates.json), from the install directory.
     */
    @Test
    public void theStockRuntimeResolvesToTheInstalledSlimOneFromOurRepositoryOnly() throws Exception {
        module(other, "org.tensorflow", "tensorflow-lite", "2.16.1", "stock");
        module(other, "io.tfliteslim", "tensorflow-lite", SLIM, "decoy");
        module(other, "io.tfliteslim", "tensorflow-lite", "9.9.9-slim-decoy", "decoy");
        module(m2, "io.tfliteslim", "tensorflow-lite", SLIM, "ours");
        installed();
        repository("Other", other);
        applyAndEvaluate(true);

        assertEquals(Arrays.asList("tfliteSlim", "Other"), repositoryNames());
        assertEquals(Arrays.asList("io/tfliteslim/tensorflow-lite/" + SLIM + "/tensorflow-lite-" + SLIM + ".jar"),
                resolvedFromM2(configuration("app", "org.tensorflow:tensorflow-lite:2.16.1")));
        assertTheDecoyIsNotFound();
    }

    /**
     * A repository the build declares itself at the place ours points to (its own mavenLocal(), or a directory it
     * also keeps other modules in) is reused as ours, and keeps serving what it served: its other modules still
     * resolve from it, in its place, while every other repository is kept from the slim group. (The plugin used to
     * give it {@code includeGroup io.tfliteslim}, so on Gradle 5.1+ nothing else resolved from it.)
     */
    @Test
    public void aRepositoryOfTheBuildAtOurPlaceKeepsServingItsOtherModules() throws Exception {
        module(m2, "org.tensorflow", "tensorflow-lite", "2.16.1", "stock");
        module(m2, "com.example", "lib", "1.0", "lib");
        module(m2, "io.tfliteslim", "tensorflow-lite", SLIM, "ours");
        module(other, "io.tfliteslim", "tensorflow-lite", "9.9.9-slim-decoy", "decoy");
        installed();
        repository("Other", other);
        repository("Mine", m2);
        applyAndEvaluate(true);

        assertEquals("the build's own, reused, stays where the build put it", Arrays.asList("Other", "Mine"), repositoryNames());
        assertEquals(Arrays.asList("io/tfliteslim/tensorflow-lite/" + SLIM + "/tensorflow-lite-" + SLIM + ".jar",
                "com/example/lib/1.0/lib-1.0.jar"),
                resolvedFromM2(configuration("app", "org.tensorflow:tensorflow-lite:2.16.1", "com.example:lib:1.0")));
        assertTheDecoyIsNotFound();
    }

    /**
     * The settings plugin's path on Gradle 6.8+ ({@code keepGroupTo} on settings' repositories, here a project's
     * RepositoryHandler of the same Gradle 8 type, since ProjectBuilder has no Settings): a repository the build
     * declared at our place is not made exclusive to the slim group (exclusiveContent would restrict it to that
     * group); the other repositories are kept from the group instead.
     */
    @Test
    public void settingsRepositoriesOfTheBuildAtOurPlaceKeepServingTheirOtherModules() throws Exception {
        module(m2, "org.tensorflow", "tensorflow-lite", "2.16.1", "stock");
        module(other, "io.tfliteslim", "tensorflow-lite", "9.9.9-slim-decoy", "decoy");
        repository("Other", other);
        repository("Mine", m2);
        List<ArtifactRepository> ours = io.tfliteslim.gradle.repositories.SlimRepositories.declare(project.getRepositories(),
                io.tfliteslim.gradle.repositories.SlimRepositories.specs(m2, null, false, false), null, null);
        assertEquals("Mine", ours.get(0).getName());
        assertTrue(io.tfliteslim.gradle.repositories.SlimRepositories.keepGroupTo(project.getRepositories(), ours, "io.tfliteslim"));
        assertEquals("tensorflow-lite-2.16.1.jar", configuration("app", "org.tensorflow:tensorflow-lite:2.16.1").getSingleFile().getName());
        assertTheDecoyIsNotFound();
    }

    /** LiteRT 2.x (the CompiledModel runtime) is never substituted: resolved as requested. */
    @Test
    public void liteRtTwoIsLeftAsRequested() throws Exception {
        module(other, "com.google.ai.edge.litert", "litert", "2.0.2", "stock");
        repository(null, other);
        applyAndEvaluate(false);
        assertEquals("litert-2.0.2.jar", configuration("app", "com.google.ai.edge.litert:litert:2.0.2").getSingleFile().getName());
    }
}
