package io.tfliteslim.gradle.tool;

import org.gradle.api.GradleException;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the Python tool: the plugin's one place that starts a process.
 *
 * <p>Output (stdout and stderr merged, in order) goes to the Gradle log as it
 * comes and is kept, so a failure becomes a GradleException carrying the
 * tool's own {@code error: ...} lines, plus advice when the interpreter or
 * the tool is missing.
 */
public final class ToolRunner {
    /**
     * How long a cancelled tool gets to clean up after SIGTERM before it is killed. Longer than the tool
     * gives Bazel to stop after its SIGINT (process.INTERRUPT_GRACE_SECONDS, 30 s) plus the tool's cleanup:
     * killed earlier, the tool leaves a slow-to-cancel Bazel running and its package in the checkout.
     */
    static final long STOP_GRACE_SECONDS = 45;
    private final Logger logger;
    private final File workDir;
    /** Resolves the interpreter of tool runs (null: run argv as it is). */
    private final ToolProvisioner provisioner;
    /**
     * Cancel by closing the tool's stdin instead of SIGTERM: on Windows {@code Process.destroy()} terminates
     * the process outright, so the tool would leave Bazel running and its files half written.
     */
    private boolean stopThroughStdin = System.getProperty("os.name", "").startsWith("Windows");
    /** The tool's cli.STOP_ON_STDIN_EOF: set, the end of its stdin stops it like Ctrl-C. */
    static final String STOP_ON_STDIN_EOF = "TFLITE_SLIM_STOP_ON_STDIN_EOF";

    public ToolRunner(Logger logger, File workDir) {
        this(logger, workDir, null);
    }

    public ToolRunner(Logger logger, File workDir, ToolProvisioner provisioner) {
        this.logger = logger;
        this.workDir = workDir;
        this.provisioner = provisioner;
    }

    /** Chooses the Windows way to cancel (tests on other systems). */
    ToolRunner stopThroughStdin(boolean stopThroughStdin) {
        this.stopThroughStdin = stopThroughStdin;
        return this;
    }

    /** The result of one run. */
    public static final class Result {
        public final int exitCode;
        public final List<String> lines;

        Result(int exitCode, List<String> lines) {
            this.exitCode = exitCode;
            this.lines = lines;
        }

        /** The output, one line each. */
        public String text() {
            return String.join("\n", lines);
        }
    }

    /** Runs {@code argv} in the project dir, logging each output line at {@code level}. */
    public Result run(List<String> argv, LogLevel level) {
        return run(argv, level, java.util.Collections.<String, String>emptyMap());
    }

