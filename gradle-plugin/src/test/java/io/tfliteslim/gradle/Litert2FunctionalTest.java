package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
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

    @Test
    public void theDropInIsBuiltSubstitutedAndVerified() throws Exception {
        Fixture f = new Fixture("substitution", temp.getRoot()).models(".", "add=src/main/assets/add.tflite");
        Fixture.python(Arrays.asList(Fixture.PYTHON, "-c", "import sys; sys.path.insert(0, sys.argv[1])\n"
                + "from pathlib import Path\n"
                + "from standin.litert2stock import stock_repository, seed_cache\n"
                + "from standin.litert2cmake import make_litert2_cmake_tree\n"
                + "stock_repository(Path(sys.argv[2]), '2.2.0')\n"
                + "seed_cache(Path(sys.argv[3]), '2.2.0', lambda d: make_litert2_cmake_tree(d, '2.2.0'))\n",
                new File(Fixture.REPO_ROOT, "tests").getPath(), f.file("stock-repo").getPath(), f.file("cache").getPath()));
        f.write("build.gradle", "plugins {\n    id 'io.tfliteslim'\n}\n"
                + "tfliteSlim {\n    repository = file('m2')\n    cacheDir = file('cache')\n"
                + "    targetAbis = ['linux-x86_64']\n}\n"
                + "repositories {\n    maven { url file('stock-repo') }\n}\n"
                + "configurations {\n    app\n}\n"
                + "dependencies {\n    app '" + LITERT + ":litert:2.2.0'\n}\n"
                + "task printResolved {\n    doLast {\n"
                + "        configurations.app.incoming.resolutionResult.allComponents.collect { it.id.displayName }.sort()"
                + ".each { println \"resolved: $it\" }\n    }\n}\n");

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
}
