package io.tfliteslim.gradle;

import org.gradle.api.DefaultTask;
import org.gradle.api.GradleException;
import org.gradle.api.file.FileCollection;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;

import java.io.File;
import java.util.List;

/** What every tflite-slim task shares: the settings, the models as an input, the runner. */
public abstract class ToolTask extends DefaultTask {
    private ProjectDefaults defaults;

    void configure(ProjectDefaults defaults) {
        this.defaults = defaults;
    }

    /** The settings with their defaults (not a getter: not a task property). */
    protected ProjectDefaults defaults() {
        return defaults;
    }

    /** The interpreter that runs the tool. */
    @Input
    public String getPython() {
        return defaults.python();
    }

    /** The model files (relative paths matter: they are recorded in the outputs). */
    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    public FileCollection getModels() {
        return defaults.models();
    }

    /** The models' paths for the tool, failing with where we looked when there is none. */
    protected List<String> modelArgs() {
        List<String> models = defaults.modelArgs();
        if (models.isEmpty()) {
            StringBuilder where = new StringBuilder();
            for (File dir : defaults.modelLocations()) {
                where.append(where.length() == 0 ? "" : ", ").append(defaults.relative(dir));
            }
            throw new GradleException("No TensorFlow Lite models found in " + where + " (include "
                    + getProject().getExtensions().getByType(TfliteSlimExtension.class).getInclude()
                    + "): put your .tflite files there or set tfliteSlim.models / tfliteSlim.include");
        }
        return models;
    }

    protected ToolRunner runner() {
        return new ToolRunner(getLogger(), getProject().getProjectDir());
    }

}
