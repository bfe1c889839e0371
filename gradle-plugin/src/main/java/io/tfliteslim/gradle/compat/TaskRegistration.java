package io.tfliteslim.gradle.compat;

import org.gradle.api.Action;
import org.gradle.api.Task;

/**
 * {@code tasks.register(name, type, configure)} where Gradle has it (4.9+:
 * the task is configured only when something needs it), else
 * {@code tasks.create(name, type, configure)} (Gradle 4.4). Both by name, so
 * the plugin compiles against Gradle 4.4's API.
 */
public final class TaskRegistration {
    private static final Class<?>[] SIGNATURE = {String.class, Class.class, Action.class};

    private TaskRegistration() {
    }

    /** Registers (lazily) or creates (eagerly) the task; true when it was registered lazily. */
    public static <T extends Task> boolean add(Object tasks, String name, Class<T> type, Action<? super T> configure) {
        if (Reflect.method(tasks, "register", SIGNATURE) != null) {
            Reflect.call(tasks, "register", SIGNATURE, name, type, configure);
            return true;
        }
        if (Reflect.method(tasks, "create", SIGNATURE) == null) {
            throw new IllegalStateException(tasks.getClass() + " has neither register nor create(String, Class, Action)");
        }
        Reflect.call(tasks, "create", SIGNATURE, name, type, configure);
        return false;
    }
}
