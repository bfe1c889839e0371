/**
 * Where the slim runtime comes from and what it replaces: the slim repositories first and exclusive,
 * in a project or in settings ({@link io.tfliteslim.gradle.repositories.SlimRepositories},
 * {@link io.tfliteslim.gradle.repositories.SettingsAdvice}), the documents that name the runtime
 * ({@link io.tfliteslim.gradle.repositories.Coordinates},
 * {@link io.tfliteslim.gradle.repositories.CoordinatesCache}), which stock module becomes which slim
 * one ({@link io.tfliteslim.gradle.repositories.Substitutions}, pure) and the rule that applies it
 * ({@link io.tfliteslim.gradle.repositories.StockRuntimeSubstitution}); the release the declared
 * stock dependency names ({@link io.tfliteslim.gradle.repositories.SourceChoice}, pure).
 *
 * <p>In: repository specs (plain values), a project's or settings' repository handler, the
 * coordinates files the tasks write. Out: repositories declared and filtered, substitution rules,
 * one-line errors naming the settings lines to add. Depends on {@code tool} (redaction) and
 * {@code compat}.
 */
package io.tfliteslim.gradle.repositories;
