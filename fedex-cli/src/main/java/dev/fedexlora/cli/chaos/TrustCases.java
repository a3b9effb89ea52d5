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
    private final String registryReaderToken;
    private final String publisherToken;
    private final List<String> createdJobs = new ArrayList<>();

    /**
     * @param registryReaderToken what a registry reader presents (paging cases)
     * @param publisherToken      the coordinator's own registry token: even with it, a version must come from the
     *                            coordinator's keys for that job round
     */
    TrustCases(Http http, Figures figures, URI coordinator, URI registry, String model, String submitterToken,
               String registryReaderToken, String publisherToken) {
        this.registryReaderToken = registryReaderToken;
        this.publisherToken = publisherToken;
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

    /**
     * @param probeJob      a job of the probe whose rounds never aggregate (a target for an injected version)
     * @param clientUpload  a client's accepted upload in the object store: file → {key, sha256, size}
     */
    void run(String probeJob, java.util.Map<String, String[]> clientUpload) {
        outOfRange("roundDeadline PT10000000000000S", "roundDeadline", j -> j.put("roundDeadline", "PT10000000000000S"));
        outOfRange("roundDeadline PT100000000000000000S", "roundDeadline",
                j -> j.put("roundDeadline", "PT100000000000000000S"));
        outOfRange("rounds 1.5", "rounds", j -> j.put("rounds", 1.5));
        outOfRange("alpha 1e400", "alpha", j -> j.set("alpha", F.numberNode(new BigDecimal("1e400"))));
        outOfRange("targetModules [no_such_module]", "targetModules",
                j -> j.putArray("targetModules").add("no_such_module"));
        outOfRange("rank 2147483648", "rank", j -> j.set("rank", F.numberNode(2147483648L)));

        String versions = "/api/v1/models/" + model + "/versions";
        http.json("registry GET /api/v1/models/{name}/versions", "GET",
                registry.resolve(versions + "?page=2147483647&size=20"), registryReaderToken, null);
        http.json("registry GET /api/v1/models/{name}/versions", "GET",
                registry.resolve(versions + "?page=0&size=2147483647"), registryReaderToken, null);
        http.json("registry GET /api/v1/models", "GET", registry.resolve("/api/v1/models?page=2147483647"),
                registryReaderToken, null);

        String[] weights = clientUpload.get("adapter_model.safetensors");
        String[] config = clientUpload.get("adapter_config.json");
        if (weights != null && config != null) {
            ObjectNode traversal = injected(probeJob, 2, new String[] {"../../etc/passwd", "0".repeat(64), "1"},
                    weights);
            ObjectNode clientsOwn = injected(probeJob, 1, config, weights);
            anonymousWrite("POST " + versions + " with objectKey ../../etc/passwd", "POST", versions, traversal);
            anonymousWrite("POST " + versions + " for a running job's round, on a client's own upload", "POST",
                    versions, clientsOwn);
            foreignArtifacts("objectKey ../../etc/passwd", versions, traversal);
            foreignArtifacts("a running job's round on a client's own upload", versions, clientsOwn);
        }
        anonymousWrite("PUT alias production", "PUT", "/api/v1/models/" + model + "/aliases/production",
                F.objectNode().put("version", 0));
        ObjectNode tags = F.objectNode();
        tags.putArray("tags").add("chaos");
        anonymousWrite("PUT tags", "PUT", "/api/v1/models/" + model + "/tags", tags);
        anonymousWrite("POST import/minilm", "POST", "/api/v1/models/import/minilm",
                F.objectNode().put("name", "chaos-anonymous-import"));
        figures.did("trust cases: 6 out-of-range job fields, registry paging and object keys, 5 anonymous writes,"
                + " 2 versions from foreign objects with the publisher's token");
    }

    /** The edited job must be refused with 400 naming {@code field} (problem property {@code field}). */
    private void outOfRange(String what, String field, Consumer<ObjectNode> edit) {
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
        } else if (!field.equals(r.json().path("field").asString())) {
            figures.broken(Promise.OUT_OF_RANGE_REFUSED, what + " answered 400 without naming the field " + field);
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

    /** Even the coordinator's own token registers no version from objects other than its keys for that round. */
    private void foreignArtifacts(String what, String versions, JsonNode body) {
        Http.Reply r = http.json("registry POST /api/v1/models/{name}/versions", "POST", registry.resolve(versions),
                publisherToken, body);
        if (r.ok()) {
            figures.count("bad artifacts accepted", 1);
            figures.broken(Promise.NO_BAD_ARTIFACT_ACCEPTED, "registry registered a version from foreign objects ("
                    + what + ") with the publisher's token: " + r.status());
        }
    }

    /** A version of {@code job}'s {@code round} made of the given objects ({key, sha256, size}). */
    private ObjectNode injected(String job, int round, String[] config, String[] weights) {
        ObjectNode body = F.objectNode().put("parentVersion", 0).put("method", "FEDEX");
        body.putObject("source").put("jobId", job).put("round", round);
        var artifacts = body.putArray("artifacts");
        artifacts.addObject().put("file", "adapter_config.json").put("objectKey", config[0]).put("sha256", config[1])
                .put("size", Long.parseLong(config[2]));
        artifacts.addObject().put("file", "adapter_model.safetensors").put("objectKey", weights[0])
                .put("sha256", weights[1]).put("size", Long.parseLong(weights[2]));
        return body;
    }
}
