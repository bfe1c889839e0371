package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.repositories.Coordinates;
import io.tfliteslim.gradle.repositories.SlimRepositories;
import io.tfliteslim.gradle.tool.PluginSpelling;
import io.tfliteslim.gradle.tool.Redaction;
import io.tfliteslim.gradle.tool.ToolCommands;
import io.tfliteslim.gradle.tool.ToolRunner;

import org.gradle.api.GradleException;
import org.gradle.api.file.FileCollection;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.OutputFile;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@code tfliteVerify}: fails when the models need an op (or op version) the
 * slim runtime the app resolves does not carry.
 *
 * <p>The runtime's op set is its published {@code ops.json} (classifier
 * {@code ops}), read from the repository the runtime comes from and no
 * other: the directory {@code tfliteSlim} installed into, or (team flow) the
 * shared repository, whose slim group no other repository may serve. Gradle
 * 4.x cannot keep a group to one repository, so there the tool reads the
 * team flow's ops.json from {@code repositoryUrl} itself ({@code verify --url}).
 */
public class TfliteVerifyTask extends ModelOriginTask<TfliteVerifyTask.Action> {
    /** Team flow: the deployed runtime's ops.json, resolved when the action reads it. */
    private FileCollection deployedOps;

    @Override
    void configure(TaskSettings defaults) {
        super.configure(defaults);
        deployedOps = defaults.deployedOps();
    }

    /** The installed coordinates and (team flow) the plan; missing ones are reported by the action. */
    @InputFiles
    @PathSensitive(PathSensitivity.NONE)
    public List<File> getCoordinates() {
        Action a = action();
        return a.planFile == null ? Collections.singletonList(a.coordinatesFile) : java.util.Arrays.asList(a.coordinatesFile, a.planFile);
    }

    @Input
    public boolean isRequired() {
        return action().required;
    }

    /** Written on success, so an unchanged check is UP-TO-DATE. */
    @OutputFile
    public File getResultFile() {
        return action().resultFile;
    }

    @Override
    protected ToolSpec spec() {
        return action().spec;
    }

    @Override
    protected Action capture(TaskSettings defaults) {
        Action action = new Action(defaults.toolSpec(), defaults.coordinatesFile(), defaults.teamMode() ? defaults.planFile() : null,
                defaults.verifiedFile(), defaults.resultFile(), defaults.required(), defaults.repositoryUrl(),
                defaults.buildOptions().litertVersion != null);
        if (!SlimRepositories.contentFiltering()) {
            action.toolReadsRepository(defaults.username(), defaults.password(), defaults.allowInsecureProtocol(), defaults.offline());
        }
        return action;
    }

    @Override
    public void run() {
        action().deployedOps = deployedOps;
        // Read only when a model needs an op the runtime lacks: the message then says who shipped it.
        action().origins = this::originsByModel;
        super.run();
    }

    /** Finds the runtime's ops.json, runs {@code verify}, records the result. */
    static final class Action implements ToolAction {
        private static final long serialVersionUID = 1L;
        /** {@code verify --url}'s exit status when the repository does not have the runtime's ops.json. */
        static final int NOT_DEPLOYED = 3;
        /** The tool's verdict that the runtime lacks ops (not that a model could not be read). */
        static final java.util.regex.Pattern COVERAGE_VERDICT = java.util.regex.Pattern.compile(" lacks \\d+ ops? that the models need");
        /** Its exit status when the repository or the file it holds cannot be used (credentials, redirect, network). */
        static final int UNREADABLE = 2;
        /**
         * The app will keep the stock runtime: what to run, and how to make it an error. Never advises
         * what is set already (a repositoryUrl in the team flow) nor Docker for LiteRT (Bazel only).
         */
        static String noRuntime(boolean teamFlow, boolean litert) {
            return "so the app builds with the stock TensorFlow Lite runtime. Run `gradle tfliteSlim` (" + toolchain(litert) + ")"
                    + (teamFlow ? " or deploy it from CI (`gradle tfliteSlimPublish`)"
                    : ", or set tfliteSlim.repositoryUrl (and runtimeVersion) to use the runtime CI deployed")
                    + "; set tfliteSlim.required = true to make this an error";
        }

        static String toolchain(boolean litert) {
            // The default build is TFLite's CMake build; Bazel (and, for TensorFlow releases, Docker) is the other way.
            return litert ? "needs Android Studio's NDK and CMake, or Bazel" : "needs Android Studio's NDK and CMake, or Bazel or Docker";
        }
        final ToolSpec spec;
        final File coordinatesFile;
        /** Team flow: what tfliteSlimPlan computed; null otherwise. */
        final File planFile;
        /** Team flow: the plan, copied once the deployed runtime was verified (read by the substitution). */
        final File verifiedFile;
        final File resultFile;
        final boolean required;
        final String repositoryUrl;
        /** The runtime is LiteRT's (built with Bazel only). */
        final boolean litert;
        /** Set by the task just before executing (a file collection, not serializable). */
        transient Iterable<File> deployedOps;
        /** Set by the task just before executing: each model's origin (an Android variant's), by its path for the tool. */
        transient java.util.function.Supplier<Map<String, ModelOrigins.Origin>> origins;
        /**
         * Team flow without content filtering (Gradle 4.x): the tool reads ops.json from repositoryUrl
         * itself ({@code verify --url}), as Gradle would take it from whichever repository has it.
         */
        boolean toolReadsRepository;
        String username;
        /** A String, or a {@code Provider<String>} read only when the action runs (as tfliteSlimPublish's). */
        Object password;
        boolean allowInsecureProtocol;
        /** Gradle runs with --offline: the tool is not sent to the repository either. */
        boolean offline;

