package dev.fedexlora.coordinator.task;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.AbstractRegistryContractIntegrationTests;
import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestWorker;
import dev.fedexlora.core.peft.PeftAdapters;
import tools.jackson.databind.JsonNode;

/**
 * Upload URLs live as long as the lease (8 s here), each attempt of a task writes its own keys, and heartbeats hand
 * out fresh URLs. A PUT after the task is DONE, through the earlier attempt's URL or the done attempt's own, changes
 * nothing: the round aggregates the verified upload at its first attempt.
 */
class LateUploadIntegrationTests extends AbstractRegistryContractIntegrationTests {

    private static final Pattern EXPIRES = Pattern.compile("X-Amz-Expires=(\\d+)");

    @Test
    void aPutAfterDoneNeitherAltersTheVersionNorRetriesTheRound() {
        TestWorker w = new TestWorker(baseUrl(), WORKER_A, "late-a", Map.of("lu-c1", Map.of("wordnet-nouns", 10L)))
                .register();
        String jobId = submit(baseUrl(), job(List.of("lu-c1"), 1));
        JsonNode first = w.awaitLease(10_000);
        String firstUrl = first.get("upload").get(PeftAdapters.WEIGHTS_FILE).asString();
        assertThat(expiresSeconds(firstUrl)).isBetween(1L, 8L);
        assertThat(w.fail(first.get("taskId").asString(), "first attempt gives up").status()).isEqualTo(200);
        JsonNode second = w.awaitLease(10_000);
        assertThat(second.get("taskId").asString()).isEqualTo(first.get("taskId").asString());
        String secondUrl = second.get("upload").get(PeftAdapters.WEIGHTS_FILE).asString();
        assertThat(URI.create(secondUrl).getPath()).isNotEqualTo(URI.create(firstUrl).getPath());

        JsonNode beat = w.heartbeat(second.get("taskId").asString()).json();
        assertThat(beat.get("upload").get(PeftAdapters.WEIGHTS_FILE).asString()).contains(URI.create(secondUrl).getPath());
        assertThat(expiresSeconds(beat.get("upload").get(PeftAdapters.CONFIG_FILE).asString())).isBetween(1L, 8L);

        Map<String, byte[]> honest = TestAdapters.files(TestAdapters.random(61, 4, 8.0, TestAdapters.HIDDEN));
        Map<String, String> sha = w.upload(second, honest);
        assertThat(w.complete(second, sha, 10, Map.of("loss", 0.3)).status()).isEqualTo(200);
        // Late writes, through both attempts' URLs, of a different (valid) adapter.
        byte[] other = TestAdapters.files(TestAdapters.random(62, 4, 8.0, TestAdapters.HIDDEN))
                .get(PeftAdapters.WEIGHTS_FILE);
        for (String url : List.of(firstUrl, secondUrl)) {
            TestWorker.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(other))
                    .build());
        }

        JsonNode done = awaitJob(baseUrl(), jobId, "SUCCEEDED", 30_000);
        JsonNode rounds = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json();
        assertThat(rounds).hasSize(1);
        assertThat(rounds.get(0).get("attempt").asInt()).isEqualTo(1);
        JsonNode version = call(CoordinatorTestSupport.registry().url(), "GET",
                "/api/v1/models/" + MODEL + "/versions/" + done.get("modelVersion").asInt(),
                dev.fedexlora.coordinator.support.InProcessRegistry.READER_TOKEN, null).json();
        assertThat(version.get("clients").get(0).get("adapterSha256").asString())
                .isEqualTo(sha.get(PeftAdapters.WEIGHTS_FILE));
    }

    /**
     * The same late PUT, then the coordinator forgets what it kept (as after a restart) before the round closes:
     * the round reads the coordinator's own copy of the verified bytes, not the changed upload, and aggregates at
     * its first attempt.
     */
    @Test
    void aRoundThatReadsItsUploadsAgainReadsTheVerifiedCopy(
            @org.springframework.beans.factory.annotation.Autowired VerifiedUploads uploads,
            @org.springframework.beans.factory.annotation.Autowired TaskRepository tasks) {
        TestWorker w = new TestWorker(baseUrl(), WORKER_A, "late-b", Map.of("lu-d1", Map.of("wordnet-nouns", 10L),
                "lu-d2", Map.of("wordnet-nouns", 10L))).register();
        String jobId = submit(baseUrl(), job(List.of("lu-d1", "lu-d2"), 1));
        JsonNode first = w.awaitLease(10_000);
        String url = first.get("upload").get(PeftAdapters.WEIGHTS_FILE).asString();
        Map<String, String> sha = w.upload(first, TestAdapters.files(TestAdapters.random(63, 4, 8.0,
                TestAdapters.HIDDEN)));
        assertThat(w.complete(first, sha, 10, Map.of("loss", 0.3)).status()).isEqualTo(200);
        TestWorker.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(
                TestAdapters.files(TestAdapters.random(64, 4, 8.0, TestAdapters.HIDDEN)).get(PeftAdapters.WEIGHTS_FILE)))
                .build());
        uploads.forgetRound(tasks.findById(java.util.UUID.fromString(first.get("taskId").asString())).orElseThrow()
                .getRoundId());

        JsonNode second = w.awaitLease(10_000);
        Map<String, String> sha2 = w.upload(second, TestAdapters.files(TestAdapters.random(65, 4, 8.0,
                TestAdapters.HIDDEN)));
        assertThat(w.complete(second, sha2, 10, Map.of("loss", 0.4)).status()).isEqualTo(200);

        JsonNode done = awaitJob(baseUrl(), jobId, "SUCCEEDED", 30_000);
        JsonNode rounds = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/rounds", VIEWER, null).json();
        assertThat(rounds.get(0).get("attempt").asInt()).isEqualTo(1);
        JsonNode version = call(CoordinatorTestSupport.registry().url(), "GET",
                "/api/v1/models/" + MODEL + "/versions/" + done.get("modelVersion").asInt(),
                dev.fedexlora.coordinator.support.InProcessRegistry.READER_TOKEN, null).json();
        assertThat(version.get("clients").findValuesAsString("adapterSha256"))
                .contains(sha.get(PeftAdapters.WEIGHTS_FILE), sha2.get(PeftAdapters.WEIGHTS_FILE));
    }

    private static long expiresSeconds(String url) {
        Matcher m = EXPIRES.matcher(url);
        assertThat(m.find()).as(url).isTrue();
        return Long.parseLong(m.group(1));
    }
}
