package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.service.ToolService;
import io.tfliteslim.gradle.tool.ToolProvisioner;
import io.tfliteslim.gradle.tool.ToolRunner;

import org.gradle.api.Project;
import org.gradle.api.internal.TaskInternal;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logging;
import org.gradle.api.provider.Provider;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.util.Arrays;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

/**
 * The tool's build service on the real Gradle 8.10.2 runtime: one instance for every task of every
 * project of the build, declared as used by each task, and one interpreter lookup per build for
 * equal provisioners however many task actions (each with its own deserialized provisioner) ask.
 */
public class ToolServiceGradle8Test {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static ToolTask<?> task(Project project, String name) {
        return (ToolTask<?>) project.getTasks().getByName(name);
    }

    @Test
    public void everyTaskOfEveryProjectUsesTheBuildsOneService() throws Exception {
        Project root = ProjectBuilder.builder().withProjectDir(temp.newFolder("root")).build();
        Project a = ProjectBuilder.builder().withName("a").withParent(root).build();
        Project b = ProjectBuilder.builder().withName("b").withParent(root).build();
        a.getPluginManager().apply("io.tfliteslim");
        b.getPluginManager().apply("io.tfliteslim");

        Provider<?> reportA = task(a, "tfliteReport").toolService();
        Provider<?> slimA = task(a, "tfliteSlim").toolService();
        Provider<?> verifyB = task(b, "tfliteVerify").toolService();
        assertNotNull("Gradle 8 has build services: the task must get one", reportA);
        Object service = reportA.get();
        assertTrue(service.getClass().getName(), service instanceof ToolService);
        assertSame(service, slimA.get());
        assertSame("another project's task: the same service", service, verifyB.get());
        for (String name : Arrays.asList("tfliteReport", "tfliteSlim", "tfliteVerify", "tfliteSlimPlan", "tfliteSlimPublish")) {
            TaskInternal t = (TaskInternal) b.getTasks().getByName(name);
            assertEquals(name + " declares the service (usesService)", 1, t.getRequiredServices().getElements().size());
            assertTrue(name, t.getRequiredServices().isServiceRequired(
                    (Provider) task(b, name).toolService()));
        }
    }

    @Test
    public void equalProvisionersAreResolvedOncePerBuild() throws Exception {
        String python = System.getProperty("tfliteSlim.python");
        Project root = ProjectBuilder.builder().withProjectDir(temp.newFolder("root")).build();
        root.getPluginManager().apply("io.tfliteslim");
        ToolService service = (ToolService) task(root, "tfliteReport").toolService().get();
        File home = temp.newFolder("gradle-user-home");
        // Two task actions' provisioners: equal values, distinct objects (as the configuration cache restores them).
        for (int i = 0; i < 2; i++) {
            ToolProvisioner provisioner = new ToolProvisioner(python, home, null, true);
            provisioner.useShared(service);
            ToolRunner.Result ran = new ToolRunner(Logging.getLogger("test"), root.getProjectDir(), provisioner)
                    .run(Arrays.asList(python, "-c", "print('ran')"), LogLevel.INFO);
            assertEquals(Arrays.asList("ran"), ran.lines);
        }
        assertEquals("one lookup for two actions", 1, service.resolutions());
        // Another interpreter setting (another project's) is its own lookup.
        ToolProvisioner other = new ToolProvisioner(python, home, "http://127.0.0.1:9/simple", true);
        other.useShared(service);
        new ToolRunner(Logging.getLogger("test"), root.getProjectDir(), other).run(Arrays.asList(python, "-c", "pass"), LogLevel.INFO);
        assertEquals(2, service.resolutions());
    }
}
