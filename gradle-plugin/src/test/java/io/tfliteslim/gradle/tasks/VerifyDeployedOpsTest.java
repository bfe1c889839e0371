package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.Fixture;

import org.gradle.api.GradleException;
import org.gradle.api.logging.Logger;
import org.gradle.api.logging.Logging;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collections;
import java.util.Iterator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Team flow, tfliteVerify's action when the deployed ops.json cannot be had: what it says depends on why.
 * The {@code tfliteSlimOps} files are a plain iterable here, as the action sees them.
 */
public class VerifyDeployedOpsTest {
    private static final Logger LOG = Logging.getLogger(VerifyDeployedOpsTest.class);
    private static final String PLAN = "{\"runtime\": {\"group\": \"io.tfliteslim\", \"artifact\": \"tensorflow-lite\","
            + " \"version\": \"2.16.1-slim-0123456789ab\"}, \"select_tf_ops\": null}";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private TfliteVerifyTask.Action action(boolean required, Iterable<File> deployedOps) throws Exception {
        TfliteVerifyTask.Action a = action("python3", required, "https://repo.example/maven");
        a.deployedOps = deployedOps;
        return a;
    }

    /** Team flow, after tfliteSlimPlan wrote the plan (and an earlier build verified it). */
    private TfliteVerifyTask.Action action(String python, boolean required, String url) throws Exception {
        File dir = temp.getRoot();
        File plan = new File(dir, "plan.json");
        Files.write(plan.toPath(), PLAN.getBytes(StandardCharsets.UTF_8));
        File verified = new File(dir, "deployed.json");
        Files.write(verified.toPath(), PLAN.getBytes(StandardCharsets.UTF_8));
        return new TfliteVerifyTask.Action(
                new ToolSpec(python, dir, Collections.singletonList("a.tflite"), "src/main/assets", "[**/*.tflite]"),
                new File(dir, "coordinates.json"), plan, verified, new File(dir, "verify.txt"), required, url, false);
    }

    /**
     * Resolved to nothing: the configuration was resolved before tfliteSlimPlan wrote plan.json (what the
     * configuration cache does). That is not "CI has not deployed it": the next build looks the version up.
     */
    @Test
    public void resolvedBeforeThePlanExistedSaysRunAgain() throws Exception {
        TfliteVerifyTask.Action a = action(true, Collections.<File>emptyList());
        try {
            a.execute(LOG);
            fail("verified without a runtime");
        } catch (GradleException e) {
            assertEquals("tfliteVerify: the runtime version 2.16.1-slim-0123456789ab was computed by tfliteSlimPlan after Gradle"
                    + " resolved the tfliteSlimOps configuration (with the configuration cache dependencies are resolved before"
                    + " any task runs), so io.tfliteslim:tensorflow-lite:2.16.1-slim-0123456789ab was not looked up in"
                    + " https://repo.example/maven yet: run the build again (tfliteSlim.required is set)", e.getMessage());
        }
        assertFalse("nothing was verified", a.verifiedFile.exists() || a.resultFile.exists());
        // Not required: a warning, no result, and the stock runtime for this build.
        TfliteVerifyTask.Action lenient = action(false, Collections.<File>emptyList());
        lenient.execute(LOG);
        assertFalse(lenient.verifiedFile.exists() || lenient.resultFile.exists());
    }

