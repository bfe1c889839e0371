package io.tfliteslim.gradle.tool;

import io.tfliteslim.gradle.Fixture;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logging;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Collections;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Issue 29.10: the tool runs in the project directory; what lies there is never imported as a module
 * (the real interpreter, a real hostile directory).
 */
public class ToolRunnerIsolationTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static void write(File f, String text) throws Exception {
        f.getParentFile().mkdirs();
        Files.write(f.toPath(), text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void aModuleRunIgnoresTheWorkingDirectory() throws Exception {
        File project = temp.newFolder("project");
        write(new File(project, "json.py"), "open('hijacked-by-json', 'w').close()\nraise SystemExit(42)\n");
        write(new File(project, "runpy.py"), "open('hijacked-by-runpy', 'w').close()\nraise SystemExit(43)\n");
        write(new File(project, "tflite_slim/__init__.py"), "__version__ = 'fake'\n");
        write(new File(project, "tflite_slim/__main__.py"), "print('tflite-slim fake')\n");
        ToolRunner.Result result = new ToolRunner(Logging.getLogger(getClass()), project)
                .run(Arrays.asList(Fixture.PYTHON, "-m", ToolCommands.MODULE, "--version"), LogLevel.DEBUG);
        assertEquals(result.text(), 0, result.exitCode);
        assertTrue(result.text(), result.text().matches("tflite-slim \\d+\\.\\d+\\.\\d+.*"));
        assertFalse(new File(project, "hijacked-by-json").exists() || new File(project, "hijacked-by-runpy").exists());
    }

    /** A missing module reads as with {@code -m} ("No module named X"), which the advice for a missing tool looks for. */
    @Test
    public void aMissingModuleIsStillNamed() throws Exception {
        ToolRunner.Result result = new ToolRunner(Logging.getLogger(getClass()), temp.newFolder("empty"))
                .run(Arrays.asList(Fixture.PYTHON, "-m", "tflite_slim_not_installed", "--version"), LogLevel.DEBUG);
        assertTrue(result.exitCode != 0);
        assertTrue(result.text(), result.text().contains("No module named tflite_slim_not_installed"));
    }

    @Test
    public void onlyModuleRunsAreRewritten() {
        assertEquals(Arrays.asList("py", "-c", "print(1)"), ToolRunner.processArgv(Arrays.asList("py", "-c", "print(1)")));
        assertEquals(Collections.singletonList("py"), ToolRunner.processArgv(Collections.singletonList("py")));
        // Nothing but a dotted module name goes into the -c line.
        assertEquals(Arrays.asList("py", "-m", "x'); import os; ('"),
                ToolRunner.processArgv(Arrays.asList("py", "-m", "x'); import os; ('")));
        assertEquals(Arrays.asList("py", "-c", "import sys; sys.path[:1] = [p for p in sys.path[:1] if p != '']; import runpy; "
                + "runpy.run_module('tflite_slim', run_name='__main__', alter_sys=True)", "analyze", "a.tflite"),
                ToolRunner.processArgv(Arrays.asList("py", "-m", "tflite_slim", "analyze", "a.tflite")));
    }
}
