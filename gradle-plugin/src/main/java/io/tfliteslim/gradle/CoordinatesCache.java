package io.tfliteslim.gradle;

import org.gradle.api.logging.Logger;

import java.io.File;

/**
 * The installed coordinates, re-read only when the file changes (the
 * substitution rule asks once per dependency of every resolved configuration).
 */
final class CoordinatesCache {
    private final File file;
    private final Logger logger;
    private long stamp = Long.MIN_VALUE;
    private Coordinates value;
    private boolean warned;

    CoordinatesCache(File file, Logger logger) {
        this.file = file;
        this.logger = logger;
    }

    /** The coordinates, or null (with one warning) when tfliteSlim has not run. */
    synchronized Coordinates get() {
        if (!file.isFile()) {
            if (!warned) {
                warned = true;
                logger.warn("tflite-slim: {} not found, so the app resolves the stock TensorFlow Lite runtime; "
                        + "run `gradle tfliteSlim` to build and use the slim one", file);
            }
            value = null;
            stamp = Long.MIN_VALUE;
            return null;
        }
        long now = file.lastModified() ^ (file.length() << 32);
        if (value == null || now != stamp) {
            value = Coordinates.read(file);
            stamp = now;
        }
        return value;
    }
}
