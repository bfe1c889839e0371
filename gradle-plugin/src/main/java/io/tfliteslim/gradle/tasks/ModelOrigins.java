package io.tfliteslim.gradle.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each model a variant's APK carries in its assets came from (pure): the app's own asset folders
 * (source sets and generated ones, highest priority first, as {@code sources.assets.all} lists them)
 * win as in AGP's merge; otherwise every dependency (library module, AAR) whose assets have the same
 * relative path is named; else the origin is unknown, said as such.
 */
public final class ModelOrigins {
    /** One model's origin. */
    public static final class Origin {
        /** The model's path inside the APK's assets ({@code models/face.tflite}). */
        public final String path;
        /** {@code app}, {@code dependency} or {@code unknown}. */
        public final String from;
        /** The app folder, relative to the project; or the dependencies (Gradle's names: {@code project :lib}, {@code g:a:v}). */
        public final List<String> where;

        Origin(String path, String from, List<String> where) {
            this.path = path;
            this.from = from;
            this.where = Collections.unmodifiableList(new ArrayList<>(where));
        }

        @Override
        public String toString() {
            return path + " <- " + from + (where.isEmpty() ? "" : " " + String.join(", ", where));
        }

        /** Who shipped the model, as a message says it: {@code project :lib}, {@code the app's src/main/assets}. */
        public String shippedBy() {
            if (from.equals("app")) {
                return "the app's " + String.join(", ", where);
            }
            return from.equals("dependency") ? String.join(", ", where) : "no folder of the app and no dependency's assets";
        }
    }

    private ModelOrigins() {
    }

    /**
     * @param models the merged models' relative paths
     * @param app each app asset folder (relative name) to the relative paths it holds, highest priority first
     * @param dependencies each dependency's name to the relative paths its assets hold
     */
    public static List<Origin> of(List<String> models, LinkedHashMap<String, Set<String>> app, Map<String, Set<String>> dependencies) {
        List<Origin> out = new ArrayList<>();
        for (String model : models) {
            Origin origin = null;
            for (Map.Entry<String, Set<String>> folder : app.entrySet()) {
                if (folder.getValue().contains(model)) {
                    origin = new Origin(model, "app", Collections.singletonList(folder.getKey()));
                    break;
                }
            }
            if (origin == null) {
                List<String> from = new ArrayList<>();
                for (Map.Entry<String, Set<String>> dep : dependencies.entrySet()) {
                    if (dep.getValue().contains(model)) {
                        from.add(dep.getKey());
                    }
                }
                Collections.sort(from);
                origin = new Origin(model, from.isEmpty() ? "unknown" : "dependency", from);
            }
            out.add(origin);
        }
        return out;
    }

    /**
     * The tool's {@code verify} output with each model it names followed by who shipped it: in the lines
     * {@code "  OP version N: needed by M1, M2"} and {@code "error: M: ..."}, every {@code M} that is a key of
     * {@code byModel} (the models as the tool was given them) gets {@code " (from <origin>)"}. Keys are matched
     * whole, longest first, so a path holding {@code ", "} is still one model. Other lines are kept as they are.
     */
    public static String annotate(String text, Map<String, Origin> byModel) {
        if (byModel.isEmpty()) {
            return text;
        }
        List<String> keys = new ArrayList<>(byModel.keySet());
        keys.sort((a, b) -> b.length() - a.length());
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            lines.add(annotateLine(line, keys, byModel));
        }
        return String.join("\n", lines);
    }

    private static final String NEEDED_BY = ": needed by ";

    private static String annotateLine(String line, List<String> keys, Map<String, Origin> byModel) {
        if (line.startsWith("error: ")) {
            String rest = line.substring("error: ".length());
            for (String key : keys) {
                if (rest.startsWith(key + ": ")) {
                    return "error: " + key + " (from " + byModel.get(key).shippedBy() + ")" + rest.substring(key.length());
                }
            }
            return line;
        }
        int at = line.indexOf(NEEDED_BY);
        if (at < 0 || !line.startsWith("  ")) {
            return line;
        }
        String tail = line.substring(at + NEEDED_BY.length());
        StringBuilder out = new StringBuilder(line.substring(0, at + NEEDED_BY.length()));
        int i = 0;
        while (i < tail.length()) {
            String match = null;
            for (String key : keys) {
                if (tail.startsWith(key, i) && (i + key.length() == tail.length() || tail.startsWith(", ", i + key.length()))) {
                    match = key;
                    break;
                }
            }
            if (match == null) {
                // Not a list of the models we gave: the rest as it is.
                return out.append(tail.substring(i)).toString();
            }
            out.append(match).append(" (from ").append(byModel.get(match).shippedBy()).append(')');
            i += match.length();
            if (i < tail.length()) {
                out.append(", ");
                i += 2;
            }
        }
        return out.toString();
    }

    /** The origins as JSON ({@code {"models": [{"path", "from", "where": [...]}]}}), sorted by path, byte-stable. */
    public static String json(List<Origin> origins) {
        List<Origin> sorted = new ArrayList<>(origins);
        sorted.sort((a, b) -> a.path.compareTo(b.path));
        StringBuilder s = new StringBuilder("{\n  \"models\": [");
        for (int i = 0; i < sorted.size(); i++) {
            Origin o = sorted.get(i);
            s.append(i == 0 ? "\n" : ",\n").append("    {\"path\": ").append(quote(o.path)).append(", \"from\": ").append(quote(o.from))
                    .append(", \"where\": [");
            for (int j = 0; j < o.where.size(); j++) {
                s.append(j == 0 ? "" : ", ").append(quote(o.where.get(j)));
            }
            s.append("]}");
        }
        return s.append(sorted.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    static String quote(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }
}