    /** Resolution failed with an exception whose message is null: still a message, never an index error. */
    @Test
    public void aFailureWithoutMessageIsStillReported() throws Exception {
        Iterable<File> failing = () -> new Iterator<File>() {
            @Override
            public boolean hasNext() {
                throw new IllegalStateException(new NullPointerException());
            }

            @Override
            public File next() {
                throw new UnsupportedOperationException();
            }
        };
        try {
            action(true, failing).execute(LOG);
            fail("verified without a runtime");
        } catch (GradleException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("tfliteVerify: the runtime io.tfliteslim:tensorflow-lite:"
                    + "2.16.1-slim-0123456789ab for these models is not in https://repo.example/maven (java.lang.NullPointerException)"));
        }
    }

    /** Gradle 4.x (no content filtering): the tool reads repositoryUrl itself; these paths never reach Gradle's resolution. */
    private TfliteVerifyTask.Action reading(String url, String username, Object password, boolean offline) throws Exception {
        TfliteVerifyTask.Action a = action(Fixture.PYTHON, true, url);
        a.toolReadsRepository(username, password, false, offline);
        a.deployedOps = () -> {
            throw new AssertionError("Gradle's resolution was used");
        };
        return a;
    }

    @Test
    public void offlineSendsNothing() throws Exception {
        TfliteVerifyTask.Action a = reading("https://repo.example/maven", null, null, true);
        try {
            a.execute(LOG);
            fail("verified offline");
        } catch (GradleException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("tfliteVerify: the runtime io.tfliteslim:tensorflow-lite:"
                    + "2.16.1-slim-0123456789ab for these models was not read from https://repo.example/maven"
                    + " (Gradle runs offline (--offline)), and tfliteSlim.required is set."));
        }
        assertFalse(a.verifiedFile.exists());
    }

    @Test
    public void aUsernameWithoutPasswordNamesTheSetting() throws Exception {
        try {
            reading("https://repo.example/maven", "dev", null, false).execute(LOG);
            fail("ran without the password");
        } catch (GradleException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("tfliteVerify: tfliteSlim.credentials.username is set but the password is null"));
        }
    }

    /** The tool cannot read the repository (nothing listens): as when Gradle cannot resolve, in plugin words. */
    @Test
    public void anUnreadableRepositoryIsReportedInPluginWords() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/maven";
        TfliteVerifyTask.Action a = reading(url, "dev", "s3cret-pw", false);
        try {
            a.execute(LOG);
            fail("verified without a repository");
        } catch (GradleException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("tfliteVerify: the runtime io.tfliteslim:tensorflow-lite:"
                    + "2.16.1-slim-0123456789ab for these models was not read from " + url + " (GET " + url + "/io/tfliteslim/"));
            assertFalse(e.getMessage(), e.getMessage().contains("s3cret-pw"));
        }
        assertFalse(a.verifiedFile.exists() || a.resultFile.exists());
    }

    /** Printed in its messages, so the URL's credentials are masked (as {@code Redaction} does everywhere). */
    @Test
    public void verifyMessagesNameTheRepositoryWithoutItsCredentials() {
        TfliteVerifyTask.Action action = new TfliteVerifyTask.Action(null, null, null, null, null, false,
                "https://ci:TOKEN@repo.example/maven", false);
        assertEquals("https://***@repo.example/maven", action.repositoryUrl);
    }

    /**
     * Issue 29.7: a repositoryUrl declared without credentials gets none, whatever ~/.netrc holds (its
     * {@code default} entry applies to every host). A real HTTP server on 127.0.0.1 records what arrives;
     * the interpreter is wrapped so the tool sees a NETRC with a default entry, as a developer's machine may.
     */
    @Test
    public void aRepositoryDeclaredWithoutCredentialsGetsNoneFromNetrc() throws Exception {
        File netrc = temp.newFile("netrc");
        Files.write(netrc.toPath(), "default login someone password netrc-secret\n".getBytes(StandardCharsets.UTF_8));
        netrc.setReadable(false, false);
        netrc.setReadable(true, true);
        File python = temp.newFile("python-with-netrc");
        Files.write(python.toPath(), ("#!/bin/sh\nNETRC='" + netrc + "' exec '" + Fixture.PYTHON + "' \"$@\"\n")
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(python.setExecutable(true));
        java.util.List<String> authorizations = java.util.Collections.synchronizedList(new java.util.ArrayList<String>());
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/maven";
            TfliteVerifyTask.Action a = action(python.getPath(), false, url);
            a.toolReadsRepository(null, null, false, false);
            a.execute(LOG);  // not deployed there: a warning, the stock runtime
        } finally {
            server.stop(0);
        }
        assertFalse("the tool asked nothing", authorizations.isEmpty());
        assertEquals(Collections.nCopies(authorizations.size(), "null"), authorizations);
    }
}
