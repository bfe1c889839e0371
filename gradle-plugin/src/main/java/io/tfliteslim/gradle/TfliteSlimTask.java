package io.tfliteslim.gradle;

import org.gradle.api.file.FileCollection;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.OutputDirectory;
import org.gradle.api.tasks.OutputFile;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;
import org.gradle.api.tasks.TaskAction;

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
public class TfliteSlimTask extends ToolTask {
    @Input
    public List<String> getTargetAbis() {
        return defaults().abis();
    }

    /** The checkout's path (not its contents: the tool records its version and commit). */
    @Input
    @Optional
    public String getTensorflowSource() {
        return defaults().buildOptions().tensorflowSource;
    }

    @Input
    @Optional
    public String getTensorflowVersion() {
        return ext().getTensorflowVersion();
    }

    @Input
    @Optional
    public String getBackend() {
        return ext().getBackend();
    }

    @Input
    @Optional
    public String getBazel() {
        return defaults().buildOptions().bazel;
    }

    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    public FileCollection getCustomOpsSrcs() {
        return getProject().files(ext().getCustomOpsSrcs().toArray());
    }

    @Input
    public List<String> getCustomOpsDeps() {
        return ext().getCustomOpsDeps();
    }

    @Input
    @Optional
    public String getGroupId() {
        return ext().getGroupId();
    }

    @Input
    @Optional
    public Boolean getExperimentalApi() {
        return ext().getExperimentalApi();
    }

    /** Where it installs: the configured repository, or "" for the tool's default (mavenLocal). */
    @Input
    public String getRepository() {
        File repo = defaults().repository();
        return repo == null ? "" : repo.getAbsolutePath();
    }

    /** The build output: the AARs and ops.json (the build record). */
    @OutputDirectory
    public File getOutDir() {
        return new File(getProject().getBuildDir(), "tflite-slim/out");
    }

    /** The installed coordinates, read by the dependency substitution and by tfliteVerify. */
    @OutputFile
    public File getCoordinatesFile() {
        return TfliteSlimPlugin.coordinatesFile(getProject());
    }

    private TfliteSlimExtension ext() {
        return getProject().getExtensions().getByType(TfliteSlimExtension.class);
    }

    @TaskAction
    public void slim() {
        ToolRunner runner = runner();
        runner.runChecked(ToolCommands.build(getPython(), modelArgs(), getOutDir().getAbsolutePath(), defaults().buildOptions()),
                LogLevel.LIFECYCLE, "tflite-slim build",
                "The native build needs a TensorFlow checkout configured for Android (tfliteSlim.tensorflowSource) "
                        + "with bazel (tfliteSlim.bazel), or Docker (tfliteSlim.backend = 'docker' with tfliteSlim.tensorflowVersion). "
                        + "`gradle tfliteReport` shows the models' ops without any toolchain.");
        String repo = getRepository();
        runner.runChecked(ToolCommands.install(getPython(), getOutDir().getAbsolutePath(), repo.isEmpty() ? null : repo,
                getGroupId(), getCoordinatesFile().getAbsolutePath()), LogLevel.LIFECYCLE, "tflite-slim install", null);
        Coordinates installed = Coordinates.read(getCoordinatesFile());
        getLogger().lifecycle("tflite-slim: installed {} into {}", installed.runtime, installed.repository);
        if (installed.selectTfOps != null) {
            getLogger().lifecycle("tflite-slim: installed {} into {}", installed.selectTfOps, installed.repository);
        }
        for (String line : Substitutions.describe(installed)) {
            getLogger().info("tflite-slim: substitutes {}", line);
        }
    }
}