        Action(ToolSpec spec, File coordinatesFile, File planFile, File verifiedFile, File resultFile, boolean required,
               String repositoryUrl, boolean litert) {
            this.litert = litert;
            this.spec = spec;
            this.coordinatesFile = coordinatesFile;
            this.planFile = planFile;
            this.verifiedFile = verifiedFile;
            this.resultFile = resultFile;
            this.required = required;
            // Printed, and given to `verify --url`, which refuses a URL carrying user:password@ anyway.
            this.repositoryUrl = Redaction.urls(repositoryUrl);
        }

        void toolReadsRepository(String username, Object password, boolean allowInsecureProtocol, boolean offline) {
            this.toolReadsRepository = repositoryUrl != null;
            this.username = username;
            this.password = password;
            this.allowInsecureProtocol = allowInsecureProtocol;
            this.offline = offline;
        }

        @Override
        public void execute(Logger logger) {
            Coordinates coordinates;
            List<String> models;
            List<String> argv;
            Map<String, String> env = Collections.emptyMap();
            boolean fromRepository = false;
            if (coordinatesFile.isFile()) {
                coordinates = Coordinates.read(coordinatesFile);
                // The runtime's own ops.json first: a missing one is the error to report, models or not.
                String installed = installedOps(coordinates).getAbsolutePath();
                models = spec.modelArgs();
                argv = ToolCommands.verify(spec.python, installed, models);
            } else if (planFile != null && planFile.isFile() && toolReadsRepository) {
                coordinates = Coordinates.read(planFile);
                if (offline) {
                    unread(coordinates, "Gradle runs offline (--offline)", logger);
                    return;
                }
                String password = Secrets.valueOf(this.password);
                TfliteSlimPublishTask.checkCredentials("tfliteVerify", username, password);
                env = password == null ? env : Collections.singletonMap(TfliteSlimPublishTask.PASSWORD_ENV, password);
                models = spec.modelArgs();
                argv = ToolCommands.verifyDeployed(spec.python, repositoryUrl, coordinates.runtime.notation(), username,
                        TfliteSlimPublishTask.PASSWORD_ENV, allowInsecureProtocol, models);
                fromRepository = true;
            } else if (planFile != null && planFile.isFile()) {
                coordinates = Coordinates.read(planFile);
                File opsJson = deployedOps(coordinates, logger);
                if (opsJson == null) {
                    return;
                }
                models = spec.modelArgs();
                argv = ToolCommands.verify(spec.python, opsJson.getAbsolutePath(), models);
            } else {
                missing("no slim runtime for this project yet (" + relative(coordinatesFile) + " is missing)", logger);
                return;
            }
            ToolRunner.Result result = spec.runner(logger).run(argv, LogLevel.INFO, env);
            if (fromRepository && result.exitCode == NOT_DEPLOYED) {
                notDeployed(coordinates, repositorySaid(result), logger);
                return;
            }
            if (fromRepository && result.exitCode == UNREADABLE) {
                // As when Gradle cannot resolve it (5.1+): no slim runtime for this build, unless required.
                unread(coordinates, PluginSpelling.of(toolError(result)), logger);
                return;
            }
            // Exit 1 is also "a model could not be read": only the coverage verdict means rebuilding helps.
            // The tool says "lacks 1 op" / "lacks 2 ops" (it said "op(s)" before).
            if (result.exitCode == 1 && COVERAGE_VERDICT.matcher(result.text()).find()) {
                // Each model named with who shipped it (the app, a library module, an AAR): an AAR's path says nothing of it.
                String text = origins == null ? result.text() : ModelOrigins.annotate(result.text(), origins.get());
                throw new GradleException("tfliteVerify: the slim runtime " + coordinates.runtime + " does not cover the models:\n"
                        + text + "\nRun `gradle tfliteSlim` to rebuild it for the current models.");
            }
            if (result.exitCode != 0) {
                throw new GradleException(ToolRunner.failureMessage(spec.python, "tflite-slim verify", result, null));
            }
            try {
                if (planFile != null && !coordinatesFile.isFile()) {
                    Files.copy(planFile.toPath(), verifiedFile.toPath(), StandardCopyOption.REPLACE_EXISTING);
                }
                Files.write(resultFile.toPath(), (coordinates.runtime + " covers " + models + "\n").getBytes("UTF-8"));
            } catch (IOException e) {
                throw new GradleException("cannot write " + resultFile + ": " + e.getMessage(), e);
            }
            logger.lifecycle("tflite-slim: {} carries every op of {} model(s)", coordinates.runtime, models.size());
        }

