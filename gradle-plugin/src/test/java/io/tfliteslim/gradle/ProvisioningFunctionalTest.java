package io.tfliteslim.gradle;

import io.tfliteslim.gradle.tool.ToolProvisioner;
import io.tfliteslim.gradle.tool.ToolWheel;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.GradleRunner;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * The plugin brings its own tool, for real: an interpreter without tflite-slim
 * (the tests' Python with {@code -S}: no site-packages) becomes the base of a
 * virtual environment under the Gradle user home into which pip installs the
 * wheel the plugin carries, with its dependencies from the index the machine's
 * pip configuration names (PyPI). Then: reused, rebuilt when broken, made once
 * by two builds at once, and not made offline.
 *
 * <p>Its own TestKit dir, so the Gradle user home starts without environments.
 */
public class ProvisioningFunctionalTest {
    private static final File TESTKIT = new File(System.getProperty("tfliteSlim.testkit.dir") + "-provision");
    private static final File ENVS = new File(TESTKIT, "caches/tflite-slim/python");
    private static final String SETTING_UP = "tflite-slim: setting up a Python environment for tflite-slim ";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** The plain fixture with a model and {@code python} set to the interpreter without the tool. */
    private Fixture project(String name) throws Exception {
        Fixture f = new Fixture("plain", temp.newFolder(name)).models("src/main/assets", "add");
        File python = f.file("bin/python-without-tool");
        f.write("bin/python-without-tool", "#!/bin/sh\nexec '" + Fixture.PYTHON + "' -S \"$@\"\n");
        assertTrue(python.setExecutable(true));
        f.write("build.gradle", f.read("build.gradle") + "\ntfliteSlim { python = file('bin/python-without-tool').path }\n");
        return f;
    }

    private static GradleRunner runner(Fixture f, String... args) {
        return f.runner(args).withTestKitDir(TESTKIT);
    }

    /** The one environment under the Gradle user home. */
    private static File environment() {
        File[] dirs = ENVS.listFiles(File::isDirectory);
        assertNotNull(ENVS + " missing", dirs);
        assertEquals(java.util.Arrays.toString(dirs), 1, dirs.length);
        return dirs[0];
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static long timed(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    public void provisionsReusesRebuildsAndSharesTheEnvironment() throws Exception {
        ToolProvisioner.deleteTree(ENVS.toPath());
        Fixture f = project("app");
        String version = ToolWheel.bundled().version;

        // Offline with nothing cached: one line that says what to do, and nothing made.
        BuildResult offline = runner(f, "tfliteReport", "--offline").buildAndFail();
        String offlineLine = "tflite-slim " + version + " needs a Python environment that is not set up yet (" + ENVS;
        assertTrue(offline.getOutput(), offline.getOutput().contains(offlineLine));
        assertTrue(offline.getOutput(), offline.getOutput().contains(") and Gradle runs offline: run the build once without --offline,"
                + " or set tfliteSlim.python to an interpreter that has tflite-slim " + version + ".\n"));
        assertFalse(offline.getOutput(), offline.getOutput().contains("Traceback"));
        File[] made = ENVS.listFiles(File::isDirectory);
        assertEquals(0, made == null ? 0 : made.length);

        // First build: the environment is made, and the report is written by its interpreter. pip gets
        // pipIndexUrl (PyPI's own index, spelled with a trailing slash so that pip names it).
        BuildResult[] first = new BuildResult[1];
        long firstMs = timed(() -> first[0] = runner(f, "tfliteReport", "--info",
                "-P" + ProjectDefaults.PIP_INDEX_URL_PROPERTY + "=https://pypi.org/simple/").build());
        assertTrue(first[0].getOutput(), first[0].getOutput().contains("Looking in indexes: https://pypi.org/simple/"));
        assertEquals(TaskOutcome.SUCCESS, first[0].task(":tfliteReport").getOutcome());
        File env = environment();
        assertTrue(env.getName(), env.getName().startsWith(version + "-py3."));
        assertTrue(first[0].getOutput(), first[0].getOutput().contains(SETTING_UP + version + " (once) in " + env));
        File envPython = ToolProvisioner.environmentPython(env);
        assertTrue(first[0].getOutput(), first[0].getOutput().contains("tflite-slim: running [" + envPython + ", -m, tflite_slim, analyze"));
        assertTrue(new File(env, ToolProvisioner.READY).isFile());
        assertTrue(f.read("build/reports/tflite-slim/ops.json").contains("\"ADD\""));
        // pip installed the wheel (not a link to the checkout) and kept no copy of it.
        String installed = Fixture.python(java.util.Arrays.asList(envPython.getPath(), "-c",
                "import tflite_slim, lxml, requests, flatbuffers; print(tflite_slim.__file__)")).trim();
        assertTrue(installed, installed.startsWith(env.getPath()));
        assertFalse(new File(env, ToolWheel.bundled().name).exists());

        // Second build: reused as it is.
        BuildResult[] second = new BuildResult[1];
        long secondMs = timed(() -> second[0] = runner(f, "tfliteReport", "--rerun-tasks", "--info").build());
        assertEquals(TaskOutcome.SUCCESS, second[0].task(":tfliteReport").getOutcome());
        assertFalse(second[0].getOutput(), second[0].getOutput().contains(SETTING_UP));
        assertTrue(second[0].getOutput(), second[0].getOutput().contains("tflite-slim: using the Python environment " + env));
        assertEquals(env, environment());

        // Broken (the tool's package gone): rebuilt, then used.
        File lib = new File(env, "lib");
        File[] pythons = lib.listFiles();
        assertNotNull(pythons);
        ToolProvisioner.deleteTree(new File(pythons[0], "site-packages/tflite_slim").toPath());
        BuildResult broken = runner(f, "tfliteReport", "--rerun-tasks").build();
        assertEquals(TaskOutcome.SUCCESS, broken.task(":tfliteReport").getOutcome());
        assertEquals(broken.getOutput(), 1, count(broken.getOutput(), "tflite-slim: the Python environment " + env
                + " is broken (tflite-slim " + version + " is not importable): rebuilding it"));
        assertTrue(broken.getOutput(), broken.getOutput().contains(SETTING_UP));
        // Broken differently (its interpreter gone): rebuilt too.
        assertTrue(ToolProvisioner.environmentPython(env).delete());
        BuildResult noPython = runner(f, "tfliteReport", "--rerun-tasks").build();
        assertEquals(TaskOutcome.SUCCESS, noPython.task(":tfliteReport").getOutcome());
        assertTrue(noPython.getOutput(), noPython.getOutput().contains("tflite-slim: the Python environment " + env
                + " is broken (its interpreter does not run): rebuilding it"));
        assertTrue(ToolProvisioner.environmentPython(env).exists());

        // Two builds at once (two projects, two Gradle daemons, one Gradle user home): made once, used by both.
        ToolProvisioner.deleteTree(env.toPath());
        Fixture other = project("other");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<BuildResult>> builds = new ArrayList<>();
        long bothStart = System.nanoTime();
        for (Fixture p : new Fixture[]{f, other}) {
            builds.add(pool.submit(() -> runner(p, "tfliteReport", "--rerun-tasks").build()));
        }
        StringBuilder outputs = new StringBuilder();
        for (Future<BuildResult> b : builds) {
            BuildResult result = b.get();
            assertEquals(TaskOutcome.SUCCESS, result.task(":tfliteReport").getOutcome());
            outputs.append(result.getOutput());
        }
        long bothMs = (System.nanoTime() - bothStart) / 1_000_000;
        pool.shutdown();
        assertEquals(outputs.toString(), 1, count(outputs.toString(), SETTING_UP));
        assertEquals(env, environment());
        assertTrue(other.read("build/reports/tflite-slim/ops.json").contains("\"ADD\""));
        System.out.println("provisioning: first build " + firstMs + " ms, second " + secondMs + " ms, two at once " + bothMs + " ms; "
                + (outputs.indexOf("waiting for another build") >= 0 ? "one waited for the other's set-up" : "the second came after the set-up"));
    }

    @Test
    public void anInterpreterWithTheToolIsUsedAsItIs() throws IOException, InterruptedException {
        Fixture f = new Fixture("plain", temp.newFolder("as-is")).models("src/main/assets", "add");
        BuildResult result = runner(f, "tfliteReport", "--info").build();
        assertTrue(result.getOutput(), result.getOutput().contains("tflite-slim: '" + Fixture.PYTHON + "' has tflite-slim "
                + ToolWheel.bundled().version + ": using it as it is"));
        assertTrue(result.getOutput(), result.getOutput().contains("tflite-slim: running [" + Fixture.PYTHON + ", -m, tflite_slim, analyze"));
        assertFalse(result.getOutput(), result.getOutput().contains(SETTING_UP));
    }
}
