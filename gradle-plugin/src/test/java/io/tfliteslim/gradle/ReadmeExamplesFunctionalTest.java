package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
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
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The {@code tfliteSlim { ... }} examples of docs/plugin.md (the reference the README links), copied as they
 * are into a build script: valid Groovy DSL on the extension's real property names, each setting reaches the
 * tool's command line, and the whole-configuration examples can be pasted: the plan the plugin computes from
 * them succeeds (the README's "every setting" block once set three releases at once, which the tool refuses).
 */
public class ReadmeExamplesFunctionalTest {
    /** The page the settings reference lives on. */
    static final File PAGE = new File(Fixture.REPO_ROOT, "docs/plugin.md");
    private static final Pattern GROOVY_BLOCK = Pattern.compile("```groovy\n(tfliteSlim \\{\n.*?\n})\n```", Pattern.DOTALL);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    static List<String> examples() throws Exception {
        String page = new String(Files.readAllBytes(PAGE.toPath()), StandardCharsets.UTF_8);
        List<String> blocks = new ArrayList<>();
        Matcher m = GROOVY_BLOCK.matcher(page);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** A project with the example in its build script, a model where the examples look for one, and the custom-op source. */
    private Fixture project(String example, String name) throws Exception {
        Fixture f = new Fixture("plain", temp.newFolder(name));
        byte[] model = Files.readAllBytes(new File(Fixture.REPO_ROOT, "sample-android-app/app/src/main/assets/add.tflite").toPath());
        for (String dir : new String[]{"src/main/assets", "src/main/ml"}) {
            f.file(dir).mkdirs();
            Files.write(f.file(dir + "/add.tflite").toPath(), model);
        }
        f.write("cpp/my_op.cc", "// the app's custom op kernels\n");
        // The interpreter is the harness's (the examples name python3, which has no tflite-slim here).
        f.write("build.gradle", f.read("build.gradle") + "\n" + example + "\n"
                + "tfliteSlim { python = '" + Fixture.PYTHON.replace("\\", "\\\\").replace("'", "\\'") + "' }\n"
                + "task printArgs {\n    doLast {\n"
                + "    println 'ARGV-BUILD ' + tasks.getByName('tfliteSlim').buildArgs.drop(3).join(' ')\n"
                + "    println 'ARGV-PLAN ' + tasks.getByName('tfliteSlimPlan').planArgs.drop(3).join(' ')\n"
                + "}\n}\n");
        return f;
    }

    private static String line(BuildResult result, String prefix) {
        for (String l : result.getOutput().split("\n")) {
            if (l.startsWith(prefix)) {
                return l.substring(prefix.length());
            }
        }
        throw new AssertionError("no " + prefix + "line in\n" + result.getOutput());
    }

    private static void assertHas(String argv, String... expected) {
        for (String e : expected) {
            assertTrue(e + " in " + argv, argv.contains(e));
        }
    }

    /** The plan of the example, as tfliteSlimPlan computes it: the tool accepts the settings together. */
    private static void assertPlans(Fixture f) throws Exception {
        BuildResult plan = f.build("tfliteSlimPlan");
        assertEquals(plan.getOutput(), TaskOutcome.SUCCESS, plan.task(":tfliteSlimPlan").getOutcome());
        assertTrue(f.file("build/tflite-slim/plan.json").isFile());
    }

    @Test
    public void theSettingsAndTeamFlowExamplesConfigure() throws Exception {
        List<String> examples = examples();
        assertEquals("every setting (CMake), Bazel, Docker, offline, team flow", 5, examples.size());

        Fixture every = project(examples.get(0), "every");
        String build = line(every.build("printArgs"), "ARGV-BUILD ");
        assertHas(build, "--target-archs arm64-v8a", "--litert-version 1.4.1", "--backend cmake", "--min-sdk 26",
                "--android-api-level 24", "--ndk-version 27.0.12077973", "--cache-dir /var/cache/tflite-slim",
                "--align-16kb", "--alignment-check error", "--no-experimental-api", "--compiler-cache ccache",
                "--compiler-cache-remote https://cache.example/ccache", "--compiler-cache-read-only", "--jobs 4");
        assertTrue(build, build.matches(".*--custom-ops-src \\S*cpp/my_op.cc.*"));
        assertFalse("one release only: " + build, build.contains("--source") || build.contains("--tensorflow-version"));
        assertPlans(every);

        String bazel = line(project(examples.get(1), "bazel").build("printArgs"), "ARGV-BUILD ");
        assertHas(bazel, "--source /src/LiteRT", "--backend local", "--bazel bazelisk", "--bazel-arg=--jobs=8",
                "--custom-ops-dep @some_repo//:lib", "--bazel-public-cache");

        Fixture docker = project(examples.get(2), "docker");
        assertHas(line(docker.build("printArgs"), "ARGV-BUILD "), "--tensorflow-version 2.16.1", "--backend docker",
                "--docker /usr/bin/docker", "--checkpoint v2.16.1");
        assertPlans(docker);

        assertHas(line(project(examples.get(3), "offline").build("printArgs"), "ARGV-BUILD "),
                "--cmake-dep-source eigen=/mirror/eigen", "--tensorflow-source-dir /src/tensorflow",
                "--dep-mirror https://mirror.example/deps");

        Fixture teamFlow = project(examples.get(4), "team");
        BuildResult team = teamFlow.build("printArgs");
        assertTrue(line(team, "ARGV-BUILD "), line(team, "ARGV-BUILD ").contains("--tensorflow-version 2.16.1"));
        assertTrue(line(team, "ARGV-PLAN "), line(team, "ARGV-PLAN ").endsWith("--version 2024.11-app --format json -o "
                + new File(temp.getRoot(), "team/build/tflite-slim/plan.json").getAbsolutePath()));
        assertPlans(teamFlow);
    }
}
