package io.tfliteslim.gradle;

import io.tfliteslim.gradle.repositories.SlimRepositories;

import org.gradle.testkit.runner.BuildResult;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;

/**
 * The settings plugin on a real Gradle (Debian's 4.4, which has no settings repositories): it puts
 * the slim repositories first in every project, once, and the project plugin reuses them.
 */
public class SettingsPluginFunctionalTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** The plugin jar testRepoPublication laid out, for a settings `buildscript` classpath. */
    static File pluginJar() {
        File jar = new File(System.getProperty("tfliteSlim.testRepo"),
                "io/tfliteslim/tflite-slim-gradle-plugin/0.1.0/tflite-slim-gradle-plugin-0.1.0.jar");
        if (!jar.isFile()) {
            throw new AssertionError("no plugin jar at " + jar + " (run through gradle: testRepoPublication makes it)");
        }
        return jar;
    }

    static Fixture withSettingsClasspath(Fixture f) throws Exception {
        f.write("settings.gradle", "buildscript {\n    dependencies {\n        classpath files('"
                + pluginJar().getAbsolutePath() + "')\n    }\n}\n" + f.read("settings.gradle"));
        return f;
    }

    private static List<String> repos(BuildResult result) {
        List<String> out = new ArrayList<>();
        for (String line : result.getOutput().split("\n")) {
            if (line.startsWith("repo ")) {
                out.add(line.substring("repo ".length()));
            }
        }
        return out;
    }

    @Test
    public void everyProjectGetsTheSlimRepositoriesFirstAndOnce() throws Exception {
        Fixture f = withSettingsClasspath(new Fixture("settings-plugin", temp.newFolder("build")));
        String m2 = new File(f.dir, "m2").toURI().toString();
        BuildResult result = f.build("printRepos");
        List<String> expected = new ArrayList<>();
        for (String path : new String[]{":", ":lib"}) {
            expected.add(path + " tfliteSlim " + m2);
            expected.add(path + " tfliteSlimShared https://repo.example/maven user=ci");
            expected.add(path + " BintrayJCenter https://jcenter.bintray.com/");
        }
        assertEquals(expected, repos(result));
    }

    /** Gradle 6.8+'s {@code settings.dependencyResolutionManagement}, by the names the plugin reads. */
    public static final class StandInManagement {
        private final org.gradle.api.artifacts.dsl.RepositoryHandler repositories;

        StandInManagement(org.gradle.api.artifacts.dsl.RepositoryHandler repositories) {
            this.repositories = repositories;
        }

        public org.gradle.api.artifacts.dsl.RepositoryHandler getRepositories() {
            return repositories;
        }
    }

    @Test
    public void settingsRepositoriesGetOursWithCredentials() throws Exception {
        org.gradle.api.Project project = org.gradle.testfixtures.ProjectBuilder.builder().withProjectDir(temp.newFolder("p")).build();
        org.gradle.api.artifacts.dsl.RepositoryHandler settingsRepositories = project.getRepositories();
        File m2 = new File(temp.getRoot(), "m2");
        TfliteSlimSettingsPlugin.install(new StandInManagement(settingsRepositories), project.getGradle(),
                SlimRepositories.specs(m2, "https://repo.example/maven", true, false), "io.tfliteslim", "ci", "pw");
        List<String> declared = new ArrayList<>();
        for (org.gradle.api.artifacts.repositories.ArtifactRepository r : settingsRepositories) {
            org.gradle.api.artifacts.repositories.MavenArtifactRepository maven = (org.gradle.api.artifacts.repositories.MavenArtifactRepository) r;
            declared.add(r.getName() + " " + maven.getUrl() + " " + maven.getCredentials().getUsername() + " " + maven.getCredentials().getPassword());
        }
        assertEquals(java.util.Arrays.asList("tfliteSlim " + m2.toURI() + " null null", "tfliteSlimShared https://repo.example/maven ci pw"), declared);
        assertEquals(new File("/s/m2"), TfliteSlimSettingsPlugin.resolve(new File("/s"), "m2"));
        assertEquals(new File("/abs"), TfliteSlimSettingsPlugin.resolve(new File("/s"), new File("/abs")));
    }
}
