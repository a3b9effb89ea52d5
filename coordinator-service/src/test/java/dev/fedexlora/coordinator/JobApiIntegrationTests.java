package dev.fedexlora.coordinator;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.support.TestWorker.Response;
import tools.jackson.databind.JsonNode;

/** The job API's contract: creation, problem details for bad input, 404, 409, OpenAPI and health. */
class JobApiIntegrationTests extends AbstractRegistryContractIntegrationTests {

    @Test
    void createsARunningJobWithDefaultsAndOpensRoundOne() {
        Map<String, Object> body = job(List.of("api-c1", "api-c2"), 2);
        body.remove("method");
        Response r = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, body);
        assertThat(r.status()).isEqualTo(201);
        JsonNode job = r.json();
        assertThat(job.get("state").asString()).isEqualTo("RUNNING");
        assertThat(job.get("method").asString()).isEqualTo("FEDEX");
        assertThat(job.get("baseModel").get("version").asInt()).isZero();
        assertThat(job.get("request").get("weighting").asString()).isEqualTo("UNIFORM");
        assertThat(job.get("request").get("quorum").isNull()).isTrue();
        String id = job.get("id").asString();

        JsonNode rounds = call(baseUrl(), "GET", "/api/v1/jobs/" + id + "/rounds", VIEWER, null).json();
        assertThat(rounds).hasSize(1);
        assertThat(rounds.get(0).get("state").asString()).isEqualTo("OPEN");
        assertThat(rounds.get(0).get("quorum").asInt()).isEqualTo(2);
        JsonNode tasks = call(baseUrl(), "GET", "/api/v1/jobs/" + id + "/tasks", VIEWER, null).json();
        assertThat(tasks.valueStream().map(t -> t.get("clientId").asString())).containsExactly("api-c1", "api-c2");
        assertThat(tasks.valueStream().map(t -> t.get("state").asString())).containsOnly("OFFERED");
        assertThat(call(baseUrl(), "GET", "/api/v1/jobs", VIEWER, null).json().valueStream()
                .map(j -> j.get("id").asString())).contains(id);
    }

    @Test
    void invalidFieldsAnswer400ProblemsNamingTheField() {
        Map<String, Object> zeroRounds = job(List.of("api-v1"), 0);
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, zeroRounds), 400, "invalid-request", "rounds");

        Map<String, Object> noModel = job(List.of("api-v1"), 1);
        noModel.remove("baseModel");
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, noModel), 400, "invalid-request", "baseModel");

        Map<String, Object> badRank = job(List.of("api-v1"), 1);
        badRank.put("rank", -3);
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, badRank), 400, "invalid-request", "rank");

        Map<String, Object> both = job(List.of("api-v1"), 1);
        both.put("clientSelection", Map.of("count", 1));
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, both), 400, "invalid-request", "clients");

        Map<String, Object> quorum = job(List.of("api-v1", "api-v2"), 1);
        quorum.put("quorum", 3);
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, quorum), 400, "invalid-request", "quorum");

        Map<String, Object> centralized = job(List.of("api-v1", "api-v2"), 1);
        centralized.put("method", "CENTRALIZED");
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, centralized), 400, "invalid-request", "clients");

        Map<String, Object> unknownModel = job(List.of("api-v1"), 1);
        unknownModel.put("baseModel", Map.of("name", "no-such-model", "version", "0"));
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, unknownModel), 400, "invalid-request",
                "baseModel");

        Map<String, Object> badMethod = new LinkedHashMap<>(job(List.of("api-v1"), 1));
        badMethod.put("method", "FEDAVG");
        Response r = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, badMethod);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("type").asString()).endsWith("/malformed-body");
    }

    @Test
    void outOfRangeAndCoercedValuesAnswer400NamingTheField() {
        Object[][] cases = {
                {"roundDeadline", "PT10000000000000S"},
                {"roundDeadline", "PT100000000000000000S"},
                {"rounds", 1.5},
                {"rank", 2147483648L},
                {"alpha", new java.math.BigDecimal("1e400")},
                {"alpha", new java.math.BigDecimal("-1e400")},
                {"learningRate", new java.math.BigDecimal("1e400")},
                {"targetModules", List.of("no_such_module")},
                {"targetModules", List.of("query", "(.*){1,30}x")},
                {"localSteps", 99_999_999_999L},
                {"numLabels", 1},
                {"seed", new java.math.BigInteger("99999999999999999999")},
        };
        for (Object[] c : cases) {
            Map<String, Object> body = new LinkedHashMap<>(job(List.of("api-r1"), 1));
            body.put((String) c[0], c[1]);
            Response r = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, body);
            assertThat(r.status()).as(c[0] + "=" + c[1] + ": " + r.body()).isEqualTo(400);
            assertThat(r.json().path("field").asString()).as(c[0] + "=" + c[1] + ": " + r.body()).isEqualTo(c[0]);
        }
        // nothing was stored
        assertThat(call(baseUrl(), "GET", "/api/v1/jobs", VIEWER, null).json().valueStream()
                .flatMap(j -> j.path("request").path("clients").valueStream()).map(JsonNode::asString))
                .doesNotContain("api-r1");
    }

    @Test
    void unknownJobAnswers404AndMalformedIdAnswers400() {
        Response r = call(baseUrl(), "GET", "/api/v1/jobs/" + UUID.randomUUID(), VIEWER, null);
        assertProblem(r, 404, "not-found", null);
        assertProblem(call(baseUrl(), "GET", "/api/v1/jobs/" + UUID.randomUUID() + "/rounds", VIEWER, null), 404,
                "not-found", null);
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs/" + UUID.randomUUID() + "/cancel", SUBMITTER, null), 404,
                "not-found", null);
        assertProblem(call(baseUrl(), "GET", "/api/v1/jobs/not-a-uuid", VIEWER, null), 400, "invalid-request", "id");
    }

    @Test
    void cancellingEndsTheJobOnceAndThenAnswers409() {
        String id = submit(baseUrl(), job(List.of("api-x1"), 3));
        Response first = call(baseUrl(), "POST", "/api/v1/jobs/" + id + "/cancel", SUBMITTER, null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("state").asString()).isEqualTo("CANCELLED");
        assertThat(first.json().get("failureReason").asString()).isEqualTo("cancelled by submitter");
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs/" + id + "/cancel", SUBMITTER, null), 409,
                "illegal-transition", null);
        JsonNode rounds = call(baseUrl(), "GET", "/api/v1/jobs/" + id + "/rounds", VIEWER, null).json();
        assertThat(rounds.get(0).get("state").asString()).isEqualTo("CANCELLED");
        JsonNode tasks = call(baseUrl(), "GET", "/api/v1/jobs/" + id + "/tasks", VIEWER, null).json();
        assertThat(tasks.get(0).get("state").asString()).isEqualTo("FAILED");
    }

    @Test
    void publishesOpenApiAndHealthGroupsWithDatabaseAndObjectStore() {
        Response docs = call(baseUrl(), "GET", "/v3/api-docs", null, null);
        assertThat(docs.status()).isEqualTo(200);
        JsonNode paths = docs.json().get("paths");
        assertThat(paths.has("/api/v1/jobs")).isTrue();
        assertThat(paths.has("/api/v1/tasks/lease")).isTrue();
        assertThat(paths.has("/api/v1/jobs/{id}/events")).isTrue();

        Response readiness = call(baseUrl(), "GET", "/actuator/health/readiness", null, null);
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.json().get("status").asString()).isEqualTo("UP");
        assertThat(readiness.json().get("components").has("db")).isTrue();
        assertThat(readiness.json().get("components").get("objectStore").get("status").asString()).isEqualTo("UP");
        assertThat(call(baseUrl(), "GET", "/actuator/health/liveness", null, null).json().get("status").asString())
                .isEqualTo("UP");
        Response prometheus = call(baseUrl(), "GET", "/actuator/prometheus", null, null);
        assertThat(prometheus.body()).contains("fedex_coordinator_lease_expiries_total",
                "fedex_coordinator_uploads_rejected_total", "fedex_coordinator_rounds_total",
                "fedex_coordinator_bytes_total", "fedex_coordinator_aggregation_seconds");
    }

    @Test
    void workerTokensCannotCreateJobs() {
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", WORKER_A, job(List.of("api-w1"), 1)), 403, "forbidden", null);
    }

    static void assertProblem(Response r, int status, String type, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("type").asString()).isEqualTo("https://fedex-lora.dev/problems/" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        if (field != null) {
            assertThat(p.get("field").asString()).isEqualTo(field);
        }
    }
}
