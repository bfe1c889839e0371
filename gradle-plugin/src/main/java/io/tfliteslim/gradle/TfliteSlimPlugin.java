package io.tfliteslim.gradle;

import org.gradle.api.Action;
import org.gradle.api.Plugin;
import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.artifacts.Configuration;
import org.gradle.api.artifacts.component.ComponentSelector;
import org.gradle.api.artifacts.component.ModuleComponentSelector;

import java.io.File;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code io.tfliteslim} plugin: the {@code tfliteSlim} extension; the
 * {@code tfliteReport}, {@code tfliteSlim}, {@code tfliteVerify},
 * {@code tfliteSlimPlan} and {@code tfliteSlimPublish} tasks; the
 * repositories the slim runtime comes from (and only from); and the
 * substitution of the stock TensorFlow Lite / LiteRT modules by the slim ones.
 *
 * <p>Tasks are registered lazily where Gradle has {@code tasks.register}
 * (4.9+) and created eagerly on older Gradle; their actions read only values
 * captured at configuration time (see {@link ToolTask}).
 */
public class TfliteSlimPlugin implements Plugin<Project> {
    public static final String GROUP = "tflite-slim";
    /** Team flow: the deployed runtime's ops.json. */
    static final String OPS_CONFIGURATION = "tfliteSlimOps";

    @Override
    public void apply(Project project) {
        TfliteSlimExtension ext = project.getExtensions().create("tfliteSlim", TfliteSlimExtension.class);
        ProjectDefaults defaults = new ProjectDefaults(project, ext);
        defaults.registerAndroidSources();
        Configuration ops = project.getConfigurations().create(OPS_CONFIGURATION);
        ops.setVisible(false);
        ops.setTransitive(false);
        // Read when tfliteVerify resolves it, after tfliteSlimPlan wrote the plan in the same build.
        ops.defaultDependencies(deps -> {
            File plan = defaults.planFile();
            if (defaults.teamMode() && plan.isFile()) {
                deps.add(project.getDependencies().create(Coordinates.read(plan).runtime.notation() + ":ops@json"));
            }
        });

        Object tasks = project.getTasks();
        TaskRegistration.add(tasks, "tfliteReport", TfliteReportTask.class, t -> {
            t.configure(defaults);
            t.setGroup(GROUP);
            t.setDescription("Writes the models' op report (JSON and HTML) to build/reports/tflite-slim; needs no toolchain.");
        });
        TaskRegistration.add(tasks, "tfliteSlim", TfliteSlimTask.class, t -> {
            t.configure(defaults);
            t.setGroup(GROUP);
            t.setDescription("Builds the TensorFlow Lite runtime trimmed to the models' ops and installs it for this app.");
            // analyze -> build -> install: the op report (and its table) comes first, and a model the
            // tool cannot read stops the pipeline before any toolchain is involved.
            t.dependsOn("tfliteReport");
            // Outputs include what was installed outside the build dir: rerun when it is gone.
            t.getOutputs().upToDateWhen(task -> ((TfliteSlimTask) task).installedArtifactsExist());
        });
        TaskRegistration.add(tasks, "tfliteSlimPlan", TfliteSlimPlanTask.class, t -> {
            t.configure(defaults);
            t.setGroup(GROUP);
            t.setDescription("Computes the slim runtime's coordinates for the models, without a toolchain (team flow).");
        });
        TaskRegistration.add(tasks, "tfliteVerify", TfliteVerifyTask.class, t -> {
            t.configure(defaults);
            t.setGroup(GROUP);
            t.setDescription("Fails when the models need an op or op version the slim runtime does not carry.");
            t.mustRunAfter("tfliteSlim");
            // Up to date only after a check that passed (a missing runtime is only a warning).
            t.getOutputs().upToDateWhen(task -> ((TfliteVerifyTask) task).getResultFile().isFile());
            t.dependsOn((Callable<Object>) () -> defaults.teamMode() ? "tfliteSlimPlan" : new ArrayList<Object>());
        });
        TaskRegistration.add(tasks, "tfliteSlimPublish", TfliteSlimPublishTask.class, t -> {
            t.configure(defaults);
            t.setGroup(GROUP);
            t.setDescription("Deploys the slim runtime tfliteSlim built to tfliteSlim.repositoryUrl (for CI).");
            t.dependsOn("tfliteSlim");
        });

        // Before the app's build when enabled (asked for by name, it always runs); read when the
        // task graph is built, after the build script ran. The team flow needs it to pick the runtime.
        Action<Task> preBuild = task -> {
            if ("preBuild".equals(task.getName())) {
                task.dependsOn((Callable<Object>) () -> ext.isVerify() || defaults.teamMode() ? "tfliteVerify" : new ArrayList<Object>());
            }
        };
        if (Reflect.method(tasks, "configureEach", Action.class) != null) {
            // Gradle 4.9+: without realizing every lazily registered task.
            Reflect.call(tasks, "configureEach", new Class<?>[]{Action.class}, preBuild);
        } else {
            project.getTasks().all(preBuild);
        }

        // Capture every task's values once the graph is known: nothing in an action reads the project.
        // Each task captures from its own project's settings, so no Project is compared (Gradle 9.3:
        // two Project objects for one project need not be ==); freeze() is idempotent.
        project.getGradle().getTaskGraph().whenReady(graph -> {
            for (Task task : graph.getAllTasks()) {
                if (task instanceof ToolTask) {
                    ((ToolTask<?>) task).freeze();
                }
            }
        });

        // After the build script set repositoryUrl/repository. Applied to a project that is already
        // evaluated (from another project's afterEvaluate), now: afterEvaluate would never run on
        // Gradle 4.x (no repository at all) and is an error on Gradle 7+.
        Action<Project> repositories = p -> SlimRepositories.install(p, defaults.repositorySpecs(), defaults.group(),
                ext.getCredentials().getUsername(), ext.getCredentials().passwordValue());
        if (project.getState().getExecuted()) {
            repositories.execute(project);
        } else {
            project.afterEvaluate(repositories);
        }
        substituteStockRuntime(project, defaults);
    }

