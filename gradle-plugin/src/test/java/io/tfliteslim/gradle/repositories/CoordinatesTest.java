package io.tfliteslim.gradle.repositories;

import org.gradle.api.GradleException;
import org.junit.Test;

import java.io.File;
import java.util.Arrays;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class CoordinatesTest {
    @Test
    public void parsesTheInstallContract() {
        Coordinates c = Coordinates.parse("{\"repository\": \"/home/u/.m2/repository\","
            + " \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\", \"version\": \"2.16.1-slim-0123456789ab\"},"
            + " \"select_tf_ops\": null}", "c.json");
        assertEquals("/home/u/.m2/repository", c.repository);
        assertEquals("io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab", c.runtime.notation());
        assertNull(c.selectTfOps);
        assertEquals(new File("/m2/io/tfliteslim/tensorflow-lite/2.16.1-slim-0123456789ab"), c.runtime.dirIn(new File("/m2")));
        assertEquals(Arrays.asList(
            "org.tensorflow:tensorflow-lite -> io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab",
            "org.tensorflow:tensorflow-lite-api -> io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab",
            "com.google.ai.edge.litert:litert -> io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab",
            "com.google.ai.edge.litert:litert-api -> io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab",
            "org.tensorflow:tensorflow-lite-select-tf-ops -> io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab",
            "com.google.ai.edge.litert:litert-select-tf-ops -> io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab"),
            Substitutions.describe(c));
    }

    /** A LiteRT build installs {@code litert} / {@code litert-select-tf-ops}: the stock modules resolve to those. */
    @Test
    public void aLiteRtBuildsCoordinatesAreTheTargets() {
        Coordinates c = Coordinates.parse("{\"repository\": \"/m2\","
            + " \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"litert\", \"version\": \"2.1.6-litert-slim-0123456789ab\"},"
            + " \"select_tf_ops\": {\"group\": \"io.tfliteslim\", \"artifact\": \"litert-select-tf-ops\","
            + " \"version\": \"2.1.6-litert-slim-0123456789ab\"}}", "c.json");
        String runtime = "io.tfliteslim:litert:2.1.6-litert-slim-0123456789ab";
        assertEquals(runtime, Substitutions.targetFor("com.google.ai.edge.litert", "litert", c));
        assertEquals(runtime, Substitutions.targetFor("com.google.ai.edge.litert", "litert-api", c));
        assertEquals(runtime, Substitutions.targetFor("org.tensorflow", "tensorflow-lite", c));
        assertEquals("io.tfliteslim:litert-select-tf-ops:2.1.6-litert-slim-0123456789ab",
            Substitutions.targetFor("org.tensorflow", "tensorflow-lite-select-tf-ops", c));
        assertNull(Substitutions.targetFor("com.google.ai.edge.litert", "litert-gpu", c));
        assertEquals(new File("/m2/io/tfliteslim/litert/2.1.6-litert-slim-0123456789ab"), c.runtime.dirIn(new File("/m2")));
    }

    @Test
    public void badDocumentsSayWhichFileAndWhatToDo() {
        for (String bad : new String[]{"not json", "[]", "{\"runtime\": 3}", "{\"runtime\": {\"group\": \"g\"}}"}) {
            try {
                Coordinates.parse(bad, "build/tflite-slim/coordinates.json");
                fail("accepted " + bad);
            } catch (GradleException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("build/tflite-slim/coordinates.json"));
                assertTrue(e.getMessage(), e.getMessage().endsWith(": run `gradle tfliteSlim` again"));
            }
        }
    }
}
