package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The README's {@code tfliteSlim { ... }} examples, copied as they are into a build script: valid
 * Groovy DSL on the extension's real property names, and each setting reaches the tool's command line.
 */
public class ReadmeExamplesFunctionalTest {
    private static final Pattern GROOVY_BLOCK = Pattern.compile("```groovy\n(tfliteSlim \\{\n.*?\n})\n```", Pattern.DOTALL);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    static List<String> examples() throws Exception {
        String readme = new String(Files.readAllBytes(new File(Fixture.REPO_ROOT, "README.md").toPath()), StandardCharsets.UTF_8);
        List<String> blocks = new ArrayList<>();
        Matcher m = GROOVY_BLOCK.matcher(readme);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** Configures the example and prints the build and plan argv the tasks captured (the tool does not run). */
    private BuildResult configure(String example, String name) throws Exception {
        Fixture f = new Fixture("plain", temp.newFolder(name));
        f.write("build.gradle", f.read("build.gradle") + "\n" + example + "\n"
                + "task printArgs {\n    doLast {\n"
                + "    println 'ARGV-BUILD ' + tasks.getByName('tfliteSlim').buildArgs.drop(3).join(' ')\n"
                + "    println 'ARGV-PLAN ' + tasks.getByName('tfliteSlimPlan').planArgs.drop(3).join(' ')\n"
                + "}\n}\n");
        return f.build("printArgs");
    }

    private static String line(BuildResult result, String prefix) {
        for (String l : result.getOutput().split("\n")) {
            if (l.startsWith(prefix)) {
                return l.substring(prefix.length());
            }
        }
        throw new AssertionError("no " + prefix + "line in\n" + result.getOutput());
    }

    @Test
    public void theSettingsAndTeamFlowExamplesConfigure() throws Exception {
        List<String> examples = examples();
        assertEquals("the Settings and Team flow examples", 2, examples.size());

        String build = line(configure(examples.get(0), "settings"), "ARGV-BUILD ");
        for (String expected : new String[]{"--target-archs arm64-v8a", "--source /src/tensorflow", "--tensorflow-version 2.16.1",
                "--litert-version 1.0.1", "--backend docker", "--checkpoint v2.16.1", "--bazel bazelisk", "--bazel-arg=--jobs=8",
                "--docker /usr/bin/docker", "--cache-dir /var/cache/tflite-slim", "--align-16kb", "--alignment-check error",
                "--custom-ops-dep @some_repo//:lib", "--no-experimental-api"}) {
            assertTrue(expected + " in " + build, build.contains(expected));
        }
        assertTrue(build, build.matches(".*--custom-ops-src \\S*cpp/my_op.cc.*"));

        BuildResult team = configure(examples.get(1), "team");
        assertTrue(line(team, "ARGV-BUILD "), line(team, "ARGV-BUILD ").contains("--tensorflow-version 2.16.1"));
        assertTrue(line(team, "ARGV-PLAN "), line(team, "ARGV-PLAN ").endsWith("--version 2024.11-app --format json -o "
                + new File(temp.getRoot(), "team/build/tflite-slim/plan.json").getAbsolutePath()));
    }
}