    /**
     * Every configuration, including the ones that bring TFLite in transitively,
     * resolves the stock runtime modules to the slim ones. The rule reads the
     * coordinates when a configuration resolves, so running tfliteSlim and
     * building the app in one invocation works. A LiteRT module off the 1.x
     * line (the 2.x CompiledModel runtime) is left as requested, with one
     * warning per module saying why ({@link Substitutions#warningFor}).
     */
    private static void substituteStockRuntime(Project project, ProjectDefaults defaults) {
        CoordinatesCache cache = new CoordinatesCache(defaults.coordinatesFile(), defaults.verifiedFile(), project.getLogger());
        // Configurations resolve in parallel on newer Gradle: one warning per module, from whichever comes first.
        Set<String> warned = ConcurrentHashMap.newKeySet();
        project.getConfigurations().all(cfg -> cfg.getResolutionStrategy().getDependencySubstitution().all(sub -> {
            ComponentSelector requested = sub.getRequested();
            if (!(requested instanceof ModuleComponentSelector)) {
                return;
            }
            ModuleComponentSelector module = (ModuleComponentSelector) requested;
            if (!Substitutions.isStockRuntime(module.getGroup(), module.getModule())) {
                return;
            }
            String warning = Substitutions.warningFor(module.getGroup(), module.getModule(), module.getVersion());
            if (warning != null) {
                if (warned.add(module.getGroup() + ":" + module.getModule())) {
                    project.getLogger().warn(warning);
                }
                return;  // kept as requested; no slim runtime is looked up for it
            }
            String target = Substitutions.targetFor(module.getGroup(), module.getModule(), module.getVersion(),
                    cache.get());
            if (target != null) {
                sub.useTarget(target);
            }
        }));
    }
}
