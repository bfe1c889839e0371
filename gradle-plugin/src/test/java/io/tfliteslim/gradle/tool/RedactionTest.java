package io.tfliteslim.gradle.tool;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import java.util.Arrays;
import java.util.Collection;

import static org.junit.Assert.assertEquals;

/** The same cases as the tool's test_redact_urls: the plugin must print what the tool prints. */
@RunWith(Parameterized.class)
public class RedactionTest {
    @Parameterized.Parameters(name = "{0}")
    public static Collection<Object[]> rows() {
        return Arrays.asList(new Object[][]{
            {"https://u:TOKEN@repo.example/maven", "https://***@repo.example/maven"},
            {"[python, -m, tflite_slim, deploy, --url, https://ci:s3cret@repo/m]", "[python, -m, tflite_slim, deploy, --url, https://***@repo/m]"},
            {"a https://u:p@ss@h/ b https://v:w@k/", "a https://***@h/ b https://***@k/"},
            {"--x=https://host/path@v1", "--x=https://host/path@v1"},
            {"git@github.com:o/r.git user@host", "git@github.com:o/r.git user@host"},
            {"file:/home/me/repo", "file:/home/me/repo"},
        });
    }

    private final String text;
    private final String shown;

    public RedactionTest(String text, String shown) {
        this.text = text;
        this.shown = shown;
    }

    @Test
    public void masksUserInfo() {
        assertEquals(shown, Redaction.urls(text));
    }
}
