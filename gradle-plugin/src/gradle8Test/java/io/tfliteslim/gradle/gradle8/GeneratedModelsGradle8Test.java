package io.tfliteslim.gradle.gradle8;

import io.tfliteslim.gradle.gradle8.StandInVariantApi.Components;
import io.tfliteslim.gradle.gradle8.StandInVariantApi.Variant;
import io.tfliteslim.gradle.tasks.TfliteReportTask;

import org.gradle.api.DefaultTask;
import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.file.DirectoryProperty;
import org.gradle.api.tasks.OutputDirectory;
import org.gradle.api.tasks.TaskAction;
import org.gradle.api.tasks.TaskProvider;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.file.Files;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * A generated asset folder added the Variant API's way, {@code addGeneratedSourceDirectory(taskProvider,
 * Task::getOutputDir)}, on the real Gradle 8.10.2 runtime (the signature needs {@code TaskProvider} and a
 * {@code DirectoryProperty}, which the Gradle 4.4 suite cannot express): the variant's report task depends
 * on the generator through the provider alone, and lists the generated model once it ran.
 *
 * <p>The Variant API is {@link StandInVariantApi} (AGP 9.0.0's shape; the generated folder enters {@code all} as the
 * task provider mapped to its output, as {@code SourceDirectoriesImpl.addGeneratedSourceDirectory} adds it).
 */
public class GeneratedModelsGradle8Test {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** A build script's model generator. */
    public abstract static class GenerateModels extends DefaultTask {
        @OutputDirectory
        public abstract DirectoryProperty getOutputDir();

        @TaskAction
        public void generate() throws Exception {
            File model = getOutputDir().file("gen/made.tflite").get().getAsFile();
            model.getParentFile().mkdirs();
            Files.write(model.toPath(), new byte[]{0});
        }
    }

    @Test
    public void aGeneratedFolderIsAnInputWithItsProducer() throws Exception {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("app")).build();
        Components components = StandInVariantApi.register(project);
        project.getPluginManager().apply("io.tfliteslim");
        TaskProvider<GenerateModels> generate = project.getTasks().register("generateModels", GenerateModels.class,
                t -> t.getOutputDir().set(project.getLayout().getBuildDirectory().dir("generated/models")));
        components.onVariants(components.selector().all(),
                v -> v.getSources().getAssets().addGeneratedSourceDirectory(generate, GenerateModels::getOutputDir));
        components.run(new Variant(project, "debug", true));

