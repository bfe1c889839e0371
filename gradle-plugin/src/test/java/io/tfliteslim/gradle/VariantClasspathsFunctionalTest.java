package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.Assert.assertEquals;

/**
 * Issue 27, deliver 2, in a real Gradle 4.4.1 build (TestKit): a variant named in stockRuntimeVariants keeps the
 * stock runtime on its own classpaths and on its unit and instrumented tests' ({@code <variant>UnitTestRuntimeClasspath},
 * {@code <variant>AndroidTestRuntimeClasspath}), every other classpath resolves the slim one. Once through AGP 9's
 * Variant API ({@link StandInAgp9}, loaded from the test classes by the fixture's buildscript), once with AGP's
 * configuration names alone (no Variant API: what the plugin has when AGP's callbacks ran before it was applied).
 */
public class VariantClasspathsFunctionalTest {
    private static final String SLIM = "2.16.1-slim-0123456789ab";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Fixture fixture() throws Exception {
        Fixture f = new Fixture("variant-classpaths", temp.newFolder());
        for (String[] m : new String[][]{{"org/tensorflow", "org.tensorflow", "2.16.1"}, {"io/tfliteslim", "io.tfliteslim", SLIM}}) {
            String dir = "m2/" + m[0] + "/tensorflow-lite/" + m[2] + "/tensorflow-lite-" + m[2];
            f.write(dir + ".pom", "<project><modelVersion>4.0.0</modelVersion><groupId>" + m[1] + "</groupId><artifactId>tensorflow-lite"
                    + "</artifactId><version>" + m[2] + "</version></project>\n");
            f.write(dir + ".jar", "");
        }
        f.write("build/tflite-slim/coordinates.json", "{\"repository\": \"" + f.file("m2").getAbsolutePath().replace("\\", "\\\\")
                + "\", \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\", \"version\": \"" + SLIM
                + "\"}, \"select_tf_ops\": null}");
        return f;
    }

    /** The test classes (StandInAgp9) and resources (its plugin id), for the fixture's buildscript. */
    private static String standInClasspath() throws Exception {
        File classes = new File(StandInAgp9.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        File resources = new File(StandInAgp9.class.getResource("/META-INF/gradle-plugins/com.android.application.properties").toURI())
                .getParentFile().getParentFile().getParentFile();
        return classes + File.pathSeparator + resources;
    }

    private List<String> runtimes(String agp, String stock) throws Exception {
        BuildResult result = fixture().build("printRuntimes", "-Pagp=" + agp, "-Pstock=" + stock, "-PstandInClasspath=" + standInClasspath());
        List<String> lines = new ArrayList<>();
        for (String line : result.getOutput().split("\n")) {
            if (line.startsWith("runtime: ")) {
                lines.add(line.substring("runtime: ".length()).trim());
            }
        }
        return lines;
    }

    private static List<String> expected(String stockVariant) {
        List<String> out = new ArrayList<>();
        for (String c : Arrays.asList("debugRuntimeClasspath", "debugCompileClasspath", "debugUnitTestRuntimeClasspath",
                "debugAndroidTestRuntimeClasspath", "debugAndroidTestCompileClasspath", "releaseRuntimeClasspath",
                "releaseUnitTestRuntimeClasspath", "other")) {
            boolean stock = stockVariant != null && c.startsWith(stockVariant);
            out.add(c + " -> " + (stock ? "org.tensorflow:2.16.1" : "io.tfliteslim:" + SLIM));
        }
        return out;
    }

    @Test
    public void throughTheVariantApiAStockVariantsTestsKeepTheStockRuntime() throws Exception {
        assertEquals(expected("debug"), runtimes("9", "debug"));
        assertEquals(expected("release"), runtimes("9", "release"));
        assertEquals(expected(null), runtimes("9", ""));
    }

    @Test
    public void byAgpsConfigurationNamesAloneToo() throws Exception {
        assertEquals(expected("debug"), runtimes("naming", "debug"));
        assertEquals(expected("release"), runtimes("naming", "release"));
    }
}