    /** {@link #run(List, LogLevel)} with extra environment variables (secrets: never on the command line or in logs). */
    public Result run(List<String> argv, LogLevel level, java.util.Map<String, String> env) {
        if (provisioner != null) {
            argv = provisioner.command(argv, logger);
        }
        logger.info("tflite-slim: running {}", Redaction.urls(String.valueOf(argv)));
        ProcessBuilder pb = new ProcessBuilder(processArgv(argv)).directory(workDir).redirectErrorStream(true);
        pb.environment().putAll(env);
        // Unbuffered, so progress shows while it happens and order with errors is kept.
        pb.environment().put("PYTHONUNBUFFERED", "1");
        if (stopThroughStdin) {
            pb.environment().put(STOP_ON_STDIN_EOF, "1");  // stdin stays an open pipe until stop() closes it
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new GradleException(pythonAdvice(argv.get(0), "cannot be run (" + e.getMessage() + ")"), e);
        }
        // The output is read on its own thread and logged here, in the task's thread: waiting on the
        // queue is interruptible, so a cancelled build (Gradle interrupts the task) stops the tool
        // instead of waiting, blocked in a read, for a Bazel build to finish.
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        IOException[] readFailure = {null};
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    queue.add(line);
                }
            } catch (IOException e) {
                readFailure[0] = e;
            }
        }, "tflite-slim output of " + argv.get(0));
        reader.setDaemon(true);
        reader.start();
        List<String> lines = new ArrayList<>();
        try {
            while (reader.isAlive() || !queue.isEmpty()) {
                String line = queue.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    lines.add(line);
                    logger.log(level, PluginSpelling.ofLogLine(line));
                }
            }
            reader.join();
            if (readFailure[0] != null) {
                throw new GradleException("reading the output of " + Redaction.urls(String.valueOf(argv)) + " failed: " + readFailure[0].getMessage(), readFailure[0]);
            }
            return new Result(process.waitFor(), lines);
        } catch (InterruptedException e) {
            stop(process, stopThroughStdin);
            Thread.currentThread().interrupt();
            throw new GradleException("interrupted while running " + Redaction.urls(String.valueOf(argv)), e);
        }
    }

    /**
     * What is started for {@code argv}: {@code python -m MODULE ARGS} becomes
     * {@code python -c <run MODULE without the working directory on sys.path> ARGS}. The tool runs in the
     * project directory (model paths are relative to it), and {@code -m} would put that directory first
     * on sys.path: a {@code json.py} or {@code tflite_slim/} there would run instead of the standard
     * library or the tool. {@code -P} (3.11+) is not on Python 3.9; {@code -I} would also drop the user's
     * site-packages and PYTHON* variables, where an interpreter the user chose may have the tool. With
     * {@code -c}, sys.path[0] is {@code ''} (the working directory), added after site ran: removed before
     * anything else is imported ({@code sys} is built in). One line, no double quotes: Windows' command
     * line quoting keeps it whole. Other argv is started as it is.
     */
    static List<String> processArgv(List<String> argv) {
        if (argv.size() < 3 || !"-m".equals(argv.get(1)) || !argv.get(2).matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
            return argv;
        }
        List<String> out = new ArrayList<>();
        out.add(argv.get(0));
        out.add("-c");
        out.add("import sys; sys.path[:1] = [p for p in sys.path[:1] if p != '']; import runpy; "
                + "runpy.run_module('" + argv.get(2) + "', run_name='__main__', alter_sys=True)");
        out.addAll(argv.subList(3, argv.size()));
        return out;
    }

    /**
     * Asks the tool to stop (it stops its Bazel or Docker run and removes what it half wrote): SIGTERM, or on
     * Windows its stdin closed; then, after the grace period, kills it.
     */
    private static void stop(Process process, boolean throughStdin) {
        if (throughStdin) {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                process.destroyForcibly();  // no way to ask: stop it now
                return;
            }
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException again) {
            process.destroyForcibly();
        }
    }

    /** Runs {@code argv}; a non-zero exit fails the build with {@code what} and the tool's error lines. */
    public Result runChecked(List<String> argv, LogLevel level, String what, String advice) {
        return runChecked(argv, level, java.util.Collections.<String, String>emptyMap(), what, advice);
    }

    /** {@link #runChecked(List, LogLevel, String, String)} with extra environment variables. */
    public Result runChecked(List<String> argv, LogLevel level, java.util.Map<String, String> env, String what, String advice) {
        Result result = run(argv, level, env);
        if (result.exitCode != 0) {
            throw new GradleException(failureMessage(argv.get(0), what, result, advice));
        }
        return result;
    }

    /** How the tool's argument parser says it refused an argument: {@code tflite-slim build: error: argument ...}. */
    private static final Pattern PARSER_ERROR = Pattern.compile("tflite-slim(?: [a-z-]+)?: error: (.+)");

    /** The message for a failed run: the tool's {@code error:} lines (its parser's included), or its last lines. */
    public static String failureMessage(String python, String what, Result result, String advice) {
        String text = result.text();
        if (text.contains("No module named " + ToolCommands.MODULE) || text.contains("No module named '" + ToolCommands.MODULE)) {
            return pythonAdvice(python, "has no tflite_slim module");
        }
        List<String> errors = new ArrayList<>();
        for (String line : result.lines) {
            if (line.startsWith("error: ")) {
                errors.add(line.substring("error: ".length()));
            } else {
                // argparse's own refusal (a setting's value the tool does not accept), after its usage text.
                Matcher parser = PARSER_ERROR.matcher(line);
                if (parser.matches()) {
                    errors.add(parser.group(1));
                }
            }
        }
        if (errors.isEmpty()) {
            int from = Math.max(0, result.lines.size() - 20);
            errors.addAll(result.lines.subList(from, result.lines.size()));
        }
        StringBuilder message = new StringBuilder(what).append(" failed (exit ").append(result.exitCode).append("): ")
                .append(PluginSpelling.of(String.join("\n", errors)));
        if (advice != null) {
            message.append("\n").append(advice);
        }
        return message.toString();
    }

    public static String pythonAdvice(String python, String problem) {
        return "Python 3.9+ with tflite-slim not found: '" + python + "' " + problem
                + ". Set tfliteSlim.python (or -P" + ToolProvisioner.PYTHON_PROPERTY + "=...) to a Python 3.9+ interpreter"
                + " (the plugin installs its tflite-slim into a virtual environment made from it), or leave it unset to use the Python 3.9+ found on this machine.";
    }
}
