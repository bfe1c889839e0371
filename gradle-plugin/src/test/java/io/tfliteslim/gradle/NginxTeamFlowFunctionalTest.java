package io.tfliteslim.gradle;

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

    @Test
    public void ciDeploysToNginxAndADeveloperResolvesFromIt() throws Exception {
        TeamFlowFunctionalTest.ciDeploysAndADeveloperWithoutBazelResolvesIt(temp, url, served, USER, PASSWORD);
    }
}
