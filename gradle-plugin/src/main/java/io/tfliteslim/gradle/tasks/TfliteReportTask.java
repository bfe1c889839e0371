package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.tool.ToolCommands;
import io.tfliteslim.gradle.tool.ToolRunner;

import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;
import org.gradle.api.tasks.OutputDirectory;

import java.io.File;
import java.util.List;

/** {@code tfliteReport}: the models' op report as JSON and HTML; needs no toolchain. */
public class TfliteReportTask extends ToolTask<TfliteReportTask.Action> {
    @OutputDirectory
    public File getReportDir() {
        return action().reportDir;
    }

    @Override
    protected ToolSpec spec() {
        return action().spec;
    }

    @Override
    protected Action capture(TaskSettings defaults) {
        return new Action(defaults.toolSpec(), defaults.reportDir());
    }

    /** {@code analyze} twice: the files, then the table on the console. */
    static final class Action implements ToolAction {
        private static final long serialVersionUID = 1L;
        final ToolSpec spec;
        final File reportDir;

        Action(ToolSpec spec, File reportDir) {
            this.spec = spec;
            this.reportDir = reportDir;
        }

        @Override
        public void execute(Logger logger) {
            File json = new File(reportDir, "ops.json");
            File html = new File(reportDir, "ops.html");
            List<String> models = spec.modelArgs();
            ToolRunner runner = spec.runner(logger);
            runner.runChecked(ToolCommands.analyze(spec.python, models, json.getAbsolutePath(), html.getAbsolutePath()),
                    LogLevel.LIFECYCLE, "tflite-slim analyze", null);
            // The files are the report; the table on the console is for the person who ran the task.
            runner.runChecked(ToolCommands.analyzeText(spec.python, models), LogLevel.LIFECYCLE, "tflite-slim analyze", null);
            logger.lifecycle("tflite-slim: op report in {} and {}", json, html);
        }
    }
}
