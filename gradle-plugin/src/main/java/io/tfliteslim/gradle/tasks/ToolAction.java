package io.tfliteslim.gradle.tasks;

import org.gradle.api.logging.Logger;

import java.io.Serializable;

/**
 * A task's action with every value it reads captured at configuration time:
 * no project, extension or Gradle model object is reachable from it (it
 * serializes with plain Java serialization, which a test checks).
 */
public interface ToolAction extends Serializable {
    void execute(Logger logger);
}
