package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.repositories.Coordinates;
import io.tfliteslim.gradle.tool.ToolCommands;

import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.OutputFile;

import java.io.File;
import java.util.List;

/**
 * {@code tfliteSlimPlan} (team flow): the coordinates a build of these models
 * would publish, computed by {@code tflite-slim plan} without any toolchain, so
 * a developer resolves the runtime CI built and deployed.
 */
public class TfliteSlimPlanTask extends ToolTask<TfliteSlimPlanTask.Action> {
    @Input
    public List<String> getPlanArgs() {
        Action a = action();
        return ToolCommands.plan(a.spec.python, a.spec.models, a.options, a.publication, a.planFile.getAbsolutePath());
    }

    @OutputFile
    public File getPlanFile() {
        return action().planFile;
    }

    @Override
    protected ToolSpec spec() {
        return action().spec;
    }

    @Override
    protected Action capture(TaskSettings defaults) {
        return new Action(defaults.toolSpec(), defaults.buildOptions(), defaults.publication(), defaults.planFile());
    }

    static final class Action implements ToolAction {
        private static final long serialVersionUID = 1L;
        final ToolSpec spec;
        final ToolCommands.BuildOptions options;
        final ToolCommands.Publication publication;
        final File planFile;

        Action(ToolSpec spec, ToolCommands.BuildOptions options, ToolCommands.Publication publication, File planFile) {
            this.spec = spec;
            this.options = options;
            this.publication = publication;
            this.planFile = planFile;
        }

        @Override
        public void execute(Logger logger) {
            spec.runner(logger).runChecked(ToolCommands.plan(spec.python, spec.modelArgs(), options, publication,
                    planFile.getAbsolutePath()), LogLevel.INFO, "tflite-slim plan", null);
            logger.lifecycle("tflite-slim: the models need {}", Coordinates.read(planFile).runtime);
        }
    }
}
