package io.tfliteslim.gradle;

import io.tfliteslim.gradle.tool.ToolProvisioner;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.GradleRunner;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fixture project from {@code src/test/fixtures/NAME}, copied into a temp
 * dir, run with TestKit against the Gradle home the build assembled, with the
 * Python interpreter that has the tool (system properties set by build.gradle).
 */
public final class Fixture {
    public static final String PYTHON = System.getProperty("tfliteSlim.python", "python3");
    public static final File REPO_ROOT = new File(System.getProperty("tfliteSlim.repoRoot", ".."));
    public static final File FIXTURES = new File(REPO_ROOT, "gradle-plugin/src/test/fixtures");

    public final File dir;

    public Fixture(String name, File temp) throws IOException {
        this(new File(FIXTURES, name), temp);
    }

    /** A copy of {@code source} (a fixture, or a sample of the repository) without Gradle's build/ and .gradle/. */
    public Fixture(File source, File temp) throws IOException {
        this.dir = temp;
        copyTree(source.toPath(), temp.toPath());
    }

    /** Writes models made by make_models.py: {@code "add"} or {@code "add=path/in/project.tflite"}. */
    public Fixture models(String outDir, String... specs) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(Arrays.asList(PYTHON, new File(FIXTURES, "make_models.py").getPath(),
                new File(dir, outDir).getPath()));
        argv.addAll(Arrays.asList(specs));
        python(argv);
        return this;
    }

    /** A fake TensorFlow checkout that the stand-in bazel accepts (tests/standin/workspace.py). */
    public Fixture tensorflowWorkspace(String path) throws IOException, InterruptedException {
        python(Arrays.asList(PYTHON, "-c", "import sys; sys.path.insert(0, sys.argv[1]);"
                + " from standin.workspace import make_tensorflow_workspace; make_tensorflow_workspace(sys.argv[2])",
                new File(REPO_ROOT, "tests").getPath(), new File(dir, path).getPath()));
        return this;
    }

    /** Runs a Python command line (test setup), failing the test with its output. */
    public static String python(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        byte[] out = readAll(p);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(argv + " failed:\n" + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Everything the process writes to its stdout (stderr too when redirected). */
    public static byte[] readAll(Process p) throws IOException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = p.getInputStream().read(chunk)) > 0) {
            buf.write(chunk, 0, n);
        }
        return buf.toByteArray();
    }

    public File file(String path) {
        return new File(dir, path);
    }

    public String read(String path) throws IOException {
        return new String(Files.readAllBytes(file(path).toPath()), StandardCharsets.UTF_8);
    }

    public void write(String path, String text) throws IOException {
        File f = file(path);
        f.getParentFile().mkdirs();
        Files.write(f.toPath(), text.getBytes(StandardCharsets.UTF_8));
    }

    public void deleteTree(String path) throws IOException {
        ToolProvisioner.deleteTree(file(path).toPath());
    }

    public GradleRunner runner(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("-P" + ProjectDefaults.PYTHON_PROPERTY + "=" + PYTHON);
        all.add("-PstandinBazel=" + new File(REPO_ROOT, "tests/standin/bazel").getAbsolutePath());
        all.add("--stacktrace");
        return GradleRunner.create()
                .withGradleInstallation(new File(System.getProperty("tfliteSlim.testkit.gradleHome")))
                .withTestKitDir(new File(System.getProperty("tfliteSlim.testkit.dir")))
                .withProjectDir(dir)
                .withPluginClasspath()
                .withArguments(all);
    }

    public BuildResult build(String... args) {
        return runner(args).build();
    }

    public BuildResult fail(String... args) {
        return runner(args).buildAndFail();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (d.getParent() != null && d.getParent().equals(from) && (d.endsWith("build") || d.endsWith(".gradle"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
