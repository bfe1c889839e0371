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
                // A URL with credentials in the command line (as a deploy's --url may carry): never in the message.
                runner.run(Arrays.asList(Fixture.PYTHON, "-c", script, pidFile.getPath(), "--url", "https://ci:TOKEN@repo.example/m2"),
                        LogLevel.INFO);
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
        assertFalse(thrown.get().getMessage(), thrown.get().getMessage().contains("TOKEN"));
        assertTrue(thrown.get().getMessage(), thrown.get().getMessage().contains("https://***@repo.example/m2"));
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

    /**
     * The Windows way, chosen by the flag on this machine: the tool's stdin is closed and the tool (its
     * cli's watcher) stops like Ctrl-C, through its own clean-up, well before the kill after the grace period.
     */
    @Test
    public void onWindowsTheToolStopsCleanlyWhenItsStdinCloses() throws Exception {
        File pidFile = temp.newFile();
        File cleanedUp = new File(temp.getRoot(), "cleaned-up");
        String script = "import os, subprocess, sys\nfrom tflite_slim import cli\ncli._stop_on_stdin_eof()\n"
                + "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)\n"
                // The pid inside the try: the test interrupts as soon as it sees it.
                + "try:\n    open(sys.argv[1], 'w').write(str(os.getpid()))\n    child.stdout.read()\nexcept KeyboardInterrupt:\n    child.kill()\n    child.wait()\n"
                + "    open(sys.argv[2], 'w').write('yes')\n    sys.exit(130)\n";
        ToolRunner runner = new ToolRunner(Logging.getLogger(ToolRunnerCancelTest.class), temp.getRoot()).stopThroughStdin(true);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread task = new Thread(() -> {
            try {
                runner.run(Arrays.asList(Fixture.PYTHON, "-c", script, pidFile.getPath(), cleanedUp.getPath()), LogLevel.INFO);
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
        long interrupted = System.currentTimeMillis();
        task.interrupt();
        task.join(ToolRunner.STOP_GRACE_SECONDS * 1000 + 15000);
        assertFalse("run() returned after the interrupt", task.isAlive());
        assertTrue("stopped by its own clean-up, not killed after the grace period",
                System.currentTimeMillis() - interrupted < ToolRunner.STOP_GRACE_SECONDS * 1000);
        assertTrue("the tool ran its clean-up", cleanedUp.isFile());
        assertTrue(String.valueOf(thrown.get()), thrown.get() instanceof GradleException);
        assertEquals(false, new File("/proc/" + pid).exists());
    }
}
