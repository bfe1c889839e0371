package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The app resolves the slim runtime instead of the stock one, including when
 * tensorflow-lite arrives transitively (through tensorflow-lite-support).
 */
public class SubstitutionFunctionalTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static List<String> resolved(BuildResult result) {
        List<String> ids = new ArrayList<>();
        for (String line : result.getOutput().split("\n")) {
            if (line.startsWith("resolved: ")) {
                ids.add(line.substring("resolved: ".length()).trim());
            }
        }
        return ids;
    }

    private static final String SLIM_POM = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
            + "<groupId>io.tfliteslim</groupId><artifactId>tensorflow-lite</artifactId><version>2.16.1-slim-0123456789ab</version>"
            + "<packaging>aar</packaging></project>\n";

    @Test
    public void stockRuntimeBeforeTfliteSlimRanThenTheSlimOne() throws Exception {
        Fixture f = new Fixture("substitution", temp.getRoot());

        BuildResult before = f.build("printResolved");
        assertEquals(Arrays.asList("org.tensorflow:tensorflow-lite-select-tf-ops:2.16.1",
                "org.tensorflow:tensorflow-lite-support:0.4.4", "org.tensorflow:tensorflow-lite:2.16.1",
                "project :"), sorted(resolved(before)));
        assertTrue(before.getOutput(), before.getOutput().contains(
                "coordinates.json not found, so the app resolves the stock TensorFlow Lite runtime; "
                        + "run `gradle tfliteSlim` to build and use the slim one"));

        // What `tflite-slim install --coordinates-out` writes (contract 3), and the installed POM.
        f.write("m2/io/tfliteslim/tensorflow-lite/2.16.1-slim-0123456789ab/tensorflow-lite-2.16.1-slim-0123456789ab.pom", SLIM_POM);
        f.write("build/tflite-slim/coordinates.json", "{\"repository\": \"" + f.file("m2").getAbsolutePath() + "\","
                + " \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\", \"version\": \"2.16.1-slim-0123456789ab\"},"
                + " \"select_tf_ops\": null}");

        // Direct and transitive requests, and the unused Flex AAR, all become the one slim runtime.
        BuildResult after = f.build("printResolved");
        assertEquals(Arrays.asList("io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab",
                "org.tensorflow:tensorflow-lite-support:0.4.4", "project :"), sorted(resolved(after)));
    }

    private static final String VERSION = "2.16.1-slim-0123456789ab";

    /** One slim runtime version in a Maven directory: POM, AAR (with {@code marker} as its bytes), ops.json. */
    private static void publish(Fixture f, String repo, String marker, boolean withOps) throws Exception {
        String dir = repo + "/io/tfliteslim/tensorflow-lite/" + VERSION + "/tensorflow-lite-" + VERSION;
        f.write(dir + ".pom", SLIM_POM);
        f.write(dir + ".aar", marker);
        if (withOps) {
            f.write(dir + "-ops.json", "{}");
        }
    }

    @Test
    public void anEarlierRepositoryWithTheSameCoordinatesIsNotUsed() throws Exception {
        Fixture f = new Fixture("substitution", temp.getRoot());
        // The project declares another repository (before the plugin's afterEvaluate) that serves
        // the same coordinates with other bytes, and the ops.json tfliteVerify would read.
        f.write("build.gradle", f.read("build.gradle")
                + "\nrepositories { maven { url file('evil') } }\n"
                + "task printFiles { doLast { configurations.app.files.sort().each { println \"file: ${it.text} ${it}\" } } }\n");
        publish(f, "evil", "evil bytes", true);
        publish(f, "m2", "slim bytes", false);
        // The support library stays stock; its POM says packaging aar, as Maven Central's does, so its AAR is fetched.
        f.write("stock-repo/org/tensorflow/tensorflow-lite-support/0.4.4/tensorflow-lite-support-0.4.4.aar", "stock support bytes");
        f.write("build/tflite-slim/coordinates.json", "{\"repository\": \"" + f.file("m2").getAbsolutePath() + "\","
                + " \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\", \"version\": \"" + VERSION + "\"},"
                + " \"select_tf_ops\": null}");

        BuildResult result = f.build("printFiles");
        assertTrue(result.getOutput(), result.getOutput().contains("file: slim bytes " + f.file("m2").getAbsolutePath()));
        assertTrue(result.getOutput(), !result.getOutput().contains("evil bytes"));

        // tfliteVerify reads ops.json from the install directory only: missing there is an error,
        // whatever another repository serves.
        BuildResult verify = f.fail("tfliteVerify");
        assertTrue(verify.getOutput(), verify.getOutput().contains("tfliteVerify: io.tfliteslim:tensorflow-lite:" + VERSION
                + " is not in " + f.file("m2").getAbsolutePath() + " (no tensorflow-lite-" + VERSION + "-ops.json), "
                + "the repository tfliteSlim installed it into: run `gradle tfliteSlim` to install it again"));

        // Gone from the install directory: an error, never a fallback to the next repository.
        f.deleteTree("m2");
        BuildResult gone = f.fail("printFiles");
        assertTrue(gone.getOutput(), gone.getOutput().contains("tflite-slim: io.tfliteslim:tensorflow-lite:" + VERSION
                + " is not in " + f.file("m2").getAbsolutePath() + ", the repository tfliteSlim installed it into"));
        assertTrue(gone.getOutput(), !gone.getOutput().contains("evil bytes"));
    }

    /** A stock POM as Google Maven serves LiteRT's (packaging aar; its dependencies left out). */
    private static String stockPom(String group, String artifact, String version) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">"
                + "<modelVersion>4.0.0</modelVersion><groupId>" + group + "</groupId><artifactId>" + artifact
                + "</artifactId><version>" + version + "</version><packaging>aar</packaging></project>\n";
    }

    /**
     * LiteRT 2.x (the CompiledModel runtime) is never replaced by the 1.x-line slim runtime, even with one
     * installed: the app keeps it, and is told why once per module,
     * however many configurations resolve it. TensorFlow Lite beside it still gets the slim runtime.
     */
    @Test
    public void liteRtTwoXIsKeptWithOneWarning() throws Exception {
        Fixture f = new Fixture("substitution", temp.getRoot());
        String litert = "com.google.ai.edge.litert";
        f.write("stock-repo/com/google/ai/edge/litert/litert/2.0.2/litert-2.0.2.pom", stockPom(litert, "litert", "2.0.2"));
        f.write("build.gradle", f.read("build.gradle")
                + "\nconfigurations { other }\n"
                + "dependencies { app '" + litert + ":litert:2.0.2'; other '" + litert + ":litert:2.0.2' }\n"
                + "task printBoth { doLast { [configurations.app, configurations.other].each { c -> "
                + "c.incoming.resolutionResult.allComponents.each { println \"${c.name}: ${it.id.displayName}\" } } } }\n");
        publish(f, "m2", "slim bytes", false);
        f.write("build/tflite-slim/coordinates.json", "{\"repository\": \"" + f.file("m2").getAbsolutePath() + "\","
                + " \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\", \"version\": \"" + VERSION + "\"},"
                + " \"select_tf_ops\": null}");

        String out = f.build("printBoth").getOutput();
        assertTrue(out, out.contains("app: " + litert + ":litert:2.0.2") && out.contains("other: " + litert + ":litert:2.0.2"));
        assertTrue(out, out.contains("app: io.tfliteslim:tensorflow-lite:" + VERSION)
                && !out.contains("app: org.tensorflow:tensorflow-lite:"));
        String warning = "tfliteSlim: " + litert + ":litert:2.0.2 is LiteRT's 2.x CompiledModel runtime (or a version not "
                + "on the 1.x line), and no trimmed runtime for it is installed, so it is left as is: the app keeps the "
                + "stock runtime. `gradle tfliteSlim` builds the drop-in for litert 2.1.6 and 2.2.0 (libLiteRt.so with "
                + "only the app's ops; docs/litert2.md); other 2.x releases are not trimmed: use 2.1.6+ or the 1.x "
                + "Interpreter API line (" + litert + ":litert:1.4.1), or remove the tfliteSlim plugin.";
        assertEquals(out, 1, out.split(java.util.regex.Pattern.quote(warning), -1).length - 1);
    }

    private static List<String> sorted(List<String> ids) {
        List<String> copy = new ArrayList<>(ids);
        java.util.Collections.sort(copy);
        return copy;
    }
}
