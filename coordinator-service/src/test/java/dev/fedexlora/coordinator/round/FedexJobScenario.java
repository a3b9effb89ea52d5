package dev.fedexlora.coordinator.round;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_B;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fedexlora.core.checksum.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.fedexlora.coordinator.support.InProcessRegistry;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestWorker;
import dev.fedexlora.coordinator.task.UploadVerifier;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import tools.jackson.databind.JsonNode;

/**
 * The main federated-job case, against whichever coordinator and registry a test class started: on embedded
 * PostgreSQL and s3proxy ({@link FederatedJobIntegrationTests}) or on containers
 * ({@link FederatedJobContainerIntegrationTests}). Its client ids are fixed: run it once per coordinator database.
 */
final class FedexJobScenario {

    static final int RANK = 4;
    static final double ALPHA = 8.0;

    private final String coordinator;
    private final String registry;

    FedexJobScenario(String coordinatorUrl, String registryUrl) {
        this.coordinator = coordinatorUrl;
        this.registry = registryUrl;
    }

    /**
     * Two workers (three clients) run a two-round FEDEX job with EXAMPLES weighting; each registered version is the
     * exact aggregate of the clients' uploads, and round 2 starts from version 1's residual and adapter.
     */
    void twoRoundFedexJobRegistersExactVersionsAndShipsTheirStateToTheNextRound() throws Exception {
        TestWorker a = new TestWorker(coordinator, WORKER_A, "fed-a", Map.of(
                "fed-c1", Map.of("wordnet-nouns", 100L), "fed-c2", Map.of("wordnet-nouns", 300L))).register();
        TestWorker b = new TestWorker(coordinator, WORKER_B, "fed-b", Map.of(
                "fed-c3", Map.of("wordnet-nouns", 600L))).register();
        Map<String, Object> request = job(List.of("fed-c1", "fed-c2", "fed-c3"), 2);
        request.put("weighting", "EXAMPLES");
        String jobId = submit(coordinator, request);

        Map<String, Long> examples = Map.of("fed-c1", 100L, "fed-c2", 300L, "fed-c3", 600L);
        Map<String, LoraAdapter> round1 = runRound(jobId, 1, a, b, examples, null);
        JsonNode afterRound1 = awaitRound(jobId, 1);
        int v1 = afterRound1.get("modelVersion").asInt();

        // The registered version is the exact FedEx-LoRA aggregate of what the clients uploaded.
        LoraAdapter global1 = registryAdapter(v1);
        Map<String, Residual> residual1 = registryResidual(v1);
        assertExactAggregate(round1, examples, global1, residual1);
        JsonNode version1 = registry("/api/v1/models/" + MODEL + "/versions/" + v1);
        assertThat(version1.get("parentVersion").asInt()).isZero();
        assertThat(version1.get("source").get("jobId").asString()).isEqualTo(jobId);
        assertThat(version1.get("source").get("round").asInt()).isEqualTo(1);
        assertThat(version1.get("method").asString()).isEqualTo("FEDEX");
        assertThat(version1.get("exactnessError").asDouble()).isLessThanOrEqualTo(1e-5);
        assertThat(version1.get("clients").valueStream().map(c -> c.get("clientId").asString()))
                .containsExactlyInAnyOrder("fed-c1", "fed-c2", "fed-c3");
        assertThat(afterRound1.get("exactnessError").asDouble()).isLessThanOrEqualTo(1e-5);
        assertThat(afterRound1.get("deviation").asDouble()).isPositive();
        assertThat(afterRound1.get("participants").asInt()).isEqualTo(3);
        assertThat(afterRound1.get("bytesMoved").asLong()).isPositive();

        // Round 2 starts from version 1: its residual and adapter, by presigned URL and checksum.
        Map<String, LoraAdapter> round2 = runRound(jobId, 2, a, b, examples, lease -> {
            JsonNode state = lease.get("globalState");
            assertThat(state.get("baseModel").get("version").asInt()).isEqualTo(v1);
            assertThat(state.get("base").has("model.safetensors")).isTrue();
            JsonNode residuals = state.get("residuals");
            assertThat(residuals).hasSize(1);
            assertThat(residuals.get(0).get("version").asInt()).isEqualTo(v1);
            byte[] residual = TestWorker.download(residuals.get(0).get("url").asString());
            assertThat(Sha256.hex(residual)).isEqualTo(residuals.get(0).get("sha256").asString());
            JsonNode adapter = state.get("adapter").get(PeftAdapters.WEIGHTS_FILE);
            assertThat(Sha256.hex(TestWorker.download(adapter.get("url").asString())))
                    .isEqualTo(adapter.get("sha256").asString());
        });

        JsonNode done = awaitJob(coordinator, jobId, "SUCCEEDED", 60_000);
        int v2 = done.get("modelVersion").asInt();
        assertThat(v2).isGreaterThan(v1);
        assertExactAggregate(round2, examples, registryAdapter(v2), registryResidual(v2));
        JsonNode version2 = registry("/api/v1/models/" + MODEL + "/versions/" + v2);
        assertThat(version2.get("parentVersion").asInt()).isEqualTo(v1);
        assertThat(version2.get("lineage").valueStream().map(l -> l.get("version").asInt()))
                .containsExactly(v2, v1, 0);

        JsonNode rounds = call(coordinator, "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json();
        assertThat(rounds.valueStream().map(r -> r.get("state").asString())).containsExactly("AGGREGATED", "AGGREGATED");
        assertThat(rounds.get(0).get("meanLoss").asDouble()).isCloseTo(expectedMeanLoss(examples), within(1e-9));

        // The event stream replays the job's history and ends with its final event.
        TestWorker.Response events = call(coordinator, "GET", "/api/v1/jobs/" + jobId + "/events", VIEWER, null);
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.contentType()).startsWith("text/event-stream");
        List<String> names = events.body().lines().filter(l -> l.startsWith("event:"))
                .map(l -> l.substring(6).trim()).toList();
        assertThat(names).containsSubsequence("JobStarted", "RoundOpened", "TaskCompleted", "RoundAggregated",
                "RoundOpened", "TaskCompleted", "RoundAggregated", "JobSucceeded");
        assertThat(names.getLast()).isEqualTo("JobSucceeded");
    }

