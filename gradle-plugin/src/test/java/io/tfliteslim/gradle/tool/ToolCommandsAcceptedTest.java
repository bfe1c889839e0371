package io.tfliteslim.gradle.tool;

import io.tfliteslim.gradle.Fixture;

import org.junit.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.Assert.assertEquals;

/**
 * Every command line the plugin can assemble, with every option set, is accepted by the real tool's
 * argument parser (its {@code cli.build_parser()}): a flag spelt differently from the tool's fails here,
 * not in a user's build. Nothing runs but argparse.
 */
public class ToolCommandsAcceptedTest {
    private static final List<String> MODELS = Collections.singletonList("a.tflite");
    private static final ToolCommands.Publication COORDINATES = new ToolCommands.Publication("com.example", "flex", "7.0");

    private static ToolCommands.BuildOptions.Builder everything() {
        return new ToolCommands.BuildOptions.Builder().abis(Arrays.asList("arm64-v8a", "x86_64")).backend("local")
                .checkpoint("v2.16.1").bazel("/bin/bazelisk").bazelArgs(Arrays.asList("--jobs=8", "--copt=-O3"))
                .docker("/usr/bin/docker").cacheDir("/c").noCache(true)
                .customOps(Arrays.asList("ops/a.cc", "ops/b.cc"), Arrays.asList("//x:y")).experimentalApi(false)
                .align16kb(false).alignmentCheck("warn").cmake("/sdk/cmake/bin/cmake").ninja("ninja").cxx("clang++").jobs(2)
                .cmakeDepSources(Collections.singletonMap("eigen", "/m/eigen")).tensorflowSourceDir("/tf")
                .compilerCache("ccache").compilerCacheDir("/cc").compilerCacheRemote("https://cache.example/cc")
                .compilerCacheReadOnly(true).bazelPublicCache(true).sdk("/sdk").ndk("/sdk/ndk/27.0.12077973").minSdk(26)
                .depMirror("https://mirror.example/deps").xnnpack(false).optLevel("O2").lto(true);
    }

    /** The argv after {@code python -m tflite_slim}, as the tool's own parser reads it: the parsed command's name. */
    private static String parsedCommand(List<String> argv) throws Exception {
        assertEquals(Arrays.asList("py", "-m", ToolCommands.MODULE), argv.subList(0, 3));
        List<String> check = new ArrayList<>(Arrays.asList(Fixture.PYTHON, "-c",
                "import sys\nfrom tflite_slim.cli import build_parser\n"
                        + "args = build_parser().parse_args(sys.argv[1:])\nprint(args.command)"));
        check.addAll(argv.subList(3, argv.size()));
        // argparse exits 2 naming the unknown or misspelt option: Fixture.python fails the test with it.
        return Fixture.python(check).trim();
    }

    @Test
    public void buildWithEveryOptionAndEachSource() throws Exception {
        for (ToolCommands.BuildOptions.Builder b : Arrays.asList(everything().source("/tf"),
                everything().tensorflowVersion("2.16.1"), everything().litertVersion("1.0.1").experimentalApi(true).align16kb(true))) {
            assertEquals("build", parsedCommand(ToolCommands.build("py", MODELS, "/o", b.build())));
        }
    }

    @Test
    public void planInstallDeployVerifyAnalyze() throws Exception {
        assertEquals("plan", parsedCommand(ToolCommands.plan("py", MODELS, everything().source("/tf").build(), COORDINATES, "/p.json")));
        assertEquals("install", parsedCommand(ToolCommands.install("py", "/o", "/m2", COORDINATES, "/c.json")));
        assertEquals("deploy", parsedCommand(ToolCommands.deploy("py", "/o", "http://r/m", COORDINATES, "ci", "PW", true)));
        assertEquals("verify", parsedCommand(ToolCommands.verify("py", "/ops.json", MODELS)));
        assertEquals("verify", parsedCommand(ToolCommands.verifyDeployed("py", "http://r/m", "g:a:1", "dev", "PW", true, MODELS)));
        assertEquals("analyze", parsedCommand(ToolCommands.analyze("py", MODELS, "/r/ops.json", "/r/ops.html")));
    }

    /** LiteRT 2.x: the app's stock AAR to build and its POM to install with (the tool's parser knows both). */
    @Test
    public void litert2StockAarAndPom() throws Exception {
        ToolCommands.BuildOptions two = new ToolCommands.BuildOptions.Builder().litertVersion("2.2.0").build();
        List<String> build = ToolCommands.build("py", MODELS, "/o", two, "/gradle/litert-2.2.0.aar");
        assertEquals(Arrays.asList("--litert-version", "2.2.0", "--stock-aar", "/gradle/litert-2.2.0.aar"),
                build.subList(build.size() - 4, build.size()));
        assertEquals("build", parsedCommand(build));
        List<String> install = ToolCommands.install("py", "/o", "/m2", COORDINATES, "/c.json", "/gradle/litert-2.2.0.pom");
        assertEquals(Arrays.asList("--stock-pom", "/gradle/litert-2.2.0.pom"), install.subList(install.size() - 2, install.size()));
        assertEquals("install", parsedCommand(install));
        List<String> deploy = ToolCommands.deploy("py", "/o", "http://r/m", COORDINATES, "ci", "PW", true, "/litert.pom");
        assertEquals(Arrays.asList("--stock-pom", "/litert.pom"), deploy.subList(deploy.size() - 2, deploy.size()));
        assertEquals("deploy", parsedCommand(deploy));
        assertEquals(ToolCommands.build("py", MODELS, "/o", two), ToolCommands.build("py", MODELS, "/o", two, null));
    }

    /** {@code --ndk-version}/{@code --android-api-level} (the declared NDK revision and API level, part of the runtime version). */
    @Test
    public void declaredNdkAndApiLevel() throws Exception {
        ToolCommands.BuildOptions declared = everything().tensorflowVersion("2.16.1").ndkVersion("27.0.12077973").androidApiLevel(24).build();
        assertEquals("build", parsedCommand(ToolCommands.build("py", MODELS, "/o", declared)));
        assertEquals("plan", parsedCommand(ToolCommands.plan("py", MODELS, declared, COORDINATES, "/p.json")));
    }
}
