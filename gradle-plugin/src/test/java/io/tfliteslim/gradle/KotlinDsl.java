package io.tfliteslim.gradle;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles Kotlin-DSL snippets with a real Kotlin compiler (Debian's {@code kotlin}, kotlinc 1.3:
 * the same Java-property rules as Gradle's embedded Kotlin) against the built plugin jar and
 * Gradle's API jars, with the SAM-with-receiver rule Gradle's Kotlin DSL applies to {@code Action}
 * ({@code @HasImplicitReceiver}). Each snippet becomes the body of a script-like class whose
 * receiver is a build script or a settings script ({@code src/test/kotlin-dsl/ScriptStandIns.kt}:
 * the template members and newer Gradle API the 4.4 jars lack). Reusable: pass any snippet texts.
 */
final class KotlinDsl {
    /** The script a snippet is the body of. */
    enum Script {
        BUILD("BuildScript", "org.gradle.api.Project"),
        SETTINGS("SettingsScript", "org.gradle.api.initialization.Settings");

        final String template;
        final String receiver;

        Script(String template, String receiver) {
            this.template = template;
            this.receiver = receiver;
        }
    }

    static final File KOTLINC = findKotlinc();
    private static final File STAND_INS = new File(Fixture.REPO_ROOT, "gradle-plugin/src/test/kotlin-dsl/ScriptStandIns.kt");
    private static final String IMPORTS = "import org.gradle.api.*\nimport io.tfliteslim.gradle.*\nimport tfliteslim.kotlindsl.*\n";

    private KotlinDsl() {
    }

    private static File findKotlinc() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "kotlinc");
            if (f.canExecute()) {
                return f;
            }
        }
        return null;
    }

    /** The compiler's verdict: exit code and its messages (paths shortened to snippet names). */
    static final class Result {
        final int exitCode;
        final String messages;

        Result(int exitCode, String messages) {
            this.exitCode = exitCode;
            this.messages = messages;
        }
    }

    /** A snippet: the body of a build or settings script. */
    static final class Snippet {
        final Script script;
        final String text;

        Snippet(Script script, String text) {
            this.script = script;
            this.text = text;
        }

        static Snippet build(String text) {
            return new Snippet(Script.BUILD, text);
        }

        static Snippet settings(String text) {
            return new Snippet(Script.SETTINGS, text);
        }
    }

    /** Compiles the snippets (each the body of its own script class) in one kotlinc run. */
    static Result compile(List<Snippet> snippets, File workDir) throws IOException, InterruptedException {
        if (KOTLINC == null) {
            throw new IllegalStateException("kotlinc not on PATH: apt-get install kotlin (.ci/run does)");
        }
        File src = new File(workDir, "src");
        File out = new File(workDir, "classes");
        if (!src.mkdirs() || !out.mkdirs()) {
            throw new IOException("cannot create " + src + " / " + out);
        }
        List<String> argv = new ArrayList<>(Arrays.asList(KOTLINC.getPath(), "-nowarn", "-jvm-target", "1.8",
                "-Xplugin=" + samWithReceiver(), "-P", "plugin:org.jetbrains.kotlin.samWithReceiver:annotation=org.gradle.api.HasImplicitReceiver",
                // The language features Gradle's Kotlin DSL compiler turns on (its accessors are Kotlin
                // functions taking Action<T>, called with a lambda).
                "-XXLanguage:+NewInference", "-XXLanguage:+SamConversionForKotlinFunctions",
                "-cp", System.getProperty("tfliteSlim.kotlinClasspath"), "-d", out.getPath(), STAND_INS.getPath()));
        for (int i = 0; i < snippets.size(); i++) {
            File f = new File(src, "Snippet" + i + ".kt");
            Script script = snippets.get(i).script;
            String text = IMPORTS + "\nclass Snippet" + i + "(target: " + script.receiver + ") : " + script.template + "(target) {\n"
                    + "init {\n" + snippets.get(i).text + "\n}\n}\n";
            Files.write(f.toPath(), text.getBytes(StandardCharsets.UTF_8));
            argv.add(f.getPath());
        }
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        byte[] output = readAll(p);
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kotlinc did not finish in 600 s");
        }
        String text = new String(output, StandardCharsets.UTF_8).replace(src.getPath() + File.separator, "");
        return new Result(p.exitValue(), text);
    }

    /** Fails with the compiler's messages (and the snippets) unless every snippet compiles. */
    static void assertCompiles(List<Snippet> snippets, File workDir) throws IOException, InterruptedException {
        Result r = compile(snippets, workDir);
        if (r.exitCode != 0) {
            StringBuilder s = new StringBuilder("Kotlin DSL snippets do not compile:\n").append(r.messages);
            for (int i = 0; i < snippets.size(); i++) {
                s.append("\n--- Snippet").append(i).append(".kt (body starts on line 7) ---\n").append(snippets.get(i));
            }
            throw new AssertionError(s.toString());
        }
    }

    private static String samWithReceiver() throws IOException {
        File lib = new File(KOTLINC.getAbsoluteFile().toPath().toRealPath().getParent().getParent().toFile(), "lib");
        return new File(lib, "sam-with-receiver-compiler-plugin.jar").getPath();
    }

    private static byte[] readAll(Process p) throws IOException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = p.getInputStream().read(chunk)) > 0) {
            buf.write(chunk, 0, n);
        }
        return buf.toByteArray();
    }
}
