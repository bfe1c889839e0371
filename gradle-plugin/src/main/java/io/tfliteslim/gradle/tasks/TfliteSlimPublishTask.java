package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.tool.ToolCommands;

import org.gradle.api.GradleException;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;

import java.io.File;
import java.util.Collections;
import java.util.Map;

/**
 * {@code tfliteSlimPublish} (CI): after {@code tfliteSlim}, {@code deploy} the
 * built runtime to {@code tfliteSlim.repositoryUrl}, where developers'
 * builds resolve it. Never up to date: the repository, not this build, knows
 * what is deployed (and refuses a version that already is).
 */
public class TfliteSlimPublishTask extends ToolTask<TfliteSlimPublishTask.Action> {
    /** The environment variable that carries the password to the tool (never the command line). */
    static final String PASSWORD_ENV = "TFLITE_SLIM_DEPLOY_PASSWORD";

    public TfliteSlimPublishTask() {
        getOutputs().upToDateWhen(t -> false);
    }

    @Override
    protected ToolSpec spec() {
        return action().spec;
    }

    @Override
    protected Action capture(TaskSettings defaults) {
        // LiteRT 2.x: the stock POM whose dependencies the drop-in's POM restates (as tfliteSlim's install).
        String stockPom = defaults.litert2Version() != null ? defaults.stockLitert("pom").getAbsolutePath() : null;
        return new Action(defaults.toolSpec(), defaults.outDir(), defaults.repositoryUrl(), defaults.publication(),
                defaults.username(), defaults.password(), defaults.allowInsecureProtocol(), stockPom);
    }

    /**
     * Both or neither: the tool takes a password only with a user name, and one of them missing
     * (typically {@code password = System.getenv('TOKEN')} with TOKEN unset) would otherwise surface
     * as an error about the plugin's internal variable, or as an anonymous upload.
     */
    static void checkCredentials(String username, String password) {
        checkCredentials("tfliteSlimPublish", username, password);
    }

    /** {@link #checkCredentials(String, String)} for {@code task} (tfliteVerify reads the repository too). */
    static void checkCredentials(String task, String username, String password) {
        boolean user = username != null && !username.isEmpty();
        if (user && password == null) {
            throw new GradleException(task + ": tfliteSlim.credentials.username is set but the password is null"
                    + " (is the environment variable or property it is read from set?): set tfliteSlim.credentials.password");
        }
        if (!user && password != null) {
            throw new GradleException(task + ": tfliteSlim.credentials.password is set without a username:"
                    + " set tfliteSlim.credentials.username too (the repository's user, or the name its tokens go with)");
        }
    }

    static final class Action implements ToolAction {
        private static final long serialVersionUID = 1L;
        final ToolSpec spec;
        final File outDir;
        final String url;
        final ToolCommands.Publication publication;
        final String username;
        /** A String, or a {@code Provider<String>} kept unread until the action runs (not stored with the task). */
        final Object password;
        final boolean allowInsecureProtocol;
        /** LiteRT 2.x only: the app's stock litert POM (null otherwise). */
        final String stockPom;

        Action(ToolSpec spec, File outDir, String url, ToolCommands.Publication publication, String username,
               Object password, boolean allowInsecureProtocol, String stockPom) {
            this.stockPom = stockPom;
            this.spec = spec;
            this.outDir = outDir;
            this.url = url;
            this.publication = publication;
            this.username = username;
            this.password = password;
            this.allowInsecureProtocol = allowInsecureProtocol;
        }

        @Override
        public void execute(Logger logger) {
            if (url == null) {
                throw new GradleException("tfliteSlimPublish: set tfliteSlim.repositoryUrl to the Maven repository to deploy to");
            }
            String password = Secrets.valueOf(this.password);
            checkCredentials(username, password);
            Map<String, String> env = password == null ? Collections.<String, String>emptyMap()
                    : Collections.singletonMap(PASSWORD_ENV, password);
            spec.runner(logger).runChecked(ToolCommands.deploy(spec.python, outDir.getAbsolutePath(), url, publication,
                    username, PASSWORD_ENV, allowInsecureProtocol, stockPom), LogLevel.LIFECYCLE, env,
                    "tflite-slim deploy", null);
        }
    }
}
