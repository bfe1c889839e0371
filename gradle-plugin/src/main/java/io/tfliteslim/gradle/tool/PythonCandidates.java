package io.tfliteslim.gradle.tool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where a Python 3 interpreter usually is, when the build names none ({@code tfliteSlim.python} and
 * {@code -PtfliteSlim.python} unset): the command lines to try, in order, for the machine Gradle runs
 * on. Pure: the OS name, the environment and a file test come in, so every platform's list is
 * unit-tested on any machine. {@link ToolProvisioner} probes them in order when a task runs and uses
 * the first that is Python 3.9+.
 *
 * <ul>
 * <li>Windows: python.org's installer puts the launcher {@code py} on PATH ({@code py -3} picks the
 * newest Python 3) and, unless asked to, no {@code python3}; then {@code python} and {@code python3}
 * on PATH (a "Add python.exe to PATH" install, or the Microsoft Store's); then python.org's default
 * install directories, per user ({@code %LOCALAPPDATA%\Programs\Python\Python3XX}) and for all users
 * ({@code %ProgramFiles%\Python3XX}), newest first.</li>
 * <li>macOS: a Gradle started by Android Studio gets the GUI's PATH ({@code /usr/bin:/bin:...}), where
 * {@code python3} is Xcode's stub, which opens an install dialog when the Command Line Tools are
 * absent. So first Homebrew ({@code /opt/homebrew/bin/python3} on Apple silicon,
 * {@code /usr/local/bin/python3} on Intel, where python.org's installer also links it), python.org's
 * framework, then any {@code python3} on PATH outside {@code /usr/bin}, and Xcode's
 * {@code /usr/bin/python3} last, only when the Command Line Tools or Xcode carry a real one.</li>
 * <li>Linux and others: {@code python3}, then {@code python}, on PATH.</li>
 * </ul>
 */
public final class PythonCandidates {
    /** What the plugin runs when it names the interpreter without discovery (and what the messages say). */
    public static final String DEFAULT = "python3";
    /** python.org's minor versions the Windows install directories are looked for, newest first. */
    static final List<String> WINDOWS_VERSIONS = Collections.unmodifiableList(
            Arrays.asList("315", "314", "313", "312", "311", "310", "39"));
    static final String MAC_HOMEBREW_ARM = "/opt/homebrew/bin/python3";
    static final String MAC_HOMEBREW_INTEL = "/usr/local/bin/python3";
    static final String MAC_PYTHON_ORG = "/Library/Frameworks/Python.framework/Versions/Current/bin/python3";
    static final String MAC_XCODE_STUB = "/usr/bin/python3";
    /** Where the stub finds a real python3: without one of them it only offers to install the tools. */
    static final List<String> MAC_XCODE_REAL = Collections.unmodifiableList(Arrays.asList(
            "/Library/Developer/CommandLineTools/usr/bin/python3",
            "/Applications/Xcode.app/Contents/Developer/usr/bin/python3"));

    private PythonCandidates() {
    }

    /** For the machine this runs on. */
    public static List<List<String>> forThisMachine() {
        return forPlatform(System.getProperty("os.name", ""), System.getenv(), path -> new java.io.File(path).isFile());
    }

    /** The command lines to try, in order, on {@code osName} with {@code env}; {@code isFile} tests a path. */
    public static List<List<String>> forPlatform(String osName, Map<String, String> env, Predicate<String> isFile) {
        String os = osName.toLowerCase(Locale.ROOT);
        List<List<String>> out = new ArrayList<>();
        if (os.startsWith("windows")) {
            out.add(Arrays.asList("py", "-3"));
            out.add(Collections.singletonList("python"));
            out.add(Collections.singletonList("python3"));
            String local = env.get("LOCALAPPDATA");
            String programFiles = env.get("ProgramFiles");
            for (String v : WINDOWS_VERSIONS) {
                if (local != null) {
                    addIfFile(out, local + "\\Programs\\Python\\Python" + v + "\\python.exe", isFile);
                }
                if (programFiles != null) {
                    addIfFile(out, programFiles + "\\Python" + v + "\\python.exe", isFile);
                }
            }
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            addIfFile(out, MAC_HOMEBREW_ARM, isFile);
            addIfFile(out, MAC_HOMEBREW_INTEL, isFile);
            addIfFile(out, MAC_PYTHON_ORG, isFile);
            String path = env.get("PATH");
            if (path != null) {
                for (String dir : path.split(":")) {
                    if (!dir.isEmpty() && !dir.equals("/usr/bin") && !dir.equals("/usr/bin/")) {
                        addIfFile(out, (dir.endsWith("/") ? dir : dir + "/") + "python3", isFile);
                    }
                }
            }
            for (String real : MAC_XCODE_REAL) {
                if (isFile.test(real)) {
                    addOnce(out, Collections.singletonList(MAC_XCODE_STUB));
                }
            }
        } else {
            out.add(Collections.singletonList("python3"));
            out.add(Collections.singletonList("python"));
        }
        return out;
    }

    private static void addIfFile(List<List<String>> out, String path, Predicate<String> isFile) {
        if (isFile.test(path)) {
            addOnce(out, Collections.singletonList(path));
        }
    }

    private static void addOnce(List<List<String>> out, List<String> candidate) {
        if (!out.contains(candidate)) {
            out.add(candidate);
        }
    }
}
