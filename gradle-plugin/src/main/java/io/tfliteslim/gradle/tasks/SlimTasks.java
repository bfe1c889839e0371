package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.compat.Reflect;
import io.tfliteslim.gradle.compat.TaskRegistration;
import io.tfliteslim.gradle.repositories.Coordinates;
import org.gradle.api.Action;
import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.artifacts.Configuration;
import org.gradle.api.execution.TaskExecutionGraph;
import org.gradle.util.GradleVersion;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code tfliteReport}, {@code tfliteSlim}, {@code tfliteVerify}, {@code tfliteSlimPlan} and
 * {@code tfliteSlimPublish} tasks of one project, their order, the team flow's ops configuration
 * and the hook that runs tfliteVerify before the app's build.
 *
 * <p>Tasks are registered lazily where Gradle has {@code tasks.register} (4.9+) and created eagerly
 * on older Gradle; their actions read only values captured at configuration time (see {@link ToolTask}).
 */
public final class SlimTasks {
    public static final String GROUP = "tflite-slim";
    /** Team flow: the deployed runtime's ops.json. */
    public static final String OPS_CONFIGURATION = "tfliteSlimOps";

    private final Project project;
    /** Android variants got tasks of their own: their builds verify their own models, not preBuild. */
    private volatile boolean perVariant;

    private SlimTasks(Project project) {
        this.project = project;
    }

    /** The ops configuration and the tasks, configured from {@code settings}. */
    public static SlimTasks register(Project project, TaskSettings settings) {
        SlimTasks slim = new SlimTasks(project);
        Configuration ops = project.getConfigurations().create(OPS_CONFIGURATION);
        if (GradleVersion.current().getBaseVersion().compareTo(GradleVersion.version("9.0")) < 0) {
            // Not seen by other projects (Gradle 9 deprecates the setting: it has no effect there).
            ops.setVisible(false);
        }
        ops.setTransitive(false);
        // Read when tfliteVerify resolves it, after tfliteSlimPlan wrote the plan in the same build.
        ops.defaultDependencies(deps -> {
            File plan = settings.planFile();
            if (settings.teamMode() && plan.isFile()) {
                deps.add(project.getDependencies().create(Coordinates.read(plan).runtime.notation() + ":ops@json"));
            }
        });

        Object tasks = project.getTasks();
        // This project's tasks as they are configured, for the task-graph hook below.
        List<ToolTask<?>> mine = new CopyOnWriteArrayList<>();
        TaskRegistration.add(tasks, "tfliteReport", TfliteReportTask.class, t -> {
            mine.add(t);
            t.configure(settings);
            t.setGroup(GROUP);
            t.setDescription("Writes the models' op report (JSON and HTML) to build/reports/tflite-slim; needs no toolchain.");
        });
        TaskRegistration.add(tasks, "tfliteSlim", TfliteSlimTask.class, t -> {
            mine.add(t);
            t.configure(settings);
            t.setGroup(GROUP);
            t.setDescription("Builds the TensorFlow Lite runtime trimmed to the models' ops and installs it for this app.");
            // analyze -> build -> install: the op report (and its table) comes first, and a model the
            // tool cannot read stops the pipeline before any toolchain is involved.
            t.dependsOn("tfliteReport");
            // Outputs include what was installed outside the build dir: rerun when it is gone.
            t.getOutputs().upToDateWhen(task -> ((TfliteSlimTask) task).installedArtifactsExist());
        });
        TaskRegistration.add(tasks, "tfliteSlimPlan", TfliteSlimPlanTask.class, t -> {
            mine.add(t);
            t.configure(settings);
            t.setGroup(GROUP);
            t.setDescription("Computes the slim runtime's coordinates for the models, without a toolchain (team flow).");
        });
        TaskRegistration.add(tasks, "tfliteVerify", TfliteVerifyTask.class, t -> {
            mine.add(t);
            t.configure(settings);
            t.setGroup(GROUP);
            t.setDescription("Fails when the models need an op or op version the slim runtime does not carry.");
            t.mustRunAfter("tfliteSlim");
            // Up to date only after a check that passed (a missing runtime is only a warning).
            t.getOutputs().upToDateWhen(task -> ((TfliteVerifyTask) task).getResultFile().isFile());
            t.dependsOn((Callable<Object>) () -> settings.teamMode() ? "tfliteSlimPlan" : new ArrayList<Object>());
        });
        TaskRegistration.add(tasks, "tfliteSlimPublish", TfliteSlimPublishTask.class, t -> {
            mine.add(t);
            t.configure(settings);
            t.setGroup(GROUP);
            t.setDescription("Deploys the slim runtime tfliteSlim built to tfliteSlim.repositoryUrl (for CI).");
            t.dependsOn("tfliteSlim");
        });

        // Before the app's build when enabled (asked for by name, it always runs); read when the
        // task graph is built, after the build script ran. The team flow needs it to pick the runtime.
        // With tasks per Android variant, each variant's pre<Variant>Build has its own instead: preBuild
        // precedes every variant's build, and the project-wide check would run every variant's generators.
        slim.dependOn("preBuild", () -> settings.verifyBeforeBuild() && !slim.perVariant ? "tfliteVerify" : null);

        // Capture this project's scheduled tasks' values once the graph is known: nothing in an action
        // reads the project. Only this project's own tasks, never another's (isolated projects), and
        // no Project is compared (Gradle 9.3: two Project objects for one project need not be ==).
        freezeWhenScheduled(project, mine);
        return slim;
    }

