package dev.fedexlora.core.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything a worker needs for one task ({@code docs/architecture.md}, TaskLease): the hyper-parameters, presigned
 * GETs of the global state, and presigned PUTs for exactly this task's two upload keys. The coordinator writes it
 * and the worker reads it: one record for both sides (JSON on the wire).
 */
public record TaskLease(UUID taskId, UUID jobId, int round, String clientId, String dataset, Instant leaseExpiresAt,
                        Training training, GlobalState globalState, Map<String, String> upload) {

    /**
     * {@code method}: FFA freezes A. {@code task} null means classification; {@code numLabels} matters for
     * classification only, {@code maxSequenceLength} (tokens per sequence, null for the worker's own limit) for causal-LM. Both added
     * fields are nullable so a lease without them still reads (Jackson refuses a missing primitive).
     */
    public record Training(Method method, int rank, double alpha, boolean useRslora, List<String> targetModules,
                           double learningRate, int localSteps, int batchSize, long seed, int numLabels, Task task,
                           Integer maxSequenceLength) {

        public Task taskOrDefault() {
            return Task.orDefault(task);
        }
    }

    /**
     * @param base      the base checkpoint's files by name: config.json, tokenizer.json where the base has one, and
     *                  model.safetensors or model.safetensors.index.json with every shard it names
     *                  (model-00001-of-0000N.safetensors); each with its SHA-256
     * @param residuals the residual of every version since the base, oldest first
     * @param adapter   the current global adapter's two files, or null in a job's first round from a base
     */
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
