package dev.fedexlora.coordinator.round;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.url;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.SwitchableProxy;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestInfrastructure;
import dev.fedexlora.coordinator.support.TestWorker;
import tools.jackson.databind.JsonNode;

/**
 * The registry hangs (accepts and never answers; the coordinator's registry timeout is 20 s) while three jobs run.
 * Job A's round waits in REGISTERING; job B's round still closes and aggregates within seconds (the scheduler does not
 * wait for the registry); job C, cancelled while its round waits for the registry, never gets a version. When the
 * registry is back, A and B succeed with exactly one version each. The open-task gauge follows the tasks.
 */
class RegistryOutageIntegrationTests {

    @Test
    void aHangingRegistryHoldsNoOtherJobAndACancelledRoundIsNeverRegistered() throws Exception {
        URI registry = URI.create(CoordinatorTestSupport.registry().url());
        try (SwitchableProxy proxy = new SwitchableProxy(registry.getHost(), registry.getPort())) {
            ConfigurableApplicationContext coordinator = start(proxy.url());
            try {
                String url = url(coordinator);
                TestWorker w = new TestWorker(url, WORKER_A, "outage-a", Map.of("ro-a", Map.of("wordnet-nouns", 10L),
                        "ro-b", Map.of("wordnet-nouns", 10L), "ro-c", Map.of("wordnet-nouns", 10L))).register();
                String jobA = submit(url, job(List.of("ro-a"), 1));
                String jobB = submit(url, job(List.of("ro-b"), 1));
                String jobC = submit(url, job(List.of("ro-c"), 1));
                Map<String, JsonNode> leases = new LinkedHashMap<>();
                for (int i = 0; i < 3; i++) {
                    JsonNode l = w.awaitLease(10_000);
                    leases.put(l.get("clientId").asString(), l);
                }
                awaitGauge(url, 3);
                Map<String, Map<String, String>> sha = new LinkedHashMap<>();
                int seed = 51;
                for (Map.Entry<String, JsonNode> e : leases.entrySet()) {
                    sha.put(e.getKey(), w.upload(e.getValue(),
                            TestAdapters.files(TestAdapters.random(seed++, 4, 8.0, TestAdapters.HIDDEN))));
                }

                proxy.blackHole();
                assertThat(w.complete(leases.get("ro-a"), sha.get("ro-a"), 10, Map.of()).status()).isEqualTo(200);
                assertThat(w.complete(leases.get("ro-c"), sha.get("ro-c"), 10, Map.of()).status()).isEqualTo(200);
                awaitRound(url, jobA, "REGISTERING", 15_000);
                awaitRound(url, jobC, "REGISTERING", 15_000);
                assertThat(call(url, "POST", "/api/v1/jobs/" + jobC + "/cancel", SUBMITTER, null).status())
                        .isEqualTo(200);
                assertThat(roundState(url, jobC)).isEqualTo("CANCELLED");

                // Job B's round closes and aggregates while A's registration hangs: well within one registry timeout.
                long completed = System.nanoTime();
                assertThat(w.complete(leases.get("ro-b"), sha.get("ro-b"), 10, Map.of()).status()).isEqualTo(200);
                awaitRound(url, jobB, "REGISTERING", 8_000);
                assertThat((System.nanoTime() - completed) / 1e9).isLessThan(20);
                awaitGauge(url, 0);

                proxy.forward();
                JsonNode a = awaitJob(url, jobA, "SUCCEEDED", 90_000);
                JsonNode b = awaitJob(url, jobB, "SUCCEEDED", 90_000);
                assertThat(a.get("modelVersion").asInt()).isNotEqualTo(b.get("modelVersion").asInt());
                TestWorker.sleep(3_000);
                String versions = call(registry.toString(), "GET", "/api/v1/models/" + MODEL + "/versions?size=100",
                        dev.fedexlora.coordinator.support.InProcessRegistry.READER_TOKEN, null).body();
                assertThat(occurrences(versions, jobA)).isEqualTo(1);
                assertThat(occurrences(versions, jobB)).isEqualTo(1);
                assertThat(versions).doesNotContain(jobC);
                assertThat(call(url, "GET", "/api/v1/jobs/" + jobC, VIEWER, null).json().get("state").asString())
                        .isEqualTo("CANCELLED");
                assertThat(roundState(url, jobC)).isEqualTo("CANCELLED");
                for (String jobId : List.of(jobA, jobB)) {
                    JsonNode rounds = call(url, "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json();
                    assertThat(rounds).hasSize(1);
                    assertThat(rounds.get(0).get("attempt").asInt()).isEqualTo(1);
                }
            } finally {
                coordinator.close();
            }
        }
    }

    private static int occurrences(String body, String s) {
        int n = 0;
        for (int i = body.indexOf(s); i >= 0; i = body.indexOf(s, i + 1)) {
            n++;
        }
        return n;
    }

    private static String roundState(String url, String jobId) {
        JsonNode rounds = call(url, "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json();
        return rounds.get(rounds.size() - 1).get("state").asString();
    }

    private static void awaitRound(String url, String jobId, String state, long millis) {
        long until = System.currentTimeMillis() + millis;
        String last = null;
        while (System.currentTimeMillis() < until) {
            last = roundState(url, jobId);
            if (last.equals(state)) {
                return;
            }
            TestWorker.sleep(100);
        }
        throw new AssertionError("round of job " + jobId + " is " + last + ", not " + state + " after " + millis + " ms");
    }

    private static void awaitGauge(String url, int expected) {
        long until = System.currentTimeMillis() + 10_000;
        String line = null;
        while (System.currentTimeMillis() < until) {
            line = call(url, "GET", "/actuator/prometheus", null, null).body().lines()
                    .filter(l -> l.startsWith("fedex_coordinator_tasks_open ")).findFirst().orElse(null);
            if (line != null && Double.parseDouble(line.substring(line.indexOf(' ') + 1)) == expected) {
                return;
            }
            TestWorker.sleep(100);
        }
        throw new AssertionError("fedex_coordinator_tasks_open is not " + expected + ": " + line);
    }

    private static ConfigurableApplicationContext start(String registryUrl) {
        Map<String, Object> properties = new LinkedHashMap<>(CoordinatorTestSupport.properties(
                TestInfrastructure.Database.embedded(TestInfrastructure.newDatabaseUrl()), TestInfrastructure.bucket(),
                registryUrl));
        properties.put("fedex.coordinator.registry.timeout", "20s");
        properties.put("fedex.coordinator.lease-ttl", "120s");
        return CoordinatorTestSupport.startCoordinator(properties);
    }
}
