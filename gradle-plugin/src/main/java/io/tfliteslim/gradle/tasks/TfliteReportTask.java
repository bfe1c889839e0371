package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.tool.ToolCommands;
import io.tfliteslim.gradle.tool.ToolRunner;

import org.gradle.api.GradleException;
import org.gradle.api.artifacts.ArtifactCollection;
import org.gradle.api.artifacts.result.ResolvedArtifactResult;
import org.gradle.api.file.FileCollection;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.OutputDirectory;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code tfliteReport}: the models' op report as JSON and HTML; needs no toolchain. Per Android
 * variant also {@code origins.json}: where each model of the merged assets came from (the app's own
 * folders, a library module, an AAR), from AGP's per-source-set and per-dependency asset inputs,
 * which the merged assets lose.
 */
public class TfliteReportTask extends ToolTask<TfliteReportTask.Action> {
    private FileCollection appModelDirs;
    private ArtifactCollection dependencyAssets;
    /** For the app folders' names in origins.json (captured: no Task.project when the task runs). */
    private File projectDir;

    @Override
    void configure(TaskSettings defaults) {
        super.configure(defaults);
        projectDir = getProject().getProjectDir();
        appModelDirs = defaults.appModelDirs();
        dependencyAssets = defaults.dependencyAssets();
    }

    @OutputDirectory
    public File getReportDir() {
        return action().reportDir;
    }

    /** The variant's own model folders, highest priority first (null: no variant, no origins). */
    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    @Optional
    public FileCollection getAppModelDirs() {
        return appModelDirs;
    }

    /** The variant's dependencies' asset folders. */
    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    @Optional
    public FileCollection getDependencyAssets() {
        return dependencyAssets == null ? null : dependencyAssets.getArtifactFiles();
    }

    /** Which dependency each of {@link #getDependencyAssets()} is (a new version of the same assets is another origin). */
    @Input
    @Optional
    public List<String> getDependencyNames() {
        if (dependencyAssets == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (ResolvedArtifactResult a : dependencyAssets.getArtifacts()) {
            names.add(a.getId().getComponentIdentifier().getDisplayName());
        }
        return names;
    }

    @Override
    protected ToolSpec spec() {
        return action().spec;
    }

    @Override
    protected Action capture(TaskSettings defaults) {
        return new Action(defaults.toolSpec(), defaults.reportDir());
    }

    @Override
    public void run() {
        super.run();
        if (appModelDirs != null) {
            writeOrigins(getLogger());
        }
    }

    /** {@code origins.json} beside the report, and one line per model that is not the app's own. */
    private void writeOrigins(Logger logger) {
        List<String> models = new ArrayList<>();
        getModels().getAsFileTree().visit(d -> {
            if (!d.isDirectory()) {
                models.add(d.getRelativePath().getPathString());
            }
        });
        LinkedHashMap<String, Set<String>> app = new LinkedHashMap<>();
        Path project = projectDir.toPath();
        for (File dir : appModelDirs.getFiles()) {
            String name = dir.toPath().startsWith(project) ? project.relativize(dir.toPath()).toString().replace(File.separatorChar, '/')
                    : dir.getPath();
            app.computeIfAbsent(name, k -> new TreeSet<>()).addAll(relativeFiles(dir));
        }
        Map<String, Set<String>> dependencies = new TreeMap<>();
        if (dependencyAssets != null) {
            for (ResolvedArtifactResult a : dependencyAssets.getArtifacts()) {
                dependencies.computeIfAbsent(a.getId().getComponentIdentifier().getDisplayName(), k -> new TreeSet<>())
                        .addAll(relativeFiles(a.getFile()));
            }
        }
        List<ModelOrigins.Origin> origins = ModelOrigins.of(models, app, dependencies);
        File out = new File(action().reportDir, "origins.json");
        try {
            Files.write(out.toPath(), ModelOrigins.json(origins).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new GradleException("cannot write " + out + ": " + e.getMessage(), e);
        }
        for (ModelOrigins.Origin o : origins) {
            if (!o.from.equals("app")) {
                logger.lifecycle("tflite-slim: {} comes from {}", o.path,
                        o.from.equals("dependency") ? String.join(", ", o.where) : "no folder of the app and no dependency's assets");
            }
        }
        logger.lifecycle("tflite-slim: where each model came from: {}", out);
    }

    /** The regular files under {@code dir}, as paths relative to it ('/'-separated); none when it is absent. */
    static Set<String> relativeFiles(File dir) {
        Set<String> out = new TreeSet<>();
        if (!dir.isDirectory()) {
            return out;
        }
        Path root = dir.toPath();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(p -> out.add(root.relativize(p).toString().replace(File.separatorChar, '/')));
        } catch (IOException e) {
            throw new GradleException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** {@code analyze} twice: the files, then the table on the console. */
    static final class Action implements ToolAction {
        private static final long serialVersionUID = 1L;
        final ToolSpec spec;
        final File reportDir;

        Action(ToolSpec spec, File reportDir) {
            this.spec = spec;
            this.reportDir = reportDir;
        }

        @Override
        public void execute(Logger logger) {
            File json = new File(reportDir, "ops.json");
            File html = new File(reportDir, "ops.html");
            List<String> models = spec.modelArgs();
            ToolRunner runner = spec.runner(logger);
            runner.runChecked(ToolCommands.analyze(spec.python, models, json.getAbsolutePath(), html.getAbsolutePath()),
                    LogLevel.LIFECYCLE, "tflite-slim analyze", null);
            // The files are the report; the table on the console is for the person who ran the task.
            runner.runChecked(ToolCommands.analyzeText(spec.python, models), LogLevel.LIFECYCLE, "tflite-slim analyze", null);
            logger.lifecycle("tflite-slim: op report in {} and {}", json, html);
        }
    }
}
