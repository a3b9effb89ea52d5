package dev.fedexlora.coordinator;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.url;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.InProcessRegistry;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestInfrastructure;
import dev.fedexlora.coordinator.support.TestWorker;
import dev.fedexlora.coordinator.support.TestWorker.Response;
import dev.fedexlora.core.peft.PeftAdapters;
import tools.jackson.databind.JsonNode;

/**
 * The coordinator is stopped in the middle of a round and started again on the same database: the round goes on,
 * the lease held across the restart still counts, the upload completed before it is not lost, and a completion
 * repeated after it is still answered with the first result.
 */
class CoordinatorRestartIntegrationTests {

    private final String database = TestInfrastructure.newDatabaseUrl();

    @Test
    void aRestartedCoordinatorResumesTheOpenRoundWithoutLosingAnUpload() {
        ConfigurableApplicationContext first = start();
        TestWorker w = new TestWorker(url(first), WORKER_A, "restart-a", Map.of(
                "rs-c1", Map.of("wordnet-nouns", 10L), "rs-c2", Map.of("wordnet-nouns", 30L))).register();
        String jobId = submit(url(first), job(List.of("rs-c1", "rs-c2"), 1));
        JsonNode l1 = w.awaitLease(10_000);
        JsonNode l2 = w.awaitLease(10_000);
        Map<String, String> sha1 = w.upload(l1, TestAdapters.files(TestAdapters.random(21, 4, 8.0, TestAdapters.HIDDEN)));
        Map<String, String> sha2 = w.upload(l2, TestAdapters.files(TestAdapters.random(22, 4, 8.0, TestAdapters.HIDDEN)));
        // each lease completes with its client's registered example count (the leases come in any order)
        long e1 = examples(l1);
        long e2 = examples(l2);
        Response done1 = w.complete(l1, sha1, e1, Map.of("loss", 0.5));
        assertThat(done1.status()).isEqualTo(200);
        first.close();

        ConfigurableApplicationContext second = start();
        try {
            w.baseUrl = url(second);
            assertThat(call(w.baseUrl, "GET", "/api/v1/jobs/" + jobId, VIEWER, null).json().get("state").asString())
                    .isEqualTo("RUNNING");
            // The lease taken before the restart is still this worker's, and the round is still waiting for it.
            assertThat(w.heartbeat(l2.get("taskId").asString()).status()).isEqualTo(200);
            assertThat(w.complete(l1, sha1, e1, Map.of("loss", 0.5)).json()).isEqualTo(done1.json());
            assertThat(w.complete(l2, sha2, e2, Map.of("loss", 0.4)).status()).isEqualTo(200);

            JsonNode job = awaitJob(w.baseUrl, jobId, "SUCCEEDED", 30_000);
            JsonNode version = call(CoordinatorTestSupport.registry().url(), "GET",
                    "/api/v1/models/" + MODEL + "/versions/" + job.get("modelVersion").asInt(),
                    InProcessRegistry.READER_TOKEN, null).json();
            List<String> hashes = new ArrayList<>();
            version.get("clients").forEach(c -> hashes.add(c.get("adapterSha256").asString()));
            assertThat(hashes).containsExactlyInAnyOrder(sha1.get(PeftAdapters.WEIGHTS_FILE),
                    sha2.get(PeftAdapters.WEIGHTS_FILE));
            JsonNode rounds = call(w.baseUrl, "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json();
            assertThat(rounds).hasSize(1);
            assertThat(rounds.get(0).get("attempt").asInt()).isEqualTo(1);
            assertThat(rounds.get(0).get("participants").asInt()).isEqualTo(2);
        } finally {
            second.close();
        }
    }

    private ConfigurableApplicationContext start() {
        Map<String, Object> properties = new LinkedHashMap<>(CoordinatorTestSupport.properties(database));
        // Long enough that the lease outlives the restart on a slow machine.
        properties.put("fedex.coordinator.lease-ttl", "120s");
        return CoordinatorTestSupport.startCoordinator(properties);
    }

    private static long examples(JsonNode lease) {
        return lease.get("clientId").asString().equals("rs-c1") ? 10 : 30;
    }
}
