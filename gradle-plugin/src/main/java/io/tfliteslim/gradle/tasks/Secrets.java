package io.tfliteslim.gradle.tasks;

import org.gradle.api.provider.Provider;

/** A secret given as a String or as a {@code Provider<String>}, read only when it is needed. */
public final class Secrets {
    private Secrets() {
    }

    /** A String, or a {@code Provider}'s value (null when it has none). */
    public static String valueOf(Object secret) {
        Object v = secret instanceof Provider ? ((Provider<?>) secret).getOrNull() : secret;
        return v == null ? null : v.toString();
    }
}
