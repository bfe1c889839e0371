package io.tfliteslim.gradle;

import org.gradle.api.Action;
import org.gradle.api.GradleException;
import org.gradle.api.Project;
import org.gradle.api.artifacts.repositories.ArtifactRepository;
import org.gradle.api.artifacts.dsl.RepositoryHandler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The repositories the slim runtime may come from, and only from: the one
 * {@code tfliteSlim} installs into (a directory, or mavenLocal()) and, in the
 * team flow, the shared repository CI deploys to.
 *
 * <p>They go first in the project's repositories, so they answer before any
 * other; on Gradle 5.1+ every other repository also gets
 * {@code content { excludeGroup <slim group> }} and ours
 * {@code includeGroup}, so no other repository can serve the slim group even
 * when ours lacks a version (Gradle 4.4 has no content filtering: there the
 * substitution checks that the installed version is in our directory instead).
 * With repositories declared in settings ({@code dependencyResolutionManagement}),
 * the project may not add any: the plugin then checks that settings declare
 * ours, and otherwise fails with the lines to add.
 */
final class SlimRepositories {
    /** The name of the repository the plugin adds (and recognizes as its own). */
    static final String NAME = "tfliteSlim";
    static final String REMOTE_NAME = "tfliteSlimShared";

    private SlimRepositories() {
    }

    /** One repository the slim group may come from. */
    static final class Spec {
        /** Null for mavenLocal(). */
        final String url;
        final String name;
        final boolean credentials;
        final boolean allowInsecureProtocol;

        Spec(String name, String url, boolean credentials, boolean allowInsecureProtocol) {
            this.name = name;
            this.url = url;
            this.credentials = credentials;
            this.allowInsecureProtocol = allowInsecureProtocol;
        }

        static Spec mavenLocal() {
            return new Spec("MavenLocal", null, false, false);
        }

        /** Its Groovy DSL, for messages. */
        String dsl() {
            if (url == null) {
                return "mavenLocal()";
            }
            StringBuilder s = new StringBuilder("maven { name = '").append(name).append("'; url = uri('").append(Redaction.urls(url)).append("')");
            if (allowInsecureProtocol) {
                s.append("; allowInsecureProtocol = true");
            }
            if (credentials) {
                s.append("; credentials { username = '...'; password = '...' }");
            }
            return s.append(" }").toString();
        }
    }

    /** What settings declare: {@code RepositoriesMode} and the repositories' names and URLs. */
    static final class Declared {
        final String mode;
        final List<String> names;
        final List<String> urls;

        Declared(String mode, List<String> names, List<String> urls) {
            this.mode = mode;
            this.names = Collections.unmodifiableList(names);
            this.urls = Collections.unmodifiableList(urls);
        }
    }

    /**
     * {@code settings.dependencyResolutionManagement} as plain data, read by name
     * (Gradle 6.8+; null on older Gradle, which has no such API, and when Gradle cannot say).
     */
    static Declared read(Object gradle) {
        try {
            return readDeclared(gradle);
        } catch (RuntimeException e) {
            // getSettings() is GradleInternal's, not public API: it throws IllegalStateException while
            // no settings are attached (ProjectBuilder, some nested builds). Unknown is treated as
            // "the project owns its repositories"; were that wrong, Gradle's own check still reports it.
            return null;
        }
    }

    private static Declared readDeclared(Object gradle) {
        Object settings = Reflect.get(gradle, "getSettings");
        Object management = Reflect.get(settings, "getDependencyResolutionManagement");
        if (management == null) {
            return null;
        }
        Object modeProperty = Reflect.get(management, "getRepositoriesMode");
        Object mode = modeProperty == null ? null : Reflect.get(modeProperty, "getOrNull");
        List<String> names = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        Object repositories = Reflect.get(management, "getRepositories");
        if (repositories instanceof Iterable) {
            for (Object repository : (Iterable<?>) repositories) {
                Object name = Reflect.get(repository, "getName");
                Object url = Reflect.get(repository, "getUrl");
                names.add(name == null ? "" : name.toString());
                urls.add(url == null ? "" : url.toString());
            }
        }
        return new Declared(mode == null ? null : mode.toString(), names, urls);
    }

