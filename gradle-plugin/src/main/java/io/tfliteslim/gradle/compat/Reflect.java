package io.tfliteslim.gradle.compat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Calls to Gradle APIs newer than 4.4 (the oldest Gradle the plugin runs on),
 * by name: absent on old versions, present on 8/9. Absent means null, never an error.
 */
public final class Reflect {
    private Reflect() {
    }

    /** The public method {@code name} of {@code target} taking {@code types}, or null. */
    public static Method method(Object target, String name, Class<?>... types) {
        if (target == null) {
            return null;
        }
        try {
            return target.getClass().getMethod(name, types);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** {@code target.name(args)} when there is such a method, else null. */
    public static Object call(Object target, String name, Class<?>[] types, Object... args) {
        Method m = method(target, name, types);
        if (m == null) {
            return null;
        }
        try {
            m.setAccessible(true);
            return m.invoke(target, args);
        } catch (IllegalAccessException e) {
            return null;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** A no-argument getter, or null. */
    public static Object get(Object target, String name) {
        return call(target, name, new Class<?>[0]);
    }
}
