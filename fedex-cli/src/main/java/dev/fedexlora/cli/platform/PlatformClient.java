package dev.fedexlora.cli.platform;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A thin client of the coordinator's and the registry's REST APIs ({@code docs/architecture.md}). Errors come back
 * as {@link PlatformException} with the service's problem detail in the message.
 */
public final class PlatformClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI coordinator;
    private final URI registry;
    private final String token;
    private final String registryToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** One token for both services (the standalone platform's development setup). */
    public PlatformClient(URI coordinator, URI registry, String token) {
        this(coordinator, registry, token, token);
    }

    /** {@code registryToken} null sends no token to the registry. */
    public PlatformClient(URI coordinator, URI registry, String token, String registryToken) {
        this.coordinator = coordinator;
        this.registry = registry;
        this.token = token;
        this.registryToken = registryToken;
    }

    /** The two services a client calls. */
    public enum Service {
        COORDINATOR("coordinator"), REGISTRY("registry");

        private final String label;

        Service(String label) {
            this.label = label;
        }
    }

    /** {@code GET path} on a service; the answer's JSON, or a {@link PlatformException} with its problem. */
    public JsonNode get(Service service, String path) {
        return send(service.label, get(base(service), path));
    }

    public JsonNode post(Service service, String path, JsonNode body) {
        return send(service.label, post(base(service), path, body == null ? JSON.createObjectNode() : body));
    }

    public JsonNode put(Service service, String path, JsonNode body) {
        return send(service.label, request(base(service), path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    public JsonNode patch(Service service, String path, JsonNode body) {
        return send(service.label, request(base(service), path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    public JsonNode delete(Service service, String path) {
        return send(service.label, request(base(service), path).DELETE().build());
    }

    /** A multipart/form-data POST to the registry: text fields, then files streamed from disk. */
    public JsonNode postMultipart(String path, Map<String, String> fields,
                                  Map<String, Path> files) {
        String boundary = "fedex-" + UUID.randomUUID();
        List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
        fields.forEach((name, value) -> parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")));
        for (Map.Entry<String, Path> f : files.entrySet()) {
            parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                    + f.getKey() + "\"; filename=\"" + f.getKey()
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
            try {
                parts.add(HttpRequest.BodyPublishers.ofFile(f.getValue()));
            } catch (FileNotFoundException e) {
                throw new IllegalArgumentException(f.getValue() + ": not found");
            }
            parts.add(HttpRequest.BodyPublishers.ofString("\r\n"));
        }
        parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n"));
        HttpRequest r = request(registry, path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .timeout(Duration.ofMinutes(60))
                .POST(HttpRequest.BodyPublishers.concat(parts.toArray(HttpRequest.BodyPublisher[]::new))).build();
        return send("registry", r);
    }

    /**
     * Downloads {@code url} (a presigned object-store URL) into {@code target}, streaming to disk, and checks its
     * SHA-256 against {@code sha256}; the file appears under its name only once it matched. Returns its size.
     */
    public long download(URI url, Path target, String sha256, String what) {
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        HttpRequest r = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(60)).GET().build();
        HttpResponse<Path> response = call("object store", r, HttpResponse.BodyHandlers.ofFile(partial));
        try {
            if (response.statusCode() != 200) {
                throw new PlatformException("the object store answered " + response.statusCode() + " for " + what
                        + " (is FEDEX_S3_PUBLIC_ENDPOINT set on the registry? docs/operations.md)");
            }
            String got = dev.fedexlora.core.checksum.Sha256.hex(partial);
            if (!got.equals(sha256)) {
                throw new PlatformException(what + " has SHA-256 " + got + ", the registry records " + sha256);
            }
            long size = Files.size(partial);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            return size;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private URI base(Service service) {
        return service == Service.COORDINATOR ? coordinator : registry;
    }

    public URI coordinator() {
        return coordinator;
    }

    public URI registry() {
        return registry;
    }

    /** One server-sent event of a job's stream. */
    public record Event(long id, String type, JsonNode data) {
    }

    public JsonNode submitJob(JsonNode request) {
        return send("coordinator", post(coordinator, "/api/v1/jobs", request));
    }

    public JsonNode job(String id) {
        return send("coordinator", get(coordinator, "/api/v1/jobs/" + id));
    }

    public JsonNode rounds(String jobId) {
        return send("coordinator", get(coordinator, "/api/v1/jobs/" + jobId + "/rounds"));
    }

    public JsonNode model(String name) {
        return send("registry", get(registry, "/api/v1/models/" + name));
    }

    public JsonNode versions(String model, int page, int size) {
        return send("registry", get(registry, "/api/v1/models/" + model + "/versions?page=" + page + "&size=" + size));
    }

    public JsonNode version(String model, String version) {
        return send("registry", get(registry, "/api/v1/models/" + model + "/versions/" + version));
    }

    /**
     * The bytes of one artifact of a version, fetched through the presigned URL the registry gives and checked
     * against the SHA-256 it records.
     */
    public byte[] artifact(String model, String version, String file) {
        JsonNode ref = send("registry", get(registry, "/api/v1/models/" + model + "/versions/" + version
                + "/artifacts/" + file + "?presign=true"));
        HttpRequest r = HttpRequest.newBuilder(URI.create(ref.path("url").asString())).timeout(Duration.ofMinutes(5))
                .GET().build();
        HttpResponse<byte[]> response = call("object store", r, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new PlatformException("the object store answered " + response.statusCode() + " for " + file
                    + " of " + model + " version " + version);
        }
        String sha = sha256(response.body());
        if (!sha.equals(ref.path("sha256").asString())) {
            throw new PlatformException(file + " of " + model + " version " + version + " has SHA-256 " + sha
                    + ", the registry records " + ref.path("sha256").asString());
        }
        return response.body();
    }

    private static String sha256(byte[] bytes) {
        return dev.fedexlora.core.checksum.Sha256.hex(bytes);
    }

    /** Imports the bundled MiniLM as {@code name} unless the registry has it (from an earlier run), saying which. */
    public void ensureMiniLm(String name, java.io.PrintStream out) {
        try {
            model(name);
            out.println("base model '" + name + "' is in the registry");
        } catch (PlatformException notThere) {
            out.println("importing all-MiniLM-L6-v2 as '" + name + "'");
            importMiniLm(name);
        }
    }

    public JsonNode importMiniLm(String name) {
        return send("registry", post(registry, "/api/v1/models/import/minilm", JSON.createObjectNode().put("name", name)));
    }

    /** True when {@code GET {base}/actuator/health/readiness} answers 200. */
    public boolean ready(URI base) {
        try {
            HttpRequest r = HttpRequest.newBuilder(base.resolve("/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(5)).GET().build();
            return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Follows a job's events from after {@code afterId}, handing each to {@code handler} until it answers false.
     * A stream the server closes early is reopened with {@code Last-Event-ID}, so no event is missed or repeated.
     */
    public void followEvents(String jobId, long afterId, Predicate<Event> handler) {
        long last = afterId;
        while (true) {
            HttpRequest.Builder b = HttpRequest.newBuilder(coordinator.resolve("/api/v1/jobs/" + jobId + "/events"))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token).GET();
            if (last > 0) {
                b.header("Last-Event-ID", Long.toString(last));
            }
            HttpResponse<Stream<String>> response = call("coordinator", b.build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw problem("coordinator", "GET", response.uri(), response.statusCode(),
                        String.join("\n", response.body().toList()));
            }
            try (Stream<String> lines = response.body()) {
                Iterator<String> it = lines.iterator();
                long id = -1;
                String type = null;
                StringBuilder data = new StringBuilder();
                while (it.hasNext()) {
                    String line = it.next();
                    if (line.isEmpty()) {
                        if (type != null && data.length() > 0) {
                            JsonNode event = JSON.readTree(data.toString());
                            last = Math.max(last, id);
                            if (!handler.test(new Event(id, type, event.path("data")))) {
                                return;
                            }
                        }
                        id = -1;
                        type = null;
                        data.setLength(0);
                    } else if (line.startsWith("id:")) {
                        id = Long.parseLong(line.substring(3).trim());
                    } else if (line.startsWith("event:")) {
                        type = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).stripLeading());
                    }
                }
            } catch (UncheckedIOException e) {
                // the stream broke (server restart, timeout): reopen after the last event seen
            }
        }
    }

    private HttpRequest get(URI base, String path) {
        return request(base, path).GET().build();
    }

    private HttpRequest post(URI base, String path, JsonNode body) {
        return request(base, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    }

    private HttpRequest.Builder request(URI base, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(5))
                .header("Accept", "application/json");
        String bearer = base == registry ? registryToken : token;
        return bearer == null ? b : b.header("Authorization", "Bearer " + bearer);
    }

    private JsonNode send(String service, HttpRequest request) {
        HttpResponse<String> response = call(service, request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw problem(service, request.method(), request.uri(), response.statusCode(), response.body());
        }
        return response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    private <T> HttpResponse<T> call(String service, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (ConnectException e) {
            throw new PlatformException("cannot reach the " + service + " at " + request.uri().resolve("/")
                    + " (is the platform running? './fedex standalone' starts one)", e);
        } catch (HttpTimeoutException e) {
            throw new PlatformException("the " + service + " did not answer " + request.method() + " " + request.uri()
                    + " in time", e);
        } catch (IOException e) {
            throw new PlatformException(request.method() + " " + request.uri() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted while calling the " + service, e);
        }
    }

    /** The service's problem detail (RFC 9457) as one line: status, title, detail. */
    private static PlatformException problem(String service, String method, URI uri, int status, String body) {
        String detail = body;
        try {
            JsonNode p = JSON.readTree(body);
            String title = p.path("title").asString("");
            String d = p.path("detail").asString("");
            detail = (title + (d.isEmpty() ? "" : ": " + d)).trim();
        } catch (RuntimeException notJson) {
            // keep the raw body
        }
        return new PlatformException(service + " answered " + status + " to " + method + " " + uri.getPath()
                + (detail.isBlank() ? "" : ": " + detail));
    }
}
