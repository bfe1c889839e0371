package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.Fixture;
import io.tfliteslim.gradle.tool.ToolCommands;

import org.gradle.api.GradleException;
import org.gradle.api.logging.Logging;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.util.Arrays;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * tfliteVerify with the real tool: {@code verify} exits 1 both when the runtime lacks an op and when a
 * model cannot be read. Only the first is "rebuild the runtime"; a corrupt model is the tool's own error.
 */
public class VerifyUnreadableModelTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void anUnreadableModelIsNotReportedAsAMissingOp() throws Exception {
        Fixture f = new Fixture("plain", temp.getRoot()).models(".", "add=src/main/assets/add.tflite");
        f.write("src/main/assets/bad.tflite", "garbage, not a model at all");
        // The installed runtime: its ops.json where tfliteSlim installed it (an op record covering ADD).
        File version = f.file("m2/io/tfliteslim/tensorflow-lite/1.0");
        assertEquals(true, version.mkdirs());
        Fixture.python(Arrays.asList(Fixture.PYTHON, "-m", ToolCommands.MODULE, "analyze", f.file("src/main/assets/add.tflite").getPath(),
                "--format", "json", "-o", new File(version, "tensorflow-lite-1.0-ops.json").getPath()));
        f.write("build/tflite-slim/coordinates.json", "{\"repository\": \"" + f.file("m2").getAbsolutePath() + "\", \"runtime\":"
                + " {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\", \"version\": \"1.0\"}, \"select_tf_ops\": null}");
        TfliteVerifyTask.Action action = new TfliteVerifyTask.Action(
                new ToolSpec(Fixture.PYTHON, f.dir, Arrays.asList("src/main/assets/add.tflite", "src/main/assets/bad.tflite"),
                        "src/main/assets", "[**/*.tflite]"),
                f.file("build/tflite-slim/coordinates.json"), null, f.file("build/tflite-slim/deployed.json"),
                f.file("build/tflite-slim/verify.txt"), false, null, false);
        try {
            action.execute(Logging.getLogger(VerifyUnreadableModelTest.class));
            fail("verified a corrupt model");
        } catch (GradleException e) {
            // The tool's own one line about the file (its wording is the tool's), and no rebuild advice.
            assertTrue(e.getMessage(), e.getMessage().startsWith("tflite-slim verify failed (exit 1): src/main/assets/bad.tflite: "));
            assertFalse(e.getMessage(), e.getMessage().contains("tfliteSlim") || e.getMessage().contains("\n"));
        }
    }
}
