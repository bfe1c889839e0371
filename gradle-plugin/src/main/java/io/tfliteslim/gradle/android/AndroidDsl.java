package io.tfliteslim.gradle.android;

import org.codehaus.groovy.runtime.InvokerHelper;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the app's {@code android { }} block declares beyond its sources, read through Groovy's
 * dynamic properties (the plugin neither compiles against nor requires AGP): the ABIs of
 * {@code defaultConfig.ndk.abiFilters} and {@code ndkVersion}. Another plugin's object named
 * {@code android} gives nothing, never an error.
 */
public final class AndroidDsl {
    private AndroidDsl() {
    }

    /** {@code android.defaultConfig.ndk.abiFilters}, sorted; empty when unset or unreadable. */
    public static List<String> abiFilters(Object android) {
        Object filters = path(android, "defaultConfig", "ndk", "abiFilters");
        Set<String> abis = new TreeSet<>();
        if (filters instanceof Collection) {
            for (Object abi : (Collection<?>) filters) {
                abis.add(abi.toString());
            }
        }
        return new ArrayList<>(abis);
    }

    /** {@code android.ndkVersion}, trimmed; null when unset, blank or unreadable. */
    public static String ndkVersion(Object android) {
        Object ndk = android == null ? null : property(android, "ndkVersion");
        return ndk == null || ndk.toString().trim().isEmpty() ? null : ndk.toString().trim();
    }

    private static Object path(Object start, String... names) {
        Object value = start;
        for (String name : names) {
            value = property(value, name);
            if (value == null) {
                return null;
            }
        }
        return value;
    }

    private static Object property(Object target, String name) {
        if (target instanceof Map) {
            return ((Map<?, ?>) target).get(name);
        }
        try {
            return InvokerHelper.getProperty(target, name);
        } catch (RuntimeException e) {
            // Not an Android-shaped object (another plugin's "android" extension): no defaults from it.
            return null;
        }
    }
}
