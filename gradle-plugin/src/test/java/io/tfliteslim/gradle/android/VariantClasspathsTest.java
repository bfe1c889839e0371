package io.tfliteslim.gradle.android;

import org.gradle.api.Project;
import org.gradle.api.artifacts.Configuration;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.Assert.assertEquals;

/**
 * Issue 27, deliver 2: a variant's tests get the runtime the variant gets. Which classpaths are a variant's,
 * from the Variant API as each AGP gives them, and from AGP's naming where the Variant API gave nothing.
 */
public class VariantClasspathsTest {
    /** Rows: configuration, stock variants, the Variant API's names (config=variant,...), whether it keeps the stock runtime. */
    @Test
    public void aStockVariantsTestsKeepItsRuntime() {
        Object[][] rows = {
                {"releaseRuntimeClasspath", "release", "", true},
                {"releaseCompileClasspath", "release", "", true},
                {"releaseUnitTestRuntimeClasspath", "release", "", true},
                {"debugAndroidTestRuntimeClasspath", "debug", "", true},
                {"debugAndroidTestCompileClasspath", "debug", "", true},
                {"freeDebugTestFixturesRuntimeClasspath", "freeDebug", "", true},
                {"debugScreenshotTestRuntimeClasspath", "debug", "", true},
                // Another variant's, and what is no classpath of a variant.
                {"debugAndroidTestRuntimeClasspath", "release", "", false},
                {"freeDebugRuntimeClasspath", "debug", "", false},
                {"debugAnnotationProcessorClasspath", "debug", "", false},
                {"implementation", "debug", "", false},
                {"releaseRuntimeClasspath", "", "", false},
                // A name AGP's naming does not give, known from the Variant API.
                {"customTestsClasspath", "debug", "customTestsClasspath=debug", true},
                {"customTestsClasspath", "release", "customTestsClasspath=debug", false},
        };
        for (Object[] row : rows) {
            Map<String, String> api = new HashMap<>();
            for (String pair : ((String) row[2]).split(",")) {
                if (!pair.isEmpty()) {
                    api.put(pair.split("=")[0], pair.split("=")[1]);
                }
            }
            List<String> stock = ((String) row[1]).isEmpty() ? Collections.<String>emptyList() : Arrays.asList(((String) row[1]).split(","));
            assertEquals(Arrays.toString(row), row[3], VariantClasspaths.belongsTo((String) row[0], stock, api));
        }
    }

    /** AGP 7.x/8.0-shaped: {@code Variant.unitTest} and {@code ApplicationVariant.androidTest}, no nestedComponents. */
    public static final class Agp7Variant {
        private final Component runtime;
        private final Component unitTest;
        private final Component androidTest;

        Agp7Variant(Project p) {
            runtime = new Component(p, "debug");
            unitTest = new Component(p, "debugUnitTest");
            androidTest = new Component(p, "debugAndroidTest");
        }

        public Configuration getRuntimeConfiguration() {
            return runtime.getRuntimeConfiguration();
        }

        public Configuration getCompileConfiguration() {
            return runtime.getCompileConfiguration();
        }

        public Component getUnitTest() {
            return unitTest;
        }

        public Component getAndroidTest() {
            return androidTest;
        }
    }

    /** AGP 8.x-shaped: deviceTests as a list (before 9 made it a map), unitTest a getter that throws (a removed API). */
    public static final class Agp8Variant {
        private final Component runtime;
        private final List<Component> deviceTests;
        private final Map<String, Component> hostTests = new LinkedHashMap<>();

        Agp8Variant(Project p) {
            runtime = new Component(p, "freeRelease");
            deviceTests = Collections.singletonList(new Component(p, "freeReleaseAndroidTest"));
            hostTests.put("UnitTest", new Component(p, "freeReleaseUnitTest"));
            hostTests.put("ScreenshotTest", new Component(p, "freeReleaseScreenshotTest"));
        }

        public Configuration getRuntimeConfiguration() {
            return runtime.getRuntimeConfiguration();
        }

        public List<Component> getDeviceTests() {
            return deviceTests;
        }

        public Map<String, Component> getHostTests() {
            return hostTests;
        }

        public Component getUnitTest() {
            throw new UnsupportedOperationException("removed");
        }
    }

    public static final class Component {
        private final Configuration runtime;
        private final Configuration compile;

        Component(Project p, String name) {
            runtime = p.getConfigurations().create(name + "RuntimeClasspath");
            compile = p.getConfigurations().create(name + "CompileClasspath");
        }

        public Configuration getRuntimeConfiguration() {
            return runtime;
        }

        public Configuration getCompileConfiguration() {
            return compile;
        }
    }

    @Test
    public void everyGetterOfNestedComponentsIsRead() {
        Project project = ProjectBuilder.builder().build();
        assertEquals(new TreeSet<>(Arrays.asList("debugAndroidTestCompileClasspath", "debugAndroidTestRuntimeClasspath",
                        "debugCompileClasspath", "debugRuntimeClasspath", "debugUnitTestCompileClasspath", "debugUnitTestRuntimeClasspath")),
                AndroidSources.classpaths(new Agp7Variant(project)));
        Set<String> agp8 = AndroidSources.classpaths(new Agp8Variant(project));
        assertEquals(new TreeSet<>(Arrays.asList("freeReleaseAndroidTestCompileClasspath", "freeReleaseAndroidTestRuntimeClasspath",
                "freeReleaseRuntimeClasspath", "freeReleaseScreenshotTestCompileClasspath", "freeReleaseScreenshotTestRuntimeClasspath",
                "freeReleaseUnitTestCompileClasspath", "freeReleaseUnitTestRuntimeClasspath")), agp8);
    }
}
