package dev.fedexlora.coordinator.round;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.AbstractRegistryContractIntegrationTests;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestWorker;
import tools.jackson.databind.JsonNode;

/** Round deadlines: a round closes at its deadline with its quorum; without it the round is retried, then fails. */
class RoundDeadlineIntegrationTests extends AbstractRegistryContractIntegrationTests {

    @Test
    void atTheDeadlineARoundWithItsQuorumClosesWithoutTheMissingClient() {
        TestWorker w = new TestWorker(baseUrl(), WORKER_A, "dl-a", Map.of("dl-c1", Map.of("wordnet-nouns", 5L)))
                .register();
        Map<String, Object> request = job(List.of("dl-c1", "dl-c2"), 1);
        request.put("quorum", 1);
        request.put("roundDeadline", "PT3S");
        String jobId = submit(baseUrl(), request);
        JsonNode lease = w.awaitLease(10_000);
        assertThat(lease.get("clientId").asString()).isEqualTo("dl-c1");
        assertThat(w.complete(lease, w.upload(lease, TestAdapters.files(TestAdapters.random(31, 4, 8.0,
                TestAdapters.HIDDEN))), 5, Map.of("loss", 0.1)).status()).isEqualTo(200);
        // dl-c2 is hosted by nobody: the round waits for the deadline, then closes with the quorum of one.
        assertThat(call(baseUrl(), "GET", "/api/v1/jobs/" + jobId, VIEWER, null).json().get("state").asString())
                .isEqualTo("RUNNING");

        awaitJob(baseUrl(), jobId, "SUCCEEDED", 30_000);
        JsonNode round = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json().get(0);
        assertThat(round.get("participants").asInt()).isEqualTo(1);
        JsonNode tasks = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/tasks", VIEWER, null).json();
        assertThat(tasks.get(0).get("state").asString()).isEqualTo("DONE");
        assertThat(tasks.get(1).get("state").asString()).isEqualTo("FAILED");
        assertThat(tasks.get(1).get("failureReason").asString()).contains("closed without this task");
    }

    @Test
    void aRoundThatMissesItsQuorumIsRetriedAndThenFailsTheJobWithTheReason() {
        Map<String, Object> request = job(List.of("dlf-c1"), 3);
        request.put("roundDeadline", "PT2S");
        String jobId = submit(baseUrl(), request);

        JsonNode failed = awaitJob(baseUrl(), jobId, "FAILED", 30_000);
        assertThat(failed.get("failureReason").asString())
                .contains("round 1 failed after 2 attempts")
                .contains("quorum is 1");
        JsonNode rounds = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json();
        assertThat(rounds.valueStream().map(r -> r.get("state").asString())).containsExactly("RETRIED", "FAILED");
        assertThat(rounds.valueStream().map(r -> r.get("attempt").asInt())).containsExactly(1, 2);
        String events = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/events", VIEWER, null).body();
        assertThat(events).contains("event:RoundRetried").contains("event:JobFailed");
    }
}
