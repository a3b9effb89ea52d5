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

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.AbstractCoordinatorIntegrationTests;
import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
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
 * A whole federated job through the real protocol: two workers (three clients) lease tasks, upload real PEFT
 * adapters through the presigned URLs, complete them; the coordinator aggregates exactly, registers each round's
 * version in the real (in-process) model registry, and hands the next round the new global state.
 */
class FederatedJobIntegrationTests extends AbstractCoordinatorIntegrationTests {

    private static final int RANK = 4;
    private static final double ALPHA = 8.0;

    @Test
    void twoRoundFedexJobRegistersExactVersionsAndShipsTheirStateToTheNextRound() throws Exception {
        TestWorker a = new TestWorker(baseUrl(), WORKER_A, "fed-a", Map.of(
                "fed-c1", Map.of("wordnet-nouns", 100L), "fed-c2", Map.of("wordnet-nouns", 300L))).register();
        TestWorker b = new TestWorker(baseUrl(), WORKER_B, "fed-b", Map.of(
                "fed-c3", Map.of("wordnet-nouns", 600L))).register();
        Map<String, Object> request = job(List.of("fed-c1", "fed-c2", "fed-c3"), 2);
        request.put("weighting", "EXAMPLES");
        String jobId = submit(baseUrl(), request);

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
            assertThat(UploadVerifier.sha256(residual)).isEqualTo(residuals.get(0).get("sha256").asString());
            JsonNode adapter = state.get("adapter").get(PeftAdapters.WEIGHTS_FILE);
            assertThat(UploadVerifier.sha256(TestWorker.download(adapter.get("url").asString())))
                    .isEqualTo(adapter.get("sha256").asString());
        });

        JsonNode done = awaitJob(baseUrl(), jobId, "SUCCEEDED", 60_000);
        int v2 = done.get("modelVersion").asInt();
        assertThat(v2).isGreaterThan(v1);
        assertExactAggregate(round2, examples, registryAdapter(v2), registryResidual(v2));
        JsonNode version2 = registry("/api/v1/models/" + MODEL + "/versions/" + v2);
        assertThat(version2.get("parentVersion").asInt()).isEqualTo(v1);
        assertThat(version2.get("lineage").valueStream().map(l -> l.get("version").asInt()))
                .containsExactly(v2, v1, 0);

        JsonNode rounds = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json();
        assertThat(rounds.valueStream().map(r -> r.get("state").asString())).containsExactly("AGGREGATED", "AGGREGATED");
        assertThat(rounds.get(0).get("meanLoss").asDouble()).isCloseTo(expectedMeanLoss(examples), within(1e-9));

        // The event stream replays the job's history and ends with its final event.
        TestWorker.Response events = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/events", VIEWER, null);
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.contentType()).startsWith("text/event-stream");
        List<String> names = events.body().lines().filter(l -> l.startsWith("event:"))
                .map(l -> l.substring(6).trim()).toList();
        assertThat(names).containsSubsequence("JobStarted", "RoundOpened", "TaskCompleted", "RoundAggregated",
                "RoundOpened", "TaskCompleted", "RoundAggregated", "JobSucceeded");
        assertThat(names.getLast()).isEqualTo("JobSucceeded");
    }

    @Test
    void centralizedJobTrainsOneClientAndContinuesFromItsAdapterWithoutAResidual() throws Exception {
        TestWorker w = new TestWorker(baseUrl(), WORKER_A, "cen-a", Map.of(
                "cen-pooled", Map.of("wordnet-pooled", 1000L))).register();
        Map<String, Object> request = job(List.of("cen-pooled"), 2);
        request.put("method", "CENTRALIZED");
        request.put("dataset", "wordnet-pooled");
        String jobId = submit(baseUrl(), request);

        JsonNode lease = w.awaitLease(10_000);
        assertThat(lease.get("dataset").asString()).isEqualTo("wordnet-pooled");
        assertThat(lease.get("globalState").get("adapter").isNull()).isTrue();
        LoraAdapter trained = TestAdapters.random(11, RANK, ALPHA, TestAdapters.HIDDEN);
        assertThat(w.complete(lease, w.upload(lease, TestAdapters.files(trained)), 1000, Map.of("loss", 0.3))
                .status()).isEqualTo(200);

        // One client leaves no residual: round 2 gets the trained adapter itself and no base-weight delta.
        lease = w.awaitLease(30_000);
        assertThat(lease.get("round").asInt()).isEqualTo(2);
        JsonNode state = lease.get("globalState");
        assertThat(state.get("residuals")).isEmpty();
        byte[] weights = TestWorker.download(state.get("adapter").get(PeftAdapters.WEIGHTS_FILE).get("url").asString());
        LoraAdapter global = PeftAdapters.fromParts(PeftAdapters.configJson(trained), SafeTensors.read(weights, "g"), "g");
        for (LoraLayer layer : trained.layers().values()) {
            assertClose(global.layers().get(layer.module()).a(), layer.a(), 1e-6, layer.module());
            assertClose(global.layers().get(layer.module()).b(), layer.b(), 1e-6, layer.module());
        }
        assertThat(w.complete(lease, w.upload(lease, TestAdapters.files(TestAdapters.random(12, RANK, ALPHA,
                TestAdapters.HIDDEN))), 1000, Map.of("loss", 0.2)).status()).isEqualTo(200);
        JsonNode done = awaitJob(baseUrl(), jobId, "SUCCEEDED", 30_000);
        JsonNode version = registry("/api/v1/models/" + MODEL + "/versions/" + done.get("modelVersion").asInt());
        assertThat(version.get("method").asString()).isEqualTo("CENTRALIZED");
        assertThat(version.get("artifacts").valueStream().map(a -> a.get("file").asString()))
                .contains(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE).doesNotContain(Residuals.FILE);
    }

    /** Both workers lease until the round's three tasks are theirs, then train (random adapters) and complete. */
    private Map<String, LoraAdapter> runRound(String jobId, int round, TestWorker a, TestWorker b,
                                              Map<String, Long> examples,
                                              java.util.function.Consumer<JsonNode> checkLease) {
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
            for (JsonNode r : call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json()) {
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

    private static void assertClose(Matrix actual, Matrix expected, double relative, String what) {
        assertThat(actual.rows()).as(what).isEqualTo(expected.rows());
        assertThat(actual.cols()).as(what).isEqualTo(expected.cols());
        Matrix diff = actual.copy().addInPlace(expected, -1f);
        assertThat(diff.frobeniusNorm() / expected.frobeniusNorm()).as(what).isLessThanOrEqualTo(relative);
    }

    private static JsonNode registry(String path) {
        return call(CoordinatorTestSupport.registry().url(), "GET", path, null, null).json();
    }

    private static byte[] registryArtifact(int version, String file) {
        JsonNode presigned = registry("/api/v1/models/" + MODEL + "/versions/" + version + "/artifacts/" + file
                + "?presign=true");
        byte[] content = TestWorker.download(presigned.get("url").asString());
        assertThat(UploadVerifier.sha256(content)).isEqualTo(presigned.get("sha256").asString());
        return content;
    }

    private static LoraAdapter registryAdapter(int version) throws Exception {
        return PeftAdapters.fromParts(new String(registryArtifact(version, PeftAdapters.CONFIG_FILE),
                StandardCharsets.UTF_8), SafeTensors.read(registryArtifact(version, PeftAdapters.WEIGHTS_FILE),
                "v" + version), "v" + version);
    }

    private static Map<String, Residual> registryResidual(int version) throws Exception {
        return Residuals.fromTensorFile(SafeTensors.read(registryArtifact(version, Residuals.FILE), "residual"),
                "residual");
    }
}
