package dev.fedexlora.cli.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST client against a local HTTP server playing the coordinator: the job's event stream (server-sent events,
 * resumed after a dropped connection), the summary line, and problem details turned into one clear message.
 */
class PlatformClientIntegrationTests {

    private static final String JOB = "6f1c1f0e-0000-4000-8000-000000000001";

    private HttpServer server;
    private final List<String> lastEventIds = new CopyOnWriteArrayList<>();
    private PlatformClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/jobs/" + JOB + "/events", this::events);
        server.createContext("/api/v1/jobs/" + JOB + "/rounds", ex -> json(ex, 200, """
                [{"number":1,"attempt":1,"state":"AGGREGATED","meanAccuracy":0.25,"meanLoss":2.9,"exactnessError":3.0e-7,"modelVersion":1},
                 {"number":2,"attempt":1,"state":"RETRIED","meanAccuracy":null,"exactnessError":null},
                 {"number":2,"attempt":2,"state":"AGGREGATED","meanAccuracy":0.5,"meanLoss":2.1,"exactnessError":1.0e-7,"modelVersion":2}]
                """));
        server.createContext("/api/v1/jobs/" + JOB, ex -> json(ex, 200, """
                {"id":"%s","state":"SUCCEEDED","method":"FEDEX","baseModel":{"name":"minilm","version":0},
                 "dataset":"wordnet","rounds":2,"currentRound":2,"modelVersion":2,"failureReason":null}
                """.formatted(JOB)));
        server.createContext("/api/v1/jobs", ex -> json(ex, 400, """
                {"type":"https://fedex-lora.dev/problems/invalid-request","title":"Invalid request","status":400,
                 "detail":"rounds: must be greater than or equal to 1","field":"rounds"}
                """));
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        client = new PlatformClient(base, base, "dev-viewer");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** The first connection drops after two events; the second resumes after the last id it saw. */
    private void events(HttpExchange ex) throws IOException {
        String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
        lastEventIds.add(String.valueOf(last));
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            if (last == null) {
                send(out, 1, "RoundOpened", "{\"round\":1,\"attempt\":1,\"clients\":[\"a\",\"b\"]}");
                send(out, 2, "TaskCompleted", "{\"round\":1,\"clientId\":\"a\"}");
            } else {
                send(out, 3, "TaskCompleted", "{\"round\":1,\"clientId\":\"b\"}");
                send(out, 4, "RoundAggregated", "{\"round\":1,\"modelVersion\":1}");
                send(out, 5, "RoundOpened", "{\"round\":2,\"attempt\":2,\"clients\":[\"a\",\"b\"]}");
                send(out, 6, "RoundAggregated", "{\"round\":2,\"modelVersion\":2}");
                send(out, 7, "JobSucceeded", "{\"modelVersion\":2}");
            }
        }
    }

    private static void send(OutputStream out, long id, String type, String data) throws IOException {
        String event = "id:" + id + "\nevent:" + type + "\ndata:{\"id\":" + id + ",\"type\":\"" + type
                + "\",\"data\":" + data + "}\n\n";
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void watchFollowsTheStreamAcrossADroppedConnectionAndSummarisesTheJob() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        JsonNode job = new JobWatcher(client, new PrintStream(progress, true, StandardCharsets.UTF_8), false).watch(JOB);

        assertThat(lastEventIds).containsExactly("null", "2");
        String shown = progress.toString(StandardCharsets.UTF_8);
        assertThat(shown).contains("round 1/2 [###############---------------] 1/2 clients trained")
                .contains("round 1/2 [##############################] 2/2 clients trained")
                .contains("round 1/2: accuracy 0.2500, loss 2.9000, exactness error 3.0e-07")
                .contains("round 2: attempt 2")
                .contains("round 2/2: accuracy 0.5000");

        JsonNode summary = JobSummary.of(client, job);
        assertThat(summary.path("job").asString()).isEqualTo(JOB);
        assertThat(summary.path("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(summary.path("modelVersion").asInt()).isEqualTo(2);
        assertThat(summary.path("rounds").asInt()).isEqualTo(2);
        assertThat(summary.path("finalAccuracy").asDouble()).isEqualTo(0.5);
        assertThat(summary.path("maxExactnessError").asDouble()).isEqualTo(3.0e-7);
    }

    @Test
    void aProblemDetailBecomesOneLineNamingTheServiceStatusAndField() {
        JsonNode request = JsonMapper.builder().build().readTree("{\"rounds\":0}");
        assertThatThrownBy(() -> client.submitJob(request)).isInstanceOf(PlatformException.class)
                .hasMessage("coordinator answered 400 to POST /api/v1/jobs: Invalid request: rounds: must be greater"
                        + " than or equal to 1");
    }

    @Test
    void aServiceThatIsNotRunningIsNamedWithWhatStartsIt() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI nothing = URI.create("http://127.0.0.1:" + port);
        assertThatThrownBy(() -> new PlatformClient(nothing, nothing, "t").job(JOB))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("cannot reach the coordinator at http://127.0.0.1:" + port)
                .hasMessageContaining("./fedex standalone");
    }
}
