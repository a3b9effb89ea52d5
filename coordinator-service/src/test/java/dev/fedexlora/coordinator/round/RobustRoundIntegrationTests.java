package dev.fedexlora.coordinator.round;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.AbstractRegistryContractIntegrationTests;
import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.InProcessRegistry;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestWorker;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import tools.jackson.databind.JsonNode;

/**
 * A job's robust options reach the aggregation: with norm-outlier rejection on, a client whose update is a hundred
 * times the others' is left out of the round (weight 0, reported), and the version is built from the rest.
 */
class RobustRoundIntegrationTests extends AbstractRegistryContractIntegrationTests {

    @Test
    void anOutlierClientIsLeftOutAndReported() {
        List<String> clients = List.of("rb-c1", "rb-c2", "rb-c3");
        Map<String, Map<String, Long>> hosted = new LinkedHashMap<>();
        clients.forEach(c -> hosted.put(c, Map.of("wordnet-nouns", 10L)));
        TestWorker w = new TestWorker(baseUrl(), WORKER_A, "robust-a", hosted).register();
        Map<String, Object> request = job(clients, 1);
        request.put("robust", Map.of("outlierFactor", 3.0));
        String jobId = submit(baseUrl(), request);

        String outlier = null;
        for (int i = 0; i < 3; i++) {
            JsonNode lease = w.awaitLease(10_000);
            LoraAdapter adapter = TestAdapters.random(70 + i, 4, 8.0, TestAdapters.HIDDEN);
            if (i == 2) {
                outlier = lease.get("clientId").asString();
                adapter = scaled(adapter, 100f);
            }
            Map<String, String> sha = w.upload(lease, TestAdapters.files(adapter));
            assertThat(w.complete(lease, sha, 10, Map.of("loss", 0.3)).status()).isEqualTo(200);
        }

        JsonNode done = awaitJob(baseUrl(), jobId, "SUCCEEDED", 30_000);
        JsonNode version = call(CoordinatorTestSupport.registry().url(), "GET", "/api/v1/models/" + MODEL
                + "/versions/" + done.get("modelVersion").asInt(), InProcessRegistry.READER_TOKEN, null).json();
        assertThat(version.get("metrics").get("robust.rejected").asInt()).isEqualTo(1);
        for (JsonNode c : version.get("clients")) {
            double weight = c.get("weight").asDouble();
            if (c.get("clientId").asString().equals(outlier)) {
                assertThat(weight).isZero();
            } else {
                assertThat(weight).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
            }
        }
    }

    @Test
    void outlierRejectionNeedsThreeClientsAndAFactorOfAtLeastOne() {
        Map<String, Object> two = job(List.of("rb-d1", "rb-d2"), 1);
        two.put("robust", Map.of("outlierFactor", 3.0));
        TestWorker.Response r = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, two);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("field").asString()).isEqualTo("robust.outlierFactor");
        Map<String, Object> half = job(List.of("rb-d1", "rb-d2", "rb-d3"), 1);
        half.put("robust", Map.of("outlierFactor", 0.5));
        assertThat(call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, half).status()).isEqualTo(400);
        Map<String, Object> negative = job(List.of("rb-d1"), 1);
        negative.put("robust", Map.of("clipNorm", -1.0));
        assertThat(call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, negative).status()).isEqualTo(400);
    }

    private static LoraAdapter scaled(LoraAdapter a, float factor) {
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        a.layers().forEach((m, l) -> {
            float[] b = l.b().data().clone();
            for (int i = 0; i < b.length; i++) {
                b[i] *= factor;
            }
            layers.put(m, new LoraLayer(m, l.a(), new Matrix(l.b().rows(), l.b().cols(), b)));
        });
        return new LoraAdapter(a.config(), layers, a.extras());
    }
}
