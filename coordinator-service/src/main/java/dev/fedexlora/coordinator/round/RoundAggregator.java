package dev.fedexlora.coordinator.round;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.fedexlora.coordinator.CoordinatorMetrics;
import dev.fedexlora.coordinator.job.JobEntity;
import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.core.protocol.Method;
import dev.fedexlora.coordinator.job.Weighting;
import dev.fedexlora.coordinator.registry.RegistryClient;
import dev.fedexlora.coordinator.registry.RegistryCallException;
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.coordinator.task.TaskEntity;
import dev.fedexlora.coordinator.task.TaskKeys;
import dev.fedexlora.coordinator.task.UploadVerifier;
import dev.fedexlora.coordinator.task.VerifiedUploads;
import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.checksum.Sha256;
import dev.fedexlora.core.aggregate.Aggregator;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.aggregate.RobustOptions;
import dev.fedexlora.core.validate.RejectedUploadException;
import dev.fedexlora.core.validate.ResultChecks;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import tools.jackson.databind.json.JsonMapper;

/**
 * Aggregates one closed round: takes every done task's upload as verified at completion ({@link VerifiedUploads}:
 * read from the object store once per round, at completion), aggregates with lora-core, checks exactness, writes the version artifacts under
 * {@code jobs/{job}/rounds/{r}/version/}; {@link RoundRegistrar} then registers the version. Idempotent: after a
 * crash it runs again with the same inputs, writes the same bytes, and adopts a registration the registry already
 * committed.
 */
@Component
class RoundAggregator {

    private static final Logger log = LoggerFactory.getLogger(RoundAggregator.class);

    /** design.md §1: the exact methods must reproduce the ideal update to this relative error in fp32. */
    static final double EXACTNESS_TOLERANCE = 1e-5;

    private final ObjectStore store;
    private final VerifiedUploads uploads;
    private final RegistryClient registry;
    private final CoordinatorMetrics metrics;
    private final JsonMapper json;

    RoundAggregator(ObjectStore store, VerifiedUploads uploads, RegistryClient registry, CoordinatorMetrics metrics,
                    JsonMapper json) {
        this.store = store;
        this.uploads = uploads;
        this.registry = registry;
        this.metrics = metrics;
        this.json = json;
    }

    /** What one aggregation produced; recorded on the round. */
    record Outcome(int participants, Double meanLoss, Double meanAccuracy, double exactnessError, double deviation,
                   long residualBytes, long bytesMoved, double seconds, int modelVersion) {

        Outcome withVersion(int version) {
            return new Outcome(participants, meanLoss, meanAccuracy, exactnessError, deviation, residualBytes,
                    bytesMoved, seconds, version);
        }
    }

    /** The round cannot aggregate with these inputs (a retry of the round may succeed). */
    static final class Unaggregatable extends Exception {
        Unaggregatable(String message) {
            super(message);
        }
    }

    /** A round aggregated, its artifacts written, its version not yet registered. */
    record Prepared(java.util.UUID jobId, int round, String model, RegistryClient.RegisterVersion body,
                    Outcome outcome) {
    }

