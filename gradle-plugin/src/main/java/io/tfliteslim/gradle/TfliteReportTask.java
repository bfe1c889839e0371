package io.tfliteslim.gradle;

import org.gradle.api.logging.LogLevel;
import org.gradle.api.tasks.OutputDirectory;
import org.gradle.api.tasks.TaskAction;

import java.io.File;
import java.util.List;

/** {@code tfliteReport}: the models' op report as JSON and HTML; needs no toolchain. */
public class TfliteReportTask extends ToolTask {
    @OutputDirectory
    public File getReportDir() {
        return new File(getProject().getBuildDir(), "reports/tflite-slim");
    }

    @TaskAction
    public void report() {
        File json = new File(getReportDir(), "ops.json");
        File html = new File(getReportDir(), "ops.html");
        List<String> models = modelArgs();
        runner().runChecked(ToolCommands.analyze(getPython(), models, json.getAbsolutePath(), html.getAbsolutePath()),
                LogLevel.LIFECYCLE, "tflite-slim analyze", null);
        // The files are the report; the table on the console is for the person who ran the task.
        runner().runChecked(ToolCommands.analyzeText(getPython(), models), LogLevel.LIFECYCLE, "tflite-slim analyze", null);
        getLogger().lifecycle("tflite-slim: op report in {} and {}", json, html);
    }
}
