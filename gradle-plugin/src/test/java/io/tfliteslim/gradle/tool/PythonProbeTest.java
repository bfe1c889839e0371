package io.tfliteslim.gradle.tool;

import io.tfliteslim.gradle.Fixture;

import org.junit.Test;

import java.util.Arrays;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/** What the probe reports: parsed from fixed lines, and run on the real interpreter with and without the tool. */
public class PythonProbeTest {
    private static PythonProbe probe(String... lines) {
        return PythonProbe.parse(Arrays.asList(lines));
    }

    @Test
    public void probeReadsTheLastFourLines() {
        PythonProbe p = probe("sitecustomize says hi", "3.11.7", "/usr/bin/python3.11", "0.1.0", "");
        assertEquals("3.11", p.majorMinor());
        assertTrue(p.atLeast39());
        assertTrue(p.hasTool("0.1.0"));
        assertFalse(p.hasTool("0.2.0"));
        // A dependency gone (a broken environment) is not "has the tool".
        assertFalse(probe("3.11.7", "/x", "0.1.0", "lxml,requests").hasTool("0.1.0"));
        assertEquals(Arrays.asList("lxml", "requests"), probe("3.11.7", "/x", "0.1.0", "lxml,requests").missing);
        assertFalse(probe("3.11.7", "/x", "", "").hasTool("0.1.0"));
    }

    @Test
    public void probeVersionGate() {
        assertFalse(probe("3.8.10", "/x", "", "").atLeast39());
        assertTrue(probe("3.9.0", "/x", "", "").atLeast39());
        assertTrue(probe("3.13.1", "/x", "", "").atLeast39());
        assertTrue(probe("4.0.0", "/x", "", "").atLeast39());
        assertFalse(probe("2.7.18", "/x", "", "").atLeast39());
    }

    @Test
    public void probeRejectsOtherOutput() {
        assertNull(probe("Python 3.11.7"));
        assertNull(probe("hello", "/x", "", ""));
    }

    @Test
    public void theProbeRunsOnPython() throws Exception {
        // The real interpreter with the tool (Fixture.PYTHON) and the same without site-packages.
        PythonProbe with = PythonProbe.parse(Arrays.asList(
                Fixture.python(Arrays.asList(Fixture.PYTHON, "-c", PythonProbe.SCRIPT)).split("\n", -1))
                .subList(0, 4));
        assertTrue(with.atLeast39());
        assertTrue(with.hasTool(ToolWheel.bundled().version));
        PythonProbe without = PythonProbe.parse(Arrays.asList(
                Fixture.python(Arrays.asList(Fixture.PYTHON, "-S", "-c", PythonProbe.SCRIPT)).split("\n", -1))
                .subList(0, 4));
        assertEquals(with.executable, without.executable);
        assertFalse(without.hasTool(ToolWheel.bundled().version));
    }
}
