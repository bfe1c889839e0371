package io.tfliteslim.gradle;

import io.tfliteslim.gradle.tool.ToolWheel;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.GradleRunner;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * sample-plain-gradle as its README shows it: every {@code $ gradle ...} block
 * is run with this Gradle (Debian's 4.4 here) on a copy of the sample, and every
 * line the block shows must be a line of the output ({@code <...>} stands for
 * what differs per machine). The plugin is applied by id and version from a
 * repository (the published plugin in place of mavenLocal()); the stock
 * runtime's POM comes from a local copy in place of Maven Central, and
 * {@code tfliteSlim} builds with the stand-in Bazel.
 */
public class SamplePlainGradleFunctionalTest {
    private static final File SAMPLE = new File(Fixture.REPO_ROOT, "sample-plain-gradle");
    /** Printed once per machine, when the tool's environment is set up: ProvisioningFunctionalTest checks them. */
    private static final List<String> FIRST_RUN_ONLY = Arrays.asList(
            "tflite-slim: setting up a Python environment", "tflite-slim: Python environment ready");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** A README line as a regex: the text literally, each placeholder as what it stands for. */
    static Pattern linePattern(String line) {
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("<([^<>]+)>").matcher(line);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(line.substring(last, m.start())));
            String name = m.group(1);
            regex.append(name.equals("12 hex") ? "[0-9a-f]{12}" : name.equals("16 hex") ? "[0-9a-f]{16}"
                    : name.equals("X.Y") ? "\\d+\\.\\d+" : ".+");
            last = m.end();
        }
        regex.append(Pattern.quote(line.substring(last)));
        return Pattern.compile(regex.toString());
    }

    /** The README's console blocks as commands, each with the lines it prints. */
    static List<List<String>> commands(String readme) {
        List<List<String>> commands = new ArrayList<>();
        Matcher block = Pattern.compile("```console\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (block.find()) {
            for (String line : block.group(1).split("\n")) {
                if (line.startsWith("$ ")) {
                    commands.add(new ArrayList<>(Arrays.asList(line)));
                } else {
                    commands.get(commands.size() - 1).add(line);
                }
            }
        }
        return commands;
    }

    @Test
    public void placeholdersMatchOnlyWhatTheyStandFor() {
        assertTrue(linePattern("a 2.16.1-slim-<12 hex> in <repository>").matcher("a 2.16.1-slim-0123456789ab in /x/m2").matches());
        assertTrue(!linePattern("a 2.16.1-slim-<12 hex>").matcher("a 2.16.1-slim-0123456789abc").matches());
        assertTrue(!linePattern("py<X.Y>").matcher("py3").matches());
        assertTrue(!linePattern("a.b").matcher("axb").matches());
    }

    @Test
    public void theReadmeRunsAsShown() throws Exception {
        String readme = new String(Files.readAllBytes(new File(SAMPLE, "README.md").toPath()), StandardCharsets.UTF_8);
        String version = ToolWheel.bundled().version;
        String buildScript = new String(Files.readAllBytes(new File(SAMPLE, "build.gradle").toPath()), StandardCharsets.UTF_8);
        // The version a newcomer applies is the one version of the plugin and its tool.
        assertTrue(buildScript, buildScript.contains("id 'io.tfliteslim' version '" + version + "'"));
        assertTrue(readme.contains("for tflite-slim " + version + " (once)"));

        Fixture f = new Fixture(SAMPLE, temp.getRoot());
        String settings = f.read("settings.gradle");
        assertTrue(settings, settings.contains("        mavenLocal()\n"));
        f.write("settings.gradle", settings.replace("        mavenLocal()\n",
                "        maven { url '" + new File(System.getProperty("tfliteSlim.testRepo")).toURI() + "' }\n"));
        assertTrue(buildScript.contains("    mavenCentral()\n"));
        f.write("build.gradle", buildScript.replace("    mavenCentral()\n",
                "    maven { url '" + new File(Fixture.FIXTURES, "substitution/stock-repo").toURI() + "' }\n"));

        List<List<String>> commands = commands(readme);
        assertEquals(Arrays.asList("$ gradle tfliteReport", "$ gradle tfliteSlimPlan", "$ gradle tfliteVerify",
                "$ gradle dependencies --configuration runtimeClasspath", "$ gradle tfliteSlim",
                "$ gradle dependencies --configuration runtimeClasspath", "$ gradle tfliteVerify"),
                commands.stream().map(c -> c.get(0)).collect(java.util.stream.Collectors.toList()));
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(Arrays.asList(command.get(0).substring("$ gradle ".length()).split(" ")));
            if (args.get(0).equals("tfliteSlim")) {
                // The native build: the stand-in Bazel on a stand-in checkout, installing into the project.
                f.tensorflowWorkspace("tf");
                f.write("build.gradle", f.read("build.gradle") + "\ntfliteSlim { source = file('tf'); bazel = '"
                        + new File(Fixture.REPO_ROOT, "tests/standin/bazel").getAbsolutePath() + "'; repository = file('m2') }\n");
            }
            args.addAll(Arrays.asList("--offline", "-P" + ProjectDefaults.PYTHON_PROPERTY + "=" + Fixture.PYTHON));
            BuildResult result = GradleRunner.create()
                    .withGradleInstallation(new File(System.getProperty("tfliteSlim.testkit.gradleHome")))
                    .withTestKitDir(new File(System.getProperty("tfliteSlim.testkit.dir")))
                    .withProjectDir(f.dir)
                    .withArguments(args)
                    .build();
            List<String> output = Arrays.asList(result.getOutput().split("\n"));
            for (String shown : command.subList(1, command.size())) {
                if (FIRST_RUN_ONLY.stream().anyMatch(shown::startsWith)) {
                    continue;
                }
                Pattern p = linePattern(shown);
                if (output.stream().noneMatch(line -> p.matcher(line).matches())) {
                    fail(command.get(0) + ": README line not in the output:\n" + shown + "\n--- output:\n" + result.getOutput());
                }
            }
        }
    }
}
