package dev.fedexlora.worker.coordinator;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A leased task as the coordinator hands it out ({@code docs/architecture.md}, TaskLease): hyper-parameters,
 * presigned GETs of the global state and presigned PUTs for this task's upload, by file name.
 */
public record TaskLease(UUID taskId, UUID jobId, int round, String clientId, String dataset, Instant leaseExpiresAt,
                        Training training, GlobalState globalState, Map<String, String> upload) {

    /** {@code method} is FEDEX, FEDIT, FFA or CENTRALIZED; FFA freezes A. */
    public record Training(String method, int rank, double alpha, boolean useRslora, List<String> targetModules,
                           double learningRate, int localSteps, int batchSize, long seed, int numLabels) {
    }

    /** {@code adapter} is null in a job's first round. */
    public record GlobalState(ModelRef baseModel, Map<String, FileRef> base, List<ResidualRef> residuals,
                              Map<String, FileRef> adapter) {
    }

    public record ModelRef(String name, int version) {
    }

    public record FileRef(String url, String sha256) {
    }

    public record ResidualRef(int version, String url, String sha256) {
    }
}
