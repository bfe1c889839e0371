package io.tfliteslim.gradle.tool;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.Assert.assertEquals;

/**
 * Where each platform's Python is looked for, in order, as a table (the machine's files and
 * environment are inputs, so Windows and macOS are tested here on Linux). Paths are python.org's
 * installer defaults (Windows: per-user %LOCALAPPDATA%\Programs\Python\Python3XX, all users
 * %ProgramFiles%\Python3XX; macOS: /Library/Frameworks/Python.framework), Homebrew's prefixes
 * (/opt/homebrew on Apple silicon, /usr/local on Intel) and Xcode's stub and the real interpreters
 * it forwards to.
 */
@RunWith(Parameterized.class)
public class PythonCandidatesTest {
    private static Map<String, String> env(String... pairs) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static Set<String> files(String... paths) {
        return new HashSet<>(Arrays.asList(paths));
    }

    @Parameterized.Parameters(name = "{0}")
    public static Collection<Object[]> rows() {
        return Arrays.asList(new Object[][]{
            {"Linux", "Linux", env("PATH", "/usr/bin"), files(), "[[python3], [python]]"},
            {"Windows, launcher only", "Windows 11", env("LOCALAPPDATA", "C:\\Users\\me\\AppData\\Local"), files(),
                "[[py, -3], [python], [python3]]"},
            {"Windows, python.org per user and for all users, newest first", "Windows 10",
                env("LOCALAPPDATA", "C:\\Users\\me\\AppData\\Local", "ProgramFiles", "C:\\Program Files"),
                files("C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python311\\python.exe",
                        "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python313\\python.exe",
                        "C:\\Program Files\\Python312\\python.exe"),
                "[[py, -3], [python], [python3], [C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python313\\python.exe],"
                    + " [C:\\Program Files\\Python312\\python.exe], [C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python311\\python.exe]]"},
            {"macOS, Apple silicon Homebrew, GUI PATH, no Command Line Tools", "Mac OS X",
                env("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"), files("/opt/homebrew/bin/python3", "/usr/bin/python3"),
                "[[/opt/homebrew/bin/python3]]"},
            {"macOS, Intel Homebrew and python.org", "Mac OS X", env("PATH", "/usr/bin:/bin"),
                files("/usr/local/bin/python3", "/Library/Frameworks/Python.framework/Versions/Current/bin/python3"),
                "[[/usr/local/bin/python3], [/Library/Frameworks/Python.framework/Versions/Current/bin/python3]]"},
            {"macOS, a python3 on a terminal's PATH (pyenv), Xcode's last", "Mac OS X",
                env("PATH", "/Users/me/.pyenv/shims:/usr/local/bin:/usr/bin"),
                files("/Users/me/.pyenv/shims/python3", "/usr/local/bin/python3", "/usr/bin/python3",
                        "/Library/Developer/CommandLineTools/usr/bin/python3"),
                "[[/usr/local/bin/python3], [/Users/me/.pyenv/shims/python3], [/usr/bin/python3]]"},
            {"macOS, Xcode.app only", "Mac OS X", env("PATH", "/usr/bin:/bin"),
                files("/usr/bin/python3", "/Applications/Xcode.app/Contents/Developer/usr/bin/python3"),
                "[[/usr/bin/python3]]"},
            {"macOS, nothing: none to try (never the stub that opens a dialog)", "Mac OS X", env("PATH", "/usr/bin:/bin"),
                files("/usr/bin/python3"), "[]"},
            {"FreeBSD", "FreeBSD", env(), files(), "[[python3], [python]]"},
        });
    }

    private final String os;
    private final Map<String, String> env;
    private final Set<String> files;
    private final String expected;

    public PythonCandidatesTest(String name, String os, Map<String, String> env, Set<String> files, String expected) {
        this.os = os;
        this.env = env;
        this.files = files;
        this.expected = expected;
    }

    @Test
    public void candidatesInOrder() {
        List<List<String>> candidates = PythonCandidates.forPlatform(os, env, files::contains);
        assertEquals(expected, candidates.toString());
    }
}
