package io.tfliteslim.gradle;

import groovy.json.JsonSlurper;
import io.tfliteslim.gradle.tasks.TfliteReportTask;
import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.internal.project.ProjectInternal;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Issue 27: one report task per Android variant, on what that variant's APK carries, read where AGP's assets
 * merge reads it ({@link StandInAgp9}): the variant's asset folders and its runtime classpath's
 * {@code android-assets} (a library module here), listed when the task runs, one file per path as the merge keeps
 * it, then analyzed by the real tool. Not the merge's output: AGP's merge task depends on pre<Variant>Build,
 * which depends on the variant's verify.
 */
public class VariantReportTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Project app(boolean agpFirst) throws Exception {
        Fixture f = new Fixture("plain", temp.newFolder(agpFirst ? "agp-first" : "plugin-first"))
                .models("src/main/assets", "add").models("lib/src/main/assets", "conv");
        f.write("build.gradle", "");  // configured below, not by the fixture's script
        Project project = ProjectBuilder.builder().withProjectDir(f.dir).build();
        Project lib = ProjectBuilder.builder().withName("lib").withProjectDir(f.file("lib")).withParent(project).build();
        StandInAgp9.libraryModule(lib, lib.file("src/main/assets"));
        for (String id : agpFirst ? Arrays.asList("com.android.application", "io.tfliteslim")
                : Arrays.asList("io.tfliteslim", "com.android.application")) {
            project.getPluginManager().apply(id);
        }
        project.getDependencies().add("implementation", lib);
        StandInAgp9.Android android = (StandInAgp9.Android) project.getExtensions().getByName("android");
        android.flavor("free");
        project.getExtensions().getByType(TfliteSlimExtension.class).setPython(Fixture.PYTHON);
        ((ProjectInternal) project).evaluate();
        return project;
    }

    private static Set<String> dependencies(Task task) {
        Set<String> names = new TreeSet<>();
        for (Task t : task.getTaskDependencies().getDependencies(task)) {
            names.add(t.getName());
        }
        return names;
    }

    @Test
    @SuppressWarnings("unchecked")
    public void eachVariantsReportCoversWhatItsApkCarriesLibrariesIncluded() throws Exception {
        for (boolean agpFirst : new boolean[]{false, true}) {
            Project project = app(agpFirst);
            assertTrue(project.getTasks().getNames().toString(),
                    project.getTasks().getNames().containsAll(Arrays.asList("tfliteReportFreeDebug", "tfliteReportFreeRelease")));
            TfliteReportTask report = (TfliteReportTask) project.getTasks().getByName("tfliteReportFreeDebug");
            // Not the merge: it depends on preFreeDebugBuild, which depends on the variant's verify.
            assertTrue(dependencies(report).toString(), !dependencies(report).contains("mergeFreeDebugAssets"));
            assertEquals(new File(project.getBuildDir(), "reports/tflite-slim/freeDebug"), report.getReportDir());

            assertTrue(report.getReportDir().mkdirs());  // Gradle makes an @OutputDirectory before the action
            report.run();
            Map<String, Object> json = (Map<String, Object>) new JsonSlurper().parse(new File(report.getReportDir(), "ops.json"));
            List<String> paths = new ArrayList<>();
            for (Map<String, Object> m : (List<Map<String, Object>>) json.get("models")) {
                paths.add((String) m.get("path"));
            }
            assertEquals(Arrays.asList("lib/src/main/assets/conv.tflite", "src/main/assets/add.tflite"), paths);
        }
    }

    /**
     * Issue 27: the project-wide tasks (tfliteSlim builds the runtime, tfliteSlimPlan names it) take the models the
     * app's library modules and AARs bring as well as the app's own, of every variant that gets the slim runtime: a
     * runtime built from the app's folders alone could never pass tfliteVerify<Variant>, which checks what the APK
     * carries. A variant kept on the stock runtime adds none.
     */
    @Test
    public void theRuntimeIsBuiltForTheLibrariesModelsToo() throws Exception {
        Project project = app(false);
        File conv = project.file("lib/src/main/assets/conv.tflite");
        for (String task : Arrays.asList("tfliteSlim", "tfliteSlimPlan", "tfliteReport", "tfliteVerify")) {
            Set<File> models = ((io.tfliteslim.gradle.tasks.ToolTask<?>) project.getTasks().getByName(task)).getModels().getFiles();
            assertTrue(task + ": " + models, models.contains(conv) && models.contains(project.file("src/main/assets/add.tflite")));
        }
        project.getExtensions().getByType(TfliteSlimExtension.class).setStockRuntimeVariants(Arrays.asList("freeDebug", "freeRelease"));
        Set<File> models = ((io.tfliteslim.gradle.tasks.ToolTask<?>) project.getTasks().getByName("tfliteSlim")).getModels().getFiles();
        assertEquals(java.util.Collections.singleton(project.file("src/main/assets/add.tflite")), models);
    }

    /**
     * Issue 27: one verify per variant, wired to that variant's build: pre<Variant>Build depends on
     * tfliteVerify<Variant>, whose models are that variant's APK's only (never another variant's
     * generators, nor any merge task), and preBuild, which every variant's build runs, no longer on the project-wide
     * tfliteVerify.
     */
    @Test
    public void eachVariantsBuildVerifiesItsOwnModels() throws Exception {
        Project project = app(false);
        Task verify = project.getTasks().getByName("tfliteVerifyFreeDebug");
        assertTrue(dependencies(project.getTasks().getByName("preFreeDebugBuild")).contains("tfliteVerifyFreeDebug"));
        assertTrue(dependencies(project.getTasks().getByName("preFreeReleaseBuild")).contains("tfliteVerifyFreeRelease"));
        assertTrue(dependencies(project.getTasks().getByName("preBuild")).toString(),
                !dependencies(project.getTasks().getByName("preBuild")).contains("tfliteVerify"));
        Set<String> deps = dependencies(verify);
        // Neither variant's merge (AGP's depends on pre<Variant>Build: a cycle), nor anything of release.
        assertTrue(deps.toString(), !deps.contains("mergeFreeDebugAssets") && !deps.contains("mergeFreeReleaseAssets"));
        assertTrue(deps.toString(), !deps.contains("preFreeDebugBuild"));

        // No slim runtime yet: a warning, the stock runtime, and no verdict recorded.
        ((io.tfliteslim.gradle.tasks.TfliteVerifyTask) verify).run();
        assertTrue(!((io.tfliteslim.gradle.tasks.TfliteVerifyTask) verify).getResultFile().exists());
        assertEquals("verify-freeDebug.txt", ((io.tfliteslim.gradle.tasks.TfliteVerifyTask) verify).getResultFile().getName());

        project.getExtensions().getByType(TfliteSlimExtension.class).setVerify(false);
        assertTrue(!dependencies(project.getTasks().getByName("preFreeDebugBuild")).contains("tfliteVerifyFreeDebug"));
    }

    /**
     * Issue 27: each model the APK carries reported with where it came from, from what AGP's merge reads: the
     * app's own folders (sources.assets) and a library module and an AAR (the runtime classpath's android-assets
     * artifacts, named as Gradle names their components); a library's model the app's shadows is not carried.
     */
    @Test
    @SuppressWarnings("unchecked")
    public void eachModelIsReportedWithWhereItCameFrom() throws Exception {
        Fixture f = new Fixture("plain", temp.newFolder("origins")).models("src/main/assets", "add")
                .models("lib/src/main/assets/models", "conv").models("aar-assets/assets", "add_other_weights")
                // The library ships an add.tflite too, at the same path as the app's: the app's wins, as in AGP's merge.
                .models(".", "custom=lib/src/main/assets/add.tflite");
        f.write("build.gradle", "");
        // An AAR with assets/add_other_weights.tflite in a Maven repository on disk.
        File aarDir = f.file("m2/com/example/detector/1.0");
        aarDir.mkdirs();
        Files.write(new File(aarDir, "detector-1.0.pom").toPath(), ("<project><modelVersion>4.0.0</modelVersion><groupId>com.example"
                + "</groupId><artifactId>detector</artifactId><version>1.0</version><packaging>aar</packaging></project>\n").getBytes("UTF-8"));
        try (java.util.zip.ZipOutputStream aar = new java.util.zip.ZipOutputStream(new java.io.FileOutputStream(new File(aarDir, "detector-1.0.aar")))) {
            aar.putNextEntry(new java.util.zip.ZipEntry("assets/add_other_weights.tflite"));
            aar.write(Files.readAllBytes(f.file("aar-assets/assets/add_other_weights.tflite").toPath()));
            aar.closeEntry();
        }
        Project project = ProjectBuilder.builder().withProjectDir(f.dir).build();
        Project lib = ProjectBuilder.builder().withName("lib").withProjectDir(f.file("lib")).withParent(project).build();
        StandInAgp9.libraryModule(lib, lib.file("src/main/assets"));
        project.getPluginManager().apply("io.tfliteslim");
        project.getPluginManager().apply("com.android.application");
        project.getRepositories().maven(r -> r.setUrl(f.file("m2").toURI()));
        project.getDependencies().add("implementation", lib);
        project.getDependencies().add("implementation", "com.example:detector:1.0@aar");
        project.getExtensions().getByType(TfliteSlimExtension.class).setPython(Fixture.PYTHON);
        ((ProjectInternal) project).evaluate();

        TfliteReportTask report = (TfliteReportTask) project.getTasks().getByName("tfliteReportDebug");
        assertTrue(report.getReportDir().mkdirs());
        report.run();
        assertEquals("{\n  \"models\": [\n"
                        + "    {\"path\": \"add.tflite\", \"from\": \"app\", \"where\": [\"src/main/assets\"]},\n"
                        + "    {\"path\": \"add_other_weights.tflite\", \"from\": \"dependency\", \"where\": [\"com.example:detector:1.0\"]},\n"
                        + "    {\"path\": \"models/conv.tflite\", \"from\": \"dependency\", \"where\": [\"project :lib\"]}\n"
                        + "  ]\n}\n",
                new String(Files.readAllBytes(new File(report.getReportDir(), "origins.json").toPath()), "UTF-8"));
        // The origins' inputs: the app's folders and the dependencies' assets, with each dependency's name.
        assertEquals(Arrays.asList("project :lib", "com.example:detector:1.0"), report.getDependencyNames());
        // The op report covers the three the APK carries; the library's add.tflite, under the app's, is not one of them.
        Map<String, Object> json = (Map<String, Object>) new JsonSlurper().parse(new File(report.getReportDir(), "ops.json"));
        List<String> paths = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) json.get("models")) {
            paths.add((String) m.get("path"));
        }
        assertEquals(3, paths.size());
        assertTrue(paths.toString(), paths.contains("src/main/assets/add.tflite") && paths.contains("lib/src/main/assets/models/conv.tflite")
                && !paths.contains("lib/src/main/assets/add.tflite"));
    }

    /**
     * Issue 27: a model that needs an op the slim runtime lacks is named in tfliteVerify<Variant>'s failure with who
     * shipped it (here a library module's model against a runtime built for the app's own), not only by its path,
     * which for an AAR is a folder in Gradle's transform cache.
     */
    @Test
    public void verifyFailureNamesTheModuleThatShippedTheModel() throws Exception {
        Fixture f = new Fixture("plain", temp.newFolder("verify-origins")).models("src/main/assets", "add")
                .models("lib/src/main/assets/models", "conv");
        f.write("build.gradle", "");
        // A slim runtime built for the app's own model only: its op record is add.tflite's analysis.
        String version = "2.16.1-slim-0123456789ab";
        File dir = f.file("m2/io/tfliteslim/tensorflow-lite/" + version);
        assertTrue(dir.mkdirs());
        Fixture.python(Arrays.asList(Fixture.PYTHON, "-m", "tflite_slim", "analyze", f.file("src/main/assets/add.tflite").getPath(),
                "--format", "json", "-o", new File(dir, "tensorflow-lite-" + version + "-ops.json").getPath()));
        f.write("build/tflite-slim/coordinates.json", "{\"repository\": \"" + f.file("m2").getAbsolutePath().replace("\\", "\\\\")
                + "\", \"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\", \"version\": \"" + version
                + "\"}, \"select_tf_ops\": null}");
        Project project = ProjectBuilder.builder().withProjectDir(f.dir).build();
        Project lib = ProjectBuilder.builder().withName("lib").withProjectDir(f.file("lib")).withParent(project).build();
        StandInAgp9.libraryModule(lib, lib.file("src/main/assets"));
        project.getPluginManager().apply("io.tfliteslim");
        project.getPluginManager().apply("com.android.application");
        project.getDependencies().add("implementation", lib);
        project.getExtensions().getByType(TfliteSlimExtension.class).setPython(Fixture.PYTHON);
        ((ProjectInternal) project).evaluate();

        io.tfliteslim.gradle.tasks.TfliteVerifyTask verify = (io.tfliteslim.gradle.tasks.TfliteVerifyTask) project.getTasks()
                .getByName("tfliteVerifyDebug");
        String merged = "lib/src/main/assets/";
        try {
            verify.run();
            throw new AssertionError("tfliteVerifyDebug passed with a library's model the runtime does not cover");
        } catch (org.gradle.api.GradleException e) {
            String message = e.getMessage();
            assertTrue(message, message.startsWith("tfliteVerify: the slim runtime io.tfliteslim:tensorflow-lite:" + version
                    + " does not cover the models:\n"));
            assertTrue(message, message.contains("  ADD version 2: needed by " + merged + "models/conv.tflite (from project :lib)\n"));
            assertTrue(message, message.contains("  CONV_2D version 3: needed by " + merged + "models/conv.tflite (from project :lib)\n"));
            assertTrue(message, message.endsWith("Run `gradle tfliteSlim` to rebuild it for the current models."));
            // The app's own model is covered: not named.
            assertTrue(message, !message.contains("add.tflite"));
        }
        assertTrue(!verify.getResultFile().exists());
    }
}
