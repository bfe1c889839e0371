package io.tfliteslim.gradle.tool;

import org.gradle.api.GradleException;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The interpreter that runs the tool, provisioned when needed.
 *
 * <p>An interpreter that already has this version of tflite-slim (and its
 * dependencies) is used as it is. Otherwise it is the base of a virtual
 * environment under the Gradle user home
 * ({@code caches/tflite-slim/python/<version>-py<X.Y>-<key>}, the key hashing the
 * interpreter's real path, its version and the wheel), into which pip installs
 * the wheel this jar carries and its dependencies, honouring the user's pip
 * configuration (or {@code pipIndexUrl}). The environment is made under a file
 * lock (builds in other processes) and a monitor (other projects of this
 * build), marked ready last, checked on every use and rebuilt when broken.
 *
 * <p>Serializable and made of plain values: it is part of every task action's
 * {@code ToolSpec}; the interpreter is found when a task runs, never at
 * configuration time.
 */
public final class ToolProvisioner implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The environment's "ready" marker, written after pip succeeded. */
    /** Gradle property that sets the default interpreter (handy for CI and tests). */
    public static final String PYTHON_PROPERTY = "tfliteSlim.python";
    /** Gradle property that sets the default {@code pipIndexUrl}. */
    public static final String PIP_INDEX_URL_PROPERTY = "tfliteSlim.pipIndexUrl";
    public static final String READY = "tflite-slim-ready.properties";
    private static final ConcurrentHashMap<String, Object> MONITORS = new ConcurrentHashMap<>();

    /** The interpreter named by {@code python} (or the default {@code python3}): used as is, or the base of the environment. */
    final String python;
    /** {@code <Gradle user home>/caches/tflite-slim/python}. */
    final File home;
    /** {@code PIP_INDEX_URL} for pip (a mirror); null: the user's pip configuration decides. */
    final String pipIndexUrl;
    /** Gradle runs {@code --offline}: an environment that is not there yet is not made. */
    final boolean offline;
    /**
     * The build names no interpreter: {@link #python} is {@link PythonCandidates#DEFAULT} only in name,
     * and the interpreter is the first of {@link PythonCandidates} for this machine that is Python 3.9+
     * (found when a task runs). Null: {@link #python} as given.
     */
    final List<List<String>> candidates;
    /** The interpreter found by the first run of this action. */
    private transient String resolved;
    /** The build's shared interpreters (the build service), set when a task runs; null: this action resolves its own. */
    private transient SharedInterpreters shared;

    public ToolProvisioner(String python, File home, String pipIndexUrl, boolean offline) {
        this(python, home, pipIndexUrl, offline, null);
    }

    /** {@code candidates}: the command lines to try instead of {@code python} (null: {@code python} only). */
    ToolProvisioner(String python, File home, String pipIndexUrl, boolean offline, List<List<String>> candidates) {
        this.python = python;
        this.home = home;
        this.pipIndexUrl = pipIndexUrl;
        this.offline = offline;
        this.candidates = candidates == null ? null : new ArrayList<>(candidates);
    }

    /**
     * For a build that names no interpreter: {@link PythonCandidates#DEFAULT} in its command lines, and
     * the interpreter found among {@link PythonCandidates#forThisMachine()} when a task runs.
     */
    public static ToolProvisioner discovering(File home, String pipIndexUrl, boolean offline) {
        return new ToolProvisioner(PythonCandidates.DEFAULT, home, pipIndexUrl, offline, DISCOVER);
    }

    /** Marks discovery; the list itself is made when a task runs, on the machine it runs on. */
    private static final List<List<String>> DISCOVER = Collections.emptyList();

    /** {@code argv} with the interpreter resolved, when it starts with {@link #python}. */
    List<String> command(List<String> argv, Logger logger) {
        if (argv.isEmpty() || !argv.get(0).equals(python)) {
            return argv;
        }
        List<String> out = new ArrayList<>(argv);
        out.set(0, interpreter(logger));
        return out;
    }

    /** Resolve through the build's {@code shared} interpreters (once per build) instead of per action. */
    public synchronized void useShared(SharedInterpreters shared) {
        this.shared = shared;
    }

    /** The interpreter that has this version of the tool: {@link #python} itself, or the environment made from it. */
    synchronized String interpreter(Logger logger) {
        if (resolved == null) {
            resolved = shared != null ? shared.interpreter(this, logger) : resolve(logger);
        }
        return resolved;
    }

    /** Finds (and provisions when needed) the interpreter now; {@link SharedInterpreters} call this once per build. */
    public String resolve(Logger logger) {
        return resolve(logger, ToolWheel.bundled());
    }

    /** What decides the interpreter: equal keys resolve to the same interpreter within a build. */
    public String key() {
        return python + "\n" + home + "\n" + pipIndexUrl + "\n" + offline + "\n" + candidates;
    }

    private String resolve(Logger logger, ToolWheel wheel) {
        try {
            Files.createDirectories(home.toPath());
        } catch (IOException e) {
            throw new GradleException("cannot create " + home + " for tflite-slim's Python environments: " + e.getMessage(), e);
        }
        Base found = base(logger);
        String python = found.python;
        PythonProbe base = found.probe;
        if (base.hasTool(wheel.version)) {
            logger.info("tflite-slim: '{}' has tflite-slim {}: using it as it is", python, wheel.version);
            return python;
        }
        File env = new File(home, environmentName(wheel, base));
        String envPython = environmentPython(env).getPath();
        if (problem(logger, env, wheel) == null) {
            logger.info("tflite-slim: using the Python environment {}", env);
            return envPython;
        }
        Object monitor = MONITORS.computeIfAbsent(env.getAbsolutePath(), k -> new Object());
        synchronized (monitor) {
            try {
                try (FileChannel channel = FileChannel.open(new File(home, env.getName() + ".lock").toPath(),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    FileLock lock = lock(channel, logger, env);
                    try {
                        // Looked at again under the lock: another build may have made (or be using) it.
                        String problem = problem(logger, env, wheel);
                        if (problem != null) {
                            if (!problem.isEmpty()) {
                                logger.lifecycle("tflite-slim: the Python environment {} is broken ({}): rebuilding it", env, problem);
                            }
                            create(logger, python, env, wheel);
                        }
                    } finally {
                        lock.release();
                    }
                }
            } catch (IOException e) {
                throw new GradleException("setting up the Python environment " + env + " failed: " + e.getMessage(), e);
            }
        }
        return envPython;
    }

    /** The base interpreter: its command (as the tool's argv starts) and what the probe says of it. */
    static final class Base {
        final String python;
        final PythonProbe probe;

        Base(String python, PythonProbe probe) {
            this.python = python;
            this.probe = probe;
        }
    }

    /** {@link #python}, or the first of the candidates that is Python 3.9+; one error saying why not. */
    Base base(Logger logger) {
        String python;
        PythonProbe base;
        if (candidates == null) {
            python = this.python;
            base = probeBase(logger, Collections.singletonList(python));
            if (base == null) {
                throw new GradleException("Python 3.9+ not found: '" + python + "' did not run as a Python interpreter."
                        + " Set tfliteSlim.python (or -P" + PYTHON_PROPERTY + "=...) to a Python 3.9+ interpreter.");
            }
            if (!base.atLeast39()) {
                throw new GradleException("Python 3.9+ not found: '" + python + "' is Python " + base.pythonVersion
                        + ". Set tfliteSlim.python (or -P" + PYTHON_PROPERTY + "=...) to a Python 3.9+ interpreter.");
            }
        } else {
            List<List<String>> tried = candidates.isEmpty() ? PythonCandidates.forThisMachine() : candidates;
            List<String> why = new ArrayList<>();
            python = null;
            base = null;
            for (List<String> candidate : tried) {
                PythonProbe probe = probeBase(logger, candidate);
                if (probe != null && probe.atLeast39()) {
                    // One word is a command or a path, used as found (a venv's python stays the venv's);
                    // `py -3` is a launcher: the interpreter it started is the one to run.
                    python = candidate.size() == 1 ? candidate.get(0) : probe.executable;
                    base = probe;
                    break;
                }
                why.add(String.join(" ", candidate) + (probe == null ? " (did not run)" : " (Python " + probe.pythonVersion + ")"));
            }
            if (base == null) {
                throw new GradleException("Python 3.9+ not found: tried " + String.join(", ", why) + ". Install Python 3.9+"
                        + " (python.org, or your system's package manager), or set tfliteSlim.python (or -P" + PYTHON_PROPERTY
                        + "=...) to a Python 3.9+ interpreter.");
            }
            logger.info("tflite-slim: using Python {} at {}", base.pythonVersion, python);
        }
        return new Base(python, base);
    }

    /**
     * The environment's file lock. Another process holding it: wait for it. Another copy of this
     * class in this JVM holding it (the plugin loaded by two class loaders, so two monitors): the
     * JVM refuses a second lock on the file, so poll until that copy is done.
     */
    static FileLock lock(FileChannel channel, Logger logger, File env) throws IOException {
        boolean told = false;
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return lock;
                }
                if (!told) {
                    logger.lifecycle("tflite-slim: waiting for another build setting up {}", env);
                }
                return channel.lock();
            } catch (OverlappingFileLockException e) {
                if (!told) {
                    logger.lifecycle("tflite-slim: waiting for another build setting up {}", env);
                    told = true;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new GradleException("interrupted while waiting for " + env, interrupted);
                }
            }
        }
    }

    /** {@code <version>-py<X.Y>-<16 hex>}: one per tool version, base interpreter and wheel. */
    static String environmentName(ToolWheel wheel, PythonProbe base) {
        String key = sha256((base.executable + "\n" + base.pythonVersion + "\n" + wheel.sha256).getBytes(StandardCharsets.UTF_8));
        return wheel.version + "-py" + base.majorMinor() + "-" + key.substring(0, 16);
    }

    public static File environmentPython(File env) {
        return System.getProperty("os.name", "").startsWith("Windows")
                ? new File(env, "Scripts/python.exe") : new File(env, "bin/python");
    }

    /**
     * Null when the environment is ready (marked ready, its interpreter runs and has the tool with
     * its dependencies); "" when it was never finished; else what is wrong with it.
     */
    private static String problem(Logger logger, File env, ToolWheel wheel) {
        if (!new File(env, READY).isFile()) {
            return "";
        }
        PythonProbe probe = probe(new ToolRunner(logger, env), environmentPython(env).getPath());
        if (probe == null) {
            return "its interpreter does not run";
        }
        if (probe.hasTool(wheel.version)) {
            return null;
        }
        return probe.missing.isEmpty() ? "tflite-slim " + wheel.version + " is not importable" : "missing " + String.join(", ", probe.missing);
    }

    /**
     * {@code candidate} (an interpreter's command line) as the probe reports it; null when it does not run.
     * Run where no tflite_slim package lies about (the working directory would be first on sys.path).
     */
    private PythonProbe probeBase(Logger logger, List<String> candidate) {
        List<String> argv = new ArrayList<>(candidate);
        argv.add("-c");
        argv.add(PythonProbe.SCRIPT);
        ToolRunner.Result ran;
        try {
            ran = new ToolRunner(logger, home).run(argv, LogLevel.DEBUG);
        } catch (GradleException e) {
            if (candidates == null) {
                throw e;  // the one interpreter the build named cannot be started: ToolRunner's advice says so
            }
            return null;
        }
        return ran.exitCode == 0 ? PythonProbe.parse(ran.lines) : null;
    }

    /** Runs the probe; null when the interpreter does not run or prints something else. */
    private static PythonProbe probe(ToolRunner runner, String interpreter) {
        ToolRunner.Result result;
        try {
            result = runner.run(Arrays.asList(interpreter, "-c", PythonProbe.SCRIPT), LogLevel.DEBUG);
        } catch (GradleException e) {
            return null;
        }
        return result.exitCode == 0 ? PythonProbe.parse(result.lines) : null;
    }

    private void create(Logger logger, String python, File env, ToolWheel wheel) throws IOException {
        if (offline) {
            throw new GradleException("tflite-slim " + wheel.version + " needs a Python environment that is not set up yet (" + env
                    + ") and Gradle runs offline: run the build once without --offline, or set tfliteSlim.python to an interpreter"
                    + " that has tflite-slim " + wheel.version + ".");
        }
        logger.lifecycle("tflite-slim: setting up a Python environment for tflite-slim {} (once) in {}", wheel.version, env);
        deleteTree(env.toPath());
        boolean done = false;
        try {
            ToolRunner runner = new ToolRunner(logger, home);
            ToolRunner.Result venv = runner.run(Arrays.asList(python, "-m", "venv", env.getPath()), LogLevel.INFO);
            if (venv.exitCode != 0) {
                throw new GradleException("'" + python + "' could not create a virtual environment in " + env + ": "
                        + lastLine(venv) + ". Install Python's venv module (Debian/Ubuntu: apt-get install python3-venv),"
                        + " or set tfliteSlim.python to an interpreter that has tflite-slim " + wheel.version + ".");
            }
            File wheelFile = new File(env, wheel.name);
            Files.write(wheelFile.toPath(), wheel.bytes());
            ToolRunner.Result pip = runner.run(pipInstall(environmentPython(env).getPath(), wheelFile.getPath()), LogLevel.INFO, pipEnvironment(pipIndexUrl));
            if (pip.exitCode != 0) {
                throw new GradleException("pip could not install tflite-slim " + wheel.version + " and its dependencies"
                        + (pipIndexUrl == null ? "" : " from " + Redaction.urls(pipIndexUrl)) + ": " + lastLine(pip)
                        + ". Check the network and pip's configuration (pip.conf, PIP_INDEX_URL), set tfliteSlim.pipIndexUrl"
                        + " to your PyPI mirror, or set tfliteSlim.python to an interpreter that has tflite-slim " + wheel.version + ".");
            }
            Files.delete(wheelFile.toPath());
            // Last: what problem() looks for, so an interrupted set-up is made again, never used.
            Files.write(new File(env, READY).toPath(), ("version=" + wheel.version + "\nwheel-sha256=" + wheel.sha256
                    + "\nbase=" + python + "\n").getBytes(StandardCharsets.UTF_8));
            done = true;
        } finally {
            if (!done) {
                deleteTree(env.toPath());
            }
        }
        logger.lifecycle("tflite-slim: Python environment ready: {}", env);
    }

    /** pip's command line: no options that override the user's pip configuration (pip.conf, PIP_* variables). */
    static List<String> pipInstall(String envPython, String wheel) {
        return Arrays.asList(envPython, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", wheel);
    }

    /**
     * {@code PIP_INDEX_URL} when {@code pipIndexUrl} is set: it replaces the configured index like
     * {@code --index-url}, and a token in it stays out of the command line and the log.
     */
    static java.util.Map<String, String> pipEnvironment(String indexUrl) {
        return indexUrl == null ? Collections.<String, String>emptyMap() : Collections.singletonMap("PIP_INDEX_URL", indexUrl);
    }
    /** pip's last {@code ERROR:} line, else the last line. */
    private static String lastLine(ToolRunner.Result result) {
        String last = "";
        for (String line : result.lines) {
            if (line.startsWith("ERROR: ")) {
                last = line.substring("ERROR: ".length());
            }
        }
        if (last.isEmpty() && !result.lines.isEmpty()) {
            last = result.lines.get(result.lines.size() - 1).trim();
        }
        return last.endsWith(".") ? last.substring(0, last.length() - 1) : last;
    }

    static String sha256(byte[] bytes) {
        try {
            StringBuilder hex = new StringBuilder();
            for (byte b : MessageDigest.getInstance("SHA-256").digest(bytes)) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a tree of ours without following symbolic links (a venv links to its base interpreter). */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
