package io.tfliteslim.gradle;

import org.gradle.api.GradleException;
import org.gradle.api.Plugin;
import org.gradle.api.Project;
import org.gradle.api.artifacts.component.ComponentSelector;
import org.gradle.api.artifacts.component.ModuleComponentSelector;

import java.io.File;
import java.util.Collections;
import java.util.concurrent.Callable;

/**
 * The {@code io.tfliteslim} plugin: the {@code tfliteSlim} extension, the
 * {@code tfliteSlim}, {@code tfliteReport} and {@code tfliteVerify} tasks, the
 * repository the slim runtime is installed into, and the substitution of the
 * stock TensorFlow Lite / LiteRT modules by the slim ones.
 */
public class TfliteSlimPlugin implements Plugin<Project> {
    public static final String GROUP = "tflite-slim";

    @Override
    public void apply(Project project) {
        TfliteSlimExtension ext = project.getExtensions().create("tfliteSlim", TfliteSlimExtension.class);
        ProjectDefaults defaults = new ProjectDefaults(project, ext);

        TfliteReportTask report = project.getTasks().create("tfliteReport", TfliteReportTask.class);
        report.configure(defaults);
        report.setGroup(GROUP);
        report.setDescription("Writes the models' op report (JSON and HTML) to build/reports/tflite-slim; needs no toolchain.");

        TfliteSlimTask slim = project.getTasks().create("tfliteSlim", TfliteSlimTask.class);
        slim.configure(defaults);
        slim.setGroup(GROUP);
        slim.setDescription("Builds the TensorFlow Lite runtime trimmed to the models' ops and installs it for this app.");
        // analyze -> build -> install: the op report (and its table) comes first, and a model the
        // tool cannot read stops the pipeline before any toolchain is involved.
        slim.dependsOn(report);
        // Outputs include what was installed outside the build dir: rerun when it is gone.
        slim.getOutputs().upToDateWhen(t -> installedArtifactsExist(project));

        TfliteVerifyTask verify = project.getTasks().create("tfliteVerify", TfliteVerifyTask.class);
        verify.configure(defaults);
        verify.setGroup(GROUP);
        verify.setDescription("Fails when the models need an op or op version the slim runtime does not carry.");
        verify.mustRunAfter(slim);

        // Before the app's build when enabled (asked for by name, it always runs); read when the
        // task graph is built, after the build script ran.
        project.getTasks().matching(t -> "preBuild".equals(t.getName())).all(preBuild ->
                preBuild.dependsOn((Callable<Object>) () -> ext.isVerify() ? verify : Collections.emptyList()));

        project.afterEvaluate(p -> addRepository(p, defaults));
        substituteStockRuntime(project);
    }

    /** {@code build/tflite-slim/coordinates.json}: what tfliteSlim installed. */
    public static File coordinatesFile(Project project) {
        return new File(project.getBuildDir(), "tflite-slim/coordinates.json");
    }

    private static boolean installedArtifactsExist(Project project) {
        File file = coordinatesFile(project);
        if (!file.isFile()) {
            return false;
        }
        Coordinates c;
        try {
            c = Coordinates.read(file);
        } catch (GradleException e) {
            // Unreadable: not up to date, and running the task rewrites it.
            return false;
        }
        if (c.repository == null) {
            return false;
        }
        File repo = new File(c.repository);
        return c.runtime.dirIn(repo).isDirectory() && (c.selectTfOps == null || c.selectTfOps.dirIn(repo).isDirectory());
    }

    private static void addRepository(Project project, ProjectDefaults defaults) {
        File repo = defaults.repository();
        if (repo == null) {
            project.getRepositories().mavenLocal();
        } else {
            project.getRepositories().maven(r -> {
                r.setName("tfliteSlim");
                r.setUrl(repo.toURI());
            });
        }
    }

    /**
     * Every configuration, including the ones that bring TFLite in transitively,
     * resolves the stock runtime modules to the installed slim ones. The rule
     * reads the coordinates when a configuration resolves, so running tfliteSlim
     * and building the app in one invocation works.
     */
    private static void substituteStockRuntime(Project project) {
        CoordinatesCache cache = new CoordinatesCache(coordinatesFile(project), project.getLogger());
        project.getConfigurations().all(cfg -> cfg.getResolutionStrategy().getDependencySubstitution().all(sub -> {
            ComponentSelector requested = sub.getRequested();
            if (!(requested instanceof ModuleComponentSelector)) {
                return;
            }
            ModuleComponentSelector module = (ModuleComponentSelector) requested;
            if (!Substitutions.isStockRuntime(module.getGroup(), module.getModule())) {
                return;
            }
            String target = Substitutions.targetFor(module.getGroup(), module.getModule(), cache.get());
            if (target != null) {
                sub.useTarget(target);
            }
        }));
    }
}