    /**
     * Aggregates the round and writes its version's artifacts; registering is {@link #register(Prepared)}'s, off
     * the scheduler thread. Idempotent: the same inputs write the same bytes.
     */
    Prepared aggregate(JobEntity job, JobRequest request, RoundEntity round, List<TaskEntity> done)
            throws Unaggregatable {
        long started = System.nanoTime();
        List<TaskEntity> tasks = new ArrayList<>(done);
        tasks.sort(Comparator.comparing(TaskEntity::getClientId));
        List<LoraAdapter> adapters = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long bytesIn = 0;
        for (TaskEntity t : tasks) {
            // Verified and parsed at completion: no second read of the upload (VerifiedUploads).
            try {
                UploadVerifier.Verified upload = uploads.adapter(t, request, job.getBaseModelName());
                adapters.add(upload.adapter());
                bytesIn += upload.bytes();
            } catch (VerifiedUploads.Unreadable e) {
                throw new Unaggregatable(e.getMessage());
            }
            names.add("client " + t.getClientId());
        }
        double[] weights = weights(request, tasks);
        AggregationResult result;
        try {
            result = Aggregator.aggregate(request.method().aggregation(), adapters, weights, names, true,
                    robustOptions(job, request, round));
            ResultChecks.requireFinite(result, "job " + job.getId() + " round " + round.getNumber());
        } catch (IllegalArgumentException | RejectedUploadException e) {
            throw new Unaggregatable("aggregation refused the adapters: " + e.getMessage());
        }
        double exactness = result.maxExactnessError();
        if (request.method() != Method.FEDIT && !(exactness <= EXACTNESS_TOLERANCE)) {
            throw new Unaggregatable("exactness error " + exactness + " exceeds " + EXACTNESS_TOLERANCE);
        }
        double[] p = participantWeights(result, tasks.size());
        Double meanLoss = weightedMetric(tasks, p, "loss");
        Double meanAccuracy = weightedMetric(tasks, p, "accuracy");

        Map<String, byte[]> files = new LinkedHashMap<>();
        try {
            // A round whose residual is zero everywhere (one client, FedIT, FFA's shared A) has no residual file:
            // the version's base weights are its parent's, and an empty safetensors file is no valid artifact.
            if (!result.residuals().isEmpty()) {
                files.put(Residuals.FILE, SafeTensors.toBytes(Residuals.toTensorFile(result.residuals())));
            }
            files.put(PeftAdapters.WEIGHTS_FILE, SafeTensors.toBytes(PeftAdapters.weights(result.global())));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the aggregated adapter", e);
        }
        files.put(PeftAdapters.CONFIG_FILE, PeftAdapters.configJson(result.global()).getBytes(StandardCharsets.UTF_8));
        files.put("report.json", report(job, round, request, tasks, result));
        List<RegistryClient.ArtifactRef> artifacts = new ArrayList<>();
        long bytesOut = 0;
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String key = TaskKeys.version(job.getId(), round.getNumber(), f.getKey());
            store.put(key, f.getValue());
            bytesOut += f.getValue().length;
            artifacts.add(new RegistryClient.ArtifactRef(f.getKey(), key, Sha256.hex(f.getValue()),
                    f.getValue().length));
        }
        metrics.bytesMoved("out", bytesOut);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        metrics.aggregated(took);

