package dev.fedexlora.coordinator.support;

import dev.fedexlora.core.checksum.Sha256;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.fedexlora.coordinator.task.UploadVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A worker speaking the coordinator's real REST protocol over HTTP: register, lease, upload through the presigned
 * PUT URLs of the lease, heartbeat, complete, fail. {@code baseUrl} can be changed (a restarted coordinator).
 */
public final class TestWorker {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public volatile String baseUrl;
    private final String token;
    private final String name;
    private final Map<String, Map<String, Long>> clients;
    public UUID workerId;

    public TestWorker(String baseUrl, String token, String name, Map<String, Map<String, Long>> clients) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.name = name;
        this.clients = clients;
    }

    public TestWorker register() {
        List<Map<String, Object>> cs = clients.entrySet().stream()
                .map(e -> Map.<String, Object>of("clientId", e.getKey(), "datasets", e.getValue())).toList();
        Response r = post("/api/v1/workers", Map.of("name", name, "clients", cs));
        if (r.status() != 200) {
            throw new IllegalStateException("registration failed: " + r);
        }
        workerId = UUID.fromString(r.json().get("workerId").asString());
        return this;
    }

    /** The lease, or empty on 204. */
    public Optional<JsonNode> lease() {
        Response r = post("/api/v1/tasks/lease", Map.of("workerId", workerId.toString()));
        if (r.status() == 204) {
            return Optional.empty();
        }
        if (r.status() != 200) {
            throw new IllegalStateException("lease failed: " + r);
        }
        return Optional.of(r.json());
    }

    /** Leases, retrying for up to {@code millis} while nothing is offered. */
    public JsonNode awaitLease(long millis) {
        long until = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < until) {
            Optional<JsonNode> l = lease();
            if (l.isPresent()) {
                return l.get();
            }
            sleep(100);
        }
        throw new AssertionError(name + ": no task offered within " + millis + " ms");
    }

    /** PUTs each file to the lease's presigned URL and answers the SHA-256 of each. */
    public Map<String, String> upload(JsonNode lease, Map<String, byte[]> files) {
        Map<String, String> sha = new LinkedHashMap<>();
        files.forEach((file, bytes) -> {
            String url = lease.get("upload").get(file).asString();
            int status = send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                    .build()).status();
            if (status != 200) {
                throw new IllegalStateException("PUT " + file + " answered " + status);
            }
            sha.put(file, Sha256.hex(bytes));
        });
        return sha;
    }

    public Response complete(JsonNode lease, Map<String, String> sha, long examples, Map<String, Object> metrics) {
        return complete(lease.get("taskId").asString(), sha, examples, metrics);
    }

    public Response complete(String taskId, Map<String, String> sha, long examples, Map<String, Object> metrics) {
        return post("/api/v1/tasks/" + taskId + "/complete", Map.of("workerId", workerId.toString(),
                "examples", examples, "sha256", sha, "metrics", metrics));
    }

    public Response heartbeat(String taskId) {
        return post("/api/v1/tasks/" + taskId + "/heartbeat", Map.of("workerId", workerId.toString()));
    }

    public Response fail(String taskId, String reason) {
        return post("/api/v1/tasks/" + taskId + "/fail", Map.of("workerId", workerId.toString(), "reason", reason));
    }

    public Response post(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
    }

    public static byte[] download(String url) {
        try {
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + " answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An HTTP answer. */
    public record Response(int status, String body, String contentType) {
        public JsonNode json() {
            return JSON.readTree(body);
        }
    }
}
