package io.tfliteslim.gradle.tool;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What an interpreter is, as {@link #SCRIPT} reports it: its version, its
 * real path, and the version of tflite-slim it has (with any dependency the
 * tool declares that is missing).
 */
final class PythonProbe {
    /** Prints: Python version, real path of the interpreter, tflite-slim version (or nothing), missing dependencies. */
    static final String SCRIPT = String.join("\n",
            "import os, sys",
            "print('%d.%d.%d' % tuple(sys.version_info[:3]))",
            "print(os.path.realpath(sys.executable))",
            "tool, missing = '', []",
            "if sys.version_info >= (3, 9):",
            "    import importlib.metadata as m, re",
            "    try:",
            "        import tflite_slim",
            "        tool = tflite_slim.__version__",
            "        for r in m.requires('tflite-slim') or []:",
            "            if 'extra ==' not in r:",
            "                name = re.match(r'[A-Za-z0-9._-]+', r).group(0)",
            "                try:",
            "                    m.distribution(name)",
            "                except m.PackageNotFoundError:",
            "                    missing.append(name)",
            "    except Exception:",
            "        tool = ''",
            "print(tool)",
            "print(','.join(missing))");

    final String pythonVersion;
    final String executable;
    final String toolVersion;
    final List<String> missing;

    PythonProbe(String pythonVersion, String executable, String toolVersion, List<String> missing) {
        this.pythonVersion = pythonVersion;
        this.executable = executable;
        this.toolVersion = toolVersion;
        this.missing = missing;
    }

    /** Parses the probe's last four lines (anything a sitecustomize printed before them is ignored); null when malformed. */
    static PythonProbe parse(List<String> lines) {
        if (lines.size() < 4) {
            return null;
        }
        List<String> last = lines.subList(lines.size() - 4, lines.size());
        if (!last.get(0).matches("\\d+\\.\\d+\\.\\d+")) {
            return null;
        }
        List<String> missing = last.get(3).isEmpty() ? Collections.<String>emptyList() : Arrays.asList(last.get(3).split(","));
        return new PythonProbe(last.get(0), last.get(1), last.get(2), missing);
    }

    boolean atLeast39() {
        String[] v = pythonVersion.split("\\.");
        int major = Integer.parseInt(v[0]);
        return major > 3 || major == 3 && Integer.parseInt(v[1]) >= 9;
    }

    String majorMinor() {
        return pythonVersion.substring(0, pythonVersion.lastIndexOf('.'));
    }

    /** This version of the tool and every dependency it declares are installed. */
    boolean hasTool(String version) {
        return version.equals(toolVersion) && missing.isEmpty();
    }
}
