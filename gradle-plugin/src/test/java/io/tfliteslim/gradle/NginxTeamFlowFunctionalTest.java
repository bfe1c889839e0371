package io.tfliteslim.gradle;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The team flow against a real Maven host: Debian's nginx with WebDAV PUT and
 * basic auth (tests/nginx_server.py writes its config and runs it on
 * 127.0.0.1). CI's tfliteSlimPublish deploys there; a developer without Bazel
 * gets tfliteVerify's ops.json and the AAR from it with credentials.
 * TeamFlowFunctionalTest keeps the small in-test server; wrong credentials
 * against nginx are tests/test_deploy_nginx.py's (with a fresh Gradle home:
 * TestKit's shared one would answer from its cache without asking nginx).
 */
public class NginxTeamFlowFunctionalTest {
    private static final String USER = "ci";
    private static final String PASSWORD = "nginx-t0ken";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Process nginx;
    private String url;
    private File served;

    @Before
    public void startNginx() throws Exception {
        boolean present = new File("/usr/sbin/nginx").canExecute();
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("nginx is not installed; .ci/run installs Debian's nginx");
        }
        Assume.assumeTrue("nginx is not installed (apt-get install nginx): the real Maven host is not tested", present);
        File work = temp.newFolder("nginx-repo");
        served = new File(work, "served");
        nginx = new ProcessBuilder(Arrays.asList(Fixture.PYTHON,
                new File(Fixture.REPO_ROOT, "tests/nginx_server.py").getAbsolutePath(),
                work.getAbsolutePath(), USER, PASSWORD))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(nginx.getInputStream(), StandardCharsets.UTF_8));
        String first = lines.readLine();
        if (first == null || !first.startsWith("URL ")) {
            fail("tests/nginx_server.py did not start nginx: " + first);
        }
        url = first.substring("URL ".length());
    }

    @After
    public void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.getOutputStream().close();  // the script stops nginx when its stdin closes
            if (!nginx.waitFor(20, TimeUnit.SECONDS)) {
                nginx.destroy();
                nginx.waitFor();
            }
        }
    }

    private Fixture project(String name, String bazel, String password) throws Exception {
        Fixture f = new Fixture("android-shaped", temp.newFolder(name))
                .tensorflowWorkspace("tf")
                .models(".", "add=src/main/assets/add.tflite");
        f.write("build.gradle", f.read("build.gradle") + "\ntfliteSlim {\n"
                + "    bazel = '" + bazel + "'\n"
                + "    repositoryUrl = '" + url + "'\n"
                + "    credentials {\n        username = '" + USER + "'\n        password = '" + password + "'\n    }\n"
                + "}\n");
        return f;
    }

    @Test
    public void ciDeploysToNginxAndADeveloperResolvesFromIt() throws Exception {
        Fixture ci = project("ci", new File(Fixture.REPO_ROOT, "tests/standin/bazel").getAbsolutePath(), PASSWORD);
        BuildResult published = ci.build("tfliteSlimPublish");
        assertEquals(TaskOutcome.SUCCESS, published.task(":tfliteSlimPublish").getOutcome());
        Matcher m = Pattern.compile("installed (io\\.tfliteslim:tensorflow-lite:(2\\.16\\.1-slim-[0-9a-f]{12}))").matcher(published.getOutput());
        assertTrue(published.getOutput(), m.find());
        String runtime = m.group(1);
        String version = m.group(2);
        String dir = "io/tfliteslim/tensorflow-lite/" + version + "/tensorflow-lite-" + version;
        assertTrue(new File(served, dir + ".aar").isFile());
        assertTrue(new File(served, dir + "-ops.json").isFile());
        assertFalse("the password is never on the command line", published.getOutput().contains(PASSWORD));

        // A developer without Bazel: tfliteVerify reads ops.json from nginx, the app gets the deployed AAR.
        Fixture dev = project("dev", "/nonexistent/bazel", PASSWORD);
        BuildResult app = dev.build("assembleDebug", "printAppFiles");
        assertEquals(TaskOutcome.SUCCESS, app.task(":tfliteVerify").getOutcome());
        assertTrue(app.getOutput(), app.getOutput().contains("tflite-slim: " + runtime + " carries every op of 1 model(s)"));
        assertTrue(app.getOutput(), app.getOutput().contains("app file: tensorflow-lite-" + version + ".aar\n"));
    }
}
