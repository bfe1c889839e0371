package io.tfliteslim.gradle.repositories;

import org.gradle.api.Action;
import org.gradle.api.GradleException;
import org.gradle.api.Project;
import org.gradle.api.artifacts.repositories.ArtifactRepository;
import org.gradle.api.artifacts.dsl.RepositoryHandler;
import org.gradle.api.artifacts.repositories.MavenArtifactRepository;
import io.tfliteslim.gradle.compat.Reflect;

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
 * substitution checks that the installed version is in our directory instead,
 * and tfliteVerify has the tool read the team flow's ops.json from repositoryUrl).
 * With repositories declared in settings ({@code dependencyResolutionManagement}),
 * the project may not add any: the plugin then checks that settings declare
 * ours, and otherwise fails with the lines to add; ours declared by hand (no
 * settings plugin), it excludes the slim group from every other settings repository.
 */
public final class SlimRepositories {
    /** The name of the repository the plugin adds (and recognizes as its own). */
    public static final String NAME = "tfliteSlim";
    public static final String REMOTE_NAME = "tfliteSlimShared";

    private SlimRepositories() {
    }

    /** One repository the slim group may come from. */
    public static final class Spec {
        /** Null for mavenLocal(). */
        public final String url;
        public final String name;
        public final boolean credentials;
        public final boolean allowInsecureProtocol;

        Spec(String name, String url, boolean credentials, boolean allowInsecureProtocol) {
            this.name = name;
            this.url = url;
            this.credentials = credentials;
            this.allowInsecureProtocol = allowInsecureProtocol;
        }

        static Spec mavenLocal() {
            return new Spec("MavenLocal", null, false, false);
        }
    }

    /** What settings declare: {@code RepositoriesMode} and the repositories' names and URLs. */
    static final class Declared {
        final String mode;
        final List<String> names;
        final List<String> urls;
        /** The repository objects, in the order of {@link #names}. */
        final List<Object> repositories;
        /** The settings plugin is applied (it made our repositories the group's exclusive source). */
        final boolean settingsPlugin;

        Declared(String mode, List<String> names, List<String> urls) {
            this(mode, names, urls, Collections.nCopies(names.size(), null), false);
        }

