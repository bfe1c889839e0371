package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.GradleRunner;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.nio.file.Files;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The plugin as users get it: published (java-gradle-plugin + maven-publish),
 * applied by id and version through pluginManagement, on the sample app's
 * model. The console table must be the one the README shows for the sample.
 */
public class PublishedPluginFunctionalTest {
    /**
     * The README's "expected `tfliteReport` output" block for sample-android-app (its quick start),
     * without its first line (Gradle's task header, which differs between Gradle
     * versions) and its last (absolute paths).
     */
    static String readmeSampleReport() throws IOException {
        String readme = new String(Files.readAllBytes(new File(Fixture.REPO_ROOT, "README.md").toPath()), StandardCharsets.UTF_8);
        int heading = readme.indexOf("the expected `tfliteReport` output for the sample app's model");
        assertTrue("README.md has no expected tfliteReport output", heading >= 0);
        int open = readme.indexOf("```\n", heading) + 4;
        String[] lines = readme.substring(open, readme.indexOf("```", open)).split("\n");
        assertTrue(lines[0], lines[0].endsWith(":app:tfliteReport"));
        assertTrue(lines[lines.length - 1], lines[lines.length - 1].startsWith("tflite-slim: op report in "));
        return String.join("\n", Arrays.asList(lines).subList(1, lines.length - 1));
    }

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void appliedByIdAndVersionFromARepository() throws Exception {
        Fixture f = new Fixture("published", temp.getRoot());
        File model = new File(Fixture.REPO_ROOT, "sample-android-app/app/src/main/assets/add.tflite");
        f.file("app/src/main/assets").mkdirs();
        Files.copy(model.toPath(), f.file("app/src/main/assets/add.tflite").toPath());

        BuildResult result = GradleRunner.create()
                .withGradleInstallation(new File(System.getProperty("tfliteSlim.testkit.gradleHome")))
                .withTestKitDir(new File(System.getProperty("tfliteSlim.testkit.dir")))
                .withProjectDir(f.dir)
                .withArguments(":app:tfliteReport", "--offline",
                        "-PpluginRepo=" + new File(System.getProperty("tfliteSlim.testRepo")).toURI(),
                        "-P" + ProjectDefaults.PYTHON_PROPERTY + "=" + Fixture.PYTHON)
                .build();
        assertEquals(TaskOutcome.SUCCESS, result.task(":app:tfliteReport").getOutcome());
        assertTrue(result.getOutput(), result.getOutput().replace("\r\n", "\n").contains(readmeSampleReport()));
        assertTrue(f.file("app/build/reports/tflite-slim/ops.json").isFile());
        assertTrue(f.file("app/build/reports/tflite-slim/ops.html").isFile());
    }

    /** The sample app README's command for tfliteReport, as written (without {@code ./gradlew}). */
    static List<String> readmeReportCommand() throws IOException {
        String readme = new String(Files.readAllBytes(new File(Fixture.REPO_ROOT, "sample-android-app/README.md").toPath()),
                StandardCharsets.UTF_8);
        for (String line : readme.split("\n")) {
            if (line.startsWith("./gradlew :app:tfliteReport")) {
                List<String> words = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
                return words.subList(1, words.size());
            }
        }
        throw new AssertionError("sample-android-app/README.md has no ./gradlew :app:tfliteReport line");
    }

    @Test
    public void theSampleReadmeCommandWorksAsWritten() throws Exception {
        // Zero set-up: the command names no interpreter (the plugin sets up its own tool; that path, which needs
        // pip and the network, is ProvisioningFunctionalTest's). Offline here, the harness adds its interpreter.
        File sample = new File(temp.getRoot(), "sample-android-app");
        Fixture f = new Fixture("published", sample);
        File model = new File(Fixture.REPO_ROOT, "sample-android-app/app/src/main/assets/add.tflite");
        f.file("app/src/main/assets").mkdirs();
        Files.copy(model.toPath(), f.file("app/src/main/assets/add.tflite").toPath());

        List<String> args = readmeReportCommand();
        assertEquals(Arrays.asList(":app:tfliteReport"), args);
        List<String> all = new ArrayList<>(args);
        all.add("--offline");
        all.add("-PpluginRepo=" + new File(System.getProperty("tfliteSlim.testRepo")).toURI());
        all.add("-P" + ProjectDefaults.PYTHON_PROPERTY + "=" + Fixture.PYTHON);
        BuildResult result = GradleRunner.create()
                .withGradleInstallation(new File(System.getProperty("tfliteSlim.testkit.gradleHome")))
                .withTestKitDir(new File(System.getProperty("tfliteSlim.testkit.dir")))
                .withProjectDir(f.dir)
                .withArguments(all)
                .build();
        assertEquals(TaskOutcome.SUCCESS, result.task(":app:tfliteReport").getOutcome());
        assertTrue(f.file("app/build/reports/tflite-slim/ops.json").isFile());
    }
}
