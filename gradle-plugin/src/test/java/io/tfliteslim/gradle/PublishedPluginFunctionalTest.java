package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.GradleRunner;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.file.Files;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The plugin as users get it: published (java-gradle-plugin + maven-publish),
 * applied by id and version through pluginManagement, on the sample app's
 * model. The console table is the one the README shows for the sample.
 */
public class PublishedPluginFunctionalTest {
    /** The README's "expected tfliteReport output" for sample-android-app (keep both in step). */
    static final String SAMPLE_REPORT = String.join("\n",
            "src/main/assets/add.tflite  (476 B, 1 subgraph, sha256 3a8272f9559a)",
            "  KIND     OP   VERSIONS / TYPES",
            "  -------  ---  ----------------",
            "  builtin  ADD  1",
            "",
            "union of 1 model  (fingerprint 7de3078c42e8d4bc)",
            "  KIND     OP   VERSIONS / TYPES  MODELS",
            "  -------  ---  ----------------  -------------",
            "  builtin  ADD  1                 1: add.tflite");

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
        assertTrue(result.getOutput(), result.getOutput().replace("\r\n", "\n").contains(SAMPLE_REPORT));
        assertTrue(f.file("app/build/reports/tflite-slim/ops.json").isFile());
        assertTrue(f.file("app/build/reports/tflite-slim/ops.html").isFile());
    }
}
