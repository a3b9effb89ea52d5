package dev.fedexlora.registry.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.registry.Fixtures;
import dev.fedexlora.registry.RegistryIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

class VersionApiIntegrationTests extends RegistryIntegrationTest {

    @TempDir
    Path tmp;

    private void base(String name) throws Exception {
        fixtures.uploadBase(name, Fixtures.checkpoint(tmp.resolve("base-" + name), 7)).andExpect(status().isCreated());
    }

    @Test
    void registeredRoundsFormALineageAndMoveLatest() throws Exception {
        base("lineage");
        Fixtures.Round r1 = fixtures.stageRound("job-a", 1, 0, 11, false, tmp);
        fixtures.register("lineage", r1.request())
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/models/lineage/versions/1"))
                .andExpect(jsonPath("$.version").value(1))
                .andExpect(jsonPath("$.parentVersion").value(0))
                .andExpect(jsonPath("$.source.jobId").value("job-a"))
                .andExpect(jsonPath("$.method").value("FEDEX"))
                .andExpect(jsonPath("$.aliases[0]").value("latest"))
                .andExpect(jsonPath("$.artifacts[?(@.file=='residual.safetensors')].objectKey")
                        .value("models/lineage/versions/1/residual.safetensors"));
        fixtures.register("lineage", fixtures.stageRound("job-a", 2, 1, 12, true, tmp).request())
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.version").value(2));

        mvc.perform(get("/api/v1/models/lineage/versions/latest"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.version").value(2))
                .andExpect(jsonPath("$.metrics.meanLoss").value(0.5))
                .andExpect(jsonPath("$.exactnessError").value(2e-7))
                .andExpect(jsonPath("$.clients[0].clientId").value("c1"))
                .andExpect(jsonPath("$.lineage[*].version").value(org.hamcrest.Matchers.contains(2, 1, 0)));
        mvc.perform(get("/api/v1/models/lineage/versions").param("size", "2"))
                .andExpect(jsonPath("$.totalItems").value(3))
                .andExpect(jsonPath("$.items[0].version").value(2))
                .andExpect(jsonPath("$.items[1].version").value(1))
                .andExpect(jsonPath("$.items[0].lineage").doesNotExist());
        // the copies are the registry's own: removing the job's objects does not touch the version
        assertThat(fixtures.store().list("models/lineage/versions/1/")).containsExactly(
                "models/lineage/versions/1/adapter_config.json", "models/lineage/versions/1/adapter_model.safetensors",
                "models/lineage/versions/1/report.json", "models/lineage/versions/1/residual.safetensors");
        assertThat(fixtures.store().hash("models/lineage/versions/1/residual.safetensors").sha256())
                .isEqualTo(r1.staged().get("residual.safetensors").sha256());
    }

    @Test
    void duplicateJobRoundIsA409NamingTheExistingVersionAndChangesNothing() throws Exception {
        base("dup-round");
        Fixtures.Round r1 = fixtures.stageRound("job-d", 1, 0, 21, false, tmp);
        fixtures.register("dup-round", r1.request()).andExpect(status().isCreated());
        fixtures.register("dup-round", r1.request())
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/version-exists"))
                .andExpect(jsonPath("$.existingVersion").value(1));
        mvc.perform(get("/api/v1/models/dup-round")).andExpect(jsonPath("$.versionCount").value(2))
                .andExpect(jsonPath("$.latestVersion").value(1));
        assertThat(fixtures.store().list("models/dup-round/versions/2/")).isEmpty();
    }

    @Test
    void parentThatIsNotTheLatestOfTheJobsLineIsA409() throws Exception {
        base("stale-parent");
        fixtures.register("stale-parent", fixtures.stageRound("job-s", 1, 0, 31, false, tmp).request())
                .andExpect(status().isCreated());
        fixtures.register("stale-parent", fixtures.stageRound("job-s", 2, 0, 32, false, tmp).request())
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/parent-not-latest"))
                .andExpect(jsonPath("$.field").value("parentVersion"))
                .andExpect(jsonPath("$.latestVersion").value(1));
        // another job may start its own line from the base
        fixtures.register("stale-parent", fixtures.stageRound("job-t", 1, 0, 33, false, tmp).request())
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.version").value(2))
                .andExpect(jsonPath("$.parentVersion").value(0));
    }

    @Test
    void checksumMismatchIsA422AndLeavesNothingBehind() throws Exception {
        base("mismatch");
        Fixtures.Round r = fixtures.stageRound("job-m", 1, 0, 41, false, tmp);
        Map<String, Object> bad = new LinkedHashMap<>(r.artifacts().get(2));
        bad.put("sha256", "0".repeat(64));
        List<Map<String, Object>> artifacts = new java.util.ArrayList<>(r.artifacts());
        artifacts.set(2, bad);
        Map<String, Object> request = new LinkedHashMap<>(r.request());
        request.put("artifacts", artifacts);
        fixtures.register("mismatch", request)
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/checksum-mismatch"))
                .andExpect(jsonPath("$.field").value("artifacts[2].sha256"))
                .andExpect(jsonPath("$.file").value(bad.get("file")))
                .andExpect(jsonPath("$.actual").value(r.staged().get(bad.get("file")).sha256()));
        mvc.perform(get("/api/v1/models/mismatch")).andExpect(jsonPath("$.versionCount").value(1))
                .andExpect(jsonPath("$.latestVersion").value(0));
        mvc.perform(get("/api/v1/models/mismatch/versions/1")).andExpect(status().isNotFound());
        assertThat(fixtures.store().list("models/mismatch/versions/")).isEmpty();
        // the same round with the right checksums then registers as version 1
        fixtures.register("mismatch", r.request()).andExpect(status().isCreated())
                .andExpect(jsonPath("$.version").value(1));
    }

    @Test
    void missingObjectIsA422AndBadRequestsAre4xxThatChangeNothing() throws Exception {
        base("bad-requests");
        Fixtures.Round r = fixtures.stageRound("job-b", 1, 0, 51, false, tmp);
        Map<String, Object> request = new LinkedHashMap<>(r.request());
        List<Map<String, Object>> artifacts = new java.util.ArrayList<>(r.artifacts());
        Map<String, Object> gone = new LinkedHashMap<>(artifacts.get(0));
        gone.put("file", "nothing-here.json");
        gone.put("objectKey", "jobs/job-b/rounds/1/version/nothing-here.json");
        artifacts.add(gone);
        request.put("artifacts", artifacts);
        fixtures.register("bad-requests", request)
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/artifact-missing"))
                .andExpect(jsonPath("$.field").value("artifacts[" + (artifacts.size() - 1) + "].objectKey"));

        fixtures.register("no-such-model", r.request())
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/model-not-found"));

        Map<String, Object> unknownParent = new LinkedHashMap<>(r.request());
        unknownParent.put("parentVersion", 9);
        fixtures.register("bad-requests", unknownParent)
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.field").value("parentVersion"));

        Map<String, Object> badMethod = new LinkedHashMap<>(r.request());
        badMethod.put("method", "AVERAGE");
        fixtures.register("bad-requests", badMethod)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/invalid-request"))
                .andExpect(jsonPath("$.field").value("method"));

        Map<String, Object> noAdapter = new LinkedHashMap<>(r.request());
        noAdapter.put("artifacts", r.artifacts().subList(2, 4));
        fixtures.register("bad-requests", noAdapter)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("artifacts"));

        mvc.perform(get("/api/v1/models/bad-requests")).andExpect(jsonPath("$.versionCount").value(1));
        assertThat(fixtures.store().list("models/bad-requests/versions/")).isEmpty();
    }

    @Test
    void malformedResidualIsA400NamingTheFile() throws Exception {
        base("bad-residual");
        Fixtures.Round r = fixtures.stageRound("job-r", 1, 0, 61, false, tmp);
        // a valid safetensors file that is not a residual file (the adapter weights under the residual's name)
        Map<String, Object> request = new LinkedHashMap<>(r.request());
        List<Map<String, Object>> artifacts = new java.util.ArrayList<>(r.artifacts());
        Map<String, Object> wrong = new LinkedHashMap<>(artifacts.get(0));
        byte[] weights = fixtures.store().read((String) wrong.get("objectKey"));
        String residualKey = "jobs/job-r/rounds/1/version/residual.safetensors";
        fixtures.store().put(residualKey, weights);
        wrong.put("file", "residual.safetensors");
        wrong.put("objectKey", residualKey);
        artifacts.set(2, wrong);
        request.put("artifacts", artifacts);
        fixtures.register("bad-residual", request)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/malformed-artifact"))
                .andExpect(jsonPath("$.field").value("residual.safetensors"))
                .andExpect(jsonPath("$.detail", containsString("residual")));
        assertThat(fixtures.store().list("models/bad-residual/versions/")).isEmpty();
    }

    @Test
    void userAliasesNameVersionsAndLatestIsTheRegistrys() throws Exception {
        base("aliases");
        fixtures.register("aliases", fixtures.stageRound("job-al", 1, 0, 71, false, tmp).request())
                .andExpect(status().isCreated());
        fixtures.register("aliases", fixtures.stageRound("job-al", 2, 1, 72, false, tmp).request())
                .andExpect(status().isCreated());
        mvc.perform(put("/api/v1/models/aliases/aliases/production").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"version\": 1}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.aliases.production").value(1))
                .andExpect(jsonPath("$.aliases.latest").value(2));
        mvc.perform(get("/api/v1/models/aliases/versions/production"))
                .andExpect(jsonPath("$.version").value(1))
                .andExpect(jsonPath("$.aliases[0]").value("production"));
        mvc.perform(put("/api/v1/models/aliases/aliases/latest").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"version\": 1}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("alias"));
        mvc.perform(put("/api/v1/models/aliases/aliases/production").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"version\": 5}"))
                .andExpect(status().isNotFound());
        mvc.perform(get("/api/v1/models/aliases/versions/staging"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/version-not-found"));
        mvc.perform(get("/api/v1/models/aliases/versions/production")).andExpect(jsonPath("$.version").value(1));
    }

    @Test
    void artifactsDownloadThroughVerifiedPresignedUrls() throws Exception {
        base("download");
        Fixtures.Round r = fixtures.stageRound("job-dl", 1, 0, 81, false, tmp);
        fixtures.register("download", r.request()).andExpect(status().isCreated());
        String expected = r.staged().get("adapter_model.safetensors").sha256();

        String location = mvc.perform(get("/api/v1/models/download/versions/1/artifacts/adapter_model.safetensors"))
                .andExpect(status().isFound())
                .andExpect(header().string("Location", startsWith("http://")))
                .andReturn().getResponse().getHeader("Location");
        assertThat(sha256(fetch(location))).isEqualTo(expected);

        String body = mvc.perform(get("/api/v1/models/download/versions/latest/artifacts/adapter_model.safetensors")
                        .param("presign", "true"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.sha256").value(expected))
                .andReturn().getResponse().getContentAsString();
        JsonNode presigned = fixtures.json().readTree(body);
        assertThat(sha256(fetch(presigned.get("url").asString()))).isEqualTo(expected);

        mvc.perform(get("/api/v1/models/download/versions/1/artifacts/nope.bin"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/artifact-not-found"));
    }

    @Test
    void aStoredArtifactThatNoLongerMatchesItsChecksumIsNotHandedOut() throws Exception {
        base("corrupt");
        fixtures.register("corrupt", fixtures.stageRound("job-c", 1, 0, 91, false, tmp).request())
                .andExpect(status().isCreated());
        fixtures.store().put("models/corrupt/versions/1/report.json", "{\"tampered\": true}".getBytes());
        mvc.perform(get("/api/v1/models/corrupt/versions/1/artifacts/report.json"))
                .andExpect(status().isInternalServerError())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/artifact-corrupt"));
    }

    static byte[] fetch(String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(res.statusCode()).isEqualTo(200);
            return res.body();
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
