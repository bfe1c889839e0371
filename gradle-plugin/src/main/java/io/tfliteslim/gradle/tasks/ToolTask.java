package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.tool.SharedInterpreters;
import io.tfliteslim.gradle.tool.ToolServices;

import org.gradle.api.DefaultTask;
import org.gradle.api.GradleException;
import org.gradle.api.file.FileCollection;
import org.gradle.api.provider.Provider;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;
import org.gradle.api.tasks.TaskAction;

/**
 * What every tflite-slim task shares: the models as an input, and an action
 * whose values are captured once, at configuration time ({@link #freeze()}:
 * when the task graph is ready, or when Gradle first reads an input), so the
 * action never touches the project (configuration cache).
 */
public abstract class ToolTask<A extends ToolAction> extends DefaultTask {
    /** Configuration-time only; not part of the task's state. */
    private transient TaskSettings defaults;
    private FileCollection models;
    private A action;
    /** The build's tool service (Gradle 6.1+; null before): one interpreter lookup per build, not per task. */
    private Provider<?> toolService;

    void configure(TaskSettings defaults) {
        this.defaults = defaults;
        this.models = defaults.models();
        this.toolService = ToolServices.register(this);
    }

    /** The build service this task uses, or null (for tests). */
    Provider<?> toolService() {
        return toolService;
    }

    /** The settings with their defaults (configuration time only; for tests). */
    TaskSettings defaults() {
        return defaults;
    }

    /** Captures the action's values from the settings (once; later settings changes are not seen). */
    final synchronized A freeze() {
        if (action == null) {
            if (defaults == null) {
                // Only a task restored without its captured values gets here (a Gradle that skipped both the
                // task-graph hook and every input getter): say so instead of a NullPointerException.
                throw new GradleException(getPath() + ": tflite-slim captured no settings for this task; run the build"
                        + " again with --no-configuration-cache and report this with your Gradle version");
            }
            action = capture(defaults);
        }
        return action;
    }

    /** Whether the values were captured (for tests). */
    synchronized boolean frozen() {
        return action != null;
    }

    /** The action with its values, from the settings with their defaults. */
    protected abstract A capture(TaskSettings defaults);

    protected A action() {
        return freeze();
    }

    /** The interpreter that runs the tool. */
    @Input
    public String getPython() {
        return spec().python;
    }

    /** The model files (relative paths matter: they are recorded in the outputs). */
    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    public FileCollection getModels() {
        return models;
    }

    protected abstract ToolSpec spec();

    /** The model files the tool is given: the input's, as they are when the task runs. */
    protected Iterable<java.io.File> modelFiles() {
        return getModels().getFiles();
    }

    /** Runs the action on the model files as they are now (see {@link ToolSpec#useModels}). */
    @TaskAction
    public void run() {
        spec().useModels(modelFiles());
        if (toolService != null && spec().provisioner != null) {
            spec().provisioner.useShared((SharedInterpreters) toolService.get());
        }
        action().execute(getLogger());
    }
}
