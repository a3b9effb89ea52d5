package dev.fedexlora.coordinator;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.url;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestInfrastructure;
import dev.fedexlora.coordinator.support.TestWorker;
import tools.jackson.databind.JsonNode;

/**
 * The coordinator is down longer than both the lease TTL (8 s) and the round's deadline (12 s) while its workers
 * finish: when it is back, their leases and the round's deadline have been extended by the downtime, so the work
 * finished meanwhile is accepted and the round aggregates at its first attempt.
 */
class CoordinatorDowntimeIntegrationTests {

    private final String database = TestInfrastructure.newDatabaseUrl();

    @Test
    void downtimeLongerThanLeaseAndDeadlineCostsNeitherFinishedWorkNorARoundAttempt() {
        ConfigurableApplicationContext first = start();
        TestWorker w = new TestWorker(url(first), WORKER_A, "down-a", Map.of(
                "dn-c1", Map.of("wordnet-nouns", 10L), "dn-c2", Map.of("wordnet-nouns", 30L))).register();
        Map<String, Object> request = job(List.of("dn-c1", "dn-c2"), 1);
        request.put("roundDeadline", "PT12S");
        String jobId = submit(url(first), request);
        JsonNode l1 = w.awaitLease(10_000);
        JsonNode l2 = w.awaitLease(10_000);
        // Uploaded while the URLs (valid as long as the lease) hold; the completions only get through after the outage.
        Map<String, String> sha1 = w.upload(l1, TestAdapters.files(TestAdapters.random(41, 4, 8.0, TestAdapters.HIDDEN)));
        Map<String, String> sha2 = w.upload(l2, TestAdapters.files(TestAdapters.random(42, 4, 8.0, TestAdapters.HIDDEN)));
        TestWorker.sleep(1_000); // at least one scheduler run records its heartbeat
        first.close();
        // Down for longer than the lease TTL and the round deadline.
        TestWorker.sleep(16_000);

        ConfigurableApplicationContext second = start();
        try {
            w.baseUrl = url(second);
            TestWorker.sleep(1_000); // the first scheduler run extends leases and deadlines before anything expires
            // Each completion claims its own client's registered example count (leases come in either order).
            assertThat(w.complete(l1, sha1, examples(l1), Map.of("loss", 0.5)).status()).isEqualTo(200);
            assertThat(w.complete(l2, sha2, examples(l2), Map.of("loss", 0.4)).status()).isEqualTo(200);

            awaitJob(w.baseUrl, jobId, "SUCCEEDED", 30_000);
            JsonNode rounds = call(w.baseUrl, "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json();
            assertThat(rounds).hasSize(1);
            assertThat(rounds.get(0).get("attempt").asInt()).isEqualTo(1);
            assertThat(rounds.get(0).get("participants").asInt()).isEqualTo(2);
            JsonNode tasks = call(w.baseUrl, "GET", "/api/v1/jobs/" + jobId + "/tasks", VIEWER, null).json();
            assertThat(tasks.valueStream().map(t -> t.get("attempts").asInt())).containsOnly(0);
        } finally {
            second.close();
        }
    }

    private ConfigurableApplicationContext start() {
        return CoordinatorTestSupport.startCoordinator(CoordinatorTestSupport.properties(database));
    }

    private static long examples(JsonNode lease) {
        return "dn-c1".equals(lease.get("clientId").asString()) ? 10 : 30;
    }
}
