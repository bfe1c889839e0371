package io.tfliteslim.gradle.repositories;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import java.util.Arrays;
import java.util.Collection;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Which requested module becomes which slim module, with and without a slim Select TF ops AAR. */
@RunWith(Parameterized.class)
public class SubstitutionsTest {
    private static final Coordinates PLAIN = Coordinates.parse(
        "{\"repository\": \"/m2\", \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\","
            + " \"version\": \"2.16.1-slim-abc\"}, \"select_tf_ops\": null}", "test");
    private static final Coordinates FLEX = Coordinates.parse(
        "{\"repository\": \"/m2\", \"runtime\": {\"group\": \"g\", \"artifact\": \"tensorflow-lite\", \"version\": \"v\"},"
            + " \"select_tf_ops\": {\"group\": \"g\", \"artifact\": \"tensorflow-lite-select-tf-ops\", \"version\": \"v\"}}", "test");

    @Parameterized.Parameters(name = "{0}:{1} flex={2}")
    public static Collection<Object[]> rows() {
        return Arrays.asList(new Object[][]{
            {"org.tensorflow", "tensorflow-lite", false, "io.tfliteslim:tensorflow-lite:2.16.1-slim-abc"},
            {"org.tensorflow", "tensorflow-lite-api", false, "io.tfliteslim:tensorflow-lite:2.16.1-slim-abc"},
            {"com.google.ai.edge.litert", "litert", false, "io.tfliteslim:tensorflow-lite:2.16.1-slim-abc"},
            {"com.google.ai.edge.litert", "litert-api", false, "io.tfliteslim:tensorflow-lite:2.16.1-slim-abc"},
            // No Flex op in the models: the stock Flex AAR is dropped in favour of the runtime.
            {"org.tensorflow", "tensorflow-lite-select-tf-ops", false, "io.tfliteslim:tensorflow-lite:2.16.1-slim-abc"},
            {"org.tensorflow", "tensorflow-lite-select-tf-ops", true, "g:tensorflow-lite-select-tf-ops:v"},
            // LiteRT's own Select TF ops artifact (ci/build_android_package.sh names it litert-select-tf-ops).
            {"com.google.ai.edge.litert", "litert-select-tf-ops", true, "g:tensorflow-lite-select-tf-ops:v"},
            {"com.google.ai.edge.litert", "litert-select-tf-ops", false, "io.tfliteslim:tensorflow-lite:2.16.1-slim-abc"},
            {"org.tensorflow", "tensorflow-lite", true, "g:tensorflow-lite:v"},
            // Libraries on top of the runtime stay, and bring the slim runtime via their dependency.
            {"org.tensorflow", "tensorflow-lite-support", false, null},
            {"org.tensorflow", "tensorflow-lite-gpu", false, null},
            {"org.tensorflow", "tensorflow-lite-metadata", true, null},
            {"com.google.ai.edge.litert", "litert-support", false, null},
            // LiteRT's GPU delegate is not in the slim runtime: it stays (README, "How the app gets the slim runtime").
            {"com.google.ai.edge.litert", "litert-gpu", false, null},
            {"com.google.ai.edge.litert", "litert-gpu-api", true, null},
            {"io.tfliteslim", "tensorflow-lite", false, null},
            {"tensorflow", "tensorflow-lite", false, null},
        });
    }

    private final String group;
    private final String module;
    private final boolean flex;
    private final String expected;

    public SubstitutionsTest(String group, String module, boolean flex, String expected) {
        this.group = group;
        this.module = module;
        this.flex = flex;
        this.expected = expected;
    }

    @Test
    public void target() {
        assertEquals(expected, Substitutions.targetFor(group, module, flex ? FLEX : PLAIN));
        assertEquals(expected != null, Substitutions.isStockRuntime(group, module));
    }

    @Test
    public void theLiteRtOneXLineIsSubstitutedAndTwoXNever() {
        String expectedOneX = expected;
        assertEquals(expectedOneX, Substitutions.targetFor(group, module, "1.4.1", flex ? FLEX : PLAIN));
        boolean litert = Substitutions.LITERT_GROUP.equals(group);
        for (String v : new String[]{"2.1.0", "2.0.2a1", "[2.0,)", "2.+", "latest.release", "10.0.0"}) {
            assertEquals(litert ? null : expected, Substitutions.targetFor(group, module, v, flex ? FLEX : PLAIN));
            String warning = Substitutions.warningFor(group, module, v);
            assertEquals(litert && expected != null, warning != null);
            if (warning != null) {
                assertTrue(warning, warning.contains(group + ":" + module + ":" + v)
                    && warning.contains("no trimmed runtime for it is installed")
                    && warning.contains("builds the drop-in for litert 2.1.6 and 2.2.0")
                    && warning.contains("1.x Interpreter API line"));
            }
        }
        assertEquals(null, Substitutions.warningFor(group, module, "1.4.1"));
    }

    /** A versionless request (a platform picks the version) may be 2.x: LiteRT's is kept, and the warning says why. */
    @Test
    public void aLiteRtRequestWithoutAVersionIsKept() {
        boolean litert = Substitutions.LITERT_GROUP.equals(group);
        assertEquals(litert ? null : expected, Substitutions.targetFor(group, module, "", flex ? FLEX : PLAIN));
        String warning = Substitutions.warningFor(group, module, "");
        assertEquals(litert && expected != null, warning != null);
        if (warning != null) {
            assertTrue(warning, warning.startsWith("tfliteSlim: " + group + ":" + module + " (requested without a version) is"));
        }
    }

    private static final Coordinates DROP_IN = Coordinates.parse(
        "{\"repository\": \"/m2\", \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"litert\","
            + " \"version\": \"2.2.0-litert2-slim-abc\"}, \"select_tf_ops\": null,"
            + " \"replaces\": \"com.google.ai.edge.litert:litert:2.2.0\"}", "test");

    /**
     * A LiteRT 2.x drop-in stands in for its one module at its one version: litert-api stays stock, another
     * 2.x version stays stock (and says to rebuild), and no 1.x or TensorFlow Lite request is given it.
     */
    @Test
    public void aTwoXDropInReplacesItsOneModuleAndVersion() {
        boolean litert = "com.google.ai.edge.litert:litert".equals(group + ":" + module);
        assertEquals(litert ? "io.tfliteslim:litert:2.2.0-litert2-slim-abc" : null,
                Substitutions.targetFor(group, module, "2.2.0", DROP_IN));
        assertEquals(null, Substitutions.targetFor(group, module, "2.1.6", DROP_IN));
        assertEquals(null, Substitutions.targetFor(group, module, "1.4.1", DROP_IN));
        assertEquals(null, Substitutions.targetFor(group, module, DROP_IN));
        assertEquals(null, Substitutions.warningFor(group, module, "2.2.0", DROP_IN));
        String other = Substitutions.warningFor(group, module, "2.1.6", DROP_IN);
        if (litert) {
            assertTrue(other, other.contains("the drop-in for com.google.ai.edge.litert:litert:2.2.0")
                    && other.contains("run `gradle tfliteSlim` again to build the drop-in for 2.1.6"));
        }
    }

    @Test
    public void nothingIsSubstitutedBeforeTfliteSlimRan() {
        assertEquals(null, Substitutions.targetFor(group, module, null));
    }
}
