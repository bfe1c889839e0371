package io.tfliteslim.gradle.tasks;

import org.junit.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.Assert.assertEquals;

public class ModelOriginsTest {
    private static Set<String> set(String... paths) {
        return new HashSet<>(Arrays.asList(paths));
    }

    /** Rows: model, app folders (highest priority first), dependencies, expected origin. */
    @Test
    public void originsAsTheMergeDecides() {
        LinkedHashMap<String, Set<String>> app = new LinkedHashMap<>();
        app.put("src/debug/assets", set("a.tflite"));
        app.put("src/main/assets", set("a.tflite", "b.tflite"));
        app.put("build/generated/models", set("gen/c.tflite"));
        Map<String, Set<String>> deps = new TreeMap<>();
        deps.put("project :lib", set("a.tflite", "d.tflite"));
        deps.put("com.example:detector:1.0", set("d.tflite", "e.tflite"));
        String[][] rows = {
                {"a.tflite", "a.tflite <- app src/debug/assets"},              // the higher layer wins, over a library too
                {"b.tflite", "b.tflite <- app src/main/assets"},
                {"gen/c.tflite", "gen/c.tflite <- app build/generated/models"},
                {"d.tflite", "d.tflite <- dependency com.example:detector:1.0, project :lib"},  // both ship it: both named
                {"e.tflite", "e.tflite <- dependency com.example:detector:1.0"},
                {"f.tflite", "f.tflite <- unknown"},
                {"gen/a.tflite", "gen/a.tflite <- unknown"},                  // same name, other folder: not the same file
        };
        for (String[] row : rows) {
            assertEquals(row[1], ModelOrigins.of(Collections.singletonList(row[0]), app, deps).get(0).toString());
        }
    }

    @Test
    public void jsonIsSortedAndEscaped() {
        LinkedHashMap<String, Set<String>> app = new LinkedHashMap<>();
        app.put("src/main/\"assets\"", set("b.tflite"));
        assertEquals("{\n  \"models\": [\n"
                        + "    {\"path\": \"a.tflite\", \"from\": \"unknown\", \"where\": []},\n"
                        + "    {\"path\": \"b.tflite\", \"from\": \"app\", \"where\": [\"src/main/\\\"assets\\\"\"]}\n  ]\n}\n",
                ModelOrigins.json(ModelOrigins.of(Arrays.asList("b.tflite", "a.tflite"), app, Collections.<String, Set<String>>emptyMap())));
        assertEquals("{\n  \"models\": []\n}\n", ModelOrigins.json(Collections.<ModelOrigins.Origin>emptyList()));
    }

    /**
     * tfliteVerify's failure: each model the tool names in its verdict (and in an unreadable model's error) is
     * followed by who shipped it. Rows: the tool's line, the line the plugin prints.
     */
    @Test
    public void verifyOutputNamesWhoShippedEachModel() {
        LinkedHashMap<String, Set<String>> app = new LinkedHashMap<>();
        app.put("src/main/assets", set("add.tflite"));
        Map<String, Set<String>> deps = new TreeMap<>();
        deps.put("project :lib", set("models/conv.tflite"));
        deps.put("com.example:detector:1.0", set("a, b.tflite"));
        Map<String, ModelOrigins.Origin> byModel = new TreeMap<>();
        String merged = "build/intermediates/assets/debug/mergeDebugAssets/";
        for (ModelOrigins.Origin o : ModelOrigins.of(Arrays.asList("add.tflite", "models/conv.tflite", "a, b.tflite", "x.tflite"), app, deps)) {
            byModel.put(merged + o.path, o);
        }
        String[][] rows = {
                {"  CONV_2D version 3: needed by " + merged + "models/conv.tflite",
                        "  CONV_2D version 3: needed by " + merged + "models/conv.tflite (from project :lib)"},
                {"  ADD version 2: needed by " + merged + "add.tflite, " + merged + "models/conv.tflite",
                        "  ADD version 2: needed by " + merged + "add.tflite (from the app's src/main/assets), " + merged
                                + "models/conv.tflite (from project :lib)"},
                // A path with ", " in it is one model, not two.
                {"  MUL version 1: needed by " + merged + "a, b.tflite, " + merged + "x.tflite",
                        "  MUL version 1: needed by " + merged + "a, b.tflite (from com.example:detector:1.0), " + merged
                                + "x.tflite (from no folder of the app and no dependency's assets)"},
                {"error: " + merged + "models/conv.tflite: not a TensorFlow Lite model",
                        "error: " + merged + "models/conv.tflite (from project :lib): not a TensorFlow Lite model"},
                // Lines that name no model of ours stay as they are.
                {"error: the runtime in ops.json lacks 2 ops that the models need; rebuild it from these models (tflite-slim build):",
                        "error: the runtime in ops.json lacks 2 ops that the models need; rebuild it from these models (tflite-slim build):"},
                {"  SUB version 1: needed by other/model.tflite", "  SUB version 1: needed by other/model.tflite"},
                {"", ""},
        };
        for (String[] row : rows) {
            assertEquals(row[1], ModelOrigins.annotate(row[0], byModel));
        }
        // Whole outputs keep their line structure; no origins (no variant): the text as it is.
        assertEquals("a\n  ADD version 2: needed by " + merged + "add.tflite (from the app's src/main/assets)\n",
                ModelOrigins.annotate("a\n  ADD version 2: needed by " + merged + "add.tflite\n", byModel));
        assertEquals("  ADD version 2: needed by x", ModelOrigins.annotate("  ADD version 2: needed by x",
                Collections.<String, ModelOrigins.Origin>emptyMap()));
    }
}
