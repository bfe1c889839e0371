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

    /**
     * The ABIs every variant ships together, sorted; empty (meaning all) when a variant has no filter.
     * A variant's filters are {@code defaultConfig.ndk.abiFilters} plus its product flavor's and its
     * build type's (AGP adds them up: {@code MergedNdkConfig}); variants are read as every flavor with
     * every build type (one flavor dimension: with several, a variant may look unfiltered here, so more
     * ABIs are built, never fewer).
     */
    public static List<String> abiFilters(Object android) {
        Set<String> base = filters(property(android, "defaultConfig"));
        List<Object> flavors = entries(property(android, "productFlavors"));
        List<Object> buildTypes = entries(property(android, "buildTypes"));
        Set<String> abis = new TreeSet<>();
        for (Object flavor : flavors) {
            for (Object buildType : buildTypes) {
                Set<String> variant = new TreeSet<>(base);
                variant.addAll(filters(flavor));
                variant.addAll(filters(buildType));
                if (variant.isEmpty()) {
                    return new ArrayList<>();
                }
                abis.addAll(variant);
            }
        }
        return new ArrayList<>(abis);
    }

    /** {@code x.ndk.abiFilters}; empty when {@code x} is null, unset or unreadable. */
    private static Set<String> filters(Object dslObject) {
        Set<String> out = new TreeSet<>();
        Object filters = dslObject == null ? null : path(dslObject, "ndk", "abiFilters");
        if (filters instanceof Collection) {
            for (Object abi : (Collection<?>) filters) {
                out.add(abi.toString());
            }
        }
        return out;
    }

    /** A container's entries (a Map's values, a collection's elements); one null entry when there are none. */
    private static List<Object> entries(Object container) {
        List<Object> out = new ArrayList<>();
        if (container instanceof Map) {
            out.addAll(((Map<?, ?>) container).values());
        } else if (container instanceof Collection) {
            out.addAll((Collection<?>) container);
        }
        if (out.isEmpty()) {
            out.add(null);
        }
        return out;
    }

    /** {@code android.ndkVersion}, trimmed; null when unset, blank or unreadable. */
    public static String ndkVersion(Object android) {
        Object ndk = android == null ? null : property(android, "ndkVersion");
        return ndk == null || ndk.toString().trim().isEmpty() ? null : ndk.toString().trim();
    }

    /** {@code android.ndkPath} (AGP's NDK directory setting); null when unset, blank or unreadable. */
    public static String ndkPath(Object android) {
        Object ndk = android == null ? null : property(android, "ndkPath");
        return ndk == null || ndk.toString().trim().isEmpty() ? null : ndk.toString().trim();
    }

    /** {@code android.defaultConfig.minSdk} (AGP 7+; {@code minSdkVersion}'s API level before); null when unset. */
    public static Integer minSdk(Object android) {
        for (String name : new String[] {"minSdk", "minSdkVersion"}) {
            Object value = android == null ? null : path(android, "defaultConfig", name);
            if (value instanceof Number) {
                return ((Number) value).intValue();
            }
            Object level = value == null ? null : property(value, "apiLevel");  // AGP's ApiVersion
            if (level instanceof Number) {
                return ((Number) level).intValue();
            }
        }
        return null;
    }

    /** {@code android.sdkDirectory} (where AGP found the SDK: local.properties sdk.dir, ANDROID_HOME); null when unreadable. */
    public static java.io.File sdkDirectory(Object android) {
        Object dir = android == null ? null : property(android, "sdkDirectory");
        return dir instanceof java.io.File ? (java.io.File) dir : null;
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
