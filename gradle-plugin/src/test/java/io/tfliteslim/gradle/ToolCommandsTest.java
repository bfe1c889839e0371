package io.tfliteslim.gradle;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import static org.junit.Assert.assertEquals;

/** The argv of every command, as a table: each row one setting and the exact command line it gives. */
@RunWith(Parameterized.class)
public class ToolCommandsTest {
    private static final List<String> MODELS = Arrays.asList("src/main/assets/a.tflite", "src/main/assets/b.tflite");
    private static final List<String> NONE = Collections.emptyList();

    @Parameterized.Parameters(name = "{0}")
    public static Collection<Object[]> rows() {
        return Arrays.asList(new Object[][]{
            {"analyze", ToolCommands.analyze("python3", MODELS, "/r/ops.json", "/r/ops.html"),
                "python3 -m tflite_slim analyze src/main/assets/a.tflite src/main/assets/b.tflite --format json -o /r/ops.json --html /r/ops.html"},
            {"analyze, text", ToolCommands.analyzeText("python3", MODELS),
                "python3 -m tflite_slim analyze src/main/assets/a.tflite src/main/assets/b.tflite"},
            {"build, tool defaults", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions(NONE, null, null, null, null, NONE, NONE, null)),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o"},
            {"build, two abis", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions(Arrays.asList("arm64-v8a", "x86_64"), null, null, null, null, NONE, NONE, null)),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --target-archs arm64-v8a,x86_64"},
            {"build, checkout + bazel", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions(Arrays.asList("arm64-v8a"), "/tf", null, "local", "/bin/bazelisk", NONE, NONE, null)),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --target-archs arm64-v8a --tensorflow-src /tf --backend local --bazel /bin/bazelisk"},
            {"build, docker version", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions(NONE, null, "2.16.1", "docker", null, NONE, NONE, null)),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --tensorflow-version 2.16.1 --backend docker"},
            {"build, empty strings are unset", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions(NONE, "", "", "", "", NONE, NONE, null)),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o"},
            {"build, custom ops + experimental", ToolCommands.build("py", MODELS, "/o",
                new ToolCommands.BuildOptions(NONE, null, null, null, null, Arrays.asList("ops/a.cc", "ops/b.cc"),
                    Arrays.asList("//x:y"), true)),
                "py -m tflite_slim build src/main/assets/a.tflite src/main/assets/b.tflite --out /o --custom-ops-srcs ops/a.cc --custom-ops-srcs ops/b.cc --custom-ops-deps //x:y --experimental-api"},
            {"build, only the stable API", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions(NONE, null, null, null, null, NONE, NONE, false)),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --no-experimental-api"},
            {"install, defaults", ToolCommands.install("py", "/o", null, null, "/c.json"),
                "py -m tflite_slim install /o --coordinates-out /c.json"},
            {"install, repo + group", ToolCommands.install("py", "/o", "/m2", "com.example", "/c.json"),
                "py -m tflite_slim install /o --repo /m2 --group-id com.example --coordinates-out /c.json"},
            {"verify", ToolCommands.verify("py", "/ops.json", MODELS),
                "py -m tflite_slim verify --ops /ops.json src/main/assets/a.tflite src/main/assets/b.tflite"},
        });
    }

    private final List<String> argv;
    private final String expected;

    public ToolCommandsTest(String name, List<String> argv, String expected) {
        this.argv = argv;
        this.expected = expected;
    }

    @Test
    public void argv() {
        assertEquals(Arrays.asList(expected.split(" ")), argv);
    }

    @Test(expected = IllegalArgumentException.class)
    public void emptyPythonIsRefused() {
        ToolCommands.verify(" ", "/ops.json", MODELS);
    }

    @Test(expected = UnsupportedOperationException.class)
    public void argvIsImmutable() {
        argv.add("--more");
    }
}
