package io.tfliteslim.gradle.repositories;

import org.gradle.api.Action;
import org.junit.Test;

import java.io.File;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/**
 * Settings-declared repositories and content filtering, read by name from
 * Gradle 6.8+/5.1+ APIs that Gradle 4.4 lacks: tested on object graphs
 * shaped like Gradle's ({@code gradle.settings.dependencyResolutionManagement}).
 */
public class SlimRepositoriesTest {
    public enum RepositoriesMode { PREFER_PROJECT, PREFER_SETTINGS, FAIL_ON_PROJECT_REPOS }

    public static final class FakeProperty {
        private final Object value;

        FakeProperty(Object value) {
            this.value = value;
        }

        public Object getOrNull() {
            return value;
        }
    }

    public static final class FakeRepository {
        private final String name;
        private final URI url;
        final List<String> content = new ArrayList<>();

        FakeRepository(String name, String url) {
            this.name = name;
            this.url = url == null ? null : URI.create(url);
        }

        public String getName() {
            return name;
        }

        public URI getUrl() {
            return url;
        }

        /** Like MavenArtifactRepository.content(Action<RepositoryContentDescriptor>) of Gradle 5.1+. */
        public void content(Action<Object> action) {
            action.execute(new FakeContent(content));
        }
    }

    public static final class FakeContent {
        private final List<String> calls;

        FakeContent(List<String> calls) {
            this.calls = calls;
        }

        public void includeGroup(String group) {
            calls.add("include " + group);
        }

        public void excludeGroup(String group) {
            calls.add("exclude " + group);
        }
    }

    public static final class FakeManagement {
        private final FakeProperty mode;
        private final List<?> repositories;

        FakeManagement(RepositoriesMode mode, List<?> repositories) {
            this.mode = new FakeProperty(mode);
            this.repositories = repositories;
        }

        public FakeProperty getRepositoriesMode() {
            return mode;
        }

        public List<?> getRepositories() {
            return repositories;
        }
    }

    public static final class FakeSettings {
        private final FakeManagement management;
        private final List<String> plugins = new ArrayList<>();

        FakeSettings(FakeManagement management, String... plugins) {
            this.management = management;
            this.plugins.addAll(Arrays.asList(plugins));
        }

        public FakeManagement getDependencyResolutionManagement() {
            return management;
        }

        /** Like Settings.getPluginManager() (PluginAware). */
        public FakePluginManager getPluginManager() {
            return new FakePluginManager(plugins);
        }
    }

    public static final class FakePluginManager {
        private final List<String> ids;

        FakePluginManager(List<String> ids) {
            this.ids = ids;
        }

        public boolean hasPlugin(String id) {
            return ids.contains(id);
        }
    }

    /** A repository Gradle already resolved from: its content may no longer change (Gradle 8's AbstractArtifactRepository). */
    public static final class UsedRepository {
        public String getName() {
            return "Used";
        }

        public URI getUrl() {
            return URI.create("https://used.example/maven");
        }

        public void content(Action<Object> action) {
            throw new IllegalStateException("Cannot mutate content repository descriptor 'Used' after repository has been used");
        }
    }

    public static final class FakeGradle {
        private final FakeSettings settings;

        FakeGradle(FakeSettings settings) {
            this.settings = settings;
        }

        public FakeSettings getSettings() {
            return settings;
        }
    }

    public static final class OldGradle {
        public Object getSettings() {
            return new Object();
        }
    }

    /** Gradle 8's GradleInternal.getSettings(): IllegalStateException while no settings are attached. */
    public static final class GradleWithoutSettingsYet {
        public Object getSettings() {
            throw new IllegalStateException("The settings are not yet available for build.");
        }
    }

    private static SlimRepositories.Declared declared(RepositoriesMode mode, FakeRepository... repositories) {
        return SlimRepositories.read(new FakeGradle(new FakeSettings(new FakeManagement(mode, Arrays.asList(repositories)))));
    }

    private static final SlimRepositories.Spec LOCAL = new SlimRepositories.Spec("tfliteSlim", "file:/app/m2/", false, false);
    private static final SlimRepositories.Spec SHARED = new SlimRepositories.Spec("tfliteSlimShared", "https://repo.example/maven", true, false);

    @Test
    public void gradleWithoutTheApiHasNoSettingsRepositories() {
        assertNull(SlimRepositories.read(new OldGradle()));
        assertNull(SlimRepositories.read(null));
        assertFalse(SlimRepositories.settingsOwnRepositories(null, false));
        // Unknown, not a crash of the plugin's afterEvaluate.
        assertNull(SlimRepositories.read(new GradleWithoutSettingsYet()));
    }

