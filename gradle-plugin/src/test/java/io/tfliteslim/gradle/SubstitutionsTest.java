package io.tfliteslim.gradle;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import java.util.Arrays;
import java.util.Collection;

import static org.junit.Assert.assertEquals;

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
    public void nothingIsSubstitutedBeforeTfliteSlimRan() {
        assertEquals(null, Substitutions.targetFor(group, module, null));
    }
}
