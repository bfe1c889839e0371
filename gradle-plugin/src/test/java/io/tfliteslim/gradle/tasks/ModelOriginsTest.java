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
}
