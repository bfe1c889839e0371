package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.Fixture;
import io.tfliteslim.gradle.TfliteSlimExtension;
import io.tfliteslim.gradle.repositories.Coordinates;

import org.gradle.api.GradleException;
import org.gradle.api.Project;
import org.gradle.api.logging.Logger;
import org.gradle.api.logging.Logging;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.Collections;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Configuration-cache readiness: every task's action runs from the values
 * captured at configuration time alone. Each action is captured from a
 * configured project, copied through Java serialization (which fails if a
 * Project, extension or other Gradle model object is reachable from it), and
 * the copy is executed for real, with no project anywhere.
 */
public class ConfigurationCacheTest {
    private static final Logger LOG = Logging.getLogger(ConfigurationCacheTest.class);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static ToolAction detached(Project project, String task) throws Exception {
        ToolTask<?> t = (ToolTask<?>) project.getTasks().getByName(task);
        ToolAction captured = t.freeze();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(captured);
        }
        ToolAction copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (ToolAction) in.readObject();
        }
        // What the task does before its action (ToolTask.run): the models are listed from its input, never at capture.
        java.lang.reflect.Field spec = copy.getClass().getDeclaredField("spec");
        spec.setAccessible(true);
        ToolSpec s = (ToolSpec) spec.get(copy);
        assertEquals(task + " captured no model list", Collections.emptyList(), s.models);
        s.useModels(t.getModels().getFiles());
        return copy;
    }

    @Test
    public void everyTaskActionRunsWithoutTheProject() throws Exception {
        Fixture f = new Fixture("plain", temp.newFolder("app")).tensorflowWorkspace("tf").models(".", "add=src/main/assets/add.tflite");
        Project project = ProjectBuilder.builder().withProjectDir(f.dir).build();
        project.getPluginManager().apply("io.tfliteslim");
        TfliteSlimExtension ext = project.getExtensions().getByType(TfliteSlimExtension.class);
        ext.setPython(Fixture.PYTHON);
        ext.setSource(project.file("tf"));
        ext.setBazel(new File(Fixture.REPO_ROOT, "tests/standin/bazel").getAbsolutePath());
        ext.setRepository(project.file("m2"));
        ext.setTargetAbis(Arrays.asList("arm64-v8a"));

        ToolAction report = detached(project, "tfliteReport");
        ToolAction slim = detached(project, "tfliteSlim");
        ToolAction plan = detached(project, "tfliteSlimPlan");
        ToolAction verify = detached(project, "tfliteVerify");
        ToolAction publish = detached(project, "tfliteSlimPublish");
        // A setting changed after capture is not seen: the values are the captured ones.
        ext.setPython("/nonexistent/python");

        // What Gradle does before an action: create the declared output directories.
        assertTrue(f.file("build/reports/tflite-slim").mkdirs() && f.file("build/tflite-slim/out").mkdirs());
        report.execute(LOG);
        assertTrue(f.file("build/reports/tflite-slim/ops.html").isFile());
        slim.execute(LOG);
        Coordinates installed = Coordinates.read(f.file("build/tflite-slim/coordinates.json"));
        assertEquals(f.file("m2").getAbsolutePath(), installed.repository);
        plan.execute(LOG);
        // The plan (no toolchain) predicts exactly what the build installed.
        assertEquals(installed.runtime.notation(), Coordinates.read(f.file("build/tflite-slim/plan.json")).runtime.notation());
        verify.execute(LOG);
        assertTrue(f.read("build/tflite-slim/verify.txt").startsWith(installed.runtime + " covers [src/main/assets/add.tflite]"));
        try {
            publish.execute(LOG);
            fail("published without a repositoryUrl");
        } catch (GradleException e) {
            assertEquals("tfliteSlimPublish: set tfliteSlim.repositoryUrl to the Maven repository to deploy to", e.getMessage());
        }
    }

    /**
     * Gradle 4.4 has no build services: no task gets one (the jar carries the service's classes, and
     * loading them here would fail), and each action finds its own interpreter. The Gradle 8 side is
     * ToolServiceGradle8Test.
     */
    @Test
    public void withoutBuildServicesNoTaskUsesOne() throws Exception {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("app")).build();
        project.getPluginManager().apply("io.tfliteslim");
        for (String name : Arrays.asList("tfliteReport", "tfliteSlim", "tfliteVerify", "tfliteSlimPlan", "tfliteSlimPublish")) {
            assertEquals(name, null, ((ToolTask<?>) project.getTasks().getByName(name)).toolService());
        }
    }
}
