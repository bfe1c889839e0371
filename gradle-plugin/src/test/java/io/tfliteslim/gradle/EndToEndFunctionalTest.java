package io.tfliteslim.gradle;

import groovy.json.JsonSlurper;
import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/**
 * tfliteSlim -> tfliteVerify through the real Python tool, with the build
 * stream's stand-in bazel for the native compile, on the Android-shaped
 * fixture (models from every source set's assets, ABIs from abiFilters).
 */
public class EndToEndFunctionalTest {
    private static final Pattern INSTALLED = Pattern.compile(
            "tflite-slim: installed (io\\.tfliteslim:tensorflow-lite:2\\.16\\.1-slim-[0-9a-f]{12}) into (\\S+)");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static String installed(BuildResult result) {
        Matcher m = INSTALLED.matcher(result.getOutput());
        assertTrue(result.getOutput(), m.find());
        return m.group(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    public void slimThenUpToDateThenVerifyBeforePreBuild() throws Exception {
        Fixture f = new Fixture("android-shaped", temp.getRoot())
                .tensorflowWorkspace("tf")
                .models(".", "add=src/main/assets/add.tflite", "add_other_weights=src/free/assets/nested/add2.tflite");

        BuildResult first = f.build("tfliteSlim");
        assertEquals(TaskOutcome.SUCCESS, first.task(":tfliteReport").getOutcome());
        assertEquals(TaskOutcome.SUCCESS, first.task(":tfliteSlim").getOutcome());
        String runtime = installed(first);
        String version = runtime.substring(runtime.lastIndexOf(':') + 1);
        assertTrue(first.getOutput(), first.getOutput().contains("into " + f.file("m2").getAbsolutePath()));

        // The build record: the models of main and of the free flavor, the ABIs of abiFilters.
        Map<String, Object> record = (Map<String, Object>) new JsonSlurper().parseText(f.read("build/tflite-slim/out/ops.json"));
        assertEquals(Arrays.asList("arm64-v8a", "x86_64"), record.get("abis"));
        List<Map<String, Object>> models = (List<Map<String, Object>>) record.get("models");
        assertEquals("src/free/assets/nested/add2.tflite", models.get(0).get("path"));
        assertEquals("src/main/assets/add.tflite", models.get(1).get("path"));
        assertEquals(2, models.size());
        assertTrue(f.file("m2/io/tfliteslim/tensorflow-lite/" + version + "/tensorflow-lite-" + version + ".aar").isFile());

        assertEquals(TaskOutcome.UP_TO_DATE, f.build("tfliteSlim").task(":tfliteSlim").getOutcome());

        // A damaged coordinates file is rewritten, not an error.
        f.write("build/tflite-slim/coordinates.json", "garbage");
        assertEquals(TaskOutcome.SUCCESS, f.build("tfliteSlim").task(":tfliteSlim").getOutcome());
        assertTrue(f.read("build/tflite-slim/coordinates.json").contains(version));

        // The installed artifacts are outputs too: gone from the repository means run again.
        f.deleteTree("m2");
        assertEquals(TaskOutcome.SUCCESS, f.build("tfliteSlim").task(":tfliteSlim").getOutcome());

        // Weights-only change: the task runs, the tool's cache skips the native build, same version.
        f.models(".", "add=src/free/assets/nested/add2.tflite");
        BuildResult weights = f.build("tfliteSlim");
        assertEquals(TaskOutcome.SUCCESS, weights.task(":tfliteSlim").getOutcome());
        assertTrue(weights.getOutput(), weights.getOutput().contains("reused from cache: plan " + version.substring(version.length() - 12)));
        assertEquals(runtime, installed(weights));

        // The app's build checks the models against the runtime it resolves first.
        BuildResult app = f.build("assembleDebug");
        assertEquals(TaskOutcome.SUCCESS, app.task(":tfliteVerify").getOutcome());
        assertEquals(TaskOutcome.SUCCESS, app.task(":preBuild").getOutcome());
        assertTrue(app.getOutput(), app.getOutput().contains("tflite-slim: " + runtime + " carries every op of 2 model(s)"));
        assertEquals(TaskOutcome.UP_TO_DATE, f.build("assembleDebug").task(":tfliteVerify").getOutcome());

        // A model needing more than the runtime carries: the build stops, listing each op and its model.
        f.models(".", "conv=src/freeDebug/assets/conv.tflite");
        BuildResult failed = f.fail("assembleDebug");
        assertEquals(TaskOutcome.FAILED, failed.task(":tfliteVerify").getOutcome());
        assertNull(failed.task(":preBuild"));
        String out = failed.getOutput();
        assertTrue(out, out.contains("tfliteVerify: the slim runtime " + runtime + " does not cover the models:\n"));
        assertTrue(out, out.contains("  ADD version 2: needed by src/freeDebug/assets/conv.tflite\n"
                + "  CONV_2D version 3: needed by src/freeDebug/assets/conv.tflite\n"));
        assertTrue(out, out.contains("Run `gradle tfliteSlim` to rebuild it for the current models."));

        // Switched off, the app's build does not run it.
        f.write("build.gradle", f.read("build.gradle") + "\ntfliteSlim { verify = false }\n");
        BuildResult off = f.build("assembleDebug");
        assertNull(off.task(":tfliteVerify"));
        // Asked for by name, it still checks.
        assertEquals(TaskOutcome.FAILED, f.fail("tfliteVerify").task(":tfliteVerify").getOutcome());

        // Rebuilt for the current models: a new version that covers them.
        f.write("build.gradle", f.read("build.gradle").replace("verify = false", "verify = true"));
        BuildResult rebuilt = f.build("tfliteSlim", "assembleDebug");
        assertFalse(installed(rebuilt).equals(runtime));
        assertEquals(TaskOutcome.SUCCESS, rebuilt.task(":tfliteVerify").getOutcome());
    }

    @Test
    public void flexModelInstallsBothAarsAndTheAppResolvesThem() throws Exception {
        Fixture f = new Fixture("android-shaped", temp.getRoot())
                .tensorflowWorkspace("tf")
                .models(".", "flex=src/main/assets/flex.tflite");
        BuildResult result = f.build("tfliteSlim", "printAppFiles");
        String runtime = installed(result);
        String version = runtime.substring(runtime.lastIndexOf(':') + 1);
        assertTrue(result.getOutput(), result.getOutput().contains(
                "tflite-slim: installed io.tfliteslim:tensorflow-lite-select-tf-ops:" + version + " into " + f.file("m2").getAbsolutePath()));
        // Substituted in the same invocation that installed them, and resolved as real AARs.
        assertTrue(result.getOutput(), result.getOutput().contains(
                "app file: tensorflow-lite-" + version + ".aar\napp file: tensorflow-lite-select-tf-ops-" + version + ".aar\n"));
    }

    @Test
    public void missingToolchainSaysWhatAndThatTheReportWorks() throws Exception {
        Fixture f = new Fixture("android-shaped", temp.getRoot()).models(".", "add=src/main/assets/add.tflite");
        // No tf/ checkout made.
        BuildResult result = f.fail("tfliteSlim");
        String out = result.getOutput();
        assertTrue(out, out.contains("tflite-slim build failed (exit 2): "));
        assertTrue(out, out.contains(new File(f.dir, "tf").getAbsolutePath()));
        assertTrue(out, out.contains("`gradle tfliteReport` shows the models' ops without any toolchain."));
        // The report, which needs no toolchain, ran first and is there.
        assertEquals(TaskOutcome.SUCCESS, result.task(":tfliteReport").getOutcome());
        assertTrue(f.file("build/reports/tflite-slim/ops.json").isFile());
    }

    @Test
    public void freshCloneWithoutARuntimeWarnsUnlessRequired() throws Exception {
        Fixture f = new Fixture("android-shaped", temp.getRoot()).models(".", "add=src/main/assets/add.tflite");
        // No toolchain, nothing deployed: the app still builds (stock runtime), and the log says what to run.
        BuildResult result = f.build("assembleDebug");
        assertEquals(TaskOutcome.SUCCESS, result.task(":preBuild").getOutcome());
        assertTrue(result.getOutput(), result.getOutput().contains(
                "tflite-slim: no slim runtime for this project yet (build/tflite-slim/coordinates.json is missing), "
                        + "so the app builds with the stock TensorFlow Lite runtime. Run `gradle tfliteSlim` (needs Android Studio's NDK and CMake, or Bazel or Docker), "
                        + "or set tfliteSlim.repositoryUrl (and runtimeVersion) to use the runtime CI deployed; "
                        + "set tfliteSlim.required = true to make this an error"));
        // Not recorded as verified: it says so again next time.
        assertEquals(TaskOutcome.SUCCESS, f.build("assembleDebug").task(":tfliteVerify").getOutcome());

        f.write("build.gradle", f.read("build.gradle") + "\ntfliteSlim { required = true }\n");
        BuildResult required = f.fail("assembleDebug");
        assertTrue(required.getOutput(), required.getOutput().contains(
                "tfliteVerify: no slim runtime for this project yet (build/tflite-slim/coordinates.json is missing), "
                        + "and tfliteSlim.required is set. Run `gradle tfliteSlim`"));
    }

    @Test
    public void customOpWithoutKernelGetsTheCustomOpAdviceNotTheToolchainOne() throws Exception {
        Fixture f = new Fixture("android-shaped", temp.getRoot())
                .tensorflowWorkspace("tf")
                .models(".", "custom=src/main/assets/custom.tflite");
        BuildResult result = f.fail("tfliteSlim");
        String out = result.getOutput();
        // tfliteReport ran first and marked the op.
        assertTrue(out, out.contains("  * custom op MyOp needs a kernel: give a source defining "
                + "tflite::ops::custom::Register_MY_OP() (tfliteSlim.customOpsSrcs / --custom-ops-srcs)"));
        assertTrue(out, out.contains("tflite-slim build failed (exit 2): custom op(s) without a kernel in TensorFlow Lite: MyOp (Register_MY_OP)"));
        assertTrue(out, out.contains("add their C++ sources to tfliteSlim.customOpsSrcs (and their Bazel deps to "
                + "tfliteSlim.customOpsDeps); the sources must define tflite::ops::custom::Register_MY_OP()."));
        assertFalse(out, out.contains("The native build needs"));
    }
}
