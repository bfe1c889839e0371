package io.tfliteslim.gradle.tool;

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
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --target-archs arm64-v8a --source /tf --backend local --bazel /bin/bazelisk"},
            {"build, docker version", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions(NONE, null, "2.16.1", "docker", null, NONE, NONE, null)),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --tensorflow-version 2.16.1 --backend docker"},
            {"build, empty strings are unset", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions(NONE, "", "", "", "", NONE, NONE, null)),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o"},
            {"build, custom ops + experimental", ToolCommands.build("py", MODELS, "/o",
                new ToolCommands.BuildOptions(NONE, null, null, null, null, Arrays.asList("ops/a.cc", "ops/b.cc"),
                    Arrays.asList("//x:y"), true)),
                "py -m tflite_slim build src/main/assets/a.tflite src/main/assets/b.tflite --out /o --custom-ops-src ops/a.cc --custom-ops-src ops/b.cc --custom-ops-dep //x:y --experimental-api"},
            {"build, only the stable API", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions(NONE, null, null, null, null, NONE, NONE, false)),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --no-experimental-api"},
            {"build, every option", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions.Builder().litertVersion("1.0.1").backend("docker").checkpoint("v2.16.1")
                    .bazelArgs(Arrays.asList("--jobs=8", "--copt=-O3")).docker("/usr/bin/podman").cacheDir("/c").noCache(true)
                    .align16kb(false).alignmentCheck("warn").build()),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --litert-version 1.0.1 --backend docker --checkpoint v2.16.1"
                    + " --bazel-arg=--jobs=8 --bazel-arg=--copt=-O3 --docker /usr/bin/podman --cache-dir /c --no-cache --no-align-16kb"
                    + " --alignment-check warn"},
            {"build, 16 KB alignment on", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions.Builder().align16kb(true).build()),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --align-16kb"},
            {"plan", ToolCommands.plan("py", MODELS.subList(0, 1),
                new ToolCommands.BuildOptions(Arrays.asList("x86_64"), "/tf", null, null, null, NONE, NONE, null),
                new ToolCommands.Publication("com.example", "flex", "7.0"), "/p.json"),
                "py -m tflite_slim plan src/main/assets/a.tflite --target-archs x86_64 --source /tf"
                    + " --group-id com.example --select-tf-ops-artifact-id flex --version 7.0 --format json -o /p.json"},
            {"build, declared NDK revision and API level", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions.Builder().tensorflowVersion("2.16.1").ndkVersion("27.0.12077973").androidApiLevel(24).build()),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --tensorflow-version 2.16.1 --ndk-version 27.0.12077973"
                    + " --android-api-level 24"},
            {"plan, the same declared NDK revision and API level", ToolCommands.plan("py", MODELS.subList(0, 1),
                new ToolCommands.BuildOptions.Builder().tensorflowVersion("2.16.1").ndkVersion("27.0.12077973").androidApiLevel(24).build(),
                new ToolCommands.Publication(null, null, null), "/p.json"),
                "py -m tflite_slim plan src/main/assets/a.tflite --tensorflow-version 2.16.1 --ndk-version 27.0.12077973"
                    + " --android-api-level 24 --format json -o /p.json"},
            {"build, the CMake backend's tools and sources and a shared compiler cache", ToolCommands.build("py",
                MODELS.subList(0, 1), "/o", new ToolCommands.BuildOptions.Builder().backend("cmake").cmake("/sdk/cmake/3.22.1/bin/cmake")
                    .ninja("ninja").cxx("clang++").jobs(2).cmakeDepSources(new java.util.TreeMap<String, String>() {{
                        put("eigen", "/m/eigen"); put("abseil-cpp", "/m/absl"); }})
                    .tensorflowSourceDir("/tf").compilerCache("ccache").compilerCacheDir("/cc")
                    .compilerCacheRemote("https://cache.example/cc").compilerCacheReadOnly(true).bazelPublicCache(true).xnnpack(false).build()),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --backend cmake --cmake /sdk/cmake/3.22.1/bin/cmake"
                    + " --ninja ninja --cxx clang++ --jobs 2 --cmake-dep-source abseil-cpp=/m/absl --cmake-dep-source eigen=/m/eigen"
                    + " --tensorflow-source-dir /tf --no-xnnpack --compiler-cache ccache --compiler-cache-dir /cc"
                    + " --compiler-cache-remote https://cache.example/cc --compiler-cache-read-only --bazel-public-cache"},
            {"build, the CMake backend's optimization level", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions.Builder().backend("cmake").optLevel("O3").build()),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --backend cmake --opt-level O3"},
            {"build, link-time optimization on", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions.Builder().backend("cmake").optLevel("Os").lto(true).build()),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --backend cmake --opt-level Os --lto"},
            {"build, link-time optimization off", ToolCommands.build("py", MODELS.subList(0, 1), "/o",
                new ToolCommands.BuildOptions.Builder().backend("cmake").lto(false).build()),
                "py -m tflite_slim build src/main/assets/a.tflite --out /o --backend cmake --no-lto"},
            {"plan, the same level (it changes the version)", ToolCommands.plan("py", MODELS.subList(0, 1),
                new ToolCommands.BuildOptions.Builder().backend("cmake").optLevel("O3").build(),
                new ToolCommands.Publication(null, null, null), "/p.json"),
                "py -m tflite_slim plan src/main/assets/a.tflite --backend cmake --opt-level O3 --format json -o /p.json"},
            {"install, every coordinate", ToolCommands.install("py", "/o", "/m2", new ToolCommands.Publication("g", "flex", "7.0"), "/c.json"),
                "py -m tflite_slim install /o --repo /m2 --group-id g --select-tf-ops-artifact-id flex --version 7.0 --coordinates-out /c.json"},
            {"deploy, credentials through the environment", ToolCommands.deploy("py", "/o", "https://r/m",
                new ToolCommands.Publication(null, null, "7.0"), "ci", "PW_VAR", false),
                "py -m tflite_slim deploy /o --url https://r/m --version 7.0 --no-netrc --username ci --password-env PW_VAR"},
            {"deploy, anonymous over http", ToolCommands.deploy("py", "/o", "http://r/m",
                new ToolCommands.Publication(null, null, null), null, "PW_VAR", true),
                "py -m tflite_slim deploy /o --url http://r/m --no-netrc --allow-insecure-http"},
            {"install, defaults", ToolCommands.install("py", "/o", null, (String) null, "/c.json"),
                "py -m tflite_slim install /o --coordinates-out /c.json"},
            {"install, repo + group", ToolCommands.install("py", "/o", "/m2", "com.example", "/c.json"),
                "py -m tflite_slim install /o --repo /m2 --group-id com.example --coordinates-out /c.json"},
            {"verify", ToolCommands.verify("py", "/ops.json", MODELS),
                "py -m tflite_slim verify --ops /ops.json src/main/assets/a.tflite src/main/assets/b.tflite"},
            {"verify (deployed)", ToolCommands.verifyDeployed("py", "https://r/m", "g:a:1", "dev", "PW", false, MODELS),
                "py -m tflite_slim verify --url https://r/m --coordinates g:a:1 --no-netrc --username dev --password-env PW"
                        + " src/main/assets/a.tflite src/main/assets/b.tflite"},
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