    @Test
    public void readsModeNamesAndUrls() {
        SlimRepositories.Declared d = declared(RepositoriesMode.FAIL_ON_PROJECT_REPOS,
                new FakeRepository("Google", "https://dl.google.com/dl/android/maven2/"), new FakeRepository("MavenLocal", "file:/home/u/.m2/repository/"));
        assertEquals("FAIL_ON_PROJECT_REPOS", d.mode);
        assertEquals(Arrays.asList("Google", "MavenLocal"), d.names);
        assertEquals("https://dl.google.com/dl/android/maven2/", d.urls.get(0));
    }

    @Test
    public void whoOwnsTheRepositories() {
        assertTrue(SlimRepositories.settingsOwnRepositories(declared(RepositoriesMode.FAIL_ON_PROJECT_REPOS), true));
        assertTrue(SlimRepositories.settingsOwnRepositories(declared(RepositoriesMode.PREFER_SETTINGS), true));
        // PREFER_PROJECT: a first project repository would switch the settings' ones off.
        assertTrue(SlimRepositories.settingsOwnRepositories(declared(RepositoriesMode.PREFER_PROJECT, new FakeRepository("Google", "https://g/")), false));
        assertFalse(SlimRepositories.settingsOwnRepositories(declared(RepositoriesMode.PREFER_PROJECT, new FakeRepository("Google", "https://g/")), true));
        assertFalse(SlimRepositories.settingsOwnRepositories(declared(RepositoriesMode.PREFER_PROJECT), false));
    }

    @Test
    public void settingsThatDeclareOursNeedNothing() {
        SlimRepositories.Declared d = declared(RepositoriesMode.FAIL_ON_PROJECT_REPOS,
                new FakeRepository("Google", "https://g/"), new FakeRepository("tfliteSlim", "file:///app/m2"),
                new FakeRepository("x", "https://repo.example/maven/"));
        assertEquals(Collections.emptyList(), SlimRepositories.missingFromSettings(d, Arrays.asList(LOCAL, SHARED)));
        SlimRepositories.Declared local = declared(RepositoriesMode.FAIL_ON_PROJECT_REPOS, new FakeRepository("MavenLocal", "file:/x/"));
        assertEquals(Collections.emptyList(), SlimRepositories.missingFromSettings(local, Arrays.asList(SlimRepositories.Spec.mavenLocal())));
    }

    @Test
    public void theAdviceIsTheSettingsPluginInTheSettingsFilesDsl() {
        File root = new File("/app");
        SettingsAdvice groovy = new SettingsAdvice("settings.gradle", false, "0.1.0", root);
        SettingsAdvice kotlin = new SettingsAdvice("settings.gradle.kts", true, "0.1.0", root);
        // Defaults (mavenLocal, no shared repository, our group): the one line.
        List<SlimRepositories.Spec> local = Arrays.asList(SlimRepositories.Spec.mavenLocal());
        assertEquals("Apply the settings plugin: add `id 'io.tfliteslim.settings' version '0.1.0'` to the plugins { } block"
                + " of settings.gradle.", groovy.text(local, "io.tfliteslim"));
        assertEquals("Apply the settings plugin: add `id(\"io.tfliteslim.settings\") version \"0.1.0\"` to the plugins { } block"
                + " of settings.gradle.kts.", kotlin.text(local, "io.tfliteslim"));
        assertEquals("id(\"io.tfliteslim.settings\")", new SettingsAdvice("settings.gradle.kts", true, null, root).pluginLine());
        // The project's own settings, spelled for the settings plugin.
        List<SlimRepositories.Spec> team = Arrays.asList(LOCAL, SHARED);
        assertEquals("tfliteSlim {\n"
                + "    installDir = 'm2'\n"
                + "    repositoryUrl = 'https://repo.example/maven'\n"
                + "    credentials {\n"
                + "        username = providers.gradleProperty('tfliteSlimUser').orNull\n"
                + "        password = providers.gradleProperty('tfliteSlimPassword').orNull\n"
                + "    }\n"
                + "    groupId = 'com.example'\n"
                + "}\n", groovy.block(team, "com.example"));
        assertEquals("configure<io.tfliteslim.gradle.TfliteSlimSettingsExtension> {\n"
                + "    installDir = file(\"m2\")\n"
                + "    repositoryUrl = \"https://repo.example/maven\"\n"
                + "    credentials {\n"
                + "        username = providers.gradleProperty(\"tfliteSlimUser\").orNull\n"
                + "        password = providers.gradleProperty(\"tfliteSlimPassword\").orNull\n"
                + "    }\n"
                + "}\n", kotlin.block(team, "io.tfliteslim"));
        // A `$` or quote in a path cannot end the Kotlin string or start a template.
        SlimRepositories.Spec odd = new SlimRepositories.Spec("tfliteSlim", "file:/srv/a$b%22c/", false, false);
        assertEquals("configure<io.tfliteslim.gradle.TfliteSlimSettingsExtension> {\n"
                + "    installDir = file(\"/srv/a\\$b\\\"c\")\n}\n", kotlin.block(Arrays.asList(odd), "io.tfliteslim"));
        // A repositoryUrl with credentials in it: the message names the repository, never the password.
        SlimRepositories.Spec secret = new SlimRepositories.Spec("tfliteSlimShared", "https://ci:TOKEN@repo.example/maven", false, false);
        String message = SlimRepositories.settingsMessage("FAIL_ON_PROJECT_REPOS", "io.tfliteslim", Arrays.asList(secret), groovy);
        assertTrue(message, message.contains("    repositoryUrl = 'https://***@repo.example/maven'\n") && !message.contains("TOKEN"));
        assertTrue(SlimRepositories.settingsMessage("FAIL_ON_PROJECT_REPOS", "io.tfliteslim", local, kotlin)
                .startsWith("tflite-slim: this build declares its repositories in settings (dependencyResolutionManagement, FAIL_ON_PROJECT_REPOS)"));
    }

