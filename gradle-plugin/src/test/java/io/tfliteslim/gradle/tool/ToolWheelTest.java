package io.tfliteslim.gradle.tool;

import io.tfliteslim.gradle.Fixture;

import org.junit.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The wheel the plugin jar carries. */
public class ToolWheelTest {
    /** One version, set in one place: the wheel the jar carries is the checkout's tool at its __version__. */
    @Test
    public void theBundledWheelIsTheCheckoutsToolAtItsVersion() throws Exception {
        ToolWheel wheel = ToolWheel.bundled();
        String version = Fixture.python(Arrays.asList(Fixture.PYTHON, "-c",
                "import sys; sys.path.insert(0, sys.argv[1]); import tflite_slim; print(tflite_slim.__version__)",
                new File(Fixture.REPO_ROOT, "pytool").getPath())).trim();
        assertEquals(version, wheel.version);
        assertEquals("tflite_slim-" + version + "-py3-none-any.whl", wheel.name);
        byte[] bytes = wheel.bytes();
        boolean cli = false;
        String metadata = null;
        try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                cli |= e.getName().equals("tflite_slim/cli.py");
                if (e.getName().equals("tflite_slim-" + version + ".dist-info/METADATA")) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    byte[] chunk = new byte[8192];
                    for (int n; (n = zip.read(chunk)) > 0; ) {
                        out.write(chunk, 0, n);
                    }
                    metadata = out.toString("UTF-8");
                }
            }
        }
        assertTrue(cli);
        assertTrue(metadata, metadata.contains("\nVersion: " + version + "\n"));
        assertTrue(metadata, metadata.contains("Requires-Dist: lxml"));
    }
}
