package io.tfliteslim.gradle.service;

import io.tfliteslim.gradle.tool.SharedInterpreters;
import io.tfliteslim.gradle.tool.ToolProvisioner;

import org.gradle.api.logging.Logger;
import org.gradle.api.services.BuildService;
import org.gradle.api.services.BuildServiceParameters;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The build's one place that finds (and provisions) the tool's interpreter: every task of every
 * project asks it, and each distinct provisioner ({@link ToolProvisioner#key()}) is resolved once
 * per build. Gradle makes it on first use and discards it when the build ends, so the next build
 * looks again (an interpreter uninstalled between builds is noticed). No parameters: what decides
 * the interpreter is the provisioner each task carries (projects may name different interpreters).
 */
public abstract class ToolService implements BuildService<BuildServiceParameters.None>, SharedInterpreters {
    private final ConcurrentHashMap<String, String> interpreters = new ConcurrentHashMap<>();
    private final AtomicInteger resolutions = new AtomicInteger();

    @Override
    public String interpreter(ToolProvisioner provisioner, Logger logger) {
        // computeIfAbsent holds the key's bin while resolving: a second task waits for the first's
        // answer instead of probing (and perhaps provisioning) again.
        return interpreters.computeIfAbsent(provisioner.key(), k -> {
            resolutions.incrementAndGet();
            return provisioner.resolve(logger);
        });
    }

    /** How many interpreters this build looked for (for tests). */
    public int resolutions() {
        return resolutions.get();
    }
}
