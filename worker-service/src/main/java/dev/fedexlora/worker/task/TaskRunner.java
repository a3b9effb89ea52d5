package dev.fedexlora.worker.task;

import dev.fedexlora.core.checksum.Sha256;
import dev.fedexlora.core.protocol.Method;
import dev.fedexlora.core.protocol.Task;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.training.FrozenFeatureCache;
import dev.fedexlora.train.training.ProgressListener;
import dev.fedexlora.train.training.TaskTrainer;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import dev.fedexlora.worker.WorkerProperties;
import dev.fedexlora.worker.client.LocalClients;
import dev.fedexlora.worker.coordinator.CoordinatorClient;
import dev.fedexlora.worker.coordinator.LeaseLostException;
import dev.fedexlora.core.protocol.TaskLease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Carries out one leased task: fetch the global state through the lease's presigned URLs, train the client on its
 * local shard while renewing the lease, upload the adapter through the presigned PUTs (fresh ones from the latest
 * heartbeat: they expire with the lease) and complete the task with each file's SHA-256, the example count and the
 * metrics; upload and completion are retried through outages ({@link Delivery}). Any failure is reported with its
 * reason; a lost lease stops the work and reports nothing (the task belongs to someone else by then).
 */
@Component
class TaskRunner {

    /** What became of a task. */
    enum Outcome { COMPLETED, FAILED, LEASE_LOST }

    /** A lease's base always has these, and its weights: model.safetensors, or the index with its shards. */
    static final Set<String> BASE_FILES = Set.of("config.json", "tokenizer.json");
    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

    private final CoordinatorClient coordinator;
    private final LocalClients clients;
    private final BaseModelCache cache;
    private final Transfers transfers;
    private final WorkerProperties properties;
    private final FrozenFeatureCache features;
    private final FoldedCheckpoints folded;
    private final CausalLmTasks causalLm;
    private volatile boolean stopping;

    TaskRunner(CoordinatorClient coordinator, LocalClients clients, BaseModelCache cache, Transfers transfers,
               WorkerProperties properties, FoldedCheckpoints folded, CausalLmTasks causalLm) {
        this.coordinator = coordinator;
        this.clients = clients;
        this.cache = cache;
        this.transfers = transfers;
        this.properties = properties;
        this.features = new FrozenFeatureCache(properties.frozenCacheSize().toBytes());
        this.folded = folded;
        this.causalLm = causalLm;
    }

    /** While set, a task in training stops at its next step and fails as {@link WorkerLoop#SHUTTING_DOWN}. */
    void stopping(boolean value) {
        stopping = value;
    }