    /** Both workers lease until the round's three tasks are theirs, then train (random adapters) and complete. */
    private Map<String, LoraAdapter> runRound(String jobId, int round, TestWorker a, TestWorker b,
                                              Map<String, Long> examples,
                                              Consumer<JsonNode> checkLease) {
        Map<String, LoraAdapter> uploaded = new LinkedHashMap<>();
        Map<String, JsonNode> leases = new HashMap<>();
        Map<String, TestWorker> holders = new HashMap<>();
        long until = System.currentTimeMillis() + 30_000;
        while (leases.size() < 3 && System.currentTimeMillis() < until) {
            for (TestWorker w : List.of(a, b)) {
                Optional<JsonNode> lease = w.lease();
                lease.ifPresent(l -> {
                    assertThat(l.get("jobId").asString()).isEqualTo(jobId);
                    assertThat(l.get("round").asInt()).isEqualTo(round);
                    leases.put(l.get("clientId").asString(), l);
                    holders.put(l.get("clientId").asString(), w);
                });
            }
            TestWorker.sleep(50);
        }
        assertThat(leases.keySet()).containsExactlyInAnyOrder("fed-c1", "fed-c2", "fed-c3");
        assertThat(holders.get("fed-c3")).isSameAs(b);
        for (Map.Entry<String, JsonNode> e : leases.entrySet()) {
            String client = e.getKey();
            JsonNode lease = e.getValue();
            assertThat(lease.get("training").get("rank").asInt()).isEqualTo(RANK);
            assertThat(lease.get("training").get("method").asString()).isEqualTo("FEDEX");
            if (checkLease != null) {
                checkLease.accept(lease);
            }
            LoraAdapter adapter = TestAdapters.random(client.hashCode() * 31L + round, RANK, ALPHA, TestAdapters.HIDDEN);
            TestWorker w = holders.get(client);
            Map<String, String> sha = w.upload(lease, TestAdapters.files(adapter));
            TestWorker.Response r = w.complete(lease, sha, examples.get(client),
                    Map.of("loss", loss(client), "accuracy", 0.5));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            uploaded.put(client, adapter);
        }
        return uploaded;
    }

