package io.tfliteslim.gradle;

import io.tfliteslim.gradle.repositories.SlimRepositories;
import io.tfliteslim.gradle.tool.ToolCommands;

import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Defaults from the project, with ProjectBuilder: model locations, ABIs, interpreter, task wiring. */
public class ProjectDefaultsTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Project project() throws IOException {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("app")).build();
        project.getPluginManager().apply("io.tfliteslim");
        return project;
    }

    private static ProjectDefaults defaults(Project project) {
        return new ProjectDefaults(project, project.getExtensions().getByType(TfliteSlimExtension.class));
    }

    private static TfliteSlimExtension ext(Project project) {
        return project.getExtensions().getByType(TfliteSlimExtension.class);
    }

    /** An object shaped like AGP's: android.sourceSets[*].assets.srcDirs, android.defaultConfig.ndk.abiFilters. */
    private static Map<String, Object> android(List<String> abiFilters, String... sourceSets) {
        Map<String, Object> sets = new LinkedHashMap<>();
        for (String name : sourceSets) {
            sets.put(name, Collections.singletonMap("assets",
                    Collections.singletonMap("srcDirs", Collections.singleton("src/" + name + "/assets"))));
        }
        Map<String, Object> android = new HashMap<>();
        android.put("sourceSets", sets);
        android.put("defaultConfig", Collections.singletonMap("ndk", Collections.singletonMap("abiFilters", abiFilters)));
        return android;
    }

    private List<String> relative(Project project, List<File> files) {
        String[] out = new String[files.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = defaults(project).relative(files.get(i));
        }
        return Arrays.asList(out);
    }

    @Test
    public void withoutAndroidModelsAreInSrcMainAssetsAndAllAbisAreBuilt() throws IOException {
        Project project = project();
        assertEquals(Collections.singletonList("src/main/assets"), relative(project, defaults(project).modelLocations()));
        assertEquals(Arrays.asList("arm64-v8a", "armeabi-v7a", "x86", "x86_64"), defaults(project).abis());
        assertEquals("python3", defaults(project).python());
    }

    @Test
    public void androidAssetsOfEverySourceSetAndAbiFilters() throws IOException {
        Project project = project();
        project.getExtensions().add("android", android(Arrays.asList("x86_64", "arm64-v8a"), "main", "debug", "paid", "paidRelease"));
        assertEquals(Arrays.asList("src/main/assets", "src/debug/assets", "src/paid/assets", "src/paidRelease/assets"),
                relative(project, defaults(project).modelLocations()));
        // Sorted, so the same filters in another order are the same build.
        assertEquals(Arrays.asList("arm64-v8a", "x86_64"), defaults(project).abis());
    }

    @Test
    public void emptyAbiFiltersMeanAllAbis() throws IOException {
        Project project = project();
        project.getExtensions().add("android", android(Collections.<String>emptyList(), "main"));
        assertEquals(TfliteSlimExtension.ALL_ABIS, defaults(project).abis());
    }

    @Test
    public void settingsWinOverDefaults() throws IOException {
        Project project = project();
        project.getExtensions().add("android", android(Arrays.asList("x86"), "main"));
        ext(project).models("ml/models", new File(temp.getRoot(), "elsewhere"));
        ext(project).setTargetAbis(Arrays.asList("armeabi-v7a"));
        ext(project).setPython("/opt/py/bin/python");
        assertEquals(Arrays.asList("ml/models", new File(temp.getRoot(), "elsewhere").getAbsolutePath()),
                relative(project, defaults(project).modelLocations()));
        assertEquals(Arrays.asList("armeabi-v7a"), defaults(project).abis());
        assertEquals("/opt/py/bin/python", defaults(project).python());
    }

    @Test
    public void modelFilesFollowIncludeAndExclude() throws IOException {
        Project project = project();
        for (String path : new String[]{"src/main/assets/a.tflite", "src/main/assets/sub/b.tflite",
                "src/main/assets/c.bin", "src/main/assets/old/d.tflite", "src/main/assets/readme.txt"}) {
            File f = project.file(path);
            f.getParentFile().mkdirs();
            assertTrue(f.createNewFile());
        }
        assertEquals(Arrays.asList("src/main/assets/a.tflite", "src/main/assets/old/d.tflite", "src/main/assets/sub/b.tflite"),
                defaults(project).modelArgs());
        ext(project).include("**/*.bin");
        ext(project).exclude("old/**");
        assertEquals(Arrays.asList("src/main/assets/a.tflite", "src/main/assets/c.bin", "src/main/assets/sub/b.tflite"),
                defaults(project).modelArgs());
    }

    @Test
    public void buildOptionsResolvePathsButKeepCommandNames() throws IOException {
        Project project = project();
        ext(project).setTensorflowSource("../tensorflow");
        ext(project).setBazel("bazelisk");
        ToolCommands.BuildOptions options = defaults(project).buildOptions();
        assertEquals(new File(temp.getRoot(), "tensorflow").getAbsolutePath(), new File(options.tensorflowSource).getCanonicalPath());
        assertEquals("bazelisk", options.bazel);
        ext(project).setBazel("tools/bazel");
        assertEquals(project.file("tools/bazel").getAbsolutePath(), defaults(project).buildOptions().bazel);
    }

    @Test
    public void tasksAndVerifyBeforePreBuild() throws IOException {
        Project project = project();
        Task preBuild = project.getTasks().create("preBuild");
        for (String name : new String[]{"tfliteSlim", "tfliteReport", "tfliteVerify"}) {
            assertEquals(TfliteSlimPlugin.GROUP, project.getTasks().getByName(name).getGroup());
        }
        Task slim = project.getTasks().getByName("tfliteSlim");
        assertTrue(slim.getTaskDependencies().getDependencies(slim).contains(project.getTasks().getByName("tfliteReport")));
        Task verify = project.getTasks().getByName("tfliteVerify");
        assertTrue(preBuild.getTaskDependencies().getDependencies(preBuild).contains(verify));
        ext(project).setVerify(false);
        assertTrue(preBuild.getTaskDependencies().getDependencies(preBuild).isEmpty());
    }

    @Test
    public void interpreterPathsFromTheCommandLineAreTheRootProjects() throws IOException {
        Project root = ProjectBuilder.builder().withProjectDir(temp.newFolder("sample")).build();
        Project app = ProjectBuilder.builder().withParent(root).withName("app").withProjectDir(new File(root.getProjectDir(), "app")).build();
        app.getPluginManager().apply("io.tfliteslim");
        // -PtfliteSlim.python=../.venv/bin/python, typed in the root project's directory.
        app.getExtensions().getExtraProperties().set(ProjectDefaults.PYTHON_PROPERTY, "../.venv/bin/python");
        assertEquals(new File(temp.getRoot(), ".venv/bin/python").getAbsolutePath(), defaults(app).python());
        app.getExtensions().getExtraProperties().set(ProjectDefaults.PYTHON_PROPERTY, "python3.12");
        assertEquals("python3.12", defaults(app).python());
        // In the module's build.gradle, a relative path is the module's.
        ext(app).setPython("venv/bin/python");
        assertEquals(new File(app.getProjectDir(), "venv/bin/python").getAbsolutePath(), defaults(app).python());
        ext(app).setPython("/opt/python");
        assertEquals("/opt/python", defaults(app).python());
    }

    @Test
    public void everyBuildSettingReachesTheCommandLine() throws IOException {
        Project project = project();
        TfliteSlimExtension e = ext(project);
        e.setSource("tf");
        e.setBackend("docker");
        e.setCheckpoint("v2.16.1");
        e.setBazel("bazelisk");
        e.bazelArgs("--jobs=8");
        e.setDocker("bin/podman");
        e.setCacheDir("cache");
        e.setNoCache(true);
        e.setTargetAbis(Arrays.asList("arm64-v8a"));
        e.setExperimentalApi(false);
        e.setAlign16kb(false);
        e.setAlignmentCheck("warn");
        e.customOpsDeps("//x:y");
        String argv = String.join(" ", ToolCommands.build("py", Arrays.asList("m.tflite"), "/o", defaults(project).buildOptions()));
        String dir = project.getProjectDir().getAbsolutePath();
        assertEquals("py -m tflite_slim build m.tflite --out /o --target-archs arm64-v8a --source " + dir + "/tf"
                + " --backend docker --checkpoint v2.16.1 --bazel bazelisk --bazel-arg=--jobs=8 --docker " + dir + "/bin/podman"
                + " --cache-dir " + dir + "/cache --no-cache --custom-ops-dep //x:y --no-experimental-api --no-align-16kb"
                + " --alignment-check warn", argv);
        // tensorflowSource is the same setting as source.
        e.setTensorflowSource("other");
        assertEquals(project.file("other").getAbsolutePath(), defaults(project).buildOptions().tensorflowSource);
    }

    @Test
    public void theStockDependencyPicksTheReleaseWhenNoSourceIsSet() throws IOException {
        Project project = project();
        project.getConfigurations().create("implementation");
        project.getDependencies().add("implementation", "com.google.ai.edge.litert:litert:1.0.1");
        assertEquals("1.0.1", defaults(project).buildOptions().litertVersion);
        assertEquals(null, defaults(project).buildOptions().tensorflowVersion);
        ext(project).setTensorflowVersion("2.16.1");
        assertEquals(null, defaults(project).buildOptions().litertVersion);
        assertEquals("2.16.1", defaults(project).buildOptions().tensorflowVersion);
    }

    @Test
    public void publicationAndTeamSettings() throws IOException {
        Project project = project();
        assertTrue(!defaults(project).teamMode());
        ext(project).setRuntimeVersion("2024.11");
        ext(project).setSelectTfOpsArtifactId("flex");
        ext(project).setGroupId("com.example");
        assertTrue(defaults(project).teamMode());
        ToolCommands.Publication p = defaults(project).publication();
        assertEquals(Arrays.asList("com.example", "flex", "2024.11"), Arrays.asList(p.groupId, p.selectTfOpsArtifactId, p.version));
        ext(project).setRepositoryUrl("https://repo.example/maven");
        ext(project).credentials(c -> c.setUsername("ci"));
        List<SlimRepositories.Spec> specs = defaults(project).repositorySpecs();
        assertEquals(2, specs.size());
        assertEquals(null, specs.get(0).url); // mavenLocal(), where tfliteSlim installs by default
        assertEquals("https://repo.example/maven", specs.get(1).url);
        assertTrue(specs.get(1).credentials);
    }

    /** The CMake backend's and the compiler cache's settings reach the tool: paths absolute, names as given. */
    @Test
    public void cmakeAndCompilerCacheSettingsBecomeOptions() throws Exception {
        Project project = project();
        TfliteSlimExtension ext = ext(project);
        ext.setCmake("sdk/cmake/3.22.1/bin/cmake");
        ext.setNinja("ninja");
        ext.setJobs(3);
        ext.cmakeDepSource("eigen", "mirror/eigen");
        ext.cmakeDepSource("abseil-cpp", "mirror/absl");
        ext.setCompilerCache("ccache");
        ext.setCompilerCacheDir("ccache");
        ext.setCompilerCacheRemote("https://cache.example/cc");
        ext.setCompilerCacheReadOnly(true);
        assertEquals(null, defaults(project).buildOptions().xnnpack);  // not set: the tool's default (in)
        ext.setXnnpack(false);
        ext.setOptLevel("O2");
        assertEquals(null, defaults(project).buildOptions().lto);  // not set: the tool's default
        ext.setLto(true);
        ToolCommands.BuildOptions o = defaults(project).buildOptions();
        assertEquals(Boolean.TRUE, o.lto);
        assertEquals(Boolean.FALSE, o.xnnpack);
        assertEquals("O2", o.optLevel);
        assertEquals(project.file("sdk/cmake/3.22.1/bin/cmake").getAbsolutePath(), o.cmake);
        assertEquals("ninja", o.ninja);
        assertEquals(Integer.valueOf(3), o.jobs);
        assertEquals(Arrays.asList("abseil-cpp=" + project.file("mirror/absl").getAbsolutePath(),
                "eigen=" + project.file("mirror/eigen").getAbsolutePath()), o.cmakeDepSources);
        assertEquals(project.file("ccache").getAbsolutePath(), o.compilerCacheDir);
        assertEquals("https://cache.example/cc", o.compilerCacheRemote);
        assertTrue(o.compilerCacheReadOnly);
        assertEquals("ccache", o.compilerCache);
    }

    /** An Android app's own SDK, NDK path and minSdk reach the CMake backend unless the settings name others. */
    @Test
    public void androidsSdkNdkAndMinSdkAreTheDefaults() throws Exception {
        Project project = project();
        File sdk = temp.newFolder("Sdk");
        Map<String, Object> android = new HashMap<>(android(Collections.singletonList("arm64-v8a"), "main"));
        Map<String, Object> defaultConfig = new HashMap<>();
        defaultConfig.put("ndk", Collections.singletonMap("abiFilters", Collections.singletonList("arm64-v8a")));
        defaultConfig.put("minSdk", 26);
        android.put("defaultConfig", defaultConfig);
        android.put("ndkPath", sdk + "/ndk/27.0.12077973");
        android.put("sdkDirectory", sdk);
        project.getExtensions().add("android", android);
        ToolCommands.BuildOptions o = defaults(project).buildOptions();
        assertEquals(sdk.getAbsolutePath(), o.sdk);
        assertEquals(new File(sdk, "ndk/27.0.12077973").getAbsolutePath(), o.ndk);
        assertEquals(Integer.valueOf(26), o.minSdk);
        ext(project).setMinSdk(28);
        ext(project).setSdk("other-sdk");
        o = defaults(project).buildOptions();
        assertEquals(Integer.valueOf(28), o.minSdk);
        assertEquals(project.file("other-sdk").getAbsolutePath(), o.sdk);
    }

    /** Without AGP's sdkDirectory, the root project's local.properties (as Android Studio writes it) names the SDK. */
    @Test
    public void localPropertiesNamesTheSdk() throws Exception {
        Project project = project();
        File sdk = temp.newFolder("AndroidSdk");
        java.nio.file.Files.write(new File(project.getRootDir(), "local.properties").toPath(),
                ("sdk.dir=" + sdk.getAbsolutePath().replace("\\", "\\\\") + "\n").getBytes("UTF-8"));
        assertEquals(sdk.getAbsolutePath(), defaults(project).buildOptions().sdk);
    }
}
