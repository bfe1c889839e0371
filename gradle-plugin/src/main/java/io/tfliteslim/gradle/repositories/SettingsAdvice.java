package io.tfliteslim.gradle.repositories;

import java.io.File;
import java.net.URI;
import java.util.List;

import io.tfliteslim.gradle.tool.Redaction;

/**
 * What to add to the build's settings file so the settings plugin declares the slim
 * repositories, spelled in that file's DSL ({@code settings.gradle.kts}: Kotlin,
 * else Groovy), with no URL's credentials ({@link Redaction}). Pure apart from {@link #find(File)}.
 */
public final class SettingsAdvice {
    /** The settings plugin's id (the plugin class names it as its {@code ID}). */
    public static final String SETTINGS_PLUGIN_ID = "io.tfliteslim.settings";
    private final String fileName;
    private final boolean kotlin;
    private final String version;
    private final File rootDir;

    public SettingsAdvice(String fileName, boolean kotlin, String version, File rootDir) {
        this.fileName = fileName;
        this.kotlin = kotlin;
        this.version = version;
        this.rootDir = rootDir;
    }

    /** The settings file of the build rooted at {@code rootDir} (Kotlin when only {@code settings.gradle.kts} is there). */
    public static SettingsAdvice find(File rootDir) {
        boolean kotlin = new File(rootDir, "settings.gradle.kts").isFile() && !new File(rootDir, "settings.gradle").isFile();
        return new SettingsAdvice(kotlin ? "settings.gradle.kts" : "settings.gradle", kotlin, pluginVersion(), rootDir);
    }

    /** This plugin's version from its jar's manifest; null when not run from the jar. */
    static String pluginVersion() {
        Package p = SettingsAdvice.class.getPackage();
        return p == null ? null : p.getImplementationVersion();
    }

    /** The one line that applies the settings plugin, in this DSL. */
    public String pluginLine() {
        String id = SETTINGS_PLUGIN_ID;
        if (kotlin) {
            return "id(\"" + id + "\")" + (version == null ? "" : " version \"" + version + "\"");
        }
        return "id '" + id + "'" + (version == null ? "" : " version '" + version + "'");
    }

    /** The advice: the plugin line, plus the settings the project's own differ from the defaults by. */
    public String text(List<SlimRepositories.Spec> specs, String group) {
        StringBuilder s = new StringBuilder("Apply the settings plugin: add `").append(pluginLine())
                .append("` to the plugins { } block of ").append(fileName).append('.');
        String block = block(specs, group);
        if (!block.isEmpty()) {
            s.append(" With this project's settings, also add to ").append(fileName).append(":\n").append(block);
        }
        return s.toString();
    }

    /** The settings block (empty when the defaults match: mavenLocal(), no shared repository, our group). */
    public String block(List<SlimRepositories.Spec> specs, String group) {
        StringBuilder body = new StringBuilder();
        for (SlimRepositories.Spec spec : specs) {
            if (SlimRepositories.NAME.equals(spec.name)) {
                body.append("    installDir = ").append(kotlin ? "file(" + quote(path(spec.url)) + ")" : quote(path(spec.url))).append('\n');
            } else if (SlimRepositories.REMOTE_NAME.equals(spec.name)) {
                // Printed in an error message: never the URL's user:password (the credentials block says where they go).
                body.append("    repositoryUrl = ").append(quote(Redaction.urls(spec.url))).append('\n');
                if (spec.credentials) {
                    body.append(kotlin
                            ? "    credentials {\n        username = providers.gradleProperty(\"tfliteSlimUser\").orNull\n"
                            + "        password = providers.gradleProperty(\"tfliteSlimPassword\").orNull\n    }\n"
                            : "    credentials {\n        username = providers.gradleProperty('tfliteSlimUser').orNull\n"
                            + "        password = providers.gradleProperty('tfliteSlimPassword').orNull\n    }\n");
                }
                if (spec.allowInsecureProtocol) {
                    body.append("    allowInsecureProtocol = true\n");
                }
            }
        }
        if (!"io.tfliteslim".equals(group)) {
            body.append("    groupId = ").append(quote(group)).append('\n');
        }
        if (body.length() == 0) {
            return "";
        }
        String open = kotlin ? "configure<io.tfliteslim.gradle.TfliteSlimSettingsExtension> {\n" : "tfliteSlim {\n";
        return open + body + "}\n";
    }

    private String quote(String value) {
        String q = kotlin ? "\"" : "'";
        String escaped = value.replace("\\", "\\\\").replace(q, "\\" + q);
        return q + (kotlin ? escaped.replace("$", "\\$") : escaped) + q;
    }

    /** A file: URL as a path, relative to the root dir (where the settings file is) when inside it. */
    private String path(String url) {
        File f = new File(URI.create(url));
        java.nio.file.Path base = rootDir.toPath().toAbsolutePath().normalize();
        java.nio.file.Path p = f.toPath().toAbsolutePath().normalize();
        return p.startsWith(base) && !p.equals(base) ? base.relativize(p).toString().replace(File.separatorChar, '/') : p.toString();
    }
}
