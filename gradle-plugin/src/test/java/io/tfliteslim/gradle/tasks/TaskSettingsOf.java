package io.tfliteslim.gradle.tasks;

import org.gradle.api.Task;

/** For tests in other packages: the settings a tflite-slim task was configured from. */
public final class TaskSettingsOf {
    private TaskSettingsOf() {
    }

    public static TaskSettings task(Task task) {
        return ((ToolTask<?>) task).defaults();
    }
}
