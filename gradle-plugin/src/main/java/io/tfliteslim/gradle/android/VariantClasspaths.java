package io.tfliteslim.gradle.android;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which Android variant a classpath configuration belongs to (pure), so that a variant kept on the stock
 * runtime keeps it on its tests' classpaths too.
 *
 * <p>Two sources, joined: the names the Variant API gave for each variant ({@code Component.runtimeConfiguration},
 * {@code compileConfiguration}, of the variant and its nested components; {@link AndroidSources#classpaths}),
 * and AGP's naming of them, {@code <component>RuntimeClasspath} / {@code <component>CompileClasspath}
 * ({@code VariantDependencies}), where a nested component is named {@code <variant>UnitTest},
 * {@code <variant>AndroidTest}, {@code <variant>TestFixtures} or {@code <variant>ScreenshotTest}. The naming
 * covers what the Variant API did not give: a plugin applied after AGP's callbacks ran (the AGP 8 DSL route), or
 * an AGP whose test components have no getter read here.
 */
public final class VariantClasspaths {
    /** AGP's suffixes of a variant's nested components' names ({@code ComponentType}: unit, android, fixtures, screenshot). */
    static final List<String> NESTED = Collections.unmodifiableList(Arrays.asList("", "UnitTest", "AndroidTest", "TestFixtures",
            "ScreenshotTest"));

    private VariantClasspaths() {
    }

    /** The classpath names AGP gives {@code variant} and its nested components. */
    public static Set<String> byNaming(String variant) {
        Set<String> names = new TreeSet<>();
        for (String nested : NESTED) {
            names.add(variant + nested + "RuntimeClasspath");
            names.add(variant + nested + "CompileClasspath");
        }
        return names;
    }

    /**
     * Whether {@code configuration} is a classpath of one of {@code variants}: by the Variant API's names
     * ({@code fromVariantApi}: configuration name to its variant) or by AGP's naming.
     */
    public static boolean belongsTo(String configuration, Collection<String> variants, Map<String, String> fromVariantApi) {
        String variant = fromVariantApi.get(configuration);
        if (variant != null && variants.contains(variant)) {
            return true;
        }
        for (String v : variants) {
            if (byNaming(v).contains(configuration)) {
                return true;
            }
        }
        return false;
    }
}
