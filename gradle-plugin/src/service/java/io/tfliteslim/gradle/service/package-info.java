/**
 * The tool's build service (Gradle 6.1+ API, compiled apart from {@code src/main}, which builds
 * against Gradle 4.4's): {@link io.tfliteslim.gradle.service.ToolService} finds each interpreter once
 * per build, {@link io.tfliteslim.gradle.service.ToolServiceRegistration} registers it for a task.
 *
 * <p>In: a task (configuration time), a {@code ToolProvisioner} (when a task runs). Out: the service's
 * provider; an interpreter path. Loaded only by {@code io.tfliteslim.gradle.tool.ToolServices}, and
 * only where Gradle has build services.
 */
package io.tfliteslim.gradle.service;
