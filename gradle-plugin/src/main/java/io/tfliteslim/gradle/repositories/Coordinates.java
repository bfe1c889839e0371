package io.tfliteslim.gradle.repositories;

import groovy.json.JsonSlurper;
import org.gradle.api.GradleException;

import java.io.File;
import java.util.Map;

/**
 * What {@code tflite-slim install --coordinates-out FILE} installed:
 * {@code {"repository": DIR, "runtime": {group, artifact, version}, "select_tf_ops": {...} or null}}, and for a
 * LiteRT 2.x drop-in {@code "replaces": "com.google.ai.edge.litert:litert:V"}.
 */
public final class Coordinates {
    /** The absolute repository directory the artifacts were installed into. */
    public final String repository;
    public final Gav runtime;
    /** Null when the models use no Flex op. */
    public final Gav selectTfOps;
    /**
     * A LiteRT 2.x drop-in: the one stock module it stands for ({@code com.google.ai.edge.litert:litert:2.2.0});
     * null for the 1.x/TensorFlow Lite runtime, which replaces every stock runtime module.
     */
    public final String replaces;

    public Coordinates(String repository, Gav runtime, Gav selectTfOps) {
        this(repository, runtime, selectTfOps, null);
    }

    public Coordinates(String repository, Gav runtime, Gav selectTfOps, String replaces) {
        if (runtime == null) {
            throw new IllegalArgumentException("runtime coordinates are required");
        }
        this.repository = repository;
        this.runtime = runtime;
        this.selectTfOps = selectTfOps;
        this.replaces = replaces;
    }

    /** Parses the coordinates document (see the class comment). */
    @SuppressWarnings("unchecked")
    public static Coordinates parse(String json, String where) {
        Object doc;
        try {
            doc = new JsonSlurper().parseText(json);
        } catch (RuntimeException e) {
            throw new GradleException(where + " is not valid JSON (" + e.getMessage() + "): run `gradle tfliteSlim` again", e);
        }
        if (!(doc instanceof Map) || !(((Map<String, Object>) doc).get("runtime") instanceof Map)) {
            throw new GradleException(where + " has no \"runtime\" coordinates: run `gradle tfliteSlim` again");
        }
        Map<String, Object> map = (Map<String, Object>) doc;
        Object repo = map.get("repository");
        return new Coordinates(repo == null ? null : repo.toString(),
                Gav.fromMap((Map<String, Object>) map.get("runtime"), where),
                map.get("select_tf_ops") instanceof Map ? Gav.fromMap((Map<String, Object>) map.get("select_tf_ops"), where) : null,
                map.get("replaces") instanceof String ? (String) map.get("replaces") : null);
    }

    /** Reads and parses {@code file}. */
    public static Coordinates read(File file) {
        try {
            return parse(new String(java.nio.file.Files.readAllBytes(file.toPath()), "UTF-8"), file.getPath());
        } catch (java.io.IOException e) {
            throw new GradleException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** One Maven module version. */
    public static final class Gav {
        public final String group;
        public final String artifact;
        public final String version;

        public Gav(String group, String artifact, String version) {
            this.group = group;
            this.artifact = artifact;
            this.version = version;
        }

        static Gav fromMap(Map<String, Object> map, String where) {
            Object g = map.get("group");
            Object a = map.get("artifact");
            Object v = map.get("version");
            if (g == null || a == null || v == null) {
                throw new GradleException(where + ": coordinates need group, artifact and version, got " + map
                        + ": run `gradle tfliteSlim` again");
            }
            return new Gav(g.toString(), a.toString(), v.toString());
        }

        /** {@code group:artifact:version}. */
        public String notation() {
            return group + ":" + artifact + ":" + version;
        }

        /** The directory of this version inside a Maven repository. */
        public File dirIn(File repository) {
            return new File(repository, group.replace('.', '/') + "/" + artifact + "/" + version);
        }

        @Override
        public String toString() {
            return notation();
        }
    }
}
