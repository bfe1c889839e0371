package io.tfliteslim.gradle.android;

import io.tfliteslim.gradle.ProjectDefaults;
import io.tfliteslim.gradle.StandInAgp9;
import io.tfliteslim.gradle.TfliteSlimExtension;
import io.tfliteslim.gradle.tasks.TaskSettingsOf;
import io.tfliteslim.gradle.tool.ToolCommands;

import org.gradle.api.Action;
import org.gradle.api.Project;
import org.gradle.api.internal.project.ProjectInternal;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/**
 * Models of an AGP 9 app (the {@link StandInAgp9} stand-in: Variant API only, no srcDirs getter): every
 * variant's assets and mlModels, generated folders included, whichever plugin comes first; a callback
 * registered too late is a warning naming why, never a silent fallback.
 */
public class AndroidSourcesTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** The plugin's own defaults (the ones that registered the variant callback). */
    private static ProjectDefaults defaults(Project project) {
        return (ProjectDefaults) TaskSettingsOf.task(project.getTasks().getByName("tfliteReport"));
    }

    private static List<String> locations(Project project, ProjectDefaults defaults) {
        List<String> out = new ArrayList<>();
        for (File f : defaults.modelLocations()) {
            out.add(defaults.relative(f));
        }
        return out;
    }

    /** A user's onVariants callback adding a generated folder only the Variant API knows. */
    private static void generatedAssets(Project project) {
        StandInAgp9.Components components = (StandInAgp9.Components) project.getExtensions().getByName("androidComponents");
        components.onVariants(components.selector().all(), (Action<StandInAgp9.Variant>) v ->
                v.getSources().getAssets().addStaticSourceDirectory("build/generated/" + v.getName() + "/assets"));
    }

    private static final List<String> EVERY_VARIANT = Arrays.asList(
            "src/freeDebug/assets", "src/debug/assets", "src/free/assets", "src/main/assets", "build/generated/freeDebug/assets",
            "src/freeDebug/ml", "src/debug/ml", "src/free/ml", "src/main/ml",
            "src/freeRelease/assets", "src/release/assets", "build/generated/freeRelease/assets",
            "src/freeRelease/ml", "src/release/ml");

    private Project app(String name, boolean agpFirst) throws IOException {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder(name)).build();
        List<String> order = agpFirst ? Arrays.asList("com.android.application", "io.tfliteslim")
                : Arrays.asList("io.tfliteslim", "com.android.application");
        for (String id : order) {
            project.getPluginManager().apply(id);
        }
        ((StandInAgp9.Android) project.getExtensions().getByName("android")).flavor("free");
        generatedAssets(project);
        return project;
    }

    @Test
    public void everyVariantsAssetsAndMlModelsWhenAgpComesAfterThePlugin() throws IOException {
        Project project = app("after", false);
        ((ProjectInternal) project).evaluate();
        ProjectDefaults defaults = defaults(project);
        assertEquals(EVERY_VARIANT, locations(project, defaults));
        assertNull(defaults.androidSourcesWarning());
    }

    @Test
    public void everyVariantsAssetsAndMlModelsWhenAgpComesFirst() throws IOException {
        Project project = app("first", true);
        ((ProjectInternal) project).evaluate();
        assertEquals(EVERY_VARIANT, locations(project, defaults(project)));
    }

    /** E.g. applied from afterEvaluate: AGP refuses the callback; AGP 9's DSL has no srcDirs; one warning says both. */
    @Test
    public void tooLateIsAWarningNamingWhyAndSrcMainAssets() throws IOException {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("late")).build();
        project.getPluginManager().apply("com.android.application");
        ((ProjectInternal) project).evaluate();
        project.getPluginManager().apply("io.tfliteslim");
        ProjectDefaults defaults = defaults(project);
        assertEquals(Arrays.asList("src/main/assets"), locations(project, defaults));
        String warning = defaults.androidSourcesWarning();
        assertTrue(warning, warning.startsWith("tflite-slim: androidComponents.onVariants refused the callback (It is too late to add"
                + " actions as the callbacks already executed.); android.sourceSets*.assets.srcDirs is not readable ("));
        assertTrue(warning, warning.endsWith("; models are read from src/main/assets only. Set tfliteSlim.models to the directories"
                + " that hold the models."));
    }

    /** Read before AGP created its variants (no callback ran yet): the same, with that reason. */
    @Test
    public void noVariantYetIsAWarningToo() throws IOException {
        Project project = app("early", false);
        ProjectDefaults defaults = defaults(project);
        assertEquals(Arrays.asList("src/main/assets"), locations(project, defaults));
        assertTrue(defaults.androidSourcesWarning(), defaults.androidSourcesWarning().startsWith(
                "tflite-slim: no variant reached androidComponents.onVariants (none enabled, or read before AGP created them); "));
    }

    @Test
    public void abisAndNdkVersionFromTheNewDsl() throws IOException {
        Project project = app("ndk", false);
        StandInAgp9.Android android = (StandInAgp9.Android) project.getExtensions().getByName("android");
        android.getDefaultConfig().getNdk().getAbiFilters().addAll(Arrays.asList("x86_64", "arm64-v8a"));
        android.setNdkVersion("27.0.12077973");
        ((ProjectInternal) project).evaluate();
        ProjectDefaults defaults = defaults(project);
        assertEquals(Arrays.asList("arm64-v8a", "x86_64"), defaults.abis());
        assertEquals("27.0.12077973", defaults.ndkVersion());
        TfliteSlimExtension ext = project.getExtensions().getByType(TfliteSlimExtension.class);
        ext.setAndroidApiLevel(24);
        assertTrue(ToolCommands.plan("py", Arrays.asList("m.tflite"), defaults.buildOptions(), defaults.publication(), "/p")
                .containsAll(Arrays.asList("--ndk-version", "27.0.12077973", "--android-api-level", "24")));
        // The setting wins over android.ndkVersion.
        ext.setNdkVersion("26.3.11579264");
        assertEquals("26.3.11579264", defaults.ndkVersion());
    }

    /**
     * Issue 27: ABIs came from defaultConfig only. A variant ships defaultConfig's ABIs plus its flavor's
     * and build type's; the one runtime must cover every variant, and a variant without any filter
     * ships all four.
     */
    @Test
    public void abisAreEveryVariantsFlavorAndBuildTypeFiltersTogether() throws IOException {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("abis")).build();
        project.getPluginManager().apply("com.android.application");
        project.getPluginManager().apply("io.tfliteslim");
        StandInAgp9.Android android = (StandInAgp9.Android) project.getExtensions().getByName("android");
        android.getDefaultConfig().getNdk().getAbiFilters().add("arm64-v8a");
        android.flavor("phone").getNdk().getAbiFilters().add("armeabi-v7a");
        android.flavor("emulator").getNdk().getAbiFilters().add("x86_64");
        ProjectDefaults defaults = defaults(project);
        assertEquals(Arrays.asList("arm64-v8a", "armeabi-v7a", "x86_64"), defaults.abis());
        android.getBuildTypes().getByName("debug").getNdk().getAbiFilters().add("x86");
        assertEquals(Arrays.asList("arm64-v8a", "armeabi-v7a", "x86", "x86_64"), defaults.abis());

        Project open = ProjectBuilder.builder().withProjectDir(temp.newFolder("open")).build();
        open.getPluginManager().apply("com.android.application");
        open.getPluginManager().apply("io.tfliteslim");
        StandInAgp9.Android openAndroid = (StandInAgp9.Android) open.getExtensions().getByName("android");
        openAndroid.flavor("phone").getNdk().getAbiFilters().add("arm64-v8a");
        openAndroid.flavor("full");  // no filter anywhere: this variant ships every ABI
        assertEquals(TfliteSlimExtension.ALL_ABIS, defaults(open).abis());
    }
}
