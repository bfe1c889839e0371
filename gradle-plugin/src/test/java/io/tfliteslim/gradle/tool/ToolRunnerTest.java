package io.tfliteslim.gradle.tool;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import static org.junit.Assert.assertEquals;

/** How a failed tool run becomes the build's one failure message. */
@RunWith(Parameterized.class)
public class ToolRunnerTest {
    @Parameterized.Parameters(name = "{0}")
    public static Collection<Object[]> rows() {
        return Arrays.asList(new Object[][]{
            {"the tool's error lines only", 2,
                Arrays.asList("progress...", "error: tf/: not a TensorFlow checkout (no WORKSPACE)"), null,
                "tflite-slim build failed (exit 2): tf/: not a TensorFlow checkout (no WORKSPACE)"},
            {"several errors, with advice", 1,
                Arrays.asList("error: a.tflite: not a model", "error: b.tflite: truncated"), "Try again.",
                "tflite-slim build failed (exit 1): a.tflite: not a model\nb.tflite: truncated\nTry again."},
            {"no error line: the last lines", 1,
                Arrays.asList("Traceback (most recent call last):", "ValueError: boom"), null,
                "tflite-slim build failed (exit 1): Traceback (most recent call last):\nValueError: boom"},
            {"the tool's advice in the plugin's settings", 2,
                Arrays.asList("error: XNNPACK (/c/CMakeLists.txt) sets CMake policy CMP0156, which cmake 3.25 does not know: install a"
                    + " newer CMake and pass --cmake, or leave XNNPACK out with --no-xnnpack"), null,
                "tflite-slim build failed (exit 2): XNNPACK (/c/CMakeLists.txt) sets CMake policy CMP0156, which cmake 3.25 does"
                    + " not know: install a newer CMake and set tfliteSlim.cmake, or leave XNNPACK out with tfliteSlim.xnnpack = false"},
            {"a setting the tool's parser refuses: its one line, without the usage text", 2,
                Arrays.asList("usage: tflite-slim build [-h] [--out DIR] [--glob PATTERN]", "                         PATH [PATH ...]",
                    "tflite-slim build: error: argument --opt-level: invalid choice: 'Ofast' (choose from 'Os', 'O2', 'O3')"), null,
                "tflite-slim build failed (exit 2): argument tfliteSlim.optLevel: invalid choice: 'Ofast' (choose from 'Os', 'O2', 'O3')"},
            {"module missing", 1,
                Arrays.asList("/usr/bin/python3: No module named tflite_slim"), "ignored",
                "Python 3.9+ with tflite-slim not found: 'py' has no tflite_slim module. Set tfliteSlim.python "
                    + "(or -PtfliteSlim.python=...) to a Python 3.9+ interpreter (the plugin installs its tflite-slim "
                    + "into a virtual environment made from it), or leave it unset to use the Python 3.9+ found on this machine."},
        });
    }

    private final int exit;
    private final List<String> lines;
    private final String advice;
    private final String expected;

    public ToolRunnerTest(String name, int exit, List<String> lines, String advice, String expected) {
        this.exit = exit;
        this.lines = lines;
        this.advice = advice;
        this.expected = expected;
    }

    @Test
    public void message() {
        assertEquals(expected, ToolRunner.failureMessage("py", "tflite-slim build", new ToolRunner.Result(exit, lines), advice));
    }
}
