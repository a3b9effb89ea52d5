package dev.fedexlora.worker.task;

import static dev.fedexlora.worker.task.FakeCoordinator.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import io.minio.UploadObjectArgs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A worker hosting two clients against a coordinator played by the JDK's HTTP server, with the global state and
 * uploads in an in-process s3proxy reached only through presigned URLs ({@link FakeCoordinator}), training the tiny
 * encoder.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD) // stop the loop before the fake coordinator
class WorkerTaskIntegrationTests {

    static FakeCoordinator fake;
    static int trainExamplesOfA;

    @DynamicPropertySource
    static void start(DynamicPropertyRegistry registry) throws Exception {
        fake = FakeCoordinator.start();
        Path root = fake.root();
        List<Example> a = new ArrayList<>();
        List<Example> b = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            a.add(new Example((i % 2 == 0 ? "a small cat " : "a heavy hammer ") + i, i % 2));
            b.add(new Example((i % 2 == 0 ? "the old dog " : "the new wrench ") + i, i % 2));
        }
        Jsonl.write(root.resolve("a.jsonl"), a);
        Jsonl.write(root.resolve("b.jsonl"), b);
        trainExamplesOfA = 60 - (int) Math.round(60 * 0.2);
        registry.add("fedex.worker.coordinator-url", fake::url);
        registry.add("fedex.worker.token", () -> FakeCoordinator.TOKEN);
        registry.add("fedex.worker.cache-dir", () -> root.resolve("cache").toString());
        registry.add("fedex.worker.poll-interval", () -> "100ms");
        registry.add("fedex.worker.heartbeat-interval", () -> "100ms");
        registry.add("fedex.worker.held-out-fraction", () -> "0.2");
        registry.add("fedex.worker.max-length", () -> "16");
        registry.add("fedex.worker.clients[0].client-id", () -> "client-a");
        registry.add("fedex.worker.clients[0].dataset", () -> "topics");
        registry.add("fedex.worker.clients[0].path", () -> root.resolve("a.jsonl").toString());
        registry.add("fedex.worker.clients[1].client-id", () -> "client-b");
        registry.add("fedex.worker.clients[1].dataset", () -> "topics");
        registry.add("fedex.worker.clients[1].path", () -> root.resolve("b.jsonl").toString());
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    static Matrix random(int rows, int cols, Random rnd) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (rnd.nextGaussian() * 0.01);
        }
        return new Matrix(rows, cols, data);
    }

    @Test
    void registersItsClientsThenTrainsUploadsThroughPresignedUrlsAndCompletes() throws Exception {
        JsonNode registration = fake.registrations.poll(30, TimeUnit.SECONDS);
        assertThat(registration).isNotNull();
        assertThat(registration.path("clients").findValuesAsString("clientId")).containsExactly("client-a", "client-b");
        assertThat(registration.path("clients").get(0).path("datasets").path("topics").asInt()).isEqualTo(trainExamplesOfA);

        UUID wrongDataset = UUID.randomUUID();
        UUID lostLease = UUID.randomUUID();
        UUID good = UUID.randomUUID();
        fake.lostTasks.add(lostLease.toString());
        fake.leases.add(fake.lease(wrongDataset, "client-b", "no-such-dataset", 5));
        fake.leases.add(fake.lease(lostLease, "client-b", "topics", 100_000));
        fake.leases.add(fake.lease(good, "client-a", "topics", 6));

        JsonNode failure = fake.reports.poll(60, TimeUnit.SECONDS);
        assertThat(failure.path("kind").asString()).isEqualTo("fail");
        assertThat(failure.path("task").asString()).isEqualTo(wrongDataset.toString());
        assertThat(failure.path("workerId").asString()).isEqualTo(fake.workerId.toString());
        assertThat(failure.path("reason").asString()).contains("no dataset 'no-such-dataset'");

        // The task whose lease is lost is abandoned without a report; the next one completes.
        JsonNode completion = fake.reports.poll(120, TimeUnit.SECONDS);
        assertThat(completion).isNotNull();
        assertThat(completion.path("task").asString()).isEqualTo(good.toString());
        assertThat(completion.path("kind").asString()).isEqualTo("complete");
        assertThat(fake.heartbeats.get(lostLease.toString())).isPositive();
        assertThat(completion.path("examples").asInt()).isEqualTo(trainExamplesOfA);
        assertThat(completion.path("metrics").path("steps").asDouble()).isEqualTo(6.0);
        assertThat(completion.path("metrics").has("evalAccuracy")).isTrue();
        assertThat(completion.path("metrics").has("trainLoss")).isTrue();
        assertThat(completion.path("metrics").path("accuracy").asDouble())
                .isEqualTo(completion.path("metrics").path("evalAccuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(completion.path("metrics").path("loss").asDouble())
                .isEqualTo(completion.path("metrics").path("evalLoss").asDouble()).isPositive();

        String prefix = "jobs/j/rounds/1/tasks/" + good + "/";
        byte[] weights = fake.object(prefix + PeftAdapters.WEIGHTS_FILE);
        byte[] config = fake.object(prefix + PeftAdapters.CONFIG_FILE);
        assertThat(completion.path("sha256").path(PeftAdapters.WEIGHTS_FILE).asString()).isEqualTo(sha256(weights));
        assertThat(completion.path("sha256").path(PeftAdapters.CONFIG_FILE).asString()).isEqualTo(sha256(config));
        LoraAdapter adapter = PeftAdapters.fromParts(new String(config, StandardCharsets.UTF_8),
                SafeTensors.read(weights, "upload"), "upload");
        assertThat(adapter.layers()).hasSize(4);
        assertThat(adapter.config().r()).isEqualTo(4);
        assertThat(adapter.extras().get("classifier.weight").shape()).containsExactly(2, 32);
        assertThat(fake.reports.poll(500, TimeUnit.MILLISECONDS)).isNull();

        // Round 2 starts from round 1's adapter with a version's residual on the base; a residual whose bytes do
        // not match the lease's SHA-256 fails its task with that reason.
        Random rnd = new Random(3);
        Path residual = fake.root().resolve("residual.safetensors");
        Residuals.write(residual, Map.of("encoder.layer.0.attention.self.query",
                new Residual.Factored(random(32, 4, rnd), random(4, 32, rnd))));
        fake.minio.uploadObject(UploadObjectArgs.builder().bucket(FakeCoordinator.BUCKET)
                .object("models/tiny/versions/1/residual.safetensors").filename(residual.toString()).build());
        String residualSha = sha256(Files.readAllBytes(residual));
        UUID tampered = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        fake.leases.add(fake.lease(tampered, "client-b", "topics", 3,
                List.of(Map.entry("models/tiny/versions/1/residual.safetensors", "00" + residualSha.substring(2))),
                prefix));
        fake.leases.add(fake.lease(second, "client-b", "topics", 3,
                List.of(Map.entry("models/tiny/versions/1/residual.safetensors", residualSha)), prefix));
        JsonNode refused = fake.reports.poll(60, TimeUnit.SECONDS);
        assertThat(refused.path("task").asString()).isEqualTo(tampered.toString());
        assertThat(refused.path("kind").asString()).isEqualTo("fail");
        assertThat(refused.path("reason").asString()).contains("SHA-256").doesNotContain("X-Amz-Signature");
        JsonNode round2 = fake.reports.poll(120, TimeUnit.SECONDS);
        assertThat(round2.path("task").asString()).isEqualTo(second.toString());
        assertThat(round2.path("kind").asString()).isEqualTo("complete");
        assertThat(round2.path("metrics").path("steps").asDouble()).isEqualTo(3.0);
        String secondPrefix = "jobs/j/rounds/1/tasks/" + second + "/";
        LoraAdapter next = PeftAdapters.fromParts(
                new String(fake.object(secondPrefix + PeftAdapters.CONFIG_FILE), StandardCharsets.UTF_8),
                SafeTensors.read(fake.object(secondPrefix + PeftAdapters.WEIGHTS_FILE), "upload"),
                "upload");
        assertThat(next.layers().keySet()).isEqualTo(adapter.layers().keySet());

        // The next round's chain extends the one folded for that task: only version 2's residual is downloaded.
        // Version 1's URL now names no object, so the task completes only if its folded state is reused.
        Path residual2 = fake.root().resolve("residual-2.safetensors");
        Residuals.write(residual2, Map.of("encoder.layer.1.attention.self.value",
                new Residual.Factored(random(32, 4, rnd), random(4, 32, rnd))));
        fake.minio.uploadObject(UploadObjectArgs.builder().bucket(FakeCoordinator.BUCKET)
                .object("models/tiny/versions/2/residual.safetensors").filename(residual2.toString()).build());
        UUID third = UUID.randomUUID();
        fake.leases.add(fake.lease(third, "client-b", "topics", 3,
                List.of(Map.entry("models/tiny/versions/1/gone.safetensors", residualSha),
                        Map.entry("models/tiny/versions/2/residual.safetensors",
                                sha256(Files.readAllBytes(residual2)))), secondPrefix));
        JsonNode round3 = fake.reports.poll(120, TimeUnit.SECONDS);
        assertThat(round3.path("task").asString()).isEqualTo(third.toString());
        assertThat(round3.path("kind").asString()).as(round3.toString()).isEqualTo("complete");

        // The base checkpoint was fetched once into the content-addressed cache; task scratch space is gone.
        try (var dirs = Files.list(fake.root().resolve("cache/base"))) {
            assertThat(dirs.toList()).hasSize(1);
        }
        // (the scratch directory goes after the completion is sent, so give the worker a moment)
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (var dirs = Files.list(fake.root().resolve("cache/tasks"))) {
                List<Path> left = dirs.toList();
                if (left.isEmpty() || System.nanoTime() > until) {
                    assertThat(left).isEmpty();
                    break;
                }
            }
            Thread.sleep(100);
        }
    }

    @Test
    void finishedWorkIsDeliveredThroughACoordinatorOutageAndDroppedWhenTheLeaseIsLost() throws Exception {
        assertThat(fake.registrations.poll(30, TimeUnit.SECONDS)).isNotNull();
        UUID outage = UUID.randomUUID();
        UUID lost = UUID.randomUUID();
        // The coordinator is down for the first three completions (1 + 2 + 4 s of backoff), then answers.
        fake.completeAnswers.put(outage.toString(), new java.util.concurrent.ConcurrentLinkedQueue<>(
                List.of(503, 503, 503)));
        // This one's lease is gone by the time its work is finished: 409, never retried, nothing reported.
        fake.completeAnswers.put(lost.toString(), new java.util.concurrent.ConcurrentLinkedQueue<>(List.of(409)));
        fake.leases.add(fake.lease(outage, "client-a", "topics", 3));
        fake.leases.add(fake.lease(lost, "client-b", "topics", 3));

        JsonNode completion = fake.reports.poll(120, TimeUnit.SECONDS);
        assertThat(completion).isNotNull();
        assertThat(completion.path("task").asString()).isEqualTo(outage.toString());
        assertThat(completion.path("kind").asString()).isEqualTo("complete");
        assertThat(fake.completeCalls.get(outage.toString())).isEqualTo(4);

        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (fake.completeCalls.get(lost.toString()) == null && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertThat(fake.reports.poll(5, TimeUnit.SECONDS)).as("nothing reported for a lost lease").isNull();
        assertThat(fake.completeCalls.get(lost.toString())).isEqualTo(1);
    }
}
