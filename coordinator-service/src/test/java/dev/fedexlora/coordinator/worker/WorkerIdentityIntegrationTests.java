package dev.fedexlora.coordinator.worker;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.BOUND_CLIENT;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_B;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_C;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.AbstractCoordinatorIntegrationTests;
import dev.fedexlora.coordinator.support.TestWorker.Response;

/**
 * One identity per worker: a credential registers only the clients it is bound to, never a name another
 * credential holds, and concurrent registrations of one name end in one worker without a 5xx.
 */
class WorkerIdentityIntegrationTests extends AbstractCoordinatorIntegrationTests {

    @Test
    void aCredentialRegistersOnlyTheClientsItIsBoundTo() {
        assertThat(register(WORKER_C, "bound-w", BOUND_CLIENT).status()).isEqualTo(200);
        Response r = register(WORKER_C, "bound-w", "someone-elses-client");
        assertProblem(r, 403, "forbidden", "clients.clientId");
        assertThat(r.json().get("detail").asString()).contains("someone-elses-client");
    }

    @Test
    void anotherCredentialCannotTakeOverAWorkerName() {
        Response mine = register(WORKER_A, "id-a", "id-c1");
        assertThat(mine.status()).isEqualTo(200);
        Response takeover = register(WORKER_B, "id-a", "id-c2");
        assertProblem(takeover, 409, "worker-name-taken", "name");
        assertThat(takeover.body()).doesNotContain(mine.json().get("workerId").asString());
        // the owner registers again: same id
        assertThat(register(WORKER_A, "id-a", "id-c1").json().get("workerId").asString())
                .isEqualTo(mine.json().get("workerId").asString());
    }

    @Test
    void concurrentRegistrationsOfOneNameEndInOneWorker() throws Exception {
        List<Future<Response>> replies = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                replies.add(pool.submit(() -> register(WORKER_A, "same-name", "same-c1")));
            }
        }
        List<String> ids = new ArrayList<>();
        for (Future<Response> f : replies) {
            Response r = f.get();
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            ids.add(r.json().get("workerId").asString());
        }
        assertThat(ids).containsOnly(ids.getFirst());
    }

    private Response register(String token, String name, String client) {
        return call(baseUrl(), "POST", "/api/v1/workers", token, Map.of("name", name,
                "clients", List.of(Map.of("clientId", client, "datasets", Map.of("wordnet-nouns", 10L)))));
    }

    private static void assertProblem(Response r, int status, String type, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asString()).isEqualTo("https://fedex-lora.dev/problems/" + type);
        assertThat(r.json().get("field").asString()).isEqualTo(field);
    }
}
