package io.tfliteslim.gradle.repositories;

import org.gradle.api.GradleException;
import org.gradle.api.logging.Logger;

import java.io.File;

/**
 * The coordinates the app uses, re-read only when the file changes (the
 * substitution rule asks once per dependency of every resolved configuration):
 * what tfliteSlim installed, else (team flow) the deployed runtime tfliteVerify
 * checked, else none.
 */
public final class CoordinatesCache {
    private final File installed;
    private final File deployed;
    private final Logger logger;
    private File source;
    private long stamp = Long.MIN_VALUE;
    private Coordinates value;
    private boolean warned;

    public CoordinatesCache(File installed, File deployed, Logger logger) {
        this.installed = installed;
        this.deployed = deployed;
        this.logger = logger;
    }

    /** The coordinates, or null (with one warning) when there is no slim runtime yet. */
    public synchronized Coordinates get() {
        File file = installed.isFile() ? installed : deployed.isFile() ? deployed : null;
        if (file == null) {
            if (!warned) {
                warned = true;
                logger.warn("tflite-slim: {} not found, so the app resolves the stock TensorFlow Lite runtime; "
                        + "run `gradle tfliteSlim` to build and use the slim one", installed);
            }
            value = null;
            stamp = Long.MIN_VALUE;
            return null;
        }
        long now = file.lastModified() ^ (file.length() << 32);
        if (value == null || now != stamp || !file.equals(source)) {
            Coordinates read = Coordinates.read(file);
            if (file.equals(installed)) {
                checkInstalled(read, file);
            }
            value = read;
            stamp = now;
            source = file;
        }
        return value;
    }

    /**
     * The installed versions must be in the directory tfliteSlim installed them into. Our
     * repository is first, so Gradle takes them from there; were they gone, the next repository
     * with the same coordinates would answer instead (Gradle before 5.1 cannot restrict a group
     * to one repository), so that is an error, never a fallback.
     */
    static void checkInstalled(Coordinates c, File where) {
        if (c.repository == null) {
            return;
        }
        File repo = new File(c.repository);
        for (Coordinates.Gav gav : new Coordinates.Gav[]{c.runtime, c.selectTfOps}) {
            if (gav != null && !new File(gav.dirIn(repo), gav.artifact + "-" + gav.version + ".pom").isFile()) {
                throw new GradleException("tflite-slim: " + gav + " is not in " + repo + ", the repository tfliteSlim installed it into ("
                        + where + "); the slim runtime is resolved from there only: run `gradle tfliteSlim` to install it again");
            }
        }
    }
}
