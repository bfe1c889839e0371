package io.tfliteslim.gradle;

import org.gradle.api.Project;
import org.gradle.api.artifacts.Configuration;
import org.gradle.api.internal.project.ProjectInternal;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Collections;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Issue 27, deliver 2: the substitution per variant. A variant named in stockRuntimeVariants keeps the
 * stock runtime on its classpaths and its unit test's (read from the Variant API, {@link StandInAgp9}),
 * and its build does not verify; the other variants, and configurations of no variant, get the slim one.
 */
public class VariantSubstitutionTest {
    private static final String SLIM = "2.16.1-slim-0123456789ab";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static void write(File f, String text) throws Exception {
        f.getParentFile().mkdirs();
        Files.write(f.toPath(), text.getBytes(StandardCharsets.UTF_8));
    }

    private static void module(File repo, String group, String artifact, String version) throws Exception {
        File dir = new File(repo, group.replace('.', '/') + "/" + artifact + "/" + version);
        write(new File(dir, artifact + "-" + version + ".pom"), "<project><modelVersion>4.0.0</modelVersion><groupId>" + group
                + "</groupId><artifactId>" + artifact + "</artifactId><version>" + version + "</version></project>\n");
        write(new File(dir, artifact + "-" + version + ".jar"), "");
    }

    private static String resolved(Project project, String configuration) {
        Configuration c = project.getConfigurations().getByName(configuration);
        return c.getIncoming().getResolutionResult().getAllComponents().stream()
                .filter(r -> r.getModuleVersion() != null && r.getModuleVersion().getName().equals("tensorflow-lite"))
                .map(r -> r.getModuleVersion().getGroup() + ":" + r.getModuleVersion().getVersion())
                .findFirst().orElse("none");
    }

    private Project app(String... stockVariants) throws Exception {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder()).build();
        File m2 = new File(project.getProjectDir(), "m2");
        module(m2, "org.tensorflow", "tensorflow-lite", "2.16.1");
        module(m2, "io.tfliteslim", "tensorflow-lite", SLIM);
        write(new File(project.getProjectDir(), "build/tflite-slim/coordinates.json"), "{\"repository\": \""
                + m2.getAbsolutePath().replace("\\", "\\\\") + "\", \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\":"
                + " \"tensorflow-lite\", \"version\": \"" + SLIM + "\"}, \"select_tf_ops\": null}");
        project.getPluginManager().apply("io.tfliteslim");
        project.getPluginManager().apply("com.android.application");
        project.getRepositories().maven(r -> r.setUrl(m2.toURI()));
        TfliteSlimExtension ext = project.getExtensions().getByType(TfliteSlimExtension.class);
        ext.setRepository(m2);
        ext.setStockRuntimeVariants(Arrays.asList(stockVariants));
        project.getDependencies().add("implementation", "org.tensorflow:tensorflow-lite:2.16.1");
        project.getConfigurations().create("other").extendsFrom(project.getConfigurations().getByName("implementation"));
        ((ProjectInternal) project).evaluate();
        return project;
    }

    @Test
    public void aStockVariantKeepsTheStockRuntimeOnItsClasspathsOnly() throws Exception {
        Project project = app("release");
        for (String c : Arrays.asList("releaseRuntimeClasspath", "releaseCompileClasspath", "releaseUnitTestRuntimeClasspath",
                "releaseUnitTestCompileClasspath")) {
            assertEquals(c, "org.tensorflow:2.16.1", resolved(project, c));
        }
        for (String c : Arrays.asList("debugRuntimeClasspath", "debugCompileClasspath", "debugUnitTestRuntimeClasspath",
                "debugAndroidTestRuntimeClasspath", "debugAndroidTestCompileClasspath", "other")) {
            assertEquals(c, "io.tfliteslim:" + SLIM, resolved(project, c));
        }
        // Its build does not check its models against the slim runtime; the other variant's does.
        assertTrue(!dependsOnVerify(project, "preReleaseBuild", "tfliteVerifyRelease"));
        assertTrue(dependsOnVerify(project, "preDebugBuild", "tfliteVerifyDebug"));
    }

    /**
     * The instrumented test APK runs in the process of the APK it tests, and AGP leaves out of it only the artifacts
     * equal to the tested APK's: its classpath must resolve the same runtime, stock here, as the unit tests'.
     */
    @Test
    public void aStockVariantsInstrumentedAndUnitTestsKeepTheStockRuntimeToo() throws Exception {
        Project project = app("debug");
        for (String c : Arrays.asList("debugRuntimeClasspath", "debugAndroidTestRuntimeClasspath", "debugAndroidTestCompileClasspath",
                "debugUnitTestRuntimeClasspath", "debugUnitTestCompileClasspath")) {
            assertEquals(c, "org.tensorflow:2.16.1", resolved(project, c));
        }
        for (String c : Arrays.asList("releaseRuntimeClasspath", "releaseUnitTestRuntimeClasspath", "other")) {
            assertEquals(c, "io.tfliteslim:" + SLIM, resolved(project, c));
        }
    }

    @Test
    public void byDefaultEveryVariantGetsTheSlimRuntime() throws Exception {
        Project project = app();
        for (String c : Arrays.asList("releaseRuntimeClasspath", "releaseUnitTestRuntimeClasspath", "debugRuntimeClasspath",
                "debugAndroidTestRuntimeClasspath")) {
            assertEquals(c, "io.tfliteslim:" + SLIM, resolved(project, c));
        }
        assertTrue(dependsOnVerify(project, "preReleaseBuild", "tfliteVerifyRelease"));
        assertEquals(Collections.emptyList(), project.getExtensions().getByType(TfliteSlimExtension.class).getStockRuntimeVariants());
    }

    private static boolean dependsOnVerify(Project project, String pre, String verify) {
        org.gradle.api.Task task = project.getTasks().getByName(pre);
        return task.getTaskDependencies().getDependencies(task).stream().anyMatch(t -> t.getName().equals(verify));
    }
}
