package io.tfliteslim.gradle;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Build once, resolve everywhere: CI runs tfliteSlimPublish (build, install,
 * deploy to a Maven repository over HTTP with credentials); a developer
 * without Bazel gets the same coordinates from `tflite-slim plan`, checks the
 * deployed ops.json and resolves the deployed AAR. The repository is a small
 * Maven-layout HTTP server on 127.0.0.1 (GET/HEAD/PUT, Basic auth).
 */
public class TeamFlowFunctionalTest {
    private static final String USER = "ci";
    private static final String PASSWORD = "s3cret-token";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private HttpServer server;
    private File served;

    @Before
    public void startServer() throws IOException {
        served = temp.newFolder("served");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/maven/", this::handle);
        server.start();
    }

    @After
    public void stopServer() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/maven";
    }

    private void handle(HttpExchange exchange) throws IOException {
        String expected = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String path = exchange.getRequestURI().getPath().substring("/maven/".length());
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"maven\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
        }
        serve(exchange, served, path);
    }

    /**
     * A file-backed Maven repository's answer to one request below {@code /maven/} ({@code path}, relative):
     * PUT stores, HEAD and GET read {@code served}; a path with {@code ..} is a 400. Shared with
     * {@link Litert2FunctionalTest}'s repository.
     */
    static void serve(HttpExchange exchange, File served, String path) throws IOException {
        File file = new File(served, path);
        if (path.contains("..")) {
            exchange.sendResponseHeaders(400, -1);
        } else if ("PUT".equals(exchange.getRequestMethod())) {
            file.getParentFile().mkdirs();
            try (InputStream in = exchange.getRequestBody()) {
                Files.copy(in, file.toPath(), StandardCopyOption.REPLACE_EXISTING);
            }
            exchange.sendResponseHeaders(201, -1);
        } else if (!file.isFile()) {
            exchange.sendResponseHeaders(404, -1);
        } else if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().add("Content-Length", Long.toString(file.length()));
            exchange.sendResponseHeaders(200, -1);
        } else {
            byte[] body = Files.readAllBytes(file.toPath());
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    private Fixture project(String name, String bazel) throws Exception {
        return project(temp, name, bazel, url(), USER, PASSWORD);
    }

    /** The android-shaped fixture with the team-flow settings for the repository at {@code url}. */
    static Fixture project(TemporaryFolder temp, String name, String bazel, String url, String user, String password)
            throws Exception {
        Fixture f = new Fixture("android-shaped", temp.newFolder(name))
                .tensorflowWorkspace("tf")
                .models(".", "add=src/main/assets/add.tflite");
        f.write("build.gradle", f.read("build.gradle") + "\ntfliteSlim {\n"
                + "    bazel = '" + bazel + "'\n"
                + "    repositoryUrl = '" + url + "'\n"
                + "    credentials {\n        username = '" + user + "'\n        password = '" + password + "'\n    }\n"
                + "}\n");
        return f;
    }

    @Test
    public void ciDeploysAndADeveloperWithoutBazelResolvesIt() throws Exception {
        ciDeploysAndADeveloperWithoutBazelResolvesIt(temp, url(), served, USER, PASSWORD);
    }

    /**
     * CI's tfliteSlimPublish deploys to {@code url} (files land in {@code served}); a developer with the same
     * models and checkout, no Bazel and nothing installed locally, verifies the deployed ops.json and gets the AAR.
     * Also run against Debian's nginx by NginxTeamFlowFunctionalTest.
     */
    static void ciDeploysAndADeveloperWithoutBazelResolvesIt(TemporaryFolder temp, String url, File served, String user,
                                                             String password) throws Exception {
        String standin = new File(Fixture.REPO_ROOT, "tests/standin/bazel").getAbsolutePath();
        Fixture ci = project(temp, "ci", standin, url, user, password);
        BuildResult published = ci.build("tfliteSlimPublish");
        assertEquals(TaskOutcome.SUCCESS, published.task(":tfliteSlimPublish").getOutcome());
        Matcher m = Pattern.compile("installed (io\\.tfliteslim:tensorflow-lite:(2\\.16\\.1-slim-[0-9a-f]{12}))").matcher(published.getOutput());
        assertTrue(published.getOutput(), m.find());
        String runtime = m.group(1);
        String version = m.group(2);
        String base = "io/tfliteslim/tensorflow-lite/" + version + "/tensorflow-lite-" + version;
        assertTrue(new File(served, base + ".aar").isFile());
        assertTrue(new File(served, base + "-ops.json").isFile());
        assertFalse("the password is never on the command line", published.getOutput().contains(password));

        Fixture dev = project(temp, "dev", "/nonexistent/bazel", url, user, password);
        BuildResult app = dev.build("assembleDebug", "printAppFiles");
        assertEquals(TaskOutcome.SUCCESS, app.task(":tfliteSlimPlan").getOutcome());
        assertEquals(TaskOutcome.SUCCESS, app.task(":tfliteVerify").getOutcome());
        assertTrue(app.getOutput(), app.getOutput().contains("tflite-slim: " + runtime + " carries every op of 1 model(s)"));
        assertTrue(app.getOutput(), app.getOutput().contains("app file: tensorflow-lite-" + version + ".aar\n"));
        assertFalse(dev.file("m2").exists());
    }

    /**
     * Gradle 4.4 has no content filtering: a repository reached before ours (here moved first after the
     * plugin placed ours) could serve a forged ops.json claiming the runtime covers the models. tfliteVerify
     * reads the one in repositoryUrl (the tool fetches it), so the deployed runtime's real op set decides;
     * with nothing deployed there it says so rather than taking the forged one.
     */
    @Test
    public void onGradle44AForgedOpsJsonInAnEarlierRepositoryIsNeverUsed() throws Exception {
        Fixture dev = project("dev", "/nonexistent/bazel");
        File forged = temp.newFolder("forged");
        dev.write("build.gradle", dev.read("build.gradle") + "\nafterEvaluate {\n"
                + "    def forged = repositories.maven { url '" + forged.toURI() + "' }\n"
                + "    repositories.remove(forged)\n"
                + "    repositories.addFirst(forged)\n"
                + "}\n");
        dev.build("tfliteSlimPlan");
        Matcher m = Pattern.compile("\"version\": \"(2\\.16\\.1-slim-[0-9a-f]{12})\"").matcher(dev.read("build/tflite-slim/plan.json"));
        assertTrue(dev.read("build/tflite-slim/plan.json"), m.find());
        String version = m.group(1);
        String dir = "io/tfliteslim/tensorflow-lite/" + version + "/";
        String file = dir + "tensorflow-lite-" + version;
        write(new File(forged, file + ".pom"), "<project><modelVersion>4.0.0</modelVersion><groupId>io.tfliteslim</groupId>"
                + "<artifactId>tensorflow-lite</artifactId><version>" + version + "</version><packaging>aar</packaging></project>\n");
        write(new File(forged, file + "-ops.json"), opsJson("ADD", "[1, 2, 3, 4, 5]"));

        // Nothing deployed in repositoryUrl: "not deployed", never the forged op set.
        BuildResult notDeployed = dev.build("tfliteVerify");
        assertFalse(notDeployed.getOutput(), notDeployed.getOutput().contains("carries every op"));
        assertTrue(notDeployed.getOutput(), notDeployed.getOutput().contains("for these models is not in " + url() + " (GET "
                + url() + "/" + file + "-ops.json answered 404 Not Found): CI has not deployed it (`gradle tfliteSlimPublish`)"));
        assertFalse(dev.file("build/tflite-slim/deployed.json").exists());

        // Deployed without the op the model needs: the verdict comes from repositoryUrl's ops.json.
        write(new File(served, file + "-ops.json"), opsJson("CONV_2D", "[1]"));
        BuildResult lacking = dev.fail("tfliteVerify");
        assertTrue(lacking.getOutput(), lacking.getOutput().contains("tfliteVerify: the slim runtime io.tfliteslim:tensorflow-lite:"
                + version + " does not cover the models"));
        assertTrue(lacking.getOutput(), lacking.getOutput().contains("ADD version 1: needed by"));
        assertFalse("the password is never on the command line", lacking.getOutput().contains(PASSWORD));
    }

    private static String opsJson(String op, String versions) {
        return "{\"format_version\": 1, \"op_set\": {\"builtin_ops\": {\"" + op + "\": " + versions + "},"
                + " \"custom_ops\": [], \"flex_ops\": [], \"flex_details\": []}}\n";
    }

    private static void write(File file, String text) throws IOException {
        file.getParentFile().mkdirs();
        Files.write(file.toPath(), text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void nothingDeployedYetWarnsAndTheAppKeepsTheStockRuntime() throws Exception {
        Fixture dev = project("dev", "/nonexistent/bazel");
        BuildResult app = dev.build("assembleDebug");
        assertEquals(TaskOutcome.SUCCESS, app.task(":preBuild").getOutcome());
        assertTrue(app.getOutput(), app.getOutput().contains("for these models is not in " + url() + " ("));
        assertTrue(app.getOutput(), app.getOutput().contains("CI has not deployed it (`gradle tfliteSlimPublish`)"));
        assertFalse(dev.file("build/tflite-slim/deployed.json").exists());
    }
}