        Declared(String mode, List<String> names, List<String> urls, List<Object> repositories, boolean settingsPlugin) {
            this.mode = mode;
            this.names = Collections.unmodifiableList(names);
            this.urls = Collections.unmodifiableList(urls);
            this.repositories = Collections.unmodifiableList(new ArrayList<>(repositories));
            this.settingsPlugin = settingsPlugin;
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
        List<Object> objects = new ArrayList<>();
        Object repositories = Reflect.get(management, "getRepositories");
        if (repositories instanceof Iterable) {
            for (Object repository : (Iterable<?>) repositories) {
                Object name = Reflect.get(repository, "getName");
                Object url = Reflect.get(repository, "getUrl");
                names.add(name == null ? "" : name.toString());
                urls.add(url == null ? "" : url.toString());
                objects.add(repository);
            }
        }
        Object plugins = Reflect.get(settings, "getPluginManager");
        boolean settingsPlugin = Boolean.TRUE.equals(Reflect.call(plugins, "hasPlugin", new Class<?>[]{String.class},
                SettingsAdvice.SETTINGS_PLUGIN_ID));
        return new Declared(mode == null ? null : mode.toString(), names, urls, objects, settingsPlugin);
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
                found |= isOurs(Collections.singletonList(spec), declared.names.get(i), declared.urls.get(i));
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

    /** The message when settings own the repositories and lack ours: the settings plugin, in the settings file's DSL. */
    static String settingsMessage(String mode, String group, List<Spec> specs, SettingsAdvice advice) {
        return "tflite-slim: this build declares its repositories in settings (dependencyResolutionManagement"
                + (mode == null ? "" : ", " + mode) + "), so the plugin may not add the repository the slim runtime comes from "
                + "(nor make it the only source of " + group + "). " + advice.text(specs, group);
    }

    /**
     * Whether this Gradle has repository content filtering ({@code ArtifactRepository.content}, 5.1+),
     * which {@link #filter} uses: without it (4.x) another repository can serve the slim group.
     */
    public static boolean contentFiltering() {
        try {
            ArtifactRepository.class.getMethod("content", Action.class);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
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

    /**
     * The directory Gradle's own mavenLocal() reads, from its MavenLocal repository's URL (the project's,
     * else the one settings declare); null when there is none. Gradle finds it from Java's user.home,
     * ~/.m2/settings.xml, M2_HOME's conf/settings.xml and the system property maven.repo.local; the
     * tool's own default is Maven's (MAVEN_OPTS, MAVEN_HOME, $HOME), so the plugin passes this one.
     */
    public static java.io.File mavenLocalDirectory(Project project) {
        for (ArtifactRepository r : project.getRepositories()) {
            if ("MavenLocal".equals(r.getName()) && r instanceof MavenArtifactRepository) {
                return fileOf(((MavenArtifactRepository) r).getUrl());
            }
        }
        Declared declared = read(project.getGradle());
        for (int i = 0; declared != null && i < declared.names.size(); i++) {
            if ("MavenLocal".equals(declared.names.get(i)) && !declared.urls.get(i).isEmpty()) {
                return fileOf(java.net.URI.create(declared.urls.get(i)));
            }
        }
        return null;
    }

    private static java.io.File fileOf(java.net.URI uri) {
        return uri != null && "file".equals(uri.getScheme()) ? new java.io.File(uri) : null;
    }

    /**
     * The specs for a local repository ({@code null}: mavenLocal()) and, in the team flow, a shared
     * one: what both the project plugin and the settings plugin declare.
     */
    public static List<Spec> specs(java.io.File local, String sharedUrl, boolean credentials, boolean allowInsecureProtocol) {
        List<Spec> specs = new ArrayList<>();
        specs.add(local == null ? Spec.mavenLocal() : new Spec(NAME, local.toURI().toString(), false, false));
        if (sharedUrl != null) {
            specs.add(new Spec(REMOTE_NAME, sharedUrl, credentials, allowInsecureProtocol));
        }
        return specs;
    }

    /**
     * The repositories the plugin itself added (weakly held: configuration-time objects). A repository already
     * there that {@link #declare} reuses is either one of these (the settings plugin put it in every project on
     * Gradle 4.x-6.7) or the build's own at our place (its mavenLocal(), a directory it also keeps other modules
     * in), which must keep serving what it served.
     */
    private static final java.util.Set<ArtifactRepository> ADDED =
            Collections.synchronizedSet(Collections.newSetFromMap(new java.util.WeakHashMap<ArtifactRepository, Boolean>()));

    /** Whether the plugin added {@code repository} (not the build). */
    static boolean added(ArtifactRepository repository) {
        return ADDED.contains(repository);
    }

    /**
     * Our repositories in {@code repositories}, in the order of {@code specs}: one already there
     * (the settings plugin put it in every project on Gradle 4.x) is reused, a missing one added.
     */
    public static List<ArtifactRepository> declare(RepositoryHandler repositories, List<Spec> specs, String username, String password) {
        List<ArtifactRepository> ours = new ArrayList<>();
        for (Spec spec : specs) {
            ArtifactRepository repository = existing(repositories, spec);
            if (repository == null && spec.url == null) {
                repository = repositories.mavenLocal();
                ADDED.add(repository);
            } else if (repository == null) {
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
                ADDED.add(repository);
            }
            ours.add(repository);
        }
        return ours;
    }

    private static ArtifactRepository existing(RepositoryHandler repositories, Spec spec) {
        for (ArtifactRepository r : repositories) {
            Object url = r instanceof MavenArtifactRepository ? ((MavenArtifactRepository) r).getUrl() : null;
            if (spec.url == null ? "MavenLocal".equals(r.getName()) : url != null && sameUrl(spec.url, url.toString())) {
                return r;
            }
        }
        return null;
    }

    /**
     * {@code repositories.exclusiveContent { forRepositories(ours); filter { includeGroup group } }}
     * (Gradle 6.2+, by name: the {@code RepositoryHandler} of {@code dependencyResolutionManagement});
     * false where Gradle lacks it.
     */
    public static boolean exclusive(Object repositories, List<ArtifactRepository> ours, String group) {
        if (Reflect.method(repositories, "exclusiveContent", Action.class) == null) {
            return false;
        }
        ArtifactRepository[] targets = ours.toArray(new ArtifactRepository[0]);
        Action<Object> spec = exclusive -> {
            Reflect.call(exclusive, "forRepositories", new Class<?>[]{ArtifactRepository[].class}, (Object) targets);
            Action<Object> filter = descriptor -> Reflect.call(descriptor, "includeGroup", new Class<?>[]{String.class}, group);
            Reflect.call(exclusive, "filter", new Class<?>[]{Action.class}, filter);
        };
        Reflect.call(repositories, "exclusiveContent", new Class<?>[]{Action.class}, spec);
        return true;
    }

    /** Adds our repositories first (or checks settings declare them) and keeps the slim group to them. */
    public static void install(Project project, List<Spec> specs, String group, String username, String password) {
        install(project.getRepositories(), read(project.getGradle()), project.getRootDir(), specs, group, username, password);
    }

    /** {@link #install(Project, List, String, String, String)} with what settings declare ({@code declared}, null: nothing). */
    static void install(RepositoryHandler repositories, Declared declared, java.io.File rootDir, List<Spec> specs, String group,
                        String username, String password) {
        if (settingsOwnRepositories(declared, !repositories.isEmpty())) {
            List<Spec> missing = missingFromSettings(declared, specs);
            if (!missing.isEmpty()) {
                throw new GradleException(settingsMessage(declared.mode, group, specs, SettingsAdvice.find(rootDir)));
            }
            if (!declared.settingsPlugin) {
                excludeFromOthers(declared, specs, group, rootDir);
            }
            return;
        }
        first(repositories, declare(repositories, specs, username, password), group);
    }

    /**
     * Settings declare our repositories by hand (without the settings plugin, whose exclusiveContent
     * does this): every other settings repository gets {@code content { excludeGroup group }}, so an
     * earlier one (google(), a company mirror) cannot serve the slim group (Gradle takes a version
     * from the first repository that has it). Ours stay as the user declared them (a mavenLocal()
     * may serve more than the slim group). A repository Gradle already resolved from refuses new
     * content rules: that is an error with the settings plugin as the fix, never a silent hole.
     */
    private static void excludeFromOthers(Declared declared, List<Spec> specs, String group, java.io.File rootDir) {
        for (int i = 0; i < declared.names.size(); i++) {
            Object repository = declared.repositories.get(i);
            if (repository == null || isOurs(specs, declared.names.get(i), declared.urls.get(i))) {
                continue;
            }
            try {
                filter(repository, "excludeGroup", group);
            } catch (RuntimeException e) {
                throw new GradleException("tflite-slim: settings declare the repository the slim runtime comes from by hand,"
                        + " and the settings repository '" + declared.names.get(i) + "' could not be kept from serving " + group
                        + " (" + e.getMessage() + "), so it could answer for the slim runtime. "
                        + SettingsAdvice.find(rootDir).text(specs, group), e);
            }
        }
    }

    private static boolean isOurs(List<Spec> specs, String name, String url) {
        for (Spec spec : specs) {
            if (spec.url == null ? "MavenLocal".equals(name) : sameUrl(spec.url, url)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code ours} first, in the order given (Gradle takes a fixed version from the first repository
     * that has it), and on Gradle 5.1+ the only ones that may serve {@code group}. One of ours that the build
     * declared itself (see {@link #ADDED}) stays as it is, and on Gradle 5.1+ where it is: it serves the slim
     * group and whatever else it served (an {@code includeGroup} would cut the build's other modules off from
     * it), the others being kept from the group. Gradle 4.x has no content filtering, so there the order is
     * the only guard and it goes first too.
     */
    public static void first(RepositoryHandler repositories, List<ArtifactRepository> ours, String group) {
        boolean filtering = contentFiltering();
        for (int i = ours.size() - 1; i >= 0; i--) {
            if (added(ours.get(i)) || !filtering) {
                repositories.remove(ours.get(i));
                repositories.addFirst(ours.get(i));
            }
        }
        repositories.all(r -> {
            if (!ours.contains(r)) {
                filter(r, "excludeGroup", group);
            } else if (added(r)) {
                filter(r, "includeGroup", group);
            }
        });
    }

    /**
     * Settings' repositories (Gradle 6.8+): {@code ours} the only source of {@code group}, by
     * {@link #exclusive} when the plugin added them all; when the build declared one of them itself, which
     * {@code exclusiveContent} would restrict to the slim group, every other repository gets
     * {@code excludeGroup} instead and the build's own stays as declared. False where Gradle has neither.
     */
    public static boolean keepGroupTo(RepositoryHandler repositories, List<ArtifactRepository> ours, String group) {
        boolean allAdded = true;
        for (ArtifactRepository r : ours) {
            allAdded &= added(r);
        }
        if (allAdded) {
            return exclusive(repositories, ours, group);
        }
        boolean[] filtered = {false};
        repositories.all(r -> {
            if (!ours.contains(r)) {
                filtered[0] |= filter(r, "excludeGroup", group);
            } else if (added(r)) {
                filtered[0] |= filter(r, "includeGroup", group);
            }
        });
        return filtered[0];
    }
}
