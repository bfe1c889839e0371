package io.tfliteslim.gradle.repositories;

import org.gradle.api.Project;
import org.gradle.api.artifacts.component.ComponentSelector;
import org.gradle.api.artifacts.component.ModuleComponentSelector;

import java.io.File;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rule that makes every configuration, including the ones that bring TFLite in transitively,
 * resolve the stock runtime modules to the slim ones ({@link Substitutions} decides which).
 */
public final class StockRuntimeSubstitution {
    private StockRuntimeSubstitution() {
    }

    /**
     * On every configuration of {@code project}. The rule reads the coordinates when a configuration
     * resolves (what tfliteSlim installed, else the team flow's verified plan), so running tfliteSlim
     * and building the app in one invocation works. A LiteRT 2.x module is replaced only by the drop-in
     * built for its exact version; otherwise it is left as requested, with one warning per module saying why
     * ({@link Substitutions#warningFor}).
     */
    public static void install(Project project, File installed, File verified) {
        install(project, installed, verified, cfg -> false);
    }

    /**
     * {@link #install(Project, File, File)}, except on the configurations {@code keepStock} accepts (asked
     * when one resolves, so a variant known later is seen): those resolve the stock runtime as requested.
     */
    public static void install(Project project, File installed, File verified, java.util.function.Predicate<String> keepStock) {
        CoordinatesCache cache = new CoordinatesCache(installed, verified, project.getLogger());
        // Configurations resolve in parallel on newer Gradle: one warning per module, from whichever comes first.
        Set<String> warned = ConcurrentHashMap.newKeySet();
        project.getConfigurations().all(cfg -> cfg.getResolutionStrategy().getDependencySubstitution().all(sub -> {
            if (keepStock.test(cfg.getName())) {
                return;
            }
            ComponentSelector requested = sub.getRequested();
            if (!(requested instanceof ModuleComponentSelector)) {
                return;
            }
            ModuleComponentSelector module = (ModuleComponentSelector) requested;
            if (!Substitutions.isStockRuntime(module.getGroup(), module.getModule())) {
                return;
            }
            String warning = Substitutions.warningFor(module.getGroup(), module.getModule(), module.getVersion(),
                    cache.get());
            if (warning != null) {
                if (warned.add(module.getGroup() + ":" + module.getModule())) {
                    project.getLogger().warn(warning);
                }
                return;  // kept as requested; no slim runtime is looked up for it
            }
            String target = Substitutions.targetFor(module.getGroup(), module.getModule(), module.getVersion(),
                    cache.get());
            if (target != null) {
                sub.useTarget(target);
            }
        }));
    }
}
