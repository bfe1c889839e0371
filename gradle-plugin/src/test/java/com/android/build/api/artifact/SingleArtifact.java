package com.android.build.api.artifact;

/**
 * Stand-in for AGP 9's {@code com.android.build.api.artifact.SingleArtifact}
 * (com.android.tools.build:gradle-api 9.x, {@code com/android/build/api/artifact/SingleArtifact.kt}): a
 * sealed class whose artifacts are Kotlin {@code object}s, so Java (and the plugin, by name) reaches
 * one as the static {@code INSTANCE} of a nested class. Only {@code ASSETS} (the variant's merged
 * assets directory, {@code SingleArtifact<Directory>}) is here: the one artifact the plugin reads.
 */
public abstract class SingleArtifact<T> {
    private SingleArtifact() {
    }

    /** {@code object ASSETS : SingleArtifact<Directory>(DIRECTORY), Replaceable, Transformable}. */
    public static final class ASSETS extends SingleArtifact<org.gradle.api.file.Directory> {
        public static final ASSETS INSTANCE = new ASSETS();

        private ASSETS() {
        }
    }
}
