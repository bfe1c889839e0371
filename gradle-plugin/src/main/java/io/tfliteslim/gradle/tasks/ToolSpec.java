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
    /** Set by the task when it runs ({@link #useModels}); null before. */
    private transient volatile List<String> found;

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
        List<String> models = found != null ? found : this.models;
        if (models.isEmpty()) {
            throw new GradleException("No TensorFlow Lite models found in " + searched + " (include " + include
                    + "): put your .tflite files there or set tfliteSlim.models / tfliteSlim.include");
        }
        return models;
    }

    /**
     * The model files the task found when it ran (its fingerprinted input), replacing {@link #models}, the
     * list seen at configuration: a generated or new model is there by then. Paths as {@link #models}
     * has them: relative to {@link #workDir} when inside it, sorted.
     */
    void useModels(Iterable<File> files) {
        java.util.Set<String> paths = new java.util.TreeSet<>();
        for (File f : files) {
            paths.add(argFor(f));
        }
        found = Collections.unmodifiableList(new ArrayList<>(paths));
    }

    /** {@code f} as the tool is given it: relative to {@link #workDir} when inside it ('/'-separated), else absolute. */
    String argFor(File f) {
        java.nio.file.Path base = workDir.toPath().toAbsolutePath().normalize();
        java.nio.file.Path p = f.toPath().toAbsolutePath().normalize();
        return p.startsWith(base) ? base.relativize(p).toString().replace(File.separatorChar, '/') : p.toString();
    }

    ToolRunner runner(Logger logger) {
        return new ToolRunner(logger, workDir, provisioner);
    }
}
