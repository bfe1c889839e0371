package io.tfliteslim.gradle;

import io.tfliteslim.gradle.compat.Reflect;
import io.tfliteslim.gradle.repositories.SettingsAdvice;
import io.tfliteslim.gradle.repositories.SlimRepositories;
import org.gradle.api.Plugin;
import org.gradle.api.artifacts.dsl.RepositoryHandler;
import org.gradle.api.artifacts.repositories.ArtifactRepository;
import org.gradle.api.initialization.Settings;
import org.gradle.api.invocation.Gradle;
import org.gradle.api.plugins.ExtensionAware;

import java.io.File;
import java.util.List;

/**
 * The {@code io.tfliteslim.settings} plugin, for builds that declare their
 * repositories in settings (Android Studio's template:
 * {@code dependencyResolutionManagement} with {@code FAIL_ON_PROJECT_REPOS}).
 * Once the settings script has run, it declares the slim repositories (the
 * install directory or mavenLocal(), and the team flow's {@code repositoryUrl})
 * in {@code dependencyResolutionManagement.repositories} as the exclusive
 * source of the slim group (Gradle 6.8+, by name). Gradle 4.x has no settings
 * repositories: there it adds them, first, to every project.
 */
public class TfliteSlimSettingsPlugin implements Plugin<Settings> {
    public static final String ID = SettingsAdvice.SETTINGS_PLUGIN_ID;

    @Override
    public void apply(Settings settings) {
        // Settings is ExtensionAware from Gradle 6.8's API on; on 4.x its decorated class already is.
        TfliteSlimSettingsExtension ext = ((ExtensionAware) settings).getExtensions()
                .create("tfliteSlim", TfliteSlimSettingsExtension.class);
        settings.getGradle().settingsEvaluated(s -> declare(s, ext));
    }

    private static void declare(Settings settings, TfliteSlimSettingsExtension ext) {
        File local = ext.getInstallDir() == null ? null : resolve(settings.getSettingsDir(), ext.getInstallDir());
        TfliteSlimExtension.Credentials c = ext.getCredentials();
        List<SlimRepositories.Spec> specs = SlimRepositories.specs(local, ext.getRepositoryUrl(),
                c.getUsername() != null || c.getPassword() != null, ext.getAllowInsecureProtocol());
        String group = ext.getGroupId() != null ? ext.getGroupId() : "io.tfliteslim";
        install(Reflect.get(settings, "getDependencyResolutionManagement"), settings.getGradle(), specs, group,
                c.getUsername(), c.passwordValue());
    }

    /**
     * Into {@code dependencyResolutionManagement.repositories} as the group's exclusive source when
     * there is such a thing ({@code management} non-null: Gradle 6.8+), else first in every project.
     */
    static void install(Object management, Gradle gradle, List<SlimRepositories.Spec> specs, String group,
                        String username, String password) {
        if (management != null) {
            RepositoryHandler repositories = (RepositoryHandler) Reflect.get(management, "getRepositories");
            List<ArtifactRepository> ours = SlimRepositories.declare(repositories, specs, username, password);
            SlimRepositories.keepGroupTo(repositories, ours, group);
        } else {
            gradle.allprojects(p -> SlimRepositories.first(p.getRepositories(),
                    SlimRepositories.declare(p.getRepositories(), specs, username, password), group));
        }
    }

    /** {@code installDir}: a File or a path, relative to the settings directory. */
    static File resolve(File settingsDir, Object value) {
        File f = value instanceof File ? (File) value : new File(value.toString());
        return (f.isAbsolute() ? f : new File(settingsDir, f.getPath())).toPath().normalize().toFile();
    }
}
