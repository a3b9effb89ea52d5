package dev.fedexlora.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The corpus against a small HTTP service with its own OpenAPI document: it reaches every operation, counts
 * statuses by endpoint, and turns a 5xx, an anonymous write and a stalled answer into broken promises. The cut proxy
 * refuses connections until it is up again.
 */
class HostileCorpusIntegrationTests {

    private static final String API = """
            {"openapi":"3.1.0","paths":{
              "/api/v1/things":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Thing"}}}}}},
              "/api/v1/things/{id}":{"get":{"parameters":[{"name":"id","in":"path"},{"name":"page","in":"query"}]}}},
             "components":{"schemas":{"Thing":{"type":"object","properties":{"count":{"type":"integer"},"name":{"type":"string"}}}}}}
            """;

    private HttpServer server;

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI start(boolean anonymousAllowed, boolean fractionIs500) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v3/api-docs", ex -> answer(ex, 200, API));
        server.createContext("/api/v1/things", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (!anonymousAllowed && ex.getRequestHeaders().getFirst("Authorization") == null) {
                answer(ex, 401, "{}");
            } else if (fractionIs500 && body.contains("1.5")) {
                answer(ex, 500, "{}");
            } else if (ex.getRequestURI().getRawQuery() != null && ex.getRequestURI().getRawQuery().contains("abc")) {
                sleep(); // a stall
                answer(ex, 200, "{}");
            } else {
                answer(ex, ex.getRequestMethod().equals("POST") && body.length() > 40 ? 400 : 200, "{}");
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void aServerErrorAndAStallBreakTheirPromisesAndEveryOperationIsReached() throws IOException {
        URI base = start(false, true);
        Figures figures = new Figures();
        int sent = new HostileCorpus(new Http(figures, Duration.ofSeconds(2)), figures)
                .run(new HostileCorpus.Service("svc", base, Map.of("id", "1"), (m, p) -> "token"));

        assertThat(sent).isEqualTo(figures.requests()).isGreaterThan(20);
        assertThat(figures.fiveXx()).isPositive();
        assertThat(figures.brokenPromises()).containsExactlyInAnyOrder(Promise.NO_5XX, Promise.NO_STALL);
        assertThat(figures.evidence(Promise.NO_5XX)).allMatch(e -> e.startsWith("svc POST /api/v1/things answered 500"));
    }

    @Test
    void aWriteAndAReadWithoutATokenBreakTheAnonymousPromises() throws IOException {
        URI base = start(true, false);
        Figures figures = new Figures();
        new HostileCorpus(new Http(figures, Duration.ofSeconds(2)), figures)
                .run(new HostileCorpus.Service("svc", base, Map.of("id", "1"), (m, p) -> "token"));

        assertThat(figures.brokenPromises()).contains(Promise.NO_ANONYMOUS_WRITE, Promise.NO_ANONYMOUS_READ)
                .doesNotContain(Promise.NO_5XX);
    }

    @Test
    void aCutProxyRefusesUntilItIsUpAgain() throws Exception {
        URI base = start(true, false);
        try (TcpProxy proxy = new TcpProxy(base.getPort())) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI via = URI.create("http://127.0.0.1:" + proxy.port() + "/v3/api-docs");
            assertThat(get(client, via)).isEqualTo(200);
            proxy.down();
            assertThat(get(client, via)).isEqualTo(-1);
            proxy.up();
            assertThat(get(client, via)).isEqualTo(200);
        }
    }

    private static int get(HttpClient client, URI uri) throws InterruptedException {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(4000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
