/**
 * The plugins and the DSL users see: {@code io.tfliteslim} ({@link io.tfliteslim.gradle.TfliteSlimPlugin},
 * its {@code tfliteSlim { }} block {@link io.tfliteslim.gradle.TfliteSlimExtension}) and
 * {@code io.tfliteslim.settings} ({@link io.tfliteslim.gradle.TfliteSlimSettingsPlugin},
 * {@link io.tfliteslim.gradle.TfliteSlimSettingsExtension}). The only public API: build scripts name
 * these classes; the sub-packages are the plugin's own and may change.
 *
 * <p>In: the build script's settings and the project (its directories, Gradle properties, the
 * {@code android} extension). {@link io.tfliteslim.gradle.ProjectDefaults} fills in the defaults and
 * hands them on as {@link io.tfliteslim.gradle.tasks.TaskSettings}. Out: the tasks
 * ({@code tasks}), the slim repositories and the substitution rule ({@code repositories}).
 * Depends on every sub-package; none depends on it.
 */
package io.tfliteslim.gradle;