    @Test
    public void theSettingsFileFound() throws Exception {
        File dir = java.nio.file.Files.createTempDirectory("settings").toFile();
        try {
            assertEquals("id 'io.tfliteslim.settings'", SettingsAdvice.find(dir).pluginLine().replaceAll(" version .*", ""));
            File kts = new File(dir, "settings.gradle.kts");
            assertTrue(kts.createNewFile());
            assertTrue(SettingsAdvice.find(dir).text(Arrays.asList(SlimRepositories.Spec.mavenLocal()), "io.tfliteslim")
                    .endsWith(" of settings.gradle.kts."));
        } finally {
            new File(dir, "settings.gradle.kts").delete();
            dir.delete();
        }
    }

    /**
     * Shaped like Gradle 8.x's {@code DefaultRepositoryHandler.exclusiveContent} and its
     * {@code ExclusiveContentRepositorySpec} (gradle/gradle, subprojects/dependency-management):
     * the spec takes {@code forRepositories(ArtifactRepository...)} and {@code filter(Action)}; both
     * are required; then every target repository gets the filter and every other its exclusion.
     */
    public static final class StandInExclusiveHandler {
        final List<Object> repositories;
        final List<String> calls = new ArrayList<>();

        StandInExclusiveHandler(List<Object> repositories) {
            this.repositories = repositories;
        }

        public void exclusiveContent(Action<? super Spec> action) {
            Spec spec = new Spec();
            action.execute(spec);
            if (spec.targets.isEmpty() || spec.filter == null) {
                throw new IllegalStateException("You must declare the repository using forRepository { ... } and the filter");
            }
            for (Object repository : repositories) {
                List<String> content = new ArrayList<>();
                spec.filter.execute(new FakeContent(content));
                for (String c : content) {
                    calls.add(repository + (spec.targets.contains(repository) ? ": " : ": not ") + c);
                }
            }
        }

        public static final class Spec {
            final List<Object> targets = new ArrayList<>();
            Action<Object> filter;

            public Spec forRepositories(org.gradle.api.artifacts.repositories.ArtifactRepository... repositories) {
                targets.addAll(Arrays.asList(repositories));
                return this;
            }

            @SuppressWarnings("unchecked")
            public Spec filter(Action<?> config) {
                filter = (Action<Object>) config;
                return this;
            }
        }
    }

    @Test
    public void exclusiveContentWhereGradleHasIt() {
        org.gradle.api.Project project = org.gradle.testfixtures.ProjectBuilder.builder().build();
        org.gradle.api.artifacts.repositories.ArtifactRepository ours = project.getRepositories().mavenLocal();
        org.gradle.api.artifacts.repositories.ArtifactRepository other = project.getRepositories().jcenter();
        StandInExclusiveHandler handler = new StandInExclusiveHandler(Arrays.<Object>asList(ours, other));
        assertTrue(SlimRepositories.exclusive(handler, Arrays.asList(ours), "io.tfliteslim"));
        assertEquals(Arrays.asList(ours + ": include io.tfliteslim", other + ": not include io.tfliteslim"), handler.calls);
        // Gradle 4.4's RepositoryHandler has no exclusiveContent: nothing done, no error.
        assertFalse(SlimRepositories.exclusive(project.getRepositories(), Arrays.asList(ours), "io.tfliteslim"));
    }

