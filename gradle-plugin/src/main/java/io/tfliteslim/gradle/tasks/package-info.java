/**
 * The tasks ({@code tfliteReport}, {@code tfliteSlim}, {@code tfliteSlimPlan}, {@code tfliteVerify},
 * {@code tfliteSlimPublish}, and per Android variant {@code tfliteReport<Variant>} and
 * {@code tfliteVerify<Variant>}), registered and ordered by {@link io.tfliteslim.gradle.tasks.SlimTasks}.
 *
 * <p>In: a {@link io.tfliteslim.gradle.tasks.TaskSettings} (the extension's values with their
 * defaults), read at configuration time only and captured into each task's
 * {@link io.tfliteslim.gradle.tasks.ToolAction} (plain, serializable values: configuration cache).
 * Out: the tasks' declared inputs and outputs, and one tool command line per step, run through
 * {@code tool}. Depends on {@code tool}, {@code repositories} (the coordinates documents, whether
 * Gradle filters repository content) and {@code compat}; never on the extension or the plugin.
 */
package io.tfliteslim.gradle.tasks;
