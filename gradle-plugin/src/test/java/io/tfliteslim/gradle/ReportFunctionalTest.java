package io.tfliteslim.gradle;

import groovy.json.JsonSlurper;
import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** tfliteReport through the real Python tool, on a plain (non-Android) project. */
public class ReportFunctionalTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    @SuppressWarnings("unchecked")
    public void writesTheOpReportThenIsUpToDate() throws Exception {
        Fixture f = new Fixture("plain", temp.getRoot()).models("src/main/assets", "add", "conv=nested/conv.tflite");

        BuildResult first = f.build("tfliteReport");
        assertEquals(TaskOutcome.SUCCESS, first.task(":tfliteReport").getOutcome());
        Map<String, Object> report = (Map<String, Object>) new JsonSlurper().parseText(f.read("build/reports/tflite-slim/ops.json"));
        List<Map<String, Object>> models = (List<Map<String, Object>>) report.get("models");
        // Paths as the plugin passes them: relative to the project, sorted.
        assertEquals(Arrays.asList("src/main/assets/add.tflite", "src/main/assets/nested/conv.tflite"),
                Arrays.asList(models.get(0).get("path"), models.get(1).get("path")));
        Map<String, Object> union = (Map<String, Object>) report.get("union");
        assertEquals("{ADD=[1, 2], CONV_2D=[3]}", union.get("builtin_ops").toString());
        assertTrue(f.read("build/reports/tflite-slim/ops.html").contains("CONV_2D"));
        // The console shows the union table.
        assertTrue(first.getOutput(), first.getOutput().contains("union of 2 models"));

        assertEquals(TaskOutcome.UP_TO_DATE, f.build("tfliteReport").task(":tfliteReport").getOutcome());

        // A new model is an input change.
        f.models("src/main/assets", "add_other_weights");
        assertEquals(TaskOutcome.SUCCESS, f.build("tfliteReport").task(":tfliteReport").getOutcome());
    }

    @Test
    public void noModelsSaysWhereItLooked() throws Exception {
        Fixture f = new Fixture("plain", temp.getRoot());
        BuildResult result = f.fail("tfliteReport");
        assertTrue(result.getOutput(), result.getOutput().contains(
                "No TensorFlow Lite models found in src/main/assets (include [**/*.tflite]): "
                        + "put your .tflite files there or set tfliteSlim.models / tfliteSlim.include"));
    }

    @Test
    public void missingPythonSaysHowToInstall() throws Exception {
        Fixture f = new Fixture("plain", temp.getRoot()).models("src/main/assets", "add");
        f.write("build.gradle", f.read("build.gradle") + "\ntfliteSlim { python = 'no-such-python3' }\n");
        BuildResult result = f.fail("tfliteReport");
        assertTrue(result.getOutput(), result.getOutput().contains(
                "Python 3.9+ with tflite-slim not found: 'no-such-python3' cannot be run"));
        assertTrue(result.getOutput(), result.getOutput().contains(
                "Set tfliteSlim.python (or -PtfliteSlim.python=...) to a Python 3.9+ interpreter (the plugin installs its tflite-slim"));
        assertFalse(result.getOutput(), result.getOutput().contains("pip install " + "tflite-slim"));
    }

    /**
     * Issue 29.10: the tool runs in the project directory, which {@code python -m} would put first on
     * sys.path: a {@code json.py} there replaced the standard library's, a {@code tflite_slim/} there
     * replaced the tool. Neither may run.
     */
    @Test
    public void moduleFilesInTheProjectDirectoryAreNotImported() throws Exception {
        Fixture f = new Fixture("plain", temp.getRoot()).models("src/main/assets", "add");
        f.write("json.py", "open('hijacked-by-json', 'w').close()\nraise SystemExit(42)\n");
        BuildResult json = f.build("tfliteReport");
        assertEquals(TaskOutcome.SUCCESS, json.task(":tfliteReport").getOutcome());
        assertFalse("json.py in the project dir was imported", f.file("hijacked-by-json").exists());

        f.deleteTree("json.py");
        f.deleteTree("build");
        f.write("tflite_slim/__init__.py", "__version__ = '0'\n");
        f.write("tflite_slim/__main__.py", "open('hijacked-by-package', 'w').close()\n");
        BuildResult tool = f.build("tfliteReport");
        assertEquals(TaskOutcome.SUCCESS, tool.task(":tfliteReport").getOutcome());
        assertFalse("tflite_slim/ in the project dir ran instead of the tool", f.file("hijacked-by-package").exists());
        assertTrue(f.read("build/reports/tflite-slim/ops.json").contains("\"ADD\""));
    }

    /**
     * Issue 27: a model a task of the build writes. {@code models} takes what {@code files()} takes, a task
     * included (its outputs, and a dependency on it), and the model list is read when tfliteReport runs,
     * not when the task graph is ready: on a clean build it failed with "No TensorFlow Lite models found"
     * and passed on the second run. A model added later reruns the task with the new list.
     */
    @Test
    @SuppressWarnings("unchecked")
    public void modelsATaskGeneratesAreFoundOnACleanBuild() throws Exception {
        Fixture f = new Fixture("plain", temp.getRoot()).models("model-src", "add");
        f.write("build.gradle", f.read("build.gradle") + "\n"
                + "task generateModels(type: Copy) {\n    from 'model-src'\n    into \"$buildDir/generated/models\"\n}\n"
                + "tfliteSlim {\n    models generateModels\n}\n");
        BuildResult first = f.build("tfliteReport");
        assertEquals(TaskOutcome.SUCCESS, first.task(":generateModels").getOutcome());
        assertEquals(TaskOutcome.SUCCESS, first.task(":tfliteReport").getOutcome());
        Map<String, Object> report = (Map<String, Object>) new JsonSlurper().parseText(f.read("build/reports/tflite-slim/ops.json"));
        List<Map<String, Object>> models = (List<Map<String, Object>>) report.get("models");
        assertEquals(Arrays.asList("build/generated/models/add.tflite"), Arrays.asList(models.get(0).get("path")));

        f.models("model-src", "conv");
        BuildResult second = f.build("tfliteReport");
        assertEquals(TaskOutcome.SUCCESS, second.task(":tfliteReport").getOutcome());
        report = (Map<String, Object>) new JsonSlurper().parseText(f.read("build/reports/tflite-slim/ops.json"));
        assertEquals(2, ((List<?>) report.get("models")).size());
    }
}
