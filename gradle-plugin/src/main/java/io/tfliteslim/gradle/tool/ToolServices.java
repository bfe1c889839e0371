package io.tfliteslim.gradle.tool;

import org.gradle.api.GradleException;
import org.gradle.api.Task;
import org.gradle.api.provider.Provider;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Registers the tool's build service for a task where Gradle has build services (6.1+), from the
 * main code that compiles against Gradle 4.4's API, which has no {@code BuildService} type: the
 * service and its registration are a second source set ({@code src/service/java}), compiled against
 * Gradle 8's API, and reached here by reflection only when {@code Gradle.getSharedServices()} exists.
 */
public final class ToolServices {
    static final String REGISTRATION = "io.tfliteslim.gradle.service.ToolServiceRegistration";

    private ToolServices() {
    }

    /**
     * The service's provider, declared as used by {@code task} (Gradle 7+), or null where Gradle has
     * no build services (before 6.1) or the jar was built without them (see the plugin's README).
     * Configuration time only.
     */
    public static Provider<?> register(Task task) {
        if (!hasBuildServices(task)) {
            return null;
        }
        Class<?> registration;
        try {
            registration = Class.forName(REGISTRATION, true, ToolServices.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            task.getLogger().info("tflite-slim: this plugin jar was built without its build service; each task finds the interpreter");
            return null;
        }
        try {
            return (Provider<?>) registration.getMethod("register", Task.class).invoke(null, task);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException ? (RuntimeException) cause
                    : new GradleException("registering tflite-slim's build service failed: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new GradleException("registering tflite-slim's build service failed: " + e, e);
        }
    }

    static boolean hasBuildServices(Task task) {
        for (Method m : task.getProject().getGradle().getClass().getMethods()) {
            if (m.getName().equals("getSharedServices") && m.getParameterCount() == 0) {
                return true;
            }
        }
        return false;
    }
}
