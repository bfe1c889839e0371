package io.tfliteslim.gradle;

import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The sample app's own Kotlin scripts (sample-android-app/, what users copy): the settings plugin's
 * {@code plugins { }} and {@code tfliteSlim { }} blocks of settings.gradle.kts and the
 * {@code tfliteSlim { }} block of app/build.gradle.kts, cut from the files as they are, compile with a
 * real Kotlin compiler against the plugin jar ({@link KotlinDsl}).
 */
public class SampleAppKotlinDslTest {
    private static final File SAMPLE = new File(Fixture.REPO_ROOT, "sample-android-app");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Before
    public void needsKotlinc() {
        // CI installs it (.ci/run); elsewhere its absence is a skip with the reason, not a pass.
        Assume.assumeTrue("kotlinc not on PATH (apt-get install kotlin)", KotlinDsl.KOTLINC != null || "true".equals(System.getenv("CI")));
    }

    /** The top-level {@code name { ... }} block of a script, braces matched, from its first line to its last. */
    static String block(File script, String name) throws Exception {
        String text = new String(Files.readAllBytes(script.toPath()), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + " \\{\n", Pattern.MULTILINE).matcher(text);
        assertTrue(script + " has no top-level `" + name + " {` block", m.find());
        int depth = 1;
        int i = m.end();
        while (depth > 0) {
            char c = text.charAt(i++);
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        }
        return text.substring(m.start(), i);
    }

    @Test
    public void theSampleScriptsTfliteSlimBlocksCompile() throws Exception {
        File settings = new File(SAMPLE, "settings.gradle.kts");
        String plugins = block(settings, "plugins");
        assertTrue(plugins, plugins.contains("id(\"" + TfliteSlimSettingsPlugin.ID + "\") version \""));
        String settingsBlock = block(settings, "tfliteSlim");
        String appBlock = block(new File(SAMPLE, "app/build.gradle.kts"), "tfliteSlim");
        // What the blocks set, so the compile below checks those settings and not an empty block.
        for (String setting : Arrays.asList("repositoryUrl = ", "credentials {", "username = ", "password = ")) {
            assertTrue(setting, settingsBlock.contains(setting));
        }
        for (String setting : Arrays.asList("verify = true", "required = false", "noCache = false", "alignmentCheck = ")) {
            assertTrue(setting, appBlock.contains(setting));
        }
        KotlinDsl.assertCompiles(Arrays.asList(KotlinDsl.Snippet.settings(plugins + "\n" + settingsBlock),
                KotlinDsl.Snippet.build(appBlock)), temp.newFolder("sample"));
    }

    /** The block cutter takes nested braces and stops at the block's own closing brace. */
    @Test
    public void blockTakesNestedBracesAndStopsAtItsEnd() throws Exception {
        File script = temp.newFile("x.gradle.kts");
        Files.write(script.toPath(), "a {\n  b { c() }\n}\ntfliteSlim {\n  credentials { x = 1 }\n}\nafter()\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("tfliteSlim {\n  credentials { x = 1 }\n}", block(script, "tfliteSlim"));
        assertEquals("a {\n  b { c() }\n}", block(script, "a"));
    }
}
