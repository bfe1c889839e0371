package io.tfliteslim.gradle;

import org.gradle.api.Action;
import org.junit.Test;

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
        private final List<FakeRepository> repositories;

        FakeManagement(RepositoriesMode mode, List<FakeRepository> repositories) {
            this.mode = new FakeProperty(mode);
            this.repositories = repositories;
        }

        public FakeProperty getRepositoriesMode() {
            return mode;
        }

        public List<FakeRepository> getRepositories() {
            return repositories;
        }
    }

    public static final class FakeSettings {
        private final FakeManagement management;

        FakeSettings(FakeManagement management) {
            this.management = management;
        }

        public FakeManagement getDependencyResolutionManagement() {
            return management;
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
    public void theExactLinesToAdd() {
        SlimRepositories.Declared d = declared(RepositoriesMode.FAIL_ON_PROJECT_REPOS, new FakeRepository("Google", "https://g/"));
        assertEquals(Arrays.asList(LOCAL), SlimRepositories.missingFromSettings(d, Arrays.asList(LOCAL)));
        assertEquals("dependencyResolutionManagement {\n"
                + "    repositories {\n"
                + "        exclusiveContent {\n"
                + "            forRepository { maven { name = 'tfliteSlim'; url = uri('file:/app/m2/') } }\n"
                + "            filter { includeGroup 'io.tfliteslim' }\n"
                + "        }\n"
                + "    }\n"
                + "}\n", SlimRepositories.settingsLines("io.tfliteslim", Arrays.asList(LOCAL)));
        assertEquals("dependencyResolutionManagement {\n"
                + "    repositories {\n"
                + "        exclusiveContent {\n"
                + "            forRepositories(mavenLocal(), maven { name = 'tfliteSlimShared'; url = uri('https://repo.example/maven');"
                + " credentials { username = '...'; password = '...' } })\n"
                + "            filter { includeGroup 'com.example' }\n"
                + "        }\n"
                + "    }\n"
                + "}\n", SlimRepositories.settingsLines("com.example", Arrays.asList(SlimRepositories.Spec.mavenLocal(), SHARED)));
        assertTrue(SlimRepositories.settingsMessage("FAIL_ON_PROJECT_REPOS", "io.tfliteslim", Arrays.asList(LOCAL))
                .startsWith("tflite-slim: this build declares its repositories in settings (dependencyResolutionManagement, FAIL_ON_PROJECT_REPOS)"));
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
}