    Outcome run(TaskLease lease, UUID workerId) {
        Path taskDir = properties.cacheDir().resolve("tasks").resolve(lease.taskId().toString());
        AtomicReference<RuntimeException> lost = new AtomicReference<>();
        AtomicReference<Map<String, String>> urls = new AtomicReference<>(lease.upload());
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat-" + lease.taskId());
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, properties.heartbeatInterval().toMillis());
        heartbeat.scheduleAtFixedRate(() -> renew(lease, workerId, lost, urls), period, period, TimeUnit.MILLISECONDS);
        try {
            Trained result = train(lease, taskDir, lost);
            throwIfLost(lost);
            // Finished work is delivered even through an outage of the coordinator or the object store: both steps
            // are retried with backoff until they go through or the lease is lost.
            Delivery.retry("upload of task " + lease.taskId(), properties.deliveryRetry(), () -> stopping, attempt -> {
                throwIfLost(lost);
                if (attempt > 1) {
                    // The URLs may have expired with the lease's last renewal: a heartbeat hands out fresh ones.
                    refresh(lease, workerId, urls);
                }
                for (String file : List.of(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE)) {
                    transfers.upload(result.out().resolve(file), urls.get().get(file));
                }
            });
            Delivery.retry("completion of task " + lease.taskId(), properties.deliveryRetry(), () -> stopping,
                    attempt -> {
                        throwIfLost(lost);
                        coordinator.complete(lease.taskId(), workerId, result.examples(), result.sha256(),
                                result.metrics());
                    });
            log.info("Completed task {} (job {}, round {}, client {}): {}", lease.taskId(), lease.jobId(),
                    lease.round(), lease.clientId(), result.metrics());
            return Outcome.COMPLETED;
        } catch (LeaseLostException e) {
            log.warn("Stopped task {}: {}", lease.taskId(), e.getMessage());
            return Outcome.LEASE_LOST;
        } catch (Exception e) {
            String reason = e instanceof CancellationException ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            log.warn("Task {} of client {} failed: {}", lease.taskId(), lease.clientId(), reason);
            try {
                coordinator.fail(lease.taskId(), workerId, reason);
            } catch (RuntimeException reportFailed) {
                log.warn("Could not report the failure of task {}: {}", lease.taskId(), reportFailed.getMessage());
            }
            return Outcome.FAILED;
        } finally {
            heartbeat.shutdownNow();
            deleteQuietly(taskDir);
        }
    }

    /**
     * What one task's training produced and uploaded.
     *
     * @param sha256   SHA-256 of each uploaded file, by file name
     * @param metrics  the training report's metrics, with {@code loss}/{@code accuracy} from the held-out split
     * @param examples training examples the client used
     * @param out      the directory holding the files to upload
     */
    record Trained(Map<String, String> sha256, Map<String, Object> metrics, long examples, Path out) {
    }

    private Trained train(TaskLease lease, Path taskDir, AtomicReference<RuntimeException> lost)
            throws IOException {
        LocalClients.LocalClient client = clients.get(lease.clientId()).orElseThrow(() ->
                new IllegalArgumentException("this worker does not host client '" + lease.clientId() + "'"));
        Task task = lease.training() == null ? Task.SEQUENCE_CLASSIFICATION : lease.training().taskOrDefault();
        LocalClients.Split data = client.datasets().get(lease.dataset());
        LocalClients.LmSplit lmData = client.lmDatasets().get(lease.dataset());
        if ((task == Task.CAUSAL_LM ? lmData : data) == null) {
            Set<String> held = new java.util.TreeSet<>(task == Task.CAUSAL_LM ? client.lmDatasets().keySet()
                    : client.datasets().keySet());
            String other = (task == Task.CAUSAL_LM ? data : lmData) != null
                    ? " ('" + lease.dataset() + "' is configured for the other task)" : "";
            throw new IllegalArgumentException("client '" + lease.clientId() + "' holds no dataset '"
                    + lease.dataset() + "' for " + task + " (it holds " + held + ")" + other);
        }
        TaskLease.GlobalState state = lease.globalState();
        if (state == null || state.base() == null || !state.base().keySet().containsAll(BASE_FILES)
                || !(state.base().containsKey("model.safetensors")
                || state.base().containsKey("model.safetensors.index.json"))) {
            throw new IllegalArgumentException("the lease's global state lacks base files " + BASE_FILES
                    + " and model.safetensors (or model.safetensors.index.json with its shards)");
        }
        for (String file : List.of(PeftAdapters.CONFIG_FILE, PeftAdapters.WEIGHTS_FILE)) {
            if (lease.upload() == null || !lease.upload().containsKey(file)) {
                throw new IllegalArgumentException("the lease has no upload URL for " + file);
            }
        }
        List<TaskLease.ResidualRef> refs = new ArrayList<>(state.residuals() == null ? List.of() : state.residuals());
        refs.sort(Comparator.comparingInt(TaskLease.ResidualRef::version));
        Path start = null;
        if (state.adapter() != null && !state.adapter().isEmpty()) {
            start = taskDir.resolve("global-adapter");
            for (String file : List.of(PeftAdapters.CONFIG_FILE, PeftAdapters.WEIGHTS_FILE)) {
                TaskLease.FileRef ref = state.adapter().get(file);
                if (ref == null) {
                    throw new IllegalArgumentException("the lease's global adapter lacks " + file);
                }
                transfers.download(ref.url(), ref.sha256(), start.resolve(file));
            }
        }
        ProgressListener listener = (step, total, loss, lr) -> {
            if (lost.get() != null) {
                throw lost.get();
            }
            if (stopping) {
                throw new CancellationException(WorkerLoop.SHUTTING_DOWN);
            }
        };
        Path out = taskDir.resolve("out");
        Map<String, Object> metrics;
        long examples;
        if (task == Task.CAUSAL_LM) {
            CausalLmTasks.Result r = causalLm.train(lease, lmData, refs, start, taskDir, listener, out);
            metrics = r.metrics();
            examples = r.examples();
        } else {
            TrainingReport report = trainEncoder(lease, data, refs, start, taskDir, listener, out);
            metrics = new LinkedHashMap<>(report.metrics());
            // The coordinator averages "loss" and "accuracy" over a round's clients: the held-out evaluation.
            metrics.putIfAbsent("loss", metrics.get("evalLoss"));
            metrics.putIfAbsent("accuracy", metrics.get("evalAccuracy"));
            examples = report.examples();
        }
        Map<String, String> sha256 = new LinkedHashMap<>();
        for (String file : List.of(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE)) {
            sha256.put(file, Sha256.hex(out.resolve(file)));
        }
        metrics.values().removeIf(java.util.Objects::isNull);
        return new Trained(sha256, metrics, examples, out);
    }

    private TrainingReport trainEncoder(TaskLease lease, LocalClients.Split data, List<TaskLease.ResidualRef> refs,
                                        Path start, Path taskDir, ProgressListener listener, Path out)
            throws IOException {
        TaskLease.GlobalState state = lease.globalState();
        // Only the residuals after the longest chain already folded in memory are downloaded and applied.
        HfCheckpoint checkpoint = ResidualChain.fold(folded, transfers, BaseModelCache.key(state.base()),
                cache.load(state.base()), refs, taskDir, (c, file) -> TaskTrainer.withResiduals(c, List.of(file)));
        return TaskTrainer.run(checkpoint, start, data.train(), data.heldOut(), spec(lease),
                BertClassifier.preferredDevice(), listener, out, properties.cacheFrozenLayers() ? features : null);
    }

    TaskTrainer.Spec spec(TaskLease lease) {
        TaskLease.Training t = lease.training();
        boolean ffa = t.method() == Method.FFA;
        LoraSettings lora = new LoraSettings(t.rank(), t.alpha(), t.useRslora(), t.targetModules(), ffa);
        // The job's seed initialises the adapters (identical on every client); the batch order and dropout of
        // each client and round get their own stream from it.
        long clientSeed = t.seed() * 1_000_003L + lease.clientId().hashCode() * 31L + lease.round();
        TrainingConfig config = new TrainingConfig(t.learningRate(), t.batchSize(), Math.max(0, t.localSteps()),
                t.localSteps() > 0 ? 0 : 1, 0.06, 0.0, 1.0, properties.maxLength(), clientSeed);
        String base = lease.globalState().baseModel() == null ? null : lease.globalState().baseModel().name();
        return new TaskTrainer.Spec(lora, config, t.numLabels(), t.seed(), base);
    }

    private static void throwIfLost(AtomicReference<RuntimeException> lost) {
        if (lost.get() != null) {
            throw lost.get();
        }
    }

    /** Renews the lease now and keeps the fresh upload URLs it hands out. */
    private void refresh(TaskLease lease, UUID workerId, AtomicReference<Map<String, String>> urls) {
        CoordinatorClient.Heartbeat beat = coordinator.heartbeat(lease.taskId(), workerId);
        if (beat != null && beat.upload() != null && !beat.upload().isEmpty()) {
            urls.set(beat.upload());
        }
    }

    private void renew(TaskLease lease, UUID workerId, AtomicReference<RuntimeException> lost,
                       AtomicReference<Map<String, String>> urls) {
        try {
            refresh(lease, workerId, urls);
        } catch (LeaseLostException e) {
            lost.compareAndSet(null, e);
        } catch (RuntimeException e) {
            log.warn("Heartbeat of task {} failed, retrying: {}", lease.taskId(), e.getMessage());
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.debug("Could not delete {}: {}", dir, e.getMessage());
        }
    }
}
