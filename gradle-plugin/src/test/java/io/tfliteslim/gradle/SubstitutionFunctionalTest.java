package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The app resolves the slim runtime instead of the stock one, including when
 * tensorflow-lite arrives transitively (through tensorflow-lite-support).
 */
public class SubstitutionFunctionalTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static List<String> resolved(BuildResult result) {
        List<String> ids = new ArrayList<>();
        for (String line : result.getOutput().split("\n")) {
            if (line.startsWith("resolved: ")) {
                ids.add(line.substring("resolved: ".length()).trim());
            }
        }
        return ids;
    }

    private static final String SLIM_POM = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
            + "<groupId>io.tfliteslim</groupId><artifactId>tensorflow-lite</artifactId><version>2.16.1-slim-0123456789ab</version>"
            + "<packaging>pom</packaging></project>\n";

    @Test
    public void stockRuntimeBeforeTfliteSlimRanThenTheSlimOne() throws Exception {
        Fixture f = new Fixture("substitution", temp.getRoot());

        BuildResult before = f.build("printResolved");
        assertEquals(Arrays.asList("org.tensorflow:tensorflow-lite-select-tf-ops:2.16.1",
                "org.tensorflow:tensorflow-lite-support:0.4.4", "org.tensorflow:tensorflow-lite:2.16.1",
                "project :"), sorted(resolved(before)));
        assertTrue(before.getOutput(), before.getOutput().contains(
                "coordinates.json not found, so the app resolves the stock TensorFlow Lite runtime; "
                        + "run `gradle tfliteSlim` to build and use the slim one"));

        // What `tflite-slim install --coordinates-out` writes (contract 3), and the installed POM.
        f.write("m2/io/tfliteslim/tensorflow-lite/2.16.1-slim-0123456789ab/tensorflow-lite-2.16.1-slim-0123456789ab.pom", SLIM_POM);
        f.write("build/tflite-slim/coordinates.json", "{\"repository\": \"" + f.file("m2").getAbsolutePath() + "\","
                + " \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\", \"version\": \"2.16.1-slim-0123456789ab\"},"
                + " \"select_tf_ops\": null}");

        // Direct and transitive requests, and the unused Flex AAR, all become the one slim runtime.
        BuildResult after = f.build("printResolved");
        assertEquals(Arrays.asList("io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab",
                "org.tensorflow:tensorflow-lite-support:0.4.4", "project :"), sorted(resolved(after)));
    }

    private static List<String> sorted(List<String> ids) {
        List<String> copy = new ArrayList<>(ids);
        java.util.Collections.sort(copy);
        return copy;
    }
}
