package dev.fedexlora.worker.task;

import dev.fedexlora.worker.WorkerProperties;
import dev.fedexlora.worker.client.LocalClients;
import dev.fedexlora.worker.coordinator.CoordinatorClient;
import dev.fedexlora.worker.coordinator.TaskLease;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The worker's pull loop, on one thread: register (retrying until the coordinator answers), then lease a task,
 * run it, and lease again; wait the poll interval when there is nothing to do or the coordinator is unreachable.
 * Tasks run one at a time: training uses every configured core.
 */
@Component
class WorkerLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerLoop.class);

    private final CoordinatorClient coordinator;
    private final LocalClients clients;
    private final TaskRunner runner;
    private final WorkerProperties properties;
    private volatile boolean running;
    private volatile UUID workerId;
    private Thread thread;

    WorkerLoop(CoordinatorClient coordinator, LocalClients clients, TaskRunner runner, WorkerProperties properties) {
        this.coordinator = coordinator;
        this.clients = clients;
        this.runner = runner;
        this.properties = properties;
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
        thread = Thread.ofPlatform().name("fedex-worker-loop").daemon(true).start(this::loop);
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
                if (lease.isPresent()) {
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

    private void sleep() {
        try {
            Thread.sleep(properties.pollInterval());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
