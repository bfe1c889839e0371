package io.tfliteslim.gradle.gradle8;

import io.tfliteslim.gradle.TfliteSlimExtension;
import io.tfliteslim.gradle.gradle8.StandInVariantApi.Components;
import io.tfliteslim.gradle.gradle8.StandInVariantApi.Variant;
import org.gradle.api.Project;
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

/**
 * Issue 27, deliver 2, on the real Gradle 8.10.2 runtime: a variant named in stockRuntimeVariants keeps the stock
 * runtime on its classpaths and its unit and instrumented tests', resolved by Gradle 8 from a Maven layout on disk;
 * the other variant's and other configurations get the slim one. The Variant API is {@link StandInVariantApi} (AGP
 * 9.0.0's {@code Component} classpaths, {@code Variant.getNestedComponents()}, {@code HasHostTests.getHostTests()} and
 * {@code HasDeviceTests.getDeviceTests()}); a second case has no Variant API at all, only the configurations as AGP
 * names them.
 */
public class VariantClasspathsGradle8Test {
    private static final String SLIM = "2.16.1-slim-0123456789ab";
    private static final String STOCK = "org.tensorflow:2.16.1";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static void write(File f, String text) throws Exception {
        f.getParentFile().mkdirs();
        Files.write(f.toPath(), text.getBytes(StandardCharsets.UTF_8));
    }

    private Project app(boolean variantApi, String stockVariant) throws Exception {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder()).build();
        File m2 = new File(project.getProjectDir(), "m2");
        // The stock runtime in a repository of its own, as in an app (ours serves io.tfliteslim only on Gradle 8).
        File stock = new File(project.getProjectDir(), "stock-repo");
        for (String[] m : new String[][]{{"org.tensorflow", "2.16.1"}, {"io.tfliteslim", SLIM}}) {
            File dir = new File(m[0].equals("io.tfliteslim") ? m2 : stock, m[0].replace('.', '/') + "/tensorflow-lite/" + m[1]);
            write(new File(dir, "tensorflow-lite-" + m[1] + ".pom"), "<project><modelVersion>4.0.0</modelVersion><groupId>" + m[0]
                    + "</groupId><artifactId>tensorflow-lite</artifactId><version>" + m[1] + "</version></project>\n");
            write(new File(dir, "tensorflow-lite-" + m[1] + ".jar"), "");
        }
        write(new File(project.getProjectDir(), "build/tflite-slim/coordinates.json"), "{\"repository\": \""
                + m2.getAbsolutePath().replace("\\", "\\\\") + "\", \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\":"
                + " \"tensorflow-lite\", \"version\": \"" + SLIM + "\"}, \"select_tf_ops\": null}");
        project.getConfigurations().create("implementation");
        // Without the Variant API: the stand-in's variants make the configurations AGP names, and no callback runs.
        Components components = variantApi ? StandInVariantApi.register(project) : new Components();
        project.getPluginManager().apply("io.tfliteslim");
        project.getRepositories().maven(r -> r.setUrl(stock.toURI()));
        TfliteSlimExtension ext = project.getExtensions().getByType(TfliteSlimExtension.class);
        ext.setRepository(m2);
        ext.setStockRuntimeVariants(Collections.singletonList(stockVariant));
        project.getDependencies().add("implementation", "org.tensorflow:tensorflow-lite:2.16.1");
        project.getConfigurations().create("other").extendsFrom(project.getConfigurations().getByName("implementation"));
        // AGP's variants: debug with its instrumented test (the testBuildType), release without.
        for (Variant v : Arrays.asList(new Variant(project, "debug", true), new Variant(project, "release", false))) {
            components.run(v);
        }
        ((ProjectInternal) project).evaluate();
        return project;
    }

    private static String resolved(Project project, String configuration) {
        return project.getConfigurations().getByName(configuration).getIncoming().getResolutionResult().getAllComponents().stream()
                .filter(r -> r.getModuleVersion() != null && r.getModuleVersion().getName().equals("tensorflow-lite"))
                .map(r -> r.getModuleVersion().getGroup() + ":" + r.getModuleVersion().getVersion())
                .findFirst().orElse("none");
    }

    private static void check(Project project, String stockVariant) {
        for (String c : Arrays.asList("debugRuntimeClasspath", "debugCompileClasspath", "debugUnitTestRuntimeClasspath",
                "debugAndroidTestRuntimeClasspath", "debugAndroidTestCompileClasspath", "releaseRuntimeClasspath",
                "releaseUnitTestRuntimeClasspath", "other")) {
            assertEquals(c, c.startsWith(stockVariant) ? STOCK : "io.tfliteslim:" + SLIM, resolved(project, c));
        }
    }

    @Test
    public void throughTheVariantApiAStockVariantsTestsKeepTheStockRuntime() throws Exception {
        check(app(true, "debug"), "debug");
        check(app(true, "release"), "release");
    }

    @Test
    public void byAgpsConfigurationNamesAloneToo() throws Exception {
        check(app(false, "debug"), "debug");
    }
}
