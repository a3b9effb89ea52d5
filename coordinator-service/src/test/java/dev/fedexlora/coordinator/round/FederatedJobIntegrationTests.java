package dev.fedexlora.coordinator.round;

import static dev.fedexlora.coordinator.round.FedexJobScenario.ALPHA;
import static dev.fedexlora.coordinator.round.FedexJobScenario.RANK;
import static dev.fedexlora.coordinator.round.FedexJobScenario.assertClose;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.fedexlora.coordinator.AbstractRegistryContractIntegrationTests;
import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestWorker;
import dev.fedexlora.core.aggregate.Residuals;
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
class FederatedJobIntegrationTests extends AbstractRegistryContractIntegrationTests {

    @Autowired
    MeterRegistry meters;

    @Test
    void twoRoundFedexJobRegistersExactVersionsAndShipsTheirStateToTheNextRound() throws Exception {
        double readsBefore = uploadReads();
        scenario().twoRoundFedexJobRegistersExactVersionsAndShipsTheirStateToTheNextRound();
        // Three clients, two rounds: each upload is read from the object store once, at its completion; the
        // shape checks of later completions and the aggregation use what was verified then.
        assertThat(uploadReads() - readsBefore).isEqualTo(6);
    }

    private double uploadReads() {
        return meters.get("fedex.coordinator.uploads.reads").counter().count();
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
        JsonNode version = scenario().registry("/api/v1/models/" + MODEL + "/versions/"
                + done.get("modelVersion").asInt());
        assertThat(version.get("method").asString()).isEqualTo("CENTRALIZED");
        assertThat(version.get("artifacts").valueStream().map(a -> a.get("file").asString()))
                .contains(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE).doesNotContain(Residuals.FILE);
    }

    private FedexJobScenario scenario() {
        return new FedexJobScenario(baseUrl(), CoordinatorTestSupport.registry().url());
    }
}
