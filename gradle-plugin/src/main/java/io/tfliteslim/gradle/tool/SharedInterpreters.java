package io.tfliteslim.gradle.tool;

import org.gradle.api.logging.Logger;

/**
 * The interpreters found for one build, shared by every task of every project that runs the tool:
 * each distinct {@link ToolProvisioner} (interpreter setting, Gradle user home, pip index, offline)
 * is resolved once per build, not once per task action.
 *
 * <p>Implemented by the build service {@code io.tfliteslim.gradle.service.ToolService}, compiled
 * against Gradle 6.1+'s API and used where Gradle has {@code BuildService}
 * ({@link ToolServices}); on older Gradle each task action resolves its own (the file lock and
 * monitor in {@link ToolProvisioner} still make the environment once).
 */
public interface SharedInterpreters {
    /** The interpreter that has this version of the tool for {@code provisioner}, found once per build. */
    String interpreter(ToolProvisioner provisioner, Logger logger);
}
