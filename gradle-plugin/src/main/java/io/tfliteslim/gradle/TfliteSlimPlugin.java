package io.tfliteslim.gradle;

import io.tfliteslim.gradle.android.VariantClasspaths;
import io.tfliteslim.gradle.repositories.SlimRepositories;
import io.tfliteslim.gradle.repositories.StockRuntimeSubstitution;
import io.tfliteslim.gradle.tasks.SlimTasks;
import org.gradle.api.Action;
import org.gradle.api.Plugin;
import org.gradle.api.Project;

/**
 * The {@code io.tfliteslim} plugin: the {@code tfliteSlim} extension; the
 * {@code tfliteReport}, {@code tfliteSlim}, {@code tfliteVerify},
 * {@code tfliteSlimPlan} and {@code tfliteSlimPublish} tasks ({@link SlimTasks});
 * the repositories the slim runtime comes from, and only from
 * ({@link SlimRepositories}); and the substitution of the stock TensorFlow
 * Lite / LiteRT modules by the slim ones ({@link StockRuntimeSubstitution}).
 * The extension's values reach them through {@link ProjectDefaults}.
 */
public class TfliteSlimPlugin implements Plugin<Project> {
    public static final String GROUP = SlimTasks.GROUP;

    @Override
    public void apply(Project project) {
        TfliteSlimExtension ext = project.getExtensions().create("tfliteSlim", TfliteSlimExtension.class);
        ProjectDefaults defaults = new ProjectDefaults(project, ext);
        defaults.registerAndroidSources();
        SlimTasks tasks = SlimTasks.register(project, defaults);
        // An Android app: tfliteReport<Variant> and tfliteVerify<Variant> per variant, on what its APK carries.
        defaults.eachVariant(variant -> tasks.registerVariant(variant.name, defaults.forVariant(variant)));

        // After the build script set repositoryUrl/repository. Applied to a project that is already
        // evaluated (from another project's afterEvaluate), now: afterEvaluate would never run on
        // Gradle 4.x (no repository at all) and is an error on Gradle 7+.
        Action<Project> repositories = p -> SlimRepositories.install(p, defaults.repositorySpecs(), defaults.group(),
                ext.getCredentials().getUsername(), ext.getCredentials().passwordValue());
        if (project.getState().getExecuted()) {
            repositories.execute(project);
        } else {
            project.afterEvaluate(repositories);
        }
        // Per variant: the classpaths of variants the build keeps on the stock runtime (stockRuntimeVariants).
        // Declared, not read from the models: whether a variant has models is known from its assets, its dependencies' included,
        // which resolve its runtime classpath, so deciding from them would make the classpath depend on itself.
        java.util.Map<String, String> variantOf = new java.util.concurrent.ConcurrentHashMap<>();
        defaults.eachVariant(variant -> variant.classpaths.forEach(c -> variantOf.put(c, variant.name)));
        // A variant's tests (unit, instrumented, fixtures) get what it gets: an instrumented test APK whose classpath
        // resolved another runtime than the APK it tests would carry a second one (AGP subtracts only equal artifacts).
        StockRuntimeSubstitution.install(project, defaults.coordinatesFile(), defaults.verifiedFile(),
                cfg -> VariantClasspaths.belongsTo(cfg, ext.getStockRuntimeVariants(), variantOf));
    }
}
