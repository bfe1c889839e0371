package io.tfliteslim.gradle;

import io.tfliteslim.gradle.repositories.SettingsAdvice;
import io.tfliteslim.gradle.repositories.SlimRepositories;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/**
 * The README's Kotlin-DSL blocks, and the Kotlin the plugin's own advice spells, compile with a real
 * Kotlin compiler against the plugin jar (see {@link KotlinDsl}).
 */
public class KotlinDslTest {
    /** A README block: ```kotlin, first line `// build.gradle.kts` or `// settings.gradle.kts`. */
    private static final Pattern KOTLIN_BLOCK = Pattern.compile("```kotlin\n(// (build|settings)\\.gradle\\.kts[^\n]*\n.*?)\n```", Pattern.DOTALL);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @org.junit.Before
    public void needsKotlinc() {
        // CI installs it (.ci/run); elsewhere its absence is a skip with the reason, not a pass.
        Assume.assumeTrue("kotlinc not on PATH (apt-get install kotlin)", KotlinDsl.KOTLINC != null || "true".equals(System.getenv("CI")));
    }

    static List<KotlinDsl.Snippet> readmeBlocks() throws Exception {
        return blocks("README.md");
    }

    /** The {@code // build.gradle.kts} and {@code // settings.gradle.kts} blocks of a Markdown page of the repository. */
    static List<KotlinDsl.Snippet> blocks(String page) throws Exception {
        String readme = new String(Files.readAllBytes(new File(Fixture.REPO_ROOT, page).toPath()), StandardCharsets.UTF_8);
        List<KotlinDsl.Snippet> blocks = new ArrayList<>();
        Matcher m = KOTLIN_BLOCK.matcher(readme);
        while (m.find()) {
            blocks.add(new KotlinDsl.Snippet("build".equals(m.group(2)) ? KotlinDsl.Script.BUILD : KotlinDsl.Script.SETTINGS, m.group(1)));
        }
        return blocks;
    }

    @Test
    public void readmeKotlinBlocksAndTheSettingsAdviceCompile() throws Exception {
        List<KotlinDsl.Snippet> snippets = readmeBlocks();
        assertTrue("the README has Kotlin blocks for both scripts: " + snippets.size(), snippets.size() >= 4);
        SettingsAdvice advice = new SettingsAdvice("settings.gradle.kts", true, "0.1.0", new File("/app"));
        List<SlimRepositories.Spec> team = SlimRepositories.specs(new File("/app/m2"), "https://repo.example/maven", true, true);
        snippets.add(KotlinDsl.Snippet.settings("plugins {\n    " + advice.pluginLine() + "\n}\n" + advice.block(team, "com.example")));
        KotlinDsl.assertCompiles(snippets, temp.newFolder("readme"));
    }

    /** The settings docs/optimization.md shows (the CMake backend's optimization level) compile in Kotlin DSL. */
    @Test
    public void optimizationPageKotlinBlocksCompile() throws Exception {
        List<KotlinDsl.Snippet> snippets = blocks("docs/optimization.md");
        assertTrue("docs/optimization.md has a Kotlin block: " + snippets.size(), !snippets.isEmpty());
        KotlinDsl.assertCompiles(snippets, temp.newFolder("optimization"));
    }

    /** The harness can fail: what Kotlin rejects (a Java {@code isX()} pair, a wrong type, a typo) it rejects. */
    @Test
    public void whatKotlinRejectsDoesNotCompile() throws Exception {
        List<String> bad = Arrays.asList("tfliteSlim { verify = \"yes\" }", "tfliteSlim { noSuchSetting = 1 }",
                "tfliteSlim { credentials { usernam = \"x\" } }", "configure<TfliteSlimSettingsExtension> { allowInsecureProtocol = 1 }");
        List<KotlinDsl.Snippet> snippets = new ArrayList<>();
        for (int i = 0; i < bad.size(); i++) {
            snippets.add(i < 3 ? KotlinDsl.Snippet.build(bad.get(i)) : KotlinDsl.Snippet.settings(bad.get(i)));
        }
        KotlinDsl.Result r = KotlinDsl.compile(snippets, temp.newFolder());
        assertNotEquals(r.messages, 0, r.exitCode);
        for (int i = 0; i < bad.size(); i++) {
            assertTrue(bad.get(i) + " is rejected:\n" + r.messages, r.messages.contains("Snippet" + i + ".kt:"));
        }
    }
}
