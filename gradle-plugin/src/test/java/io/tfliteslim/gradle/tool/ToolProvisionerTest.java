package io.tfliteslim.gradle.tool;

import io.tfliteslim.gradle.Fixture;
import org.gradle.api.GradleException;
import org.gradle.api.logging.Logging;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Collections;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/** The pure parts of provisioning: the environment's name, pip's command line and environment, deleting and locking. */
public class ToolProvisionerTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static PythonProbe probe(String... lines) {
        return PythonProbe.parse(Arrays.asList(lines));
    }

    @Test
    public void oneEnvironmentPerToolVersionInterpreterAndWheel() {
        ToolWheel wheel = new ToolWheel("0.1.0", "tflite_slim-0.1.0-py3-none-any.whl", "aa");
        PythonProbe base = probe("3.11.7", "/usr/bin/python3.11", "", "");
        String name = ToolProvisioner.environmentName(wheel, base);
        assertTrue(name, name.matches("0\\.1\\.0-py3\\.11-[0-9a-f]{16}"));
        assertEquals(name, ToolProvisioner.environmentName(wheel, probe("3.11.7", "/usr/bin/python3.11", "0.0.9", "")));
        assertNotEquals(name, ToolProvisioner.environmentName(wheel, probe("3.11.8", "/usr/bin/python3.11", "", "")));
        assertNotEquals(name, ToolProvisioner.environmentName(wheel, probe("3.11.7", "/opt/python3.11", "", "")));
        assertNotEquals(name, ToolProvisioner.environmentName(
                new ToolWheel("0.1.0", "tflite_slim-0.1.0-py3-none-any.whl", "bb"), base));
    }

    @Test
    public void pipKeepsTheUsersConfigurationAndTheIndexTokenOffTheCommandLine() {
        assertEquals(Arrays.asList("/env/bin/python", "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "/env/t.whl"),
                ToolProvisioner.pipInstall("/env/bin/python", "/env/t.whl"));
        assertEquals(Collections.emptyMap(), ToolProvisioner.pipEnvironment(null));
        assertEquals(Collections.singletonMap("PIP_INDEX_URL", "https://u:t@mirror/simple"),
                ToolProvisioner.pipEnvironment("https://u:t@mirror/simple"));
        assertEquals("https://***@mirror.example/simple", Redaction.urls("https://u:tok@mirror.example/simple"));
        assertEquals("https://mirror.example/a@b", Redaction.urls("https://mirror.example/a@b"));
    }


    @Test
    public void deletesItsTreeWithoutFollowingLinks() throws Exception {
        File outside = temp.newFolder("outside");
        Files.write(new File(outside, "keep").toPath(), new byte[]{1});
        File env = temp.newFolder("env");
        new File(env, "bin").mkdirs();
        Files.createSymbolicLink(new File(env, "bin/python").toPath(), new File(outside, "keep").toPath());
        Files.createSymbolicLink(new File(env, "lib").toPath(), outside.toPath());
        ToolProvisioner.deleteTree(env.toPath());
        assertFalse(env.exists());
        assertTrue(new File(outside, "keep").isFile());
    }

    /** The plugin loaded twice in one JVM: the JVM refuses the second lock on the file, so the second copy waits for the first. */
    @Test
    public void aSecondLockInThisJvmWaitsForTheFirst() throws Exception {
        java.nio.file.Path file = temp.newFile("env.lock").toPath();
        try (java.nio.channels.FileChannel first = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileChannel second = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock held = first.lock();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
            java.util.concurrent.Future<java.nio.channels.FileLock> waiting = pool.submit(
                    () -> ToolProvisioner.lock(second, org.gradle.api.logging.Logging.getLogger(getClass()), temp.getRoot()));
            Thread.sleep(500);
            assertFalse(waiting.isDone());
            held.release();
            java.nio.channels.FileLock got = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(got.isValid());
            got.release();
            pool.shutdown();
        }
    }

    @Test
    public void serializesWithoutItsResolvedInterpreter() throws Exception {
        ToolProvisioner p = new ToolProvisioner("python3", temp.getRoot(), null, false);
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(p);
        }
        // Not a tool run: left as it is, and nothing is probed.
        assertEquals(Arrays.asList("bazel", "build"), p.command(Arrays.asList("bazel", "build"), null));
    }

    /** No interpreter named: the first candidate that runs as Python 3.9+, used as found (the real interpreter here). */
    @Test
    public void discoveryTakesTheFirstPythonThatRuns() throws Exception {
        ToolProvisioner p = new ToolProvisioner(PythonCandidates.DEFAULT, temp.getRoot(), null, true, Arrays.asList(
                Collections.singletonList("no-such-python-for-tflite-slim"), Collections.singletonList("/bin/false"),
                Collections.singletonList(Fixture.PYTHON)));
        ToolProvisioner.Base base = p.base(Logging.getLogger(getClass()));
        assertEquals(Fixture.PYTHON, base.python);
        // The tool's argv starts with the default's name; the provisioner puts the interpreter found there.
        assertEquals(Arrays.asList(Fixture.PYTHON, "-m", "tflite_slim"),
                p.command(Arrays.asList(PythonCandidates.DEFAULT, "-m", "tflite_slim"), Logging.getLogger(getClass())));
    }

    /** A launcher ({@code py -3}): the interpreter it started is the one the tool runs with, not the launcher. */
    @Test
    public void aLauncherGivesTheInterpreterItStarted() throws Exception {
        File launcher = temp.newFile("py");
        // Like py.exe: the version switch is its own; the rest goes to the interpreter it picks.
        Files.write(launcher.toPath(), ("#!/bin/sh\n[ \"$1\" = -3 ] || exit 9\nshift\nexec '" + Fixture.PYTHON + "' \"$@\"\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(launcher.setExecutable(true));
        ToolProvisioner p = new ToolProvisioner(PythonCandidates.DEFAULT, temp.getRoot(), null, true,
                Collections.singletonList(Arrays.asList(launcher.getPath(), "-3")));
        ToolProvisioner.Base base = p.base(Logging.getLogger(getClass()));
        assertEquals(base.probe.executable, base.python);
        assertTrue(base.python, new File(base.python).isAbsolute() && !base.python.equals(launcher.getPath()));
    }

    @Test
    public void discoveryThatFindsNothingListsWhatItTried() {
        ToolProvisioner p = new ToolProvisioner(PythonCandidates.DEFAULT, temp.getRoot(), null, true, Arrays.asList(
                Arrays.asList("py", "-3-no-such"), Collections.singletonList("/bin/false")));
        try {
            p.base(Logging.getLogger(getClass()));
            org.junit.Assert.fail("found a Python among none");
        } catch (GradleException e) {
            assertEquals("Python 3.9+ not found: tried py -3-no-such (did not run), /bin/false (did not run). Install Python 3.9+"
                    + " (python.org, or your system's package manager), or set tfliteSlim.python (or -PtfliteSlim.python=...)"
                    + " to a Python 3.9+ interpreter.", e.getMessage());
        }
    }

    /** Discovery is decided when a task runs: what is serialized is the marker, not this machine's list. */
    @Test
    public void aDiscoveringProvisionerCarriesNoMachineList() throws Exception {
        ToolProvisioner p = ToolProvisioner.discovering(temp.getRoot(), null, false);
        assertEquals(PythonCandidates.DEFAULT, p.python);
        assertEquals(Collections.emptyList(), p.candidates);
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(p);
        }
    }
}