    /** The task named {@code name}, whenever it is created, depends on what {@code dependency} names then (or nothing). */
    private void dependOn(String name, Callable<String> dependency) {
        Object tasks = project.getTasks();
        Action<Task> hook = task -> {
            if (name.equals(task.getName())) {
                task.dependsOn((Callable<Object>) () -> {
                    String d = dependency.call();
                    return d == null ? new ArrayList<Object>() : d;
                });
            }
        };
        if (Reflect.method(tasks, "configureEach", Action.class) != null) {
            // Gradle 4.9+: without realizing every lazily registered task.
            Reflect.call(tasks, "configureEach", new Class<?>[]{Action.class}, hook);
        } else {
            project.getTasks().all(hook);
        }
    }

    /**
     * One Android variant's tasks, registered from AGP's {@code onVariants} (lazily where Gradle can):
     * {@code tfliteReport<Variant>}, the op report of the models its APK carries, in
     * {@code settings.reportDir()}; {@code tfliteVerify<Variant>}, the check of those models against the
     * slim runtime, which {@code pre<Variant>Build} depends on when verification is on.
     */
    public void registerVariant(String variant, TaskSettings settings) {
        perVariant = true;
        String cap = Character.toUpperCase(variant.charAt(0)) + variant.substring(1);
        List<ToolTask<?>> mine = new CopyOnWriteArrayList<>();
        TaskRegistration.add(project.getTasks(), "tfliteReport" + cap, TfliteReportTask.class, t -> {
            mine.add(t);
            t.configure(settings);
            t.setGroup(GROUP);
            t.setDescription("Writes the op report of the " + variant + " variant's models (its assets and mlModels,"
                    + " libraries' and AARs' included) to build/reports/tflite-slim/" + variant + ".");
        });
        TaskRegistration.add(project.getTasks(), "tfliteVerify" + cap, TfliteVerifyTask.class, t -> {
            mine.add(t);
            t.configure(settings);
            t.setGroup(GROUP);
            t.setDescription("Fails when the " + variant + " variant's models need an op or op version the slim runtime does not carry.");
            t.mustRunAfter("tfliteSlim");
            t.getOutputs().upToDateWhen(task -> ((TfliteVerifyTask) task).getResultFile().isFile());
            t.dependsOn((Callable<Object>) () -> settings.teamMode() ? "tfliteSlimPlan" : new ArrayList<Object>());
        });
        dependOn("pre" + cap + "Build", () -> settings.verifyBeforeBuild() ? "tfliteVerify" + cap : null);
        freezeWhenScheduled(project, mine);
    }

    /** {@code freeze()} each of {@code mine} that the task graph holds, when the graph is ready. */
    static void freezeWhenScheduled(Project project, List<ToolTask<?>> mine) {
        project.getGradle().getTaskGraph().whenReady(freezer(mine));
    }

    /** The hook: asks the graph about {@code mine} only (never {@code getAllTasks()}: other projects' tasks). */
    static Action<TaskExecutionGraph> freezer(List<ToolTask<?>> mine) {
        return graph -> {
            for (ToolTask<?> task : mine) {
                if (graph.hasTask(task)) {
                    task.freeze();
                }
            }
        };
    }
}
