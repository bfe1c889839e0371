package io.tfliteslim.gradle.tool;

import io.tfliteslim.gradle.Fixture;

import org.gradle.api.GradleException;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logging;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * A cancelled build interrupts the task's thread: the tool (a long Bazel build) must stop then, whether it
 * is printing or silent, instead of running to its end while the thread sits in a blocking read.
 */
public class ToolRunnerCancelTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private void interruptedWhileRunning(String loopBody) throws Exception {
        File pidFile = temp.newFile();
        String script = "import os, sys, time\nopen(sys.argv[1], 'w').write(str(os.getpid()))\nwhile True:\n    " + loopBody + "\n";
        ToolRunner runner = new ToolRunner(Logging.getLogger(ToolRunnerCancelTest.class), temp.getRoot());
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread task = new Thread(() -> {
            try {
                runner.run(Arrays.asList(Fixture.PYTHON, "-c", script, pidFile.getPath()), LogLevel.INFO);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        task.start();
        long deadline = System.currentTimeMillis() + 20000;
        while (pidFile.length() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        String pid = new String(Files.readAllBytes(pidFile.toPath()), StandardCharsets.UTF_8);
        assertFalse("the tool started", pid.isEmpty());
        task.interrupt();
        task.join(15000);
        assertFalse("run() returned after the interrupt", task.isAlive());
        assertTrue(String.valueOf(thrown.get()), thrown.get() instanceof GradleException);
        assertTrue(thrown.get().getMessage(), thrown.get().getMessage().startsWith("interrupted while running ["));
        // The process is gone (reaped: no /proc entry), not left running the build.
        assertEquals(false, new File("/proc/" + pid).exists());
    }

    @Test
    public void aChattyToolStops() throws Exception {
        interruptedWhileRunning("print('still building', flush=True); time.sleep(0.05)");
    }

    @Test
    public void aSilentToolStops() throws Exception {
        interruptedWhileRunning("time.sleep(1)");
    }
}
