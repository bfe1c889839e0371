package io.tfliteslim.gradle;

import org.gradle.api.logging.LogLevel;
import org.gradle.api.tasks.OutputDirectory;
import org.gradle.api.tasks.TaskAction;

import java.io.File;

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
        runner().runChecked(ToolCommands.analyze(getPython(), modelArgs(), json.getAbsolutePath(), html.getAbsolutePath()),
                LogLevel.LIFECYCLE, "tflite-slim analyze", null);
        getLogger().lifecycle("tflite-slim: op report in {} and {}", json, html);
    }
}
