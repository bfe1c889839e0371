package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.tool.ToolCommands;
import org.gradle.api.artifacts.ArtifactCollection;
import org.gradle.api.file.FileCollection;

import java.io.File;

/**
 * What the tasks read of the build's settings, with the defaults filled in: implemented by the
 * plugin's {@code ProjectDefaults} from the {@code tfliteSlim} extension and the project. Read at
 * configuration time only (a task captures it into its action, see {@link ToolTask}); the tasks
 * never see the extension or the project through it.
 */
public interface TaskSettings {
    /** The model files. */
    FileCollection models();

    /** The custom op sources (an input of tfliteSlim). */
    FileCollection customOpsSrcFiles();

    /** Team flow: the deployed runtime's ops.json (the {@link SlimTasks#OPS_CONFIGURATION} configuration), resolved when read. */
    FileCollection deployedOps();

    /** The interpreter, the project dir and the models, as plain values. */
    ToolSpec toolSpec();

    ToolCommands.BuildOptions buildOptions();

    ToolCommands.Publication publication();

    /** The repository directory to install into, or null for mavenLocal(). */
    File repository();

    /** Where tfliteSlim installs: {@link #repository()}, or the directory Gradle's mavenLocal() reads. */
    File installRepository();

    File reportDir();

    File outDir();

    /** What tfliteSlim installed. */
    File coordinatesFile();

    /** Team flow: what tfliteSlimPlan computed. */
    File planFile();

    /** Team flow: the plan once tfliteVerify found the deployed runtime covers the models. */
    File verifiedFile();

    File resultFile();

    /** Fail when no slim runtime is there yet. */
    boolean required();

    /** Team flow: a shared repository, or a pinned runtime version, is configured. */
    boolean teamMode();

    /** tfliteVerify runs before the app's build ({@code tfliteSlim.verify}, or the team flow). */
    boolean verifyBeforeBuild();

    /** The shared repository's URL, or null. */
    String repositoryUrl();

    /** The shared repository's user name, or null. */
    String username();

    /** Its password: a String, a {@code Provider<String>} (read when a task runs), or null. */
    Object password();

    boolean allowInsecureProtocol();

    /** Gradle runs with {@code --offline}. */
    boolean offline();

    /**
     * An Android variant's own model folders ({@code sources.assets.all}, then {@code sources.mlModels.all}),
     * highest priority first, for where each model came from; null where models have no variant.
     */
    default FileCollection appModelDirs() {
        return null;
    }

    /**
     * The LiteRT 2.x release tfliteSlim builds the drop-in for (the app's {@code com.google.ai.edge.litert:litert}
     * version off the 1.x line), or null.
     */
    default String litert2Version() {
        return null;
    }

    /**
     * The stock {@code com.google.ai.edge.litert:litert:<litert2Version>} file with {@code extension}
     * ({@code aar}, {@code pom}), resolved from the project's repositories (the tool keeps its classes and
     * other entries, and its POM's dependencies).
     */
    default File stockLitert(String extension) {
        throw new UnsupportedOperationException("no LiteRT 2.x release here");
    }

    /** An Android variant's dependencies' assets (its runtime classpath's {@code android-assets}), or null. */
    default ArtifactCollection dependencyAssets() {
        return null;
    }
}