    private static double loss(String client) {
        return 1.0 + client.charAt(client.length() - 1) - '0';
    }

    private static double expectedMeanLoss(Map<String, Long> examples) {
        double total = examples.values().stream().mapToLong(Long::longValue).sum();
        return examples.entrySet().stream().mapToDouble(e -> e.getValue() / total * loss(e.getKey())).sum();
    }

    private JsonNode awaitRound(String jobId, int number) {
        long until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until) {
            for (JsonNode r : call(coordinator, "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json()) {
                if (r.get("number").asInt() == number && r.get("state").asString().equals("AGGREGATED")) {
                    return r;
                }
            }
            TestWorker.sleep(100);
        }
        throw new AssertionError("round " + number + " of job " + jobId + " did not aggregate");
    }

    /**
     * Ā = Σ pᵢAᵢ, B̄ = Σ pᵢBᵢ with pᵢ ∝ examples, and the residual is s·Σ pᵢ(Bᵢ − B̄)(Aᵢ − Ā) (d×k, out×in).
     */
    private static void assertExactAggregate(Map<String, LoraAdapter> clients, Map<String, Long> examples,
                                             LoraAdapter global, Map<String, Residual> residuals) {
        double total = clients.keySet().stream().mapToLong(examples::get).sum();
        LoraAdapter any = clients.values().iterator().next();
        double s = ALPHA / RANK;
        for (String module : any.layers().keySet()) {
            Matrix aBar = null;
            Matrix bBar = null;
            for (Map.Entry<String, LoraAdapter> c : clients.entrySet()) {
                float p = (float) (examples.get(c.getKey()) / total);
                LoraLayer l = c.getValue().layers().get(module);
                aBar = aBar == null ? l.a().copy().scaleInPlace(p) : aBar.addInPlace(l.a(), p);
                bBar = bBar == null ? l.b().copy().scaleInPlace(p) : bBar.addInPlace(l.b(), p);
            }
            assertClose(global.layers().get(module).a(), aBar, 1e-5, module + " lora_A");
            assertClose(global.layers().get(module).b(), bBar, 1e-5, module + " lora_B");
            Matrix expected = Matrix.zeros(bBar.rows(), aBar.cols());
            for (Map.Entry<String, LoraAdapter> c : clients.entrySet()) {
                float p = (float) (examples.get(c.getKey()) / total);
                LoraLayer l = c.getValue().layers().get(module);
                expected.addProductInPlace(l.b().copy().addInPlace(bBar, -1f), l.a().copy().addInPlace(aBar, -1f),
                        (float) (p * s));
            }
            assertThat(residuals).containsKey(module);
            assertClose(residuals.get(module).toDense(), expected, 1e-4, module + " residual");
        }
    }

    static void assertClose(Matrix actual, Matrix expected, double relative, String what) {
        assertThat(actual.rows()).as(what).isEqualTo(expected.rows());
        assertThat(actual.cols()).as(what).isEqualTo(expected.cols());
        Matrix diff = actual.copy().addInPlace(expected, -1f);
        assertThat(diff.frobeniusNorm() / expected.frobeniusNorm()).as(what).isLessThanOrEqualTo(relative);
    }

    JsonNode registry(String path) {
        return call(registry, "GET", path, InProcessRegistry.READER_TOKEN, null).json();
    }

    private byte[] registryArtifact(int version, String file) {
        JsonNode presigned = registry("/api/v1/models/" + MODEL + "/versions/" + version + "/artifacts/" + file
                + "?presign=true");
        byte[] content = TestWorker.download(presigned.get("url").asString());
        assertThat(Sha256.hex(content)).isEqualTo(presigned.get("sha256").asString());
        return content;
    }

    private LoraAdapter registryAdapter(int version) throws Exception {
        return PeftAdapters.fromParts(new String(registryArtifact(version, PeftAdapters.CONFIG_FILE),
                StandardCharsets.UTF_8), SafeTensors.read(registryArtifact(version, PeftAdapters.WEIGHTS_FILE),
                "v" + version), "v" + version);
    }

    private Map<String, Residual> registryResidual(int version) throws Exception {
        return Residuals.fromTensorFile(SafeTensors.read(registryArtifact(version, Residuals.FILE), "residual"),
                "residual");
    }
}