        /** The ops.json in the directory tfliteSlim installed into: that file, not whatever a repository serves. */
        private File installedOps(Coordinates c) {
            if (c.repository == null) {
                throw new GradleException("tfliteVerify: " + relative(coordinatesFile) + " names no repository: run `gradle tfliteSlim` again");
            }
            Coordinates.Gav gav = c.runtime;
            File ops = new File(gav.dirIn(new File(c.repository)), gav.artifact + "-" + gav.version + "-ops.json");
            if (!ops.isFile()) {
                throw new GradleException("tfliteVerify: " + gav + " is not in " + c.repository + " (no " + ops.getName()
                        + "), the repository tfliteSlim installed it into: run `gradle tfliteSlim` to install it again");
            }
            return ops;
        }

        /** Team flow: the deployed ops.json, or null (with a warning, unless required) when CI has not deployed it. */
        private File deployedOps(Coordinates c, Logger logger) {
            List<File> files = new ArrayList<>();
            String problem;
            boolean resolvedNothing = false;
            try {
                for (File f : deployedOps) {
                    files.add(f);
                }
                resolvedNothing = files.isEmpty();
                problem = files.size() == 1 ? null : "resolved " + files.size() + " files";
            } catch (RuntimeException e) {
                // Never null: a null problem means "found".
                problem = rootMessage(e);
            }
            if (problem == null) {
                return files.get(0);
            }
            verifiedFile.delete();
            if (resolvedNothing) {
                // The configuration names the runtime only once plan.json exists; resolved to nothing, it
                // was resolved before tfliteSlimPlan ran in this build (the configuration cache resolves
                // task inputs while storing, before any task runs). The next build resolves the plan's version.
                String what = "the runtime version " + c.runtime.version + " was computed by tfliteSlimPlan after Gradle"
                        + " resolved the " + SlimTasks.OPS_CONFIGURATION + " configuration (with the configuration cache"
                        + " dependencies are resolved before any task runs), so " + c.runtime + " was not looked up in "
                        + repositoryUrl + " yet: run the build again";
                resultFile.delete();
                if (required) {
                    throw new GradleException("tfliteVerify: " + what + " (tfliteSlim.required is set)");
                }
                logger.warn("tflite-slim: {}; this build uses the stock TensorFlow Lite runtime", what);
                return null;
            }
            notDeployed(c, problem, logger);
            return null;
        }

        private void notDeployed(Coordinates c, String problem, Logger logger) {
            verifiedFile.delete();
            missing("the runtime " + c.runtime + " for these models is not in " + repositoryUrl + " (" + problem
                    + "): CI has not deployed it (`gradle tfliteSlimPublish`), or it was deployed under another version"
                    + " or by `tflite-slim deploy --aar --no-ops` (without the op record this check reads)", logger);
        }

        private void unread(Coordinates c, String why, Logger logger) {
            verifiedFile.delete();
            missing("the runtime " + c.runtime + " for these models was not read from " + repositoryUrl + " (" + why + ")", logger);
        }

        /** What the repository answered, from {@code verify --url}'s error: its line up to the first "; ". */
        static String repositorySaid(ToolRunner.Result result) {
            String text = toolError(result);
            int end = text.indexOf("; ");
            return end < 0 ? text : text.substring(0, end);
        }

        /** The tool's first {@code error:} line, without the prefix. */
        private static String toolError(ToolRunner.Result result) {
            for (String line : result.lines) {
                if (line.startsWith("error: ")) {
                    return line.substring("error: ".length());
                }
            }
            return "exit " + result.exitCode;
        }

        private void missing(String what, Logger logger) {
            // Nothing was verified: no result, so the next build checks (and says so) again.
            resultFile.delete();
            if (required) {
                throw new GradleException("tfliteVerify: " + what + ", and tfliteSlim.required is set. Run `gradle tfliteSlim` "
                        + "(" + toolchain(litert) + ") or deploy the runtime from CI (`gradle tfliteSlimPublish`), "
                        + "or set tfliteSlim.required = false to build with the stock runtime meanwhile");
            }
            logger.warn("tflite-slim: {}, {}", what, noRuntime(repositoryUrl != null, litert));
        }

        private String relative(File f) {
            java.nio.file.Path base = spec.workDir.toPath().toAbsolutePath().normalize();
            java.nio.file.Path p = f.toPath().toAbsolutePath().normalize();
            return p.startsWith(base) ? base.relativize(p).toString().replace(File.separatorChar, '/') : p.toString();
        }

        private static String rootMessage(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null) {
                t = t.getCause();
            }
            return t.getMessage() != null ? t.getMessage() : t.toString();
        }
    }
}
