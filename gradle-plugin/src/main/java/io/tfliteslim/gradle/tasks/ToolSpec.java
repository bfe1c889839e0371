package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.tool.ToolProvisioner;
import io.tfliteslim.gradle.tool.ToolRunner;

import org.gradle.api.GradleException;
import org.gradle.api.logging.Logger;

import java.io.File;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What every task action needs, captured at configuration time as plain
 * values: the interpreter, the project dir, the models. Task actions read
 * only this (and their own captured values), never the project or the
 * extension, so they run from Gradle's configuration cache; it is
 * {@link Serializable} so a test can prove that no project object is reachable.
 */
public final class ToolSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String python;
    public final File workDir;
    public final List<String> models;
    /** Where models were looked for, for the "no models" message. */
    public final String searched;
    public final String include;
    /** Finds the interpreter that has the tool when a task runs (null: {@link #python} as it is). */
    public final ToolProvisioner provisioner;

    public ToolSpec(String python, File workDir, List<String> models, String searched, String include) {
        this(python, workDir, models, searched, include, null);
    }

    public ToolSpec(String python, File workDir, List<String> models, String searched, String include, ToolProvisioner provisioner) {
        this.provisioner = provisioner;
        this.python = python;
        this.workDir = workDir;
        this.models = Collections.unmodifiableList(new ArrayList<>(models));
        this.searched = searched;
        this.include = include;
    }

    /** The models' paths for the tool, failing with where we looked when there is none. */
    List<String> modelArgs() {
        if (models.isEmpty()) {
            throw new GradleException("No TensorFlow Lite models found in " + searched + " (include " + include
                    + "): put your .tflite files there or set tfliteSlim.models / tfliteSlim.include");
        }
        return models;
    }

    ToolRunner runner(Logger logger) {
        return new ToolRunner(logger, workDir, provisioner);
    }
}
