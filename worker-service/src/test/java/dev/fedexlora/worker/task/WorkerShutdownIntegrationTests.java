package dev.fedexlora.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import dev.fedexlora.worker.WorkerApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Closing the worker's context (what SIGTERM does) in the middle of training: the task stops at its next step and
 * is failed with "worker shutting down", the loop thread ends before the context has closed (so the JVM never exits
 * under a running libtorch step), and nothing more is leased.
 */
class WorkerShutdownIntegrationTests {

    private FakeCoordinator fake;
    private ConfigurableApplicationContext context;

    @BeforeEach
    void start() throws Exception {
        fake = FakeCoordinator.start();
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            examples.add(new Example((i % 2 == 0 ? "a small cat " : "a heavy hammer ") + i, i % 2));
        }
        Path data = fake.root().resolve("a.jsonl");
        Jsonl.write(data, examples);
        context = new SpringApplicationBuilder(WorkerApplication.class).web(WebApplicationType.NONE).run(
                "--fedex.worker.coordinator-url=" + fake.url(),
                "--fedex.worker.token=" + FakeCoordinator.TOKEN,
                "--fedex.worker.cache-dir=" + fake.root().resolve("cache"),
                "--fedex.worker.poll-interval=100ms",
                "--fedex.worker.heartbeat-interval=100ms",
                "--fedex.worker.max-length=16",
                "--fedex.worker.clients[0].client-id=client-a",
                "--fedex.worker.clients[0].dataset=topics",
                "--fedex.worker.clients[0].path=" + data,
                // As long as Spring Boot's default: a stop that merely waited for its bound would take 30 s.
                "--spring.lifecycle.timeout-per-shutdown-phase=30s");
    }

    @AfterEach
    void stop() {
        context.close();
        fake.close();
    }

    @Test
    void closingTheContextStopsTheTaskInTrainingAndReportsItBeforeTheContextHasClosed() throws Exception {
        assertThat(fake.registrations.poll(30, TimeUnit.SECONDS)).isNotNull();
        UUID task = UUID.randomUUID();
        fake.leases.add(fake.lease(task, "client-a", "topics", 1_000_000));
        awaitTraining(Duration.ofSeconds(60));

        long start = System.nanoTime();
        context.close();
        Duration closing = Duration.ofNanos(System.nanoTime() - start);

        assertThat(closing).isLessThan(Duration.ofSeconds(5));
        assertThat(loopThread()).as("worker loop thread after close").isNull();
        // The report was sent from the loop thread, so it arrived before close() returned.
        JsonNode report = fake.reports.poll(1, TimeUnit.SECONDS);
        assertThat(report).isNotNull();
        assertThat(report.path("task").asString()).isEqualTo(task.toString());
        assertThat(report.path("kind").asString()).isEqualTo("fail");
        assertThat(report.path("reason").asString()).isEqualTo(WorkerLoop.SHUTTING_DOWN);
        int leaseCalls = fake.leaseCalls.get();
        Thread.sleep(300);
        assertThat(fake.leaseCalls.get()).isEqualTo(leaseCalls);
        assertThat(fake.reports).isEmpty();
    }

    /** Waits until the loop thread is inside the training loop (the proof that stop() meets a running step). */
    private static void awaitTraining(Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            Thread loop = loopThread();
            if (loop != null && Arrays.stream(loop.getStackTrace()).anyMatch(f -> f.getMethodName().equals("step")
                    && f.getClassName().equals("dev.fedexlora.train.training.LocalTrainer"))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the task did not start training within " + timeout);
    }

    private static Thread loopThread() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("fedex-worker-loop") && t.isAlive()).findFirst().orElse(null);
    }
}
