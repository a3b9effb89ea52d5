package dev.fedexlora.cli.chaos;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Audits the fault run's jobs against the registry: each job ended SUCCEEDED; each of its rounds has exactly one
 * version (none lost, none duplicated), the one the coordinator recorded for the round; and each artifact the
 * registry serves has the SHA-256 of the file the coordinator itself wrote under
 * {@code jobs/<job>/rounds/<r>/version/} (none altered).
 */
final class VersionAudit {

    private final Http http;
    private final Figures figures;
    private final URI coordinator;
    private final URI registry;
    private final S3Objects s3;
    private final String viewerToken;
    private final String registryToken;

    VersionAudit(Http http, Figures figures, URI coordinator, URI registry, S3Objects s3, String viewerToken,
                 String registryToken) {
        this.registryToken = registryToken;
        this.http = http;
        this.figures = figures;
        this.coordinator = coordinator;
        this.registry = registry;
        this.s3 = s3;
        this.viewerToken = viewerToken;
    }

    void audit(String model, List<String> jobs, int rounds) throws IOException, InterruptedException {
        Map<String, List<JsonNode>> byJobRound = new HashMap<>();
        for (JsonNode v : allVersions(model)) {
            JsonNode src = v.path("source");
            if ("JOB".equals(src.path("kind").asString())) {
                byJobRound.computeIfAbsent(src.path("jobId").asString() + "#" + src.path("round").asInt(),
                        k -> new ArrayList<>()).add(v);
            }
        }
        int succeeded = 0;
        int lost = 0;
        int duplicated = 0;
        int altered = 0;
        int checked = 0;
        for (String job : jobs) {
            String state = http.quietGet(coordinator.resolve("/api/v1/jobs/" + job), viewerToken).json().path("state").asString();
            if (state.equals("SUCCEEDED")) {
                succeeded++;
            } else {
                figures.broken(Promise.JOBS_SUCCEED, "job " + job + " ended " + state);
            }
            Map<Integer, Integer> coordinatorVersion = new HashMap<>();
            for (JsonNode r : http.quietGet(coordinator.resolve("/api/v1/jobs/" + job + "/rounds"), viewerToken).json()) {
                if (r.path("state").asString().equals("AGGREGATED")) {
                    coordinatorVersion.put(r.path("number").asInt(), r.path("modelVersion").asInt());
                }
            }
            int expectedRounds = state.equals("SUCCEEDED") ? rounds : coordinatorVersion.size();
            for (int round = 1; round <= expectedRounds; round++) {
                List<JsonNode> vs = byJobRound.getOrDefault(job + "#" + round, List.of());
                if (vs.isEmpty()) {
                    lost++;
                    figures.broken(Promise.NO_VERSION_LOST, "job " + job + " round " + round + " has no version");
                    continue;
                }
                if (vs.size() > 1) {
                    duplicated += vs.size() - 1;
                    figures.broken(Promise.NO_VERSION_DUPLICATED, "job " + job + " round " + round + " has " + vs.size() + " versions");
                }
                JsonNode v = vs.get(0);
                Integer recorded = coordinatorVersion.get(round);
                if (recorded != null && recorded != v.path("version").asInt()) {
                    altered++;
                    figures.broken(Promise.NO_VERSION_ALTERED, "job " + job + " round " + round + ": the coordinator recorded version "
                            + recorded + ", the registry holds " + v.path("version").asInt());
                }
                for (JsonNode a : v.path("artifacts")) {
                    checked++;
                    String file = a.path("file").asString();
                    byte[] own = s3.get("jobs/" + job + "/rounds/" + round + "/version/" + file);
                    Http.Reply served = served(model, v.path("version").asInt(), file);
                    String ownSha = own == null ? "(missing)" : S3Objects.sha256Hex(own);
                    String servedSha = served == null ? "(not served)" : S3Objects.sha256Hex(served.body());
                    if (!ownSha.equals(servedSha) || !ownSha.equals(a.path("sha256").asString())) {
                        altered++;
                        figures.broken(Promise.NO_VERSION_ALTERED, "job " + job + " round " + round + " " + file
                                + ": coordinator wrote " + ownSha + ", registry records " + a.path("sha256").asString()
                                + " and serves " + servedSha);
                    }
                }
            }
        }
        figures.count("jobs submitted", jobs.size());
        figures.count("jobs succeeded", succeeded);
        figures.count("versions lost", lost);
        figures.count("versions duplicated", duplicated);
        figures.count("versions altered", altered);
        figures.count("artifacts checked (SHA-256)", checked);
        figures.did(String.format("audit: %d jobs, %d artifacts compared with the coordinator's own files", jobs.size(), checked));
    }

    private Http.Reply served(String model, int version, String file) throws IOException, InterruptedException {
        Http.Reply ref = http.quietGet(registry.resolve("/api/v1/models/" + model + "/versions/" + version
                + "/artifacts/" + file + "?presign=true"), registryToken);
        if (!ref.ok()) {
            return null;
        }
        Http.Reply bytes = http.quietGet(URI.create(ref.json().path("url").asString()), null);
        return bytes.ok() ? bytes : null;
    }

    private List<JsonNode> allVersions(String model) {
        List<JsonNode> out = new ArrayList<>();
        for (int page = 0; page < 1000; page++) {
            JsonNode p = http.quietGet(registry.resolve("/api/v1/models/" + model + "/versions?page=" + page + "&size=100"),
                    registryToken).json();
            JsonNode items = p.has("items") ? p.path("items") : p.path("content");
            if (!items.isArray() || items.isEmpty()) {
                break;
            }
            items.forEach(out::add);
        }
        return out;
    }
}
