package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.repositories.Coordinates;
import io.tfliteslim.gradle.repositories.Substitutions;
import io.tfliteslim.gradle.tool.ToolCommands;
import io.tfliteslim.gradle.tool.ToolRunner;

import org.gradle.api.GradleException;
import org.gradle.api.file.FileCollection;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.OutputDirectory;
import org.gradle.api.tasks.OutputFile;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;

import java.io.File;
import java.util.List;

/**
 * {@code tfliteSlim}: analyze, build and install the slim runtime, then say what was installed and where.
 *
 * <p>Every setting that changes the result is an input, so a second run with
 * the same models and settings is UP-TO-DATE; a changed model (even weights
 * only) reruns the tool, whose own cache skips the native build when the op
 * set is unchanged.
 */
public class TfliteSlimTask extends ToolTask<TfliteSlimTask.Action> {
    private FileCollection customOpsSrcs;

    @Override
    void configure(TaskSettings defaults) {
        super.configure(defaults);
        customOpsSrcs = defaults.customOpsSrcFiles();
    }

    /** The build command's options (all of them change the result); the model paths are in the argv too. */
    @Input
    public List<String> getBuildArgs() {
        Action a = action();
        return ToolCommands.build(a.spec.python, a.spec.models, a.outDir.getAbsolutePath(), a.options, a.stockAar);
    }

    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    public FileCollection getCustomOpsSrcs() {
        return customOpsSrcs;
    }

    /** The install command: where it installs and under which coordinates. */
    @Input
    public List<String> getInstallArgs() {
        Action a = action();
        return ToolCommands.install(a.spec.python, a.outDir.getAbsolutePath(), a.repository, a.publication,
                a.coordinatesFile.getAbsolutePath(), a.stockPom);
    }

    /** Where it installs: the configured repository, or the directory Gradle's mavenLocal() reads. */
    @Input
    @Optional
    public String getRepository() {
        return action().repository;
    }

    /** The build output: the AARs and ops.json (the build record). */
    @OutputDirectory
    public File getOutDir() {
        return action().outDir;
    }

    /** The installed coordinates, read by the dependency substitution and by tfliteVerify. */
    @OutputFile
    public File getCoordinatesFile() {
        return action().coordinatesFile;
    }

    @Override
    protected ToolSpec spec() {
        return action().spec;
    }

    @Override
    protected Action capture(TaskSettings defaults) {
        File repo = defaults.installRepository();
        // LiteRT 2.x: the app's own stock AAR and POM, resolved once here (a detached configuration).
        boolean litert2 = defaults.litert2Version() != null;
        return new Action(defaults.toolSpec(), defaults.buildOptions(), defaults.outDir(),
                repo == null ? null : repo.getAbsolutePath(), defaults.publication(), defaults.coordinatesFile(),
                litert2 ? defaults.stockLitert("aar").getAbsolutePath() : null,
                litert2 ? defaults.stockLitert("pom").getAbsolutePath() : null);
    }

    /** Whether what the coordinates file names is still in the repository (else: not up to date). */
    boolean installedArtifactsExist() {
        File file = action().coordinatesFile;
        if (!file.isFile()) {
            return false;
        }
        Coordinates c;
        try {
            c = Coordinates.read(file);
        } catch (GradleException e) {
            // Unreadable: not up to date, and running the task rewrites it.
            return false;
        }
        if (c.repository == null) {
            return false;
        }
        File repo = new File(c.repository);
        return c.runtime.dirIn(repo).isDirectory() && (c.selectTfOps == null || c.selectTfOps.dirIn(repo).isDirectory());
    }

    /** {@code build} then {@code install}. */
    static final class Action implements ToolAction {
        private static final long serialVersionUID = 1L;
        final ToolSpec spec;
        final ToolCommands.BuildOptions options;
        final File outDir;
        final String repository;
        final ToolCommands.Publication publication;
        final File coordinatesFile;
        /** LiteRT 2.x only: the app's stock litert AAR and POM (null otherwise). */
        final String stockAar;
        final String stockPom;

        Action(ToolSpec spec, ToolCommands.BuildOptions options, File outDir, String repository,
               ToolCommands.Publication publication, File coordinatesFile, String stockAar, String stockPom) {
            this.spec = spec;
            this.options = options;
            this.outDir = outDir;
            this.repository = repository;
            this.publication = publication;
            this.coordinatesFile = coordinatesFile;
            this.stockAar = stockAar;
            this.stockPom = stockPom;
        }

        @Override
        public void execute(Logger logger) {
            ToolRunner runner = spec.runner(logger);
            List<String> build = ToolCommands.build(spec.python, spec.modelArgs(), outDir.getAbsolutePath(), options,
                    stockAar);
            ToolRunner.Result built = runner.run(build, LogLevel.LIFECYCLE);
            if (built.exitCode != 0) {
                // The advice that fits this failure: the custom-op setting, the toolchain, or none.
                throw new GradleException(ToolRunner.failureMessage(spec.python, "tflite-slim build", built,
                        FailureAdvice.forBuild(built.text(), options.litertVersion != null)));
            }
            runner.runChecked(ToolCommands.install(spec.python, outDir.getAbsolutePath(), repository, publication,
                    coordinatesFile.getAbsolutePath(), stockPom), LogLevel.LIFECYCLE, "tflite-slim install", null);
            Coordinates installed = Coordinates.read(coordinatesFile);
            logger.lifecycle("tflite-slim: installed {} into {}", installed.runtime, installed.repository);
            if (installed.selectTfOps != null) {
                logger.lifecycle("tflite-slim: installed {} into {}", installed.selectTfOps, installed.repository);
            }
            for (String line : Substitutions.describe(installed)) {
                logger.info("tflite-slim: substitutes {}", line);
            }
        }
    }
}
