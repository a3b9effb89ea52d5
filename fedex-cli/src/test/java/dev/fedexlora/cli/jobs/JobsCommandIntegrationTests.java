package dev.fedexlora.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fedexlora.cli.CliRun;
import dev.fedexlora.cli.platform.CliConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job commands against a local HTTP server playing the coordinator: the token comes from the config file and
 * reaches the server, tables show rounds with clients done and failure reasons, refusals end with exit code 1.
 */
class JobsCommandIntegrationTests {

    static final String JOB = "6f1c1f0e-0000-4000-8000-000000000001";
    static final String R1 = "11111111-0000-4000-8000-000000000001";
    static final String R2 = "22222222-0000-4000-8000-000000000002";

    @TempDir
    Path home;

    HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/jobs", this::coordinator);
        server.start();
        Path config = home.resolve("fedex.conf");
        Files.writeString(config, "coordinator = http://127.0.0.1:" + server.getAddress().getPort()
                + "\ntoken = viewer-from-file\n");
        CliConfig.useEnvironment(Map.of("FEDEX_CONFIG", config.toString()), home);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        CliConfig.useEnvironment(null, null);
    }

    private void coordinator(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String path = ex.getRequestURI().toString();
        requests.add(ex.getRequestMethod() + " " + path + " " + auth);
        if (!"Bearer viewer-from-file".equals(auth)) {
            json(ex, 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"A valid bearer token is required.\"}");
        } else if (path.equals("/api/v1/jobs?state=RUNNING") || path.equals("/api/v1/jobs")) {
            json(ex, 200, "[" + job("RUNNING") + "]");
        } else if (path.equals("/api/v1/jobs/" + JOB + "/cancel")) {
            json(ex, 409, """
                    {"type":"https://fedex-lora.dev/problems/illegal-transition","title":"Conflict","status":409,
                     "detail":"job %s is already SUCCEEDED and cannot be cancelled"}""".formatted(JOB));
        } else if (path.equals("/api/v1/jobs/" + JOB + "/rounds")) {
            json(ex, 200, """
                    [{"id":"%s","number":1,"attempt":1,"state":"AGGREGATED","meanLoss":0.9,"meanAccuracy":0.5,
                      "exactnessError":3.1e-7,"deviation":0.25,"modelVersion":4},
                     {"id":"%s","number":2,"attempt":1,"state":"OPEN","meanLoss":null,"exactnessError":null}]""".formatted(R1, R2));
        } else if (path.equals("/api/v1/jobs/" + JOB + "/tasks")) {
            json(ex, 200, """
                    [{"roundId":"%s","clientId":"c1","state":"DONE","attempts":1,"examples":100,"metrics":{"loss":0.8}},
                     {"roundId":"%s","clientId":"c2","state":"DONE","attempts":2,"examples":300,"metrics":{"loss":1.0}},
                     {"roundId":"%s","clientId":"c1","state":"DONE","attempts":1,"examples":100,"metrics":{}},
                     {"roundId":"%s","clientId":"c2","state":"FAILED","attempts":3,"examples":null,
                      "failureReason":"out of memory at step 12"}]""".formatted(R1, R1, R2, R2));
        } else if (path.equals("/api/v1/jobs/" + JOB)) {
            json(ex, 200, job("RUNNING"));
        } else {
            json(ex, 404, "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no such thing\"}");
        }
    }

    private static String job(String state) {
        return """
                {"id":"%s","state":"%s","method":"FEDEX","baseModel":{"name":"minilm","version":0},"dataset":"wordnet",
                 "rounds":3,"currentRound":2,"modelVersion":4,"failureReason":null,"createdAt":"2026-12-02T06:00:00Z"}"""
                .formatted(JOB, state);
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void listsJobsWithTheTokenFromTheConfigFile() {
        CliRun r = run("jobs", "list", "--state", "RUNNING");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(JOB, "RUNNING", "FEDEX", "minilm/0", "2/3", "1 job");
        assertThat(requests).containsExactly("GET /api/v1/jobs?state=RUNNING Bearer viewer-from-file");
    }

    @Test
    void showsRoundsWithClientsDoneAndMetrics() {
        CliRun r = run("jobs", "show", JOB);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fedex://models/minilm/4", "2 of 3");
        String round1 = r.out().lines().filter(l -> l.startsWith("1 ")).findFirst().orElseThrow();
        assertThat(round1).contains("AGGREGATED", "2/2", "0.9000", "0.5000", "3.10e-07", "0.2500", "4");
        String round2 = r.out().lines().filter(l -> l.startsWith("2 ")).findFirst().orElseThrow();
        assertThat(round2).contains("OPEN", "1/2");
    }

    @Test
    void listsTasksAndTheirFailureReasons() {
        CliRun r = run("jobs", "tasks", JOB, "--failed");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("2.1", "c2", "FAILED", "out of memory at step 12", "1 task");
        assertThat(r.out()).doesNotContain("0.8000");
        assertThat(run("jobs", "tasks", JOB).out()).contains("4 tasks", "0.8000");
    }

    @Test
    void refusalsAndBadArgumentsEndWithOneLineAndExitCode1() {
        CliRun cancel = run("jobs", "cancel", JOB);
        assertThat(cancel.code()).isEqualTo(1);
        assertThat(cancel.err()).contains("coordinator answered 409", "already SUCCEEDED");
        CliRun badId = run("jobs", "show", "../../etc/passwd");
        assertThat(badId.code()).isEqualTo(1);
        assertThat(badId.err()).contains("JOB: '../../etc/passwd' is not a job id");
        assertThat(requests).noneMatch(q -> q.contains("etc"));
    }

    @Test
    void tokensAreNotCommandLineOptionsAndHelpListsExitCodes() {
        CliRun withToken = run("jobs", "list", "--token", "secret");
        assertThat(withToken.code()).isEqualTo(2);
        assertThat(withToken.err()).contains("Unknown option", "'--token'");
        for (String[] help : List.of(new String[] {"--help"}, new String[] {"jobs", "--help"},
                new String[] {"jobs", "tasks", "--help"}, new String[] {"versions", "download", "--help"},
                new String[] {"models", "import", "--help"})) {
            CliRun h = run(help);
            assertThat(h.code()).isZero();
            assertThat(h.out()).as(String.join(" ", help)).contains("Exit codes:", "0   success", "1   bad input",
                    "2   wrong usage");
        }
        CliRun wrongToken = runWithToken("someone-else");
        assertThat(wrongToken.code()).isEqualTo(1);
        assertThat(wrongToken.err()).contains("coordinator answered 401");
    }

    private CliRun runWithToken(String token) {
        CliConfig.useEnvironment(Map.of("FEDEX_TOKEN", token, "FEDEX_COORDINATOR_URL",
                "http://127.0.0.1:" + server.getAddress().getPort()), home.resolve("nowhere"));
        return run("jobs", "list");
    }
}