    /**
     * Whether settings, not the project, own the repositories: a mode that ignores or refuses
     * project repositories, or settings repositories that a first project repository would switch off.
     */
    static boolean settingsOwnRepositories(Declared declared, boolean projectHasRepositories) {
        if (declared == null) {
            return false;
        }
        return "FAIL_ON_PROJECT_REPOS".equals(declared.mode) || "PREFER_SETTINGS".equals(declared.mode)
                || (!declared.names.isEmpty() && !projectHasRepositories);
    }

    /** The specs settings lack (empty when settings declare every one). */
    static List<Spec> missingFromSettings(Declared declared, List<Spec> specs) {
        List<Spec> missing = new ArrayList<>();
        for (Spec spec : specs) {
            boolean found = false;
            for (int i = 0; i < declared.names.size(); i++) {
                found |= spec.url == null ? "MavenLocal".equals(declared.names.get(i))
                        : sameUrl(spec.url, declared.urls.get(i));
            }
            if (!found) {
                missing.add(spec);
            }
        }
        return missing;
    }

    private static boolean sameUrl(String a, String b) {
        return strip(a).equals(strip(b));
    }

    private static String strip(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        // file:/x and file:///x are the same place.
        return u.startsWith("file:///") ? "file:/" + u.substring("file:///".length()) : u;
    }

    /** The exact lines to add to settings.gradle, for the failure message and the README. */
    static String settingsLines(String group, List<Spec> specs) {
        StringBuilder s = new StringBuilder("dependencyResolutionManagement {\n    repositories {\n        exclusiveContent {\n");
        if (specs.size() == 1) {
            s.append("            forRepository { ").append(specs.get(0).dsl()).append(" }\n");
        } else {
            List<String> parts = new ArrayList<>();
            for (Spec spec : specs) {
                parts.add(spec.dsl());
            }
            s.append("            forRepositories(").append(String.join(", ", parts)).append(")\n");
        }
        return s.append("            filter { includeGroup '").append(group).append("' }\n        }\n    }\n}\n").toString();
    }

    /** The message when settings own the repositories and lack ours. */
    static String settingsMessage(String mode, String group, List<Spec> missing) {
        return "tflite-slim: this build declares its repositories in settings (dependencyResolutionManagement"
                + (mode == null ? "" : ", " + mode) + "), so the plugin may not add the repository the slim runtime comes from. "
                + "Add these lines to settings.gradle (they also make that repository the only source of " + group + "):\n"
                + settingsLines(group, missing);
    }

    /**
     * {@code repository.content { includeGroup/excludeGroup group }} where Gradle has content
     * filtering (5.1+); false on older Gradle.
     */
    static boolean filter(Object repository, String method, String group) {
        if (Reflect.method(repository, "content", Action.class) == null) {
            return false;
        }
        Action<Object> rule = descriptor -> Reflect.call(descriptor, method, new Class<?>[]{String.class}, group);
        Reflect.call(repository, "content", new Class<?>[]{Action.class}, rule);
        return true;
    }

    /** Adds our repositories first (or checks settings declare them) and keeps the slim group to them. */
    static void install(Project project, List<Spec> specs, String group, String username, String password) {
        RepositoryHandler repositories = project.getRepositories();
        Declared declared = read(project.getGradle());
        if (settingsOwnRepositories(declared, !repositories.isEmpty())) {
            List<Spec> missing = missingFromSettings(declared, specs);
            if (!missing.isEmpty()) {
                throw new GradleException(settingsMessage(declared.mode, group, specs));
            }
            return;
        }
        List<ArtifactRepository> ours = new ArrayList<>();
        for (Spec spec : specs) {
            ArtifactRepository repository;
            if (spec.url == null) {
                repository = repositories.mavenLocal();
            } else {
                repository = repositories.maven(r -> {
                    r.setName(spec.name);
                    r.setUrl(spec.url);
                    if (spec.credentials) {
                        r.credentials(c -> {
                            c.setUsername(username);
                            c.setPassword(password);
                        });
                    }
                    if (spec.allowInsecureProtocol) {
                        Reflect.call(r, "setAllowInsecureProtocol", new Class<?>[]{boolean.class}, true);
                    }
                });
            }
            ours.add(repository);
        }
        // First, in the order given: Gradle takes a fixed version from the first repository that has it.
        for (int i = ours.size() - 1; i >= 0; i--) {
            repositories.remove(ours.get(i));
            repositories.addFirst(ours.get(i));
        }
        repositories.all(r -> filter(r, ours.contains(r) ? "includeGroup" : "excludeGroup", group));
    }
}
