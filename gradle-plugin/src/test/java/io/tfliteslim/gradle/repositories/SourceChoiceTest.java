package io.tfliteslim.gradle.repositories;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import static org.junit.Assert.assertEquals;

/** Which release to build when none is set: the stock runtime the app declares. */
@RunWith(Parameterized.class)
public class SourceChoiceTest {
    @Parameterized.Parameters(name = "{0}")
    public static Collection<Object[]> rows() {
        return Arrays.asList(new Object[][]{
            {"TensorFlow Lite app", false, null, null, Arrays.asList("androidx.core:core:1.0", "org.tensorflow:tensorflow-lite:2.16.1"), "2.16.1", null},
            {"LiteRT app", false, null, null, Arrays.asList("com.google.ai.edge.litert:litert:1.0.1"), null, "1.0.1"},
            // 2.x: the drop-in for that version (the tool refuses the lines it does not trim, with the reason).
            {"LiteRT 2.x app", false, null, null, Arrays.asList("com.google.ai.edge.litert:litert:2.2.0"), null, "2.2.0"},
            {"LiteRT 2.x app on a line not trimmed", false, null, null, Arrays.asList("com.google.ai.edge.litert:litert:2.0.2"), null, "2.0.2"},
            {"two LiteRT 2.x versions: ambiguous", false, null, null, Arrays.asList("com.google.ai.edge.litert:litert:2.2.0",
                "com.google.ai.edge.litert:litert:2.1.6"), null, null},
            {"LiteRT 2.x beside TensorFlow Lite", false, null, null, Arrays.asList("com.google.ai.edge.litert:litert:2.1.0",
                "org.tensorflow:tensorflow-lite:2.16.1"), "2.16.1", null},
            {"LiteRT 1.x and 2.x: the 1.x", false, null, null, Arrays.asList("com.google.ai.edge.litert:litert:2.1.0",
                "com.google.ai.edge.litert:litert:1.4.1"), null, "1.4.1"},
            {"support library alone says nothing", false, null, null, Arrays.asList("org.tensorflow:tensorflow-lite-support:0.4.4"), null, null},
            {"both kinds: ambiguous", false, null, null, Arrays.asList("org.tensorflow:tensorflow-lite:2.16.1", "com.google.ai.edge.litert:litert:1.0.1"), null, null},
            {"two versions: ambiguous", false, null, null, Arrays.asList("org.tensorflow:tensorflow-lite:2.16.1", "org.tensorflow:tensorflow-lite:2.15.0"), null, null},
            {"same version twice", false, null, null, Arrays.asList("org.tensorflow:tensorflow-lite:2.16.1", "org.tensorflow:tensorflow-lite:2.16.1"), "2.16.1", null},
            {"dynamic version", false, null, null, Arrays.asList("org.tensorflow:tensorflow-lite:2.+"), null, null},
            {"range", false, null, null, Arrays.asList("org.tensorflow:tensorflow-lite:[2.15,2.17)"), null, null},
            {"source set wins", true, null, null, Arrays.asList("org.tensorflow:tensorflow-lite:2.16.1"), null, null},
            {"tensorflowVersion set wins", false, "2.15.0", null, Arrays.asList("com.google.ai.edge.litert:litert:1.0.1"), "2.15.0", null},
            {"litertVersion set wins", false, null, "1.2.0", Arrays.asList("org.tensorflow:tensorflow-lite:2.16.1"), null, "1.2.0"},
        });
    }

    private final boolean sourceSet;
    private final String tf;
    private final String litert;
    private final List<String> declared;
    private final String expectedTf;
    private final String expectedLitert;

    public SourceChoiceTest(String name, boolean sourceSet, String tf, String litert, List<String> declared,
                            String expectedTf, String expectedLitert) {
        this.sourceSet = sourceSet;
        this.tf = tf;
        this.litert = litert;
        this.declared = declared;
        this.expectedTf = expectedTf;
        this.expectedLitert = expectedLitert;
    }

    @Test
    public void choice() {
        SourceChoice c = SourceChoice.choose(sourceSet, tf, litert, declared);
        assertEquals(expectedTf, c.tensorflowVersion);
        assertEquals(expectedLitert, c.litertVersion);
    }
}
