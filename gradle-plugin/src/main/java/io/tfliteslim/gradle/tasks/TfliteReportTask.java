package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.tool.ToolCommands;
import io.tfliteslim.gradle.tool.ToolRunner;

import org.gradle.api.GradleException;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;
import org.gradle.api.tasks.OutputDirectory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code tfliteReport}: the models' op report as JSON and HTML; needs no toolchain. Per Android
 * variant also {@code origins.json}: where each model its APK carries came from (the app's own
 * folders, a library module, an AAR), from AGP's per-source-set and per-dependency asset folders.
 */
public class TfliteReportTask extends ModelOriginTask<TfliteReportTask.Action> {
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

    @Override
    public void run() {
        super.run();
        if (hasOrigins()) {
            writeOrigins(getLogger());
        }
    }

    /** {@code origins.json} beside the report, and one line per model that is not the app's own. */
    private void writeOrigins(Logger logger) {
        List<ModelOrigins.Origin> origins = origins();
        File out = new File(action().reportDir, "origins.json");
        try {
            Files.write(out.toPath(), ModelOrigins.json(origins).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new GradleException("cannot write " + out + ": " + e.getMessage(), e);
        }
        for (ModelOrigins.Origin o : origins) {
            if (!o.from.equals("app")) {
                logger.lifecycle("tflite-slim: {} comes from {}", o.path, o.shippedBy());
            }
        }
        logger.lifecycle("tflite-slim: where each model came from: {}", out);
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
