package io.tfliteslim.gradle.tool;

import org.gradle.api.GradleException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The tool's wheel this jar carries: {@code io/tfliteslim/gradle/tool/tool.properties} (this
 * package's resource folder) names it (version, file, SHA-256); the plugin's build writes both from
 * the same checkout, with the one version of plugin and tool.
 */
public final class ToolWheel {
    /** Where the plugin's build puts the wheel and tool.properties in the jar. */
    private static final String RESOURCES = "/io/tfliteslim/gradle/tool/";
    public final String version;
    public final String name;
    public final String sha256;

    ToolWheel(String version, String name, String sha256) {
        this.version = version;
        this.name = name;
        this.sha256 = sha256;
    }

    /** The wheel of this plugin jar. */
    public static ToolWheel bundled() {
        Properties p = new Properties();
        try (InputStream in = ToolWheel.class.getResourceAsStream(RESOURCES + "tool.properties")) {
            if (in == null) {
                throw new GradleException("the tflite-slim plugin jar has no tool/tool.properties: it was built without its tool's wheel");
            }
            p.load(in);
        } catch (IOException e) {
            throw new GradleException("reading the plugin's tool/tool.properties failed: " + e.getMessage(), e);
        }
        return new ToolWheel(p.getProperty("version"), p.getProperty("wheel"), p.getProperty("sha256"));
    }

    /** The wheel's bytes, checked against the SHA-256 the build recorded. */
    byte[] bytes() {
        try (InputStream in = ToolWheel.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new GradleException("the tflite-slim plugin jar has no tool/" + name);
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] chunk = new byte[65536];
            int n;
            while ((n = in.read(chunk)) > 0) {
                out.write(chunk, 0, n);
            }
            byte[] bytes = out.toByteArray();
            if (!ToolProvisioner.sha256(bytes).equals(sha256)) {
                throw new GradleException("the plugin's tool/" + name + " does not match its SHA-256 in tool.properties: reinstall the plugin");
            }
            return bytes;
        } catch (IOException e) {
            throw new GradleException("reading the plugin's tool/" + name + " failed: " + e.getMessage(), e);
        }
    }
}