        TfliteReportTask report = (TfliteReportTask) project.getTasks().getByName("tfliteReportDebug");
        Set<String> dependencies = new TreeSet<>();
        for (Task t : report.getTaskDependencies().getDependencies(report)) {
            dependencies.add(t.getName());
        }
        assertTrue("the generator through the provider: " + dependencies, dependencies.contains("generateModels"));
        // Not read before the generator ran: Gradle 8 refuses to ("Querying the mapped value of ... before task
        // ':generateModels' has completed is not supported"), and the plugin reads the models only in the action.
        generate.get().generate();
        // What Gradle records when it ran the task (ProjectBuilder runs no task graph): now its output may be read.
        ((org.gradle.api.internal.TaskInternal) generate.get()).getState()
                .setOutcome(org.gradle.api.internal.tasks.TaskExecutionOutcome.EXECUTED);
        assertEquals(Collections.singleton(new File(project.getLayout().getBuildDirectory().get().getAsFile(), "generated/models/gen/made.tflite")),
                report.getModels().getFiles());
        // The app's own folders, for origins.json: the generated one among them.
        assertTrue(String.valueOf(report.getAppModelDirs().getFiles()),
                report.getAppModelDirs().getFiles().contains(new File(project.getLayout().getBuildDirectory().get().getAsFile(), "generated/models")));
    }

    /**
     * The project-wide tasks of an app with a generated asset folder: capturing their settings (when the task graph
     * is ready, or when Gradle first reads an input, both before any generator ran) reads no model folder. It used to
     * list the models and the folders there, through {@code Layered.all}, which Gradle 8 refuses for a value mapped
     * from a task output before the task ran; the models are listed when the task runs.
     */
    @Test
    public void capturingTheProjectWideTasksReadsNoGeneratedFolder() throws Exception {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("app")).build();
        Components components = StandInVariantApi.register(project);
        project.getExtensions().add("android", new Object());
        project.getPluginManager().apply("io.tfliteslim");
        TaskProvider<GenerateModels> generate = project.getTasks().register("generateModels", GenerateModels.class,
                t -> t.getOutputDir().set(project.getLayout().getBuildDirectory().dir("generated/models")));
        components.onVariants(components.selector().all(),
                v -> v.getSources().getAssets().addGeneratedSourceDirectory(generate, GenerateModels::getOutputDir));
        components.run(new Variant(project, "debug", true));
        project.getExtensions().getByType(io.tfliteslim.gradle.TfliteSlimExtension.class).setPython(System.getProperty("tfliteSlim.python"));

        for (String name : new String[]{"tfliteReport", "tfliteSlim", "tfliteSlimPlan", "tfliteVerify"}) {
            io.tfliteslim.gradle.tasks.ToolTask<?> task = (io.tfliteslim.gradle.tasks.ToolTask<?>) project.getTasks().getByName(name);
            assertEquals(name, System.getProperty("tfliteSlim.python"), task.getPython());
            Set<String> dependencies = new TreeSet<>();
            for (Task t : task.getTaskDependencies().getDependencies(task)) {
                dependencies.add(t.getName());
            }
            assertTrue(name + ": " + dependencies, dependencies.contains("generateModels"));
        }
        generate.get().generate();
        ((org.gradle.api.internal.TaskInternal) generate.get()).getState()
                .setOutcome(org.gradle.api.internal.tasks.TaskExecutionOutcome.EXECUTED);
        assertEquals(Collections.singleton(new File(project.getLayout().getBuildDirectory().get().getAsFile(), "generated/models/gen/made.tflite")),
                ((io.tfliteslim.gradle.tasks.ToolTask<?>) project.getTasks().getByName("tfliteReport")).getModels().getFiles());
    }

    /**
     * Plain Gradle: {@code tfliteSlim.models} set to a generator's output as a provider mapped from it (what
     * {@code files()} takes). Capturing the tasks' settings, before the generator ran, resolves none of it (Gradle 8
     * refuses to); the task depends on the generator and lists its model when it runs.
     */
    @Test
    public void modelsFromAMappedTaskOutputAreNotReadBeforeTheTaskRan() throws Exception {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("plain")).build();
        project.getPluginManager().apply("io.tfliteslim");
        TaskProvider<GenerateModels> generate = project.getTasks().register("generateModels", GenerateModels.class,
                t -> t.getOutputDir().set(project.getLayout().getBuildDirectory().dir("generated/models")));
        io.tfliteslim.gradle.TfliteSlimExtension ext = project.getExtensions().getByType(io.tfliteslim.gradle.TfliteSlimExtension.class);
        ext.setPython(System.getProperty("tfliteSlim.python"));
        ext.setModels(Collections.singletonList(generate.flatMap(GenerateModels::getOutputDir)));
        io.tfliteslim.gradle.tasks.ToolTask<?> report = (io.tfliteslim.gradle.tasks.ToolTask<?>) project.getTasks().getByName("tfliteReport");
        assertEquals(System.getProperty("tfliteSlim.python"), report.getPython());
        Set<String> dependencies = new TreeSet<>();
        for (Task t : report.getTaskDependencies().getDependencies(report)) {
            dependencies.add(t.getName());
        }
        assertTrue(dependencies.toString(), dependencies.contains("generateModels"));
        generate.get().generate();
        ((org.gradle.api.internal.TaskInternal) generate.get()).getState()
                .setOutcome(org.gradle.api.internal.tasks.TaskExecutionOutcome.EXECUTED);
        assertEquals(Collections.singleton(new File(project.getLayout().getBuildDirectory().get().getAsFile(), "generated/models/gen/made.tflite")),
                report.getModels().getFiles());
    }
}
