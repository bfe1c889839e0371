package io.tfliteslim.gradle;

import org.gradle.api.GradleException;
import org.gradle.api.artifacts.Configuration;
import org.gradle.api.artifacts.Dependency;
import org.gradle.api.file.FileCollection;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.OutputFile;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;
import org.gradle.api.tasks.TaskAction;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code tfliteVerify}: fails when the models need an op (or op version) the
 * slim runtime the app resolves does not carry.
 *
 * <p>The runtime's op set is its published {@code ops.json} (classifier
 * {@code ops}), resolved through the project's repositories like the AAR itself.
 */
public class TfliteVerifyTask extends ToolTask {
    /** The installed coordinates (missing until tfliteSlim ran: reported by the action). */
    @InputFiles
    @PathSensitive(PathSensitivity.NONE)
    public FileCollection getCoordinates() {
        return getProject().files(TfliteSlimPlugin.coordinatesFile(getProject()));
    }

    /** Written on success, so an unchanged check is UP-TO-DATE. */
    @OutputFile
    public File getResultFile() {
        return new File(getProject().getBuildDir(), "tflite-slim/verify.txt");
    }

    @TaskAction
    public void verify() {
        File coordinatesFile = TfliteSlimPlugin.coordinatesFile(getProject());
        if (!coordinatesFile.isFile()) {
            throw new GradleException("tfliteVerify: no slim runtime installed for this project (" + defaultsRelative(coordinatesFile)
                    + " is missing): run `gradle tfliteSlim` first, or set tfliteSlim.verify = false");
        }
        Coordinates.Gav runtime = Coordinates.read(coordinatesFile).runtime;
        File opsJson = resolveOpsJson(runtime);
        List<String> models = modelArgs();
        ToolRunner.Result result = runner().run(ToolCommands.verify(getPython(), opsJson.getAbsolutePath(), models), LogLevel.INFO);
        if (result.exitCode == 1) {
            throw new GradleException("tfliteVerify: the slim runtime " + runtime + " does not cover the models:\n"
                    + result.text() + "\nRun `gradle tfliteSlim` to rebuild it for the current models.");
        }
        if (result.exitCode != 0) {
            throw new GradleException(ToolRunner.failureMessage(getPython(), "tflite-slim verify", result, null));
        }
        try {
            Files.write(getResultFile().toPath(), (runtime + " covers " + models + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new GradleException("cannot write " + getResultFile() + ": " + e.getMessage(), e);
        }
        getLogger().lifecycle("tflite-slim: {} carries every op of {} model(s)", runtime, models.size());
    }

    private File resolveOpsJson(Coordinates.Gav runtime) {
        // A detached configuration: not in `configurations`, so our substitution rules leave it alone.
        Dependency dep = getProject().getDependencies().create(runtime.notation() + ":ops@json");
        Configuration cfg = getProject().getConfigurations().detachedConfiguration(dep);
        try {
            return cfg.getSingleFile();
        } catch (RuntimeException e) {
            throw new GradleException("tfliteVerify: cannot resolve " + runtime.notation() + ":ops@json from the project's repositories ("
                    + rootMessage(e) + "): run `gradle tfliteSlim` to install it", e);
        }
    }

    private String defaultsRelative(File f) {
        return defaults().relative(f);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
