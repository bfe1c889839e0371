package io.tfliteslim.gradle;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/** The pure parts of provisioning: the probe's answer, the environment's name, pip's command line, the bundled wheel. */
public class ToolProvisionerTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static ToolProvisioner.Probe probe(String... lines) {
        return ToolProvisioner.Probe.parse(Arrays.asList(lines));
    }

    @Test
    public void probeReadsTheLastFourLines() {
        ToolProvisioner.Probe p = probe("sitecustomize says hi", "3.11.7", "/usr/bin/python3.11", "0.1.0", "");
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
        ToolProvisioner.Probe with = ToolProvisioner.Probe.parse(Arrays.asList(
                Fixture.python(Arrays.asList(Fixture.PYTHON, "-c", ToolProvisioner.PROBE)).split("\n", -1))
                .subList(0, 4));
        assertTrue(with.atLeast39());
        assertTrue(with.hasTool(ToolProvisioner.Wheel.bundled().version));
        ToolProvisioner.Probe without = ToolProvisioner.Probe.parse(Arrays.asList(
                Fixture.python(Arrays.asList(Fixture.PYTHON, "-S", "-c", ToolProvisioner.PROBE)).split("\n", -1))
                .subList(0, 4));
        assertEquals(with.executable, without.executable);
        assertFalse(without.hasTool(ToolProvisioner.Wheel.bundled().version));
    }

    @Test
    public void oneEnvironmentPerToolVersionInterpreterAndWheel() {
        ToolProvisioner.Wheel wheel = new ToolProvisioner.Wheel("0.1.0", "tflite_slim-0.1.0-py3-none-any.whl", "aa");
        ToolProvisioner.Probe base = probe("3.11.7", "/usr/bin/python3.11", "", "");
        String name = ToolProvisioner.environmentName(wheel, base);
        assertTrue(name, name.matches("0\\.1\\.0-py3\\.11-[0-9a-f]{16}"));
        assertEquals(name, ToolProvisioner.environmentName(wheel, probe("3.11.7", "/usr/bin/python3.11", "0.0.9", "")));
        assertNotEquals(name, ToolProvisioner.environmentName(wheel, probe("3.11.8", "/usr/bin/python3.11", "", "")));
        assertNotEquals(name, ToolProvisioner.environmentName(wheel, probe("3.11.7", "/opt/python3.11", "", "")));
        assertNotEquals(name, ToolProvisioner.environmentName(
                new ToolProvisioner.Wheel("0.1.0", "tflite_slim-0.1.0-py3-none-any.whl", "bb"), base));
    }

    @Test
    public void pipKeepsTheUsersConfigurationAndTheIndexTokenOffTheCommandLine() {
        assertEquals(Arrays.asList("/env/bin/python", "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "/env/t.whl"),
                ToolProvisioner.pipInstall("/env/bin/python", "/env/t.whl"));
        assertEquals(Collections.emptyMap(), ToolProvisioner.pipEnvironment(null));
        assertEquals(Collections.singletonMap("PIP_INDEX_URL", "https://u:t@mirror/simple"),
                ToolProvisioner.pipEnvironment("https://u:t@mirror/simple"));
        assertEquals("https://***@mirror.example/simple", ToolProvisioner.withoutUserInfo("https://u:tok@mirror.example/simple"));
        assertEquals("https://mirror.example/a@b", ToolProvisioner.withoutUserInfo("https://mirror.example/a@b"));
    }

    /** One version, set in one place: the wheel the jar carries is the checkout's tool at its __version__. */
    @Test
    public void theBundledWheelIsTheCheckoutsToolAtItsVersion() throws Exception {
        ToolProvisioner.Wheel wheel = ToolProvisioner.Wheel.bundled();
        String version = Fixture.python(Arrays.asList(Fixture.PYTHON, "-c",
                "import sys; sys.path.insert(0, sys.argv[1]); import tflite_slim; print(tflite_slim.__version__)",
                new File(Fixture.REPO_ROOT, "pytool").getPath())).trim();
        assertEquals(version, wheel.version);
        assertEquals("tflite_slim-" + version + "-py3-none-any.whl", wheel.name);
        byte[] bytes = wheel.bytes();
        boolean cli = false;
        String metadata = null;
        try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                cli |= e.getName().equals("tflite_slim/cli.py");
                if (e.getName().equals("tflite_slim-" + version + ".dist-info/METADATA")) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    byte[] chunk = new byte[8192];
                    for (int n; (n = zip.read(chunk)) > 0; ) {
                        out.write(chunk, 0, n);
                    }
                    metadata = out.toString("UTF-8");
                }
            }
        }
        assertTrue(cli);
        assertTrue(metadata, metadata.contains("\nVersion: " + version + "\n"));
        assertTrue(metadata, metadata.contains("Requires-Dist: lxml"));
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
}