        List<RegistryClient.Client> clients = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            TaskEntity t = tasks.get(i);
            clients.add(new RegistryClient.Client(t.getClientId(), t.getAdapterSha256(),
                    t.getExamples() == null ? 0 : t.getExamples(), p[i]));
        }
        Map<String, Object> versionMetrics = new LinkedHashMap<>();
        versionMetrics.put("participants", tasks.size());
        versionMetrics.put("maxDeviation", result.maxDeviation());
        versionMetrics.put("residualBytes", result.residualBytes());
        if (result.robustness().clipNorm() > 0 || result.robustness().outlierFactor() > 0) {
            versionMetrics.put("robust.clipped", result.robustness().clipped());
            versionMetrics.put("robust.rejected", result.robustness().rejected());
            if (Double.isFinite(result.robustness().medianNorm())) {
                versionMetrics.put("robust.medianUpdateNorm", result.robustness().medianNorm());
            }
        }
        if (meanLoss != null) {
            versionMetrics.put("meanLoss", meanLoss);
        }
        if (meanAccuracy != null) {
            versionMetrics.put("meanAccuracy", meanAccuracy);
        }
        for (String m : List.of("perplexity", "tokenAccuracy", "exactMatch")) {
            Double v = weightedMetric(tasks, p, m);
            if (v != null) {
                versionMetrics.put("mean" + Character.toUpperCase(m.charAt(0)) + m.substring(1), v);
            }
        }
        // Flat keys so the version page lists them: the worst layer of each projection type (q_proj … down_proj).
        LayerGroups.byProjection(result.layers()).forEach((projection, g) -> {
            versionMetrics.put("maxExactnessError." + projection, g.maxExactnessError());
            versionMetrics.put("maxDeviation." + projection, g.maxDeviation());
        });
        int parent = job.currentModelVersion();
        RegistryClient.RegisterVersion body = new RegistryClient.RegisterVersion(parent,
                new RegistryClient.JobSource(job.getId().toString(), round.getNumber()), request.method().name(),
                clients, versionMetrics, exactness, artifacts);
        log.info("Job {} round {}: {} clients aggregated with {} (exactness {}, deviation {}); registering",
                job.getId(), round.getNumber(), tasks.size(), request.method(), exactness, result.maxDeviation());
        return new Prepared(job.getId(), round.getNumber(), job.getBaseModelName(), body,
                new Outcome(tasks.size(), meanLoss, meanAccuracy, exactness, result.maxDeviation(),
                        result.residualBytes(), bytesIn + bytesOut, took.toNanos() / 1e9, 0));
    }

    /**
     * Registers a prepared round's version. A 409 naming the version this job round already has adopts it (the
     * registry committed it earlier and our answer was lost).
     *
     * @throws Unaggregatable             when the registry refuses the version (another 4xx): retrying cannot help
     * @throws RegistryCallException      when the registry cannot be reached or fails (5xx): retry later
     */
    int register(Prepared prepared) throws Unaggregatable {
        String model = prepared.model();
        try {
            return registry.register(model, prepared.body()).version();
        } catch (RegistryCallException e) {
            if (e.conflict() && e.existingVersion() != null) {
                log.info("Job {} round {} is already version {} of {}: adopting it", prepared.jobId(),
                        prepared.round(), e.existingVersion(), model);
                return e.existingVersion();
            }
            if (e.status() >= 400 && e.status() < 500) {
                throw new Unaggregatable(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * The job's robust options with the global adapter this round started from as the reference (the previous
     * round's version adapter, as the coordinator wrote it; none in round 1, where every update is measured from
     * zero).
     */
    private RobustOptions robustOptions(JobEntity job, JobRequest request, RoundEntity round) throws Unaggregatable {
        JobRequest.Robust robust = request.effectiveRobust();
        if (!robust.enabled()) {
            return RobustOptions.OFF;
        }
        LoraAdapter reference = null;
        if (round.getNumber() > 1) {
            try {
                byte[] weights = store.read(TaskKeys.version(job.getId(), round.getNumber() - 1,
                        PeftAdapters.WEIGHTS_FILE));
                byte[] config = store.read(TaskKeys.version(job.getId(), round.getNumber() - 1,
                        PeftAdapters.CONFIG_FILE));
                reference = PeftAdapters.fromParts(new String(config, StandardCharsets.UTF_8),
                        SafeTensors.read(weights, "round " + (round.getNumber() - 1)), "the previous global adapter");
            } catch (IOException | RuntimeException e) {
                throw new Unaggregatable("cannot read the previous round's global adapter for the robust options: "
                        + e.getMessage());
            }
        }
        return new RobustOptions(robust.clip(), robust.outliers(), reference);
    }

    /** Each task's weight in the aggregate, 0 for a client the outlier rule left out. */
    private static double[] participantWeights(AggregationResult result, int tasks) {
        double[] kept = result.weights();
        if (kept.length == tasks) {
            return kept;
        }
        double[] p = new double[tasks];
        int k = 0;
        for (int i = 0; i < tasks; i++) {
            p[i] = result.robustness().clients().get(i).rejected() ? 0 : kept[k++];
        }
        return p;
    }

    /** pᵢ ∝ examples with EXAMPLES weighting (uniform when no client reports any); null means uniform. */
    static double[] weights(JobRequest request, List<TaskEntity> tasks) {
        if (request.weighting() != Weighting.EXAMPLES) {
            return null;
        }
        double[] w = new double[tasks.size()];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = tasks.get(i).getExamples() == null ? 0 : tasks.get(i).getExamples();
            sum += w[i];
        }
        return sum > 0 ? w : null;
    }

    private Double weightedMetric(List<TaskEntity> tasks, double[] p, String name) {
        double sum = 0;
        double weight = 0;
        for (int i = 0; i < tasks.size(); i++) {
            Map<String, Object> m = tasks.get(i).getMetrics();
            if (m == null) {
                continue;
            }
            Object v = m.get(name);
            if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                sum += p[i] * n.doubleValue();
                weight += p[i];
            }
        }
        return weight > 0 ? sum / weight : null;
    }

    private byte[] report(JobEntity job, RoundEntity round, JobRequest request, List<TaskEntity> tasks,
                          AggregationResult result) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("jobId", job.getId().toString());
        report.put("round", round.getNumber());
        report.put("method", request.method().name());
        report.put("weighting", request.weighting().name());
        report.put("clients", tasks.stream().map(TaskEntity::getClientId).toList());
        report.put("weights", participantWeights(result, tasks.size()));
        if (request.effectiveRobust().enabled()) {
            report.put("robust", result.robustness());
        }
        report.put("maxExactnessError", result.maxExactnessError());
        report.put("maxDeviation", result.maxDeviation());
        report.put("residualBytes", result.residualBytes());
        report.put("task", request.effectiveTask().name());
        report.put("byProjection", LayerGroups.byProjection(result.layers()));
        report.put("byLayer", LayerGroups.byLayer(result.layers()));
        report.put("layers", result.layers());
        return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(report);
    }
}
