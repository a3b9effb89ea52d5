package dev.fedexlora.worker.task;

import dev.fedexlora.worker.WorkerProperties;
import dev.fedexlora.worker.client.LocalClients;
import dev.fedexlora.worker.coordinator.CoordinatorClient;
import dev.fedexlora.core.protocol.TaskLease;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The worker's pull loop, on one thread: register (retrying until the coordinator answers), then lease a task,
 * run it, and lease again; wait the poll interval when there is nothing to do or the coordinator is unreachable.
 * Tasks run one at a time: training uses every configured core.
 *
 * <p>{@link #stop()} (SIGTERM, context close) leases nothing more, makes a task in training stop at its next step
 * and fail with {@value #SHUTTING_DOWN} (the coordinator offers it again at once instead of waiting for the lease
 * to expire), and waits for the loop thread to end, at most {@code spring.lifecycle.timeout-per-shutdown-phase}.
 * The JVM must not exit while that thread is inside libtorch: native code torn down under a running step crashes
 * the process. The loop is never interrupted, so the failure report still gets through.
 */
@Component
class WorkerLoop implements SmartLifecycle {

    /** The failure reason of a task given up because the worker is stopping. */
    static final String SHUTTING_DOWN = "worker shutting down";
    private static final Logger log = LoggerFactory.getLogger(WorkerLoop.class);

    private final CoordinatorClient coordinator;
    private final LocalClients clients;
    private final TaskRunner runner;
    private final WorkerProperties properties;
    private final Duration stopTimeout;
    private volatile boolean running;
    private volatile UUID workerId;
    private volatile CountDownLatch wake = new CountDownLatch(0);
    private Thread thread;

    WorkerLoop(CoordinatorClient coordinator, LocalClients clients, TaskRunner runner, WorkerProperties properties,
               @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration stopTimeout) {
        this.coordinator = coordinator;
        this.clients = clients;
        this.runner = runner;
        this.properties = properties;
        this.stopTimeout = stopTimeout;
    }

    @Override
    public void start() {
        if (!properties.enabled() || clients.all().isEmpty()) {
            log.info("Worker loop not started: {}", properties.enabled() ? "no clients configured" : "disabled");
            return;
        }
        // libtorch reads its thread counts once, when the engine loads.
        System.setProperty("ai.djl.pytorch.num_threads",
                System.getProperty("ai.djl.pytorch.num_threads", Integer.toString(properties.threads())));
        running = true;
        runner.stopping(false);
        wake = new CountDownLatch(1);
        // Not a daemon: an exit that is not a signal waits for a stopping task too.
        thread = Thread.ofPlatform().name("fedex-worker-loop").daemon(false).start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                if (workerId == null) {
                    workerId = coordinator.register(registration());
                    log.info("Registered with {} as worker {} hosting {} clients", properties.coordinatorUrl(), workerId,
                            clients.all().size());
                }
                Optional<TaskLease> lease = coordinator.lease(workerId);
                if (lease.isPresent() && !running) {
                    // Leased while stopping: hand it back rather than start it.
                    coordinator.fail(lease.get().taskId(), workerId, SHUTTING_DOWN);
                    log.info("Returned task {}: {}", lease.get().taskId(), SHUTTING_DOWN);
                } else if (lease.isPresent()) {
                    runner.run(lease.get(), workerId);
                    continue;
                }
            } catch (RuntimeException e) {
                log.warn("Coordinator call failed, retrying in {}: {}", properties.pollInterval(), e.getMessage());
            }
            sleep();
        }
    }

    private CoordinatorClient.Registration registration() {
        List<CoordinatorClient.Registration.Client> list = clients.announcement().stream()
                .map(e -> new CoordinatorClient.Registration.Client(e.getKey(), e.getValue())).toList();
        return new CoordinatorClient.Registration(properties.name(), list);
    }

    /** The poll interval, cut short by {@link #stop()}. */
    private void sleep() {
        try {
            wake.await(properties.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void stop() {
        running = false;
        runner.stopping(true);
        wake.countDown();
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            if (t.join(stopTimeout)) {
                log.info("Worker loop stopped");
            } else {
                log.warn("Worker loop still busy after {}; stopping anyway", stopTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The id the coordinator gave this worker, or null before registration. */
    UUID workerId() {
        return workerId;
    }
}
