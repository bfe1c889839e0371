/**
 * Gradle APIs newer than 4.4 (the oldest Gradle the plugin runs on), called by name:
 * {@link io.tfliteslim.gradle.compat.Reflect} (absent means null, never an error) and
 * {@link io.tfliteslim.gradle.compat.TaskRegistration} ({@code tasks.register} where Gradle has it).
 *
 * <p>In: Gradle objects and method names. Out: the call's result or null. Depends on nothing of the plugin.
 */
package io.tfliteslim.gradle.compat;