    @Test
    public void contentFilteringWhereGradleHasIt() {
        FakeRepository repository = new FakeRepository("Google", "https://g/");
        assertTrue(SlimRepositories.filter(repository, "excludeGroup", "io.tfliteslim"));
        assertTrue(SlimRepositories.filter(repository, "includeGroup", "x"));
        assertEquals(Arrays.asList("exclude io.tfliteslim", "include x"), repository.content);
        // Gradle 4.4's repositories have no content(): nothing to do, no error.
        assertFalse(SlimRepositories.filter(new Object(), "excludeGroup", "io.tfliteslim"));
    }

    /**
     * Issue 29 ("also seen", Gradle 6.8+): settings that declare our repository by hand, after another one,
     * without the settings plugin. The project plugin adds nothing to settings-owned repositories, so it must
     * keep every other settings repository from serving the slim group (excludeGroup), else the earlier one
     * answers for io.tfliteslim. Ours is left unrestricted: it is the user's repository (mavenLocal()).
     */
    @Test
    public void settingsDeclaringOursByHandGetTheOthersExcluded() {
        FakeRepository google = new FakeRepository("Google", "https://g/");
        FakeRepository ours = new FakeRepository("MavenLocal", "file:/home/u/.m2/repository/");
        SlimRepositories.Declared d = SlimRepositories.read(new FakeGradle(new FakeSettings(
                new FakeManagement(RepositoriesMode.FAIL_ON_PROJECT_REPOS, Arrays.asList(google, ours)))));
        org.gradle.api.Project project = org.gradle.testfixtures.ProjectBuilder.builder().build();
        SlimRepositories.install(project.getRepositories(), d, project.getRootDir(),
                Arrays.asList(SlimRepositories.Spec.mavenLocal()), "io.tfliteslim", null, null);
        assertEquals(Arrays.asList("exclude io.tfliteslim"), google.content);
        assertEquals(Collections.emptyList(), ours.content);
        assertTrue("the project gets no repository of its own", project.getRepositories().isEmpty());
    }

    /** With the settings plugin applied, its exclusiveContent already keeps the group to ours: nothing added. */
    @Test
    public void settingsPluginRepositoriesAreLeftAsTheyAre() {
        FakeRepository google = new FakeRepository("Google", "https://g/");
        FakeRepository ours = new FakeRepository("MavenLocal", "file:/home/u/.m2/repository/");
        SlimRepositories.Declared d = SlimRepositories.read(new FakeGradle(new FakeSettings(
                new FakeManagement(RepositoriesMode.FAIL_ON_PROJECT_REPOS, Arrays.asList(google, ours)), "io.tfliteslim.settings")));
        org.gradle.api.Project project = org.gradle.testfixtures.ProjectBuilder.builder().build();
        SlimRepositories.install(project.getRepositories(), d, project.getRootDir(),
                Arrays.asList(SlimRepositories.Spec.mavenLocal()), "io.tfliteslim", null, null);
        assertEquals(Collections.emptyList(), google.content);
    }

    /** A settings repository Gradle already used cannot be filtered any more: an error naming the fix, not a hole. */
    @Test
    public void aSettingsRepositoryThatCannotBeFilteredIsAnError() {
        SlimRepositories.Declared d = SlimRepositories.read(new FakeGradle(new FakeSettings(new FakeManagement(
                RepositoriesMode.FAIL_ON_PROJECT_REPOS, Arrays.<Object>asList(new UsedRepository(), new FakeRepository("MavenLocal", "file:/m2/"))))));
        org.gradle.api.Project project = org.gradle.testfixtures.ProjectBuilder.builder().build();
        try {
            SlimRepositories.install(project.getRepositories(), d, project.getRootDir(),
                    Arrays.asList(SlimRepositories.Spec.mavenLocal()), "io.tfliteslim", null, null);
            org.junit.Assert.fail("left the settings repository 'Used' able to serve io.tfliteslim");
        } catch (org.gradle.api.GradleException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("tflite-slim: settings declare the repository the slim runtime"
                    + " comes from by hand, and the settings repository 'Used' could not be kept from serving io.tfliteslim"));
            assertTrue(e.getMessage(), e.getMessage().contains("Apply the settings plugin: add `id 'io.tfliteslim.settings'"));
        }
    }
}
