package org.gradle.internal.installation.beacon;

/**
 * A stand-in for the marker class of Gradle 8.10.2's {@code lib/gradle-installation-beacon-8.10.2.jar}
 * (subprojects/core/.../CurrentGradleInstallationLocator loads this class by name and takes the
 * directory above the {@code lib/} holding its jar as the Gradle home). The redistributed API jar
 * (dev.gradleplugins:gradle-api) has no such jar, so without it ProjectBuilder finds no home and
 * fails where it needs module jars (the version-catalog accessors, when a project is evaluated).
 * An empty class, as the real one is.
 */
public class InstallationBeacon {
}
