package io.tfliteslim.gradle.service;

import org.gradle.api.Task;
import org.gradle.api.provider.Provider;
import org.gradle.util.GradleVersion;

/**
 * Registers {@link ToolService} once per build (the name is the build's, so every project's tasks
 * get the same instance) and declares it used by the task (Gradle 7+, so the configuration cache
 * and parallel execution know). Called reflectively by {@code io.tfliteslim.gradle.tool.ToolServices}.
 */
public final class ToolServiceRegistration {
    /**
     * The service's name. It carries the class loader's identity: two projects that load the plugin
     * through different buildscript class loaders get a service each, of their own class, instead of
     * one whose class the other cannot cast to.
     */
    static String name() {
        return "tfliteSlimTool-" + Integer.toHexString(System.identityHashCode(ToolService.class.getClassLoader()));
    }

    private ToolServiceRegistration() {
    }

    public static Provider<ToolService> register(Task task) {
        Provider<ToolService> service = task.getProject().getGradle().getSharedServices()
                .registerIfAbsent(name(), ToolService.class, spec -> { });
        if (GradleVersion.current().compareTo(GradleVersion.version("7.0")) >= 0) {
            task.usesService(service);
        }
        return service;
    }
}
