package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.sun.net.httpserver.HttpServer;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * An app on LiteRT 2.x ({@code com.google.ai.edge.litert:litert:2.2.0}) through the real tool: tfliteSlim resolves
 * the app's stock AAR and POM from its repositories, builds the drop-in (the v2.2.0-shaped stand-in tree of
 * tests/standin/litert2cmake.py, seeded into the tool's cache as a download leaves it; this machine's desktop
 * ABI, which needs no NDK) and installs it; the app then resolves it for litert, litert-api stays stock, and
 * tfliteVerify fails for a model whose ops the runtime lacks.
 */
public class Litert2FunctionalTest {
    private static final Pattern INSTALLED = Pattern.compile(
            "tflite-slim: installed (io\\.tfliteslim:litert:2\\.2\\.0-litert2-slim-[0-9a-f]{12}) into (\\S+)");
    private static final String LITERT = "com.google.ai.edge.litert";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /**
     * A project on {@code litert:2.2.0} with the stock repository, {@code extra} settings in tfliteSlim, and (with
     * {@code tree}) the stand-in release seeded into the tool's cache; without it nothing can be built there.
     */
    private static Fixture project(File dir, boolean tree, String extra) throws Exception {
        Fixture f = new Fixture("substitution", dir).models(".", "add=src/main/assets/add.tflite");
        Fixture.python(Arrays.asList(Fixture.PYTHON, "-c", "import sys; sys.path.insert(0, sys.argv[1])\n"
                + "from pathlib import Path\n"
                + "from standin.litert2stock import stock_repository, seed_cache\n"
                + "from standin.litert2cmake import make_litert2_cmake_tree\n"
                + "stock_repository(Path(sys.argv[2]), '2.2.0')\n"
                + (tree ? "seed_cache(Path(sys.argv[3]), '2.2.0', lambda d: make_litert2_cmake_tree(d, '2.2.0'))\n" : ""),
                new File(Fixture.REPO_ROOT, "tests").getPath(), f.file("stock-repo").getPath(), f.file("cache").getPath()));
        f.write("build.gradle", "plugins {\n    id 'io.tfliteslim'\n}\n"
                + "tfliteSlim {\n    cacheDir = file('cache')\n"
                + "    targetAbis = ['linux-x86_64']\n" + extra + "}\n"
                + "repositories {\n    maven { url file('stock-repo') }\n}\n"
                + "configurations {\n    app\n}\n"
                + "dependencies {\n    app '" + LITERT + ":litert:2.2.0'\n}\n"
                + "task printResolved {\n    doLast {\n"
                + "        configurations.app.incoming.resolutionResult.allComponents.collect { it.id.displayName }.sort()"
                + ".each { println \"resolved: $it\" }\n    }\n}\n");
        return f;
    }

    @Test
    public void theDropInIsBuiltSubstitutedAndVerified() throws Exception {
        Fixture f = project(temp.getRoot(), true, "    repository = file('m2')\n");

        BuildResult built = f.build("tfliteSlim", "printResolved");
        assertEquals(TaskOutcome.SUCCESS, built.task(":tfliteSlim").getOutcome());
        String out = built.getOutput();
        Matcher m = INSTALLED.matcher(out);
        assertTrue(out, m.find());
        String runtime = m.group(1);
        assertTrue(out, out.contains("built: LiteRT 2.2.0 (2.2.0)"));
        // litert is the drop-in; litert-api (its POM's dependency) stays the stock one; no warning about either.
        assertTrue(out, out.contains("resolved: " + runtime + "\n"));
        assertTrue(out, out.contains("resolved: " + LITERT + ":litert-api:2.2.0\n"));
        assertFalse(out, out.contains("resolved: " + LITERT + ":litert:2.2.0\n"));
        assertFalse(out, out.contains("is LiteRT's 2.x CompiledModel runtime"));
        assertTrue(f.read("build/tflite-slim/coordinates.json"), f.read("build/tflite-slim/coordinates.json")
                .contains("\"replaces\": \"" + LITERT + ":litert:2.2.0\""));

        assertEquals(TaskOutcome.SUCCESS, f.build("tfliteVerify").task(":tfliteVerify").getOutcome());
        // A model needing ops the runtime lacks fails at verify, never on a phone.
        f.models(".", "conv=src/main/assets/conv.tflite");
        BuildResult failed = f.fail("tfliteVerify");
        assertEquals(TaskOutcome.FAILED, failed.task(":tfliteVerify").getOutcome());
        assertTrue(failed.getOutput(), failed.getOutput().contains("CONV_2D version 3: needed by src/main/assets/conv.tflite"));
    }

    /**
     * The team flow: CI deploys the drop-in (its POM with the stock dependencies) to a Maven repository over HTTP
     * (a small file-backed server on 127.0.0.1); a developer with no tree gets the same coordinates from
     * `tflite-slim plan`, tfliteVerify reads the deployed ops.json, and the app resolves the deployed drop-in.
     */
    @Test
    public void ciDeploysTheDropInAndADeveloperResolvesIt() throws Exception {
        File served = temp.newFolder("served");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/maven/", exchange -> TeamFlowFunctionalTest.serve(
                exchange, served, exchange.getRequestURI().getPath().substring("/maven/".length())));
        server.start();
        try {
            String team = "    repositoryUrl = 'http://127.0.0.1:" + server.getAddress().getPort() + "/maven'\n"
                    + "    allowInsecureProtocol = true\n";
            // CI installs into its own directory, never the machine's ~/.m2 (a test must not write there).
            Fixture ci = project(temp.newFolder("ci"), true, team + "    repository = file('m2')\n");
            BuildResult published = ci.build("tfliteSlimPublish");
            assertEquals(TaskOutcome.SUCCESS, published.task(":tfliteSlimPublish").getOutcome());
            Matcher m = INSTALLED.matcher(published.getOutput());
            assertTrue(published.getOutput(), m.find());
            String runtime = m.group(1);
            String version = runtime.substring(runtime.lastIndexOf(':') + 1);
            String base = "io/tfliteslim/litert/" + version + "/litert-" + version;
            assertTrue(new File(served, base + ".aar").isFile());
            String pom = new String(Files.readAllBytes(new File(served, base + ".pom").toPath()), "UTF-8");
            assertTrue(pom, pom.contains("<artifactId>litert-api</artifactId>") && pom.contains("<version>2.2.0</version>"));
            assertTrue(new File(ci.dir, "m2/" + base + ".aar").isFile());

            Fixture dev = project(temp.newFolder("dev"), false, team);
            BuildResult app = dev.build("tfliteVerify", "printResolved");
            assertEquals(TaskOutcome.SUCCESS, app.task(":tfliteSlimPlan").getOutcome());
            assertEquals(TaskOutcome.SUCCESS, app.task(":tfliteVerify").getOutcome());
            String out = app.getOutput();
            assertTrue(out, out.contains("resolved: " + runtime + "\n"));
            assertTrue(out, out.contains("resolved: " + LITERT + ":litert-api:2.2.0\n"));
            assertFalse(out, out.contains("resolved: " + LITERT + ":litert:2.2.0\n"));
        } finally {
            server.stop(0);
        }
    }
}
