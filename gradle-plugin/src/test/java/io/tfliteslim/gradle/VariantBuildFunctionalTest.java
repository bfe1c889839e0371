package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Issue 27, deliver 1, in a real Gradle 4.4.1 build (TestKit) on {@link StandInAgp9}: a variant's build runs
 * tfliteVerify<Variant> first (pre<Variant>Build depends on it), although AGP's own variant tasks, the assets merge
 * among them, depend on pre<Variant>Build. The variant's tasks therefore read what the merge reads (the variant's
 * asset folders and its runtime classpath's android-assets), never the merge's output: with the merged assets as
 * their input, pre<Variant>Build -> tfliteVerify<Variant> -> merge<Variant>Assets -> pre<Variant>Build was a cycle.
 */
public class VariantBuildFunctionalTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static String standInClasspath() throws Exception {
        File classes = new File(StandInAgp9.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        File resources = new File(StandInAgp9.class.getResource("/META-INF/gradle-plugins/com.android.application.properties").toURI())
                .getParentFile().getParentFile().getParentFile();
        return classes + File.pathSeparator + resources;
    }

    private static List<String> executed(BuildResult result) {
        List<String> tasks = new ArrayList<>();
        for (org.gradle.testkit.runner.BuildTask t : result.getTasks()) {
            tasks.add(t.getPath());
        }
        return tasks;
    }

    @Test
    public void aVariantsBuildVerifiesFirstWithoutACycle() throws Exception {
        Fixture f = new Fixture("variant-classpaths", temp.newFolder()).models("src/main/assets", "add");
        // The stock runtime the app declares (Gradle resolves the runtime classpath to find the merge's dependencies).
        String stock = "m2/org/tensorflow/tensorflow-lite/2.16.1/tensorflow-lite-2.16.1";
        f.write(stock + ".pom", "<project><modelVersion>4.0.0</modelVersion><groupId>org.tensorflow</groupId>"
                + "<artifactId>tensorflow-lite</artifactId><version>2.16.1</version></project>\n");
        f.write(stock + ".jar", "");
        BuildResult result = f.build("mergeDebugAssets", "tfliteReportDebug", "-Pagp=9", "-PstandInClasspath=" + standInClasspath());
        List<String> tasks = executed(result);
        assertTrue(tasks.toString(), tasks.indexOf(":tfliteVerifyDebug") >= 0
                && tasks.indexOf(":tfliteVerifyDebug") < tasks.indexOf(":preDebugBuild")
                && tasks.indexOf(":preDebugBuild") < tasks.indexOf(":mergeDebugAssets"));
        // Only debug's: never release's verify or merge.
        assertTrue(tasks.toString(), !tasks.contains(":tfliteVerifyRelease") && !tasks.contains(":mergeReleaseAssets"));
        assertEquals(TaskOutcome.SUCCESS, result.task(":tfliteReportDebug").getOutcome());
        assertTrue(result.getOutput(), result.getOutput().contains("src/main/assets/add.tflite"));
        // No slim runtime yet: the variant's check warns and the build goes on with the stock runtime.
        assertTrue(result.getOutput(), result.getOutput().contains("tflite-slim: no slim runtime for this project yet"));
    }
}
