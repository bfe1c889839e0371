package io.tfliteslim.gradle.tool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.tfliteslim.gradle.Fixture;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * The build logs the READMEs quote from a plugin run (a fenced block with a "> Task" line or the plugin's "setting
 * up a Python environment" line) show the tool's advice as the plugin prints it: in plugin settings, never CLI options.
 */
public class PluginSpellingDocsTest {
    private static final String PLUGIN_LOG_MARK = "tflite-slim: setting up a Python environment";

    @Test
    public void quotedPluginLogsUsePluginSettings() throws IOException {
        int checked = 0;
        for (String page : new String[] {"README.md", "sample-android-app/README.md"}) {
            for (List<String> block : fencedBlocks(new File(Fixture.REPO_ROOT, page))) {
                if (block.stream().noneMatch(l -> l.startsWith(PLUGIN_LOG_MARK) || l.startsWith("> Task "))) {
                    continue;
                }
                for (String line : block) {
                    assertEquals(page + " quotes a plugin log line in the CLI's words", PluginSpelling.ofLogLine(line), line);
                    if (line.startsWith("tflite-slim: backend ")) {
                        checked++;
                    }
                }
            }
        }
        assertTrue("no quoted plugin log with a backend line found in the READMEs", checked >= 2);
    }

    private static List<List<String>> fencedBlocks(File page) throws IOException {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : Files.readAllLines(page.toPath(), StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                if (current == null) {
                    current = new ArrayList<>();
                } else {
                    blocks.add(current);
                    current = null;
                }
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }
}
