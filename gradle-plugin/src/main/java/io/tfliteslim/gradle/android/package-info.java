/**
 * What the Android Gradle Plugin says about the app, read without compiling against AGP: the
 * models' directories through the Variant API or the AGP 8 DSL
 * ({@link io.tfliteslim.gradle.android.AndroidSources}), {@code abiFilters} and {@code ndkVersion}
 * ({@link io.tfliteslim.gradle.android.AndroidDsl}).
 *
 * <p>In: the project and its {@code android} / {@code androidComponents} extensions. Out: files,
 * ABI names, an NDK revision, and one warning naming why a fallback was taken. Depends on
 * {@code compat} only.
 */
package io.tfliteslim.gradle.android;
