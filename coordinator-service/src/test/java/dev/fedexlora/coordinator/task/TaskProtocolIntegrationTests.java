package dev.fedexlora.coordinator.task;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_B;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.AbstractRegistryContractIntegrationTests;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestWorker;
import dev.fedexlora.coordinator.support.TestWorker.Response;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import tools.jackson.databind.JsonNode;

/**
 * The worker side of the protocol under what real deployments do: a worker that vanishes (its lease expires and
 * another worker gets the task), corrupt uploads, a completion sent twice, and tokens used beyond their role.
 */
class TaskProtocolIntegrationTests extends AbstractRegistryContractIntegrationTests {

    private static final Map<String, Object> METRICS = Map.of("loss", 0.7, "accuracy", 0.6);

    @Test
    void anExpiredLeaseIsOfferedAgainAndTheFirstWorkerHasLostIt() {
        TestWorker gone = worker(WORKER_A, "exp-a", "exp-c1");
        TestWorker other = worker(WORKER_B, "exp-b", "exp-c1");
        String jobId = submit(baseUrl(), job(List.of("exp-c1"), 1));
        double expiriesBefore = metric("fedex_coordinator_lease_expiries_total");

        JsonNode first = gone.awaitLease(10_000);
        String taskId = first.get("taskId").asString();
        assertThat(gone.heartbeat(taskId).status()).isEqualTo(200);
        // The worker vanishes: no heartbeat for longer than the 8 s lease.
        JsonNode task = awaitTask(jobId, t -> t.get("state").asString().equals("OFFERED") && t.get("attempts").asInt() == 1);
        assertThat(task.get("id").asString()).isEqualTo(taskId);
        assertThat(metric("fedex_coordinator_lease_expiries_total")).isGreaterThan(expiriesBefore);

        JsonNode second = other.awaitLease(10_000);
        assertThat(second.get("taskId").asString()).isEqualTo(taskId);
        // the task is now the other worker's: the first learns nothing about it
        assertProblem(gone.heartbeat(taskId), 404, "not-found");
        // Its upload URLs expired with its lease: the object store refuses the late PUT, and completing is refused.
        Map<String, byte[]> lateFiles = TestAdapters.files(adapter(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> gone.upload(first, lateFiles))
                .hasMessageContaining("answered 403");
        Map<String, String> late = new java.util.LinkedHashMap<>();
        lateFiles.forEach((file, bytes) -> late.put(file, dev.fedexlora.core.checksum.Sha256.hex(bytes)));
        assertProblem(gone.complete(first, late, 10, METRICS), 404, "not-found");

        Map<String, String> sha = other.upload(second, TestAdapters.files(adapter(2)));
        assertThat(other.complete(second, sha, 10, METRICS).status()).isEqualTo(200);
        awaitJob(baseUrl(), jobId, "SUCCEEDED", 30_000);
        assertThat(events(jobId)).contains("lease expired");
    }

    @Test
    void corruptUploadsFailTheTaskWithTheirReasonAndTheTaskIsOfferedAgain() {
        TestWorker w = worker(WORKER_A, "bad-a", "bad-c1");
        String jobId = submit(baseUrl(), job(List.of("bad-c1"), 1));
        double rejectedBefore = metric("fedex_coordinator_uploads_rejected_total");

        // 1. The claimed checksum is not what was stored.
        JsonNode lease = w.awaitLease(10_000);
        Map<String, String> sha = new HashMap<>(w.upload(lease, TestAdapters.files(adapter(3))));
        sha.put(PeftAdapters.WEIGHTS_FILE, "0".repeat(64));
        Response r = w.complete(lease, sha, 10, METRICS);
        assertProblem(r, 422, "upload-rejected");
        assertThat(r.json().get("detail").asString()).contains("SHA-256");
        JsonNode task = awaitTask(jobId, t -> t.get("state").asString().equals("OFFERED"));
        assertThat(task.get("attempts").asInt()).isEqualTo(1);
        assertThat(task.get("failureReason").asString()).contains("upload rejected").contains("SHA-256");

        // 2. A NaN in lora_B, with an honest checksum.
        lease = w.awaitLease(10_000);
        LoraAdapter nan = adapter(4);
        LoraLayer first = nan.layers().values().iterator().next();
        first.b().data()[0] = Float.NaN;
        r = w.complete(lease, w.upload(lease, TestAdapters.files(nan)), 10, METRICS);
        assertProblem(r, 422, "upload-rejected");
        assertThat(r.json().get("detail").asString()).contains("NaN");

        // 3. The wrong rank, and 4. bytes that are no safetensors file at all.
        lease = w.awaitLease(10_000);
        r = w.complete(lease, w.upload(lease, TestAdapters.files(TestAdapters.random(5, 2, 8.0, TestAdapters.HIDDEN))),
                10, METRICS);
        assertProblem(r, 422, "upload-rejected");
        assertThat(r.json().get("detail").asString()).contains("r: is 2 but the job's rank is 4");
        lease = w.awaitLease(10_000);
        Map<String, byte[]> garbage = new HashMap<>(TestAdapters.files(adapter(6)));
        garbage.put(PeftAdapters.WEIGHTS_FILE, "not a tensor file".getBytes(StandardCharsets.UTF_8));
        r = w.complete(lease, w.upload(lease, garbage), 10, METRICS);
        assertProblem(r, 422, "upload-rejected");
        assertThat(r.json().get("detail").asString()).contains("not a valid PEFT adapter");
        assertThat(metric("fedex_coordinator_uploads_rejected_total")).isEqualTo(rejectedBefore + 4);

        // A good upload still completes the job.
        lease = w.awaitLease(10_000);
        assertThat(w.complete(lease, w.upload(lease, TestAdapters.files(adapter(7))), 10, METRICS).status())
                .isEqualTo(200);
        awaitJob(baseUrl(), jobId, "SUCCEEDED", 30_000);
        assertThat(events(jobId)).contains("TaskFailed");
    }

    @Test
    void aCompletionClaimingMoreExamplesThanRegisteredIsRefusedNamingTheField() {
        TestWorker w = worker(WORKER_A, "ex-a", "ex-c1"); // 50 examples of wordnet-nouns
        submit(baseUrl(), job(List.of("ex-c1"), 1));
        JsonNode lease = w.awaitLease(10_000);
        Response r = w.complete(lease, w.upload(lease, TestAdapters.files(adapter(3))), 9_000_000_000_000_000_000L,
                METRICS);
        assertProblem(r, 422, "upload-rejected");
        assertThat(r.json().get("field").asString()).isEqualTo("examples");
        assertThat(r.json().get("detail").asString()).contains("50 examples");
        // offered again; the registered count itself completes
        JsonNode again = w.awaitLease(10_000);
        assertThat(w.complete(again, w.upload(again, TestAdapters.files(adapter(3))), 50, METRICS).status())
                .isEqualTo(200);
    }

    @Test
    void aSecondCompletionIsAnsweredWithTheFirstOnesResult() {
        TestWorker w = worker(WORKER_A, "dup-a", "dup-c1", "dup-c2");
        String jobId = submit(baseUrl(), job(List.of("dup-c1", "dup-c2"), 1));
        JsonNode lease = w.awaitLease(10_000);
        Map<String, String> sha = w.upload(lease, TestAdapters.files(adapter(8)));
        Response first = w.complete(lease, sha, 42, METRICS);
        assertThat(first.status()).isEqualTo(200);
        Response again = w.complete(lease, sha, 42, METRICS);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(first.json().get("state").asString()).isEqualTo("DONE");
        // Even a retry with other numbers (a confused worker) does not change the recorded completion.
        Response confused = w.complete(lease, sha, 7, Map.of("loss", 9.9));
        assertThat(confused.json()).isEqualTo(first.json());

        String taskId = lease.get("taskId").asString();
        JsonNode task = awaitTask(jobId, t -> t.get("id").asString().equals(taskId));
        assertThat(task.get("examples").asLong()).isEqualTo(42);
        assertThat(task.get("state").asString()).isEqualTo("DONE");
        // End the job so that its event stream ends, then count the completions it recorded.
        assertThat(call(baseUrl(), "POST", "/api/v1/jobs/" + jobId + "/cancel", SUBMITTER, null).status()).isEqualTo(200);
        assertThat(events(jobId).lines().filter(l -> l.equals("event:TaskCompleted")).count()).isEqualTo(1);
    }

    @Test
    void tokensAreHeldToTheirRoles() {
        TestWorker a = worker(WORKER_A, "role-a", "role-c1");
        TestWorker b = worker(WORKER_B, "role-b", "role-c2");
        String jobId = submit(baseUrl(), job(List.of("role-c1"), 1));

        // Unauthenticated and unknown tokens: 401.
        assertProblem(call(baseUrl(), "GET", "/api/v1/jobs", null, null), 401, "unauthorized");
        assertProblem(call(baseUrl(), "GET", "/api/v1/jobs", "no-such-token", null), 401, "unauthorized");
        // A viewer reads but never writes.
        assertThat(call(baseUrl(), "GET", "/api/v1/jobs/" + jobId, VIEWER, null).status()).isEqualTo(200);
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", VIEWER, job(List.of("role-c1"), 1)), 403, "forbidden");
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs/" + jobId + "/cancel", VIEWER, null), 403, "forbidden");
        assertProblem(call(baseUrl(), "POST", "/api/v1/tasks/lease", VIEWER, Map.of("workerId", a.workerId)), 403,
                "forbidden");
        // A submitter is no worker.
        assertProblem(call(baseUrl(), "POST", "/api/v1/tasks/lease", SUBMITTER, Map.of("workerId", a.workerId)),
                403, "forbidden");
        // A worker cannot create jobs nor read jobs, their tasks or their events.
        assertProblem(call(baseUrl(), "POST", "/api/v1/jobs", WORKER_A, job(List.of("role-c1"), 1)), 403, "forbidden");
        assertProblem(call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/tasks", WORKER_A, null), 403, "forbidden");
        assertProblem(call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/events", WORKER_B, null), 403, "forbidden");

        // Worker B's credential cannot act as worker A, nor touch the task A leased: 404, as for unknown ones.
        JsonNode lease = a.awaitLease(10_000);
        String taskId = lease.get("taskId").asString();
        assertProblem(call(baseUrl(), "POST", "/api/v1/tasks/lease", WORKER_B, Map.of("workerId", a.workerId)), 404,
                "not-found");
        assertProblem(call(baseUrl(), "POST", "/api/v1/tasks/" + taskId + "/heartbeat", WORKER_B,
                Map.of("workerId", a.workerId)), 404, "not-found");
        assertProblem(b.heartbeat(taskId), 404, "not-found");
        assertProblem(b.fail(taskId, "not mine"), 404, "not-found");
        Map<String, String> sha = a.upload(lease, TestAdapters.files(adapter(9)));
        assertProblem(b.complete(lease, sha, 10, METRICS), 404, "not-found");
        assertThat(b.lease()).isEmpty();
        assertThat(a.complete(lease, sha, 10, METRICS).status()).isEqualTo(200);
        // A's finished task: B completing it again learns nothing (no hashes), A's own repeat is idempotent.
        Response again = b.complete(lease, sha, 10, METRICS);
        assertProblem(again, 404, "not-found");
        assertThat(again.body()).doesNotContain(sha.values().iterator().next());
        assertProblem(b.fail(taskId, "not mine"), 404, "not-found");
        assertThat(a.complete(lease, sha, 10, METRICS).status()).isEqualTo(200);
    }

    private TestWorker worker(String token, String name, String... clients) {
        Map<String, Map<String, Long>> hosted = new HashMap<>();
        for (String c : clients) {
            hosted.put(c, Map.of("wordnet-nouns", 50L));
        }
        return new TestWorker(baseUrl(), token, name, hosted).register();
    }

    private static LoraAdapter adapter(long seed) {
        return TestAdapters.random(seed, 4, 8.0, TestAdapters.HIDDEN);
    }

    private JsonNode awaitTask(String jobId, java.util.function.Predicate<JsonNode> condition) {
        long until = System.currentTimeMillis() + 15_000;
        JsonNode tasks = null;
        while (System.currentTimeMillis() < until) {
            tasks = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/tasks", VIEWER, null).json();
            for (JsonNode t : tasks) {
                if (condition.test(t)) {
                    return t;
                }
            }
            TestWorker.sleep(100);
        }
        throw new AssertionError("no task of job " + jobId + " reached the condition: " + tasks);
    }

    /** The job's whole event stream; the job must have ended (the stream closes after its final event). */
    private String events(String jobId) {
        return call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/events", VIEWER, null).body();
    }

    private double metric(String name) {
        return call(baseUrl(), "GET", "/actuator/prometheus", null, null).body().lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static void assertProblem(Response r, int status, String type) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asString()).isEqualTo("https://fedex-lora.dev/problems/" + type);
    }
}
