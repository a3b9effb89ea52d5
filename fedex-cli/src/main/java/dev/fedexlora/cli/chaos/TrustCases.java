package dev.fedexlora.cli.chaos;

import dev.fedexlora.cli.platform.JobRequests;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The specific cases issue 13 names, beyond the generated corpus: out-of-range job fields that must be refused
 * (not coerced), the registry's paging and object-key cases, and anonymous writes that must need a token.
 */
final class TrustCases {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Http http;
    private final Figures figures;
    private final URI coordinator;
    private final URI registry;
    private final String model;
    private final String submitterToken;
    private final List<String> createdJobs = new ArrayList<>();

    TrustCases(Http http, Figures figures, URI coordinator, URI registry, String model, String submitterToken) {
        this.http = http;
        this.figures = figures;
        this.coordinator = coordinator;
        this.registry = registry;
        this.model = model;
        this.submitterToken = submitterToken;
    }

    List<String> createdJobs() {
        return createdJobs;
    }

    /** @param probeJob a job of the probe whose rounds never aggregate (a target for an injected version) */
    void run(String probeJob) {
        outOfRange("roundDeadline PT10000000000000S", j -> j.put("roundDeadline", "PT10000000000000S"));
        outOfRange("roundDeadline PT100000000000000000S", j -> j.put("roundDeadline", "PT100000000000000000S"));
        outOfRange("rounds 1.5", j -> j.put("rounds", 1.5));
        outOfRange("alpha 1e400", j -> j.set("alpha", F.numberNode(new BigDecimal("1e400"))));
        outOfRange("targetModules [no_such_module]", j -> j.putArray("targetModules").add("no_such_module"));
        outOfRange("rank 2147483648", j -> j.set("rank", F.numberNode(2147483648L)));

        String versions = "/api/v1/models/" + model + "/versions";
        http.json("registry GET /api/v1/models/{name}/versions", "GET",
                registry.resolve(versions + "?page=2147483647&size=20"), null, null);
        http.json("registry GET /api/v1/models/{name}/versions", "GET",
                registry.resolve(versions + "?page=0&size=2147483647"), null, null);

        JsonNode base = http.quietGet(registry.resolve(versions + "/0"), null).json();
        anonymousWrite("POST " + versions + " with objectKey ../../etc/passwd", "POST", versions,
                injected(probeJob, 2, "../../etc/passwd", "0".repeat(64), 1));
        JsonNode weights = artifact(base, "model.safetensors");
        JsonNode config = artifact(base, "config.json");
        if (weights != null && config != null) {
            ObjectNode body = injected(probeJob, 1, weights.path("objectKey").asString(), weights.path("sha256").asString(),
                    weights.path("size").asLong());
            ((tools.jackson.databind.node.ArrayNode) body.path("artifacts")).addObject()
                    .put("file", "adapter_model.safetensors").put("objectKey", weights.path("objectKey").asString())
                    .put("sha256", weights.path("sha256").asString()).put("size", weights.path("size").asLong());
            ((ObjectNode) body.path("artifacts").get(0)).put("objectKey", config.path("objectKey").asString())
                    .put("sha256", config.path("sha256").asString()).put("size", config.path("size").asLong());
            anonymousWrite("POST " + versions + " for a running job's round, on the base model's own files", "POST",
                    versions, body);
        }
        anonymousWrite("PUT alias production", "PUT", "/api/v1/models/" + model + "/aliases/production",
                F.objectNode().put("version", 0));
        ObjectNode tags = F.objectNode();
        tags.putArray("tags").add("chaos");
        anonymousWrite("PUT tags", "PUT", "/api/v1/models/" + model + "/tags", tags);
        anonymousWrite("POST import/minilm", "POST", "/api/v1/models/import/minilm",
                F.objectNode().put("name", "chaos-anonymous-import"));
        figures.did("trust cases: 6 out-of-range job fields, registry paging and object keys, 5 anonymous writes");
    }

    private void outOfRange(String what, Consumer<ObjectNode> edit) {
        ObjectNode job = JobRequests.job(model, WorkerProtocolProbe.DATASET, List.of("chaos-a", "chaos-b"), "FEDEX",
                1, 4, 8, List.of("query", "value"), 1e-3, 1, 4, 1, 3);
        edit.accept(job);
        Http.Reply r = http.json("coordinator POST /api/v1/jobs", "POST", coordinator.resolve("/api/v1/jobs"),
                submitterToken, job);
        if (r.ok()) {
            createdJobs.add(r.json().path("id").asString());
            figures.broken(Promise.OUT_OF_RANGE_REFUSED, what + " was accepted (" + r.status() + ")");
        } else if (r.status() != 400) {
            figures.broken(Promise.OUT_OF_RANGE_REFUSED, what + " answered " + r.status() + ", not 400");
        }
    }

    private void anonymousWrite(String what, String method, String path, JsonNode body) {
        String template = path.replace("/" + model + "/", "/{name}/").replace("/aliases/production", "/aliases/{alias}");
        Http.Reply r = http.json("registry " + method + " " + template, method, registry.resolve(path), null, body);
        figures.count("anonymous writes tried", 1);
        if (r.ok()) {
            figures.count("anonymous writes allowed", 1);
            figures.broken(Promise.NO_ANONYMOUS_WRITE, what + ": " + r.status() + " without a token");
            if (path.endsWith("/versions")) {
                figures.count("bad artifacts accepted", 1);
                figures.broken(Promise.NO_BAD_ARTIFACT_ACCEPTED, "registry registered an anonymous version: " + what);
            }
        }
    }

    private static JsonNode artifact(JsonNode version, String file) {
        for (JsonNode a : version.path("artifacts")) {
            if (a.path("file").asString().equals(file)) {
                return a;
            }
        }
        return null;
    }

    private ObjectNode injected(String job, int round, String objectKey, String sha256, long size) {
        ObjectNode body = F.objectNode().put("parentVersion", 0).put("method", "FEDEX");
        body.putObject("source").put("jobId", job).put("round", round);
        body.putArray("artifacts").addObject().put("file", "adapter_config.json").put("objectKey", objectKey)
                .put("sha256", sha256).put("size", size);
        return body;
    }
}
