package dev.fedexlora.core.validate;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.linalg.Matrix;
import java.util.List;
import java.util.Map;

/**
 * What a job expects of every client's adapter.
 *
 * @param rank          LoRA rank {@code r}
 * @param alpha         LoRA alpha
 * @param useRslora     scale by {@code alpha/sqrt(r)}
 * @param targetModules module names (last path components, e.g. {@code query}) LoRA is applied to
 * @param method        the aggregation method
 * @param alphaPattern  per-module alpha overrides the job itself sets (usually none); an upload's must equal it
 * @param rankPattern   per-module rank overrides the job itself sets (usually none); an upload's must equal it
 * @param frozenA       for FFA, the shared frozen {@code lora_A} of each module (r×k); empty: not checked
 * @param head          the non-LoRA trainable tensors every upload carries, by key without the
 *                      {@code base_model.model.} prefix, with their exact shapes (e.g. {@code classifier.weight}
 *                      → [labels, hidden])
 */
public record UploadExpectations(int rank, double alpha, boolean useRslora, List<String> targetModules,
                                 AggregationMethod method, Map<String, Double> alphaPattern,
                                 Map<String, Integer> rankPattern, Map<String, Matrix> frozenA,
                                 Map<String, List<Long>> head) {

    public UploadExpectations {
        if (rank <= 0) {
            throw new IllegalArgumentException("rank must be positive, got " + rank);
        }
        if (!Double.isFinite(alpha) || alpha <= 0) {
            throw new IllegalArgumentException("alpha must be finite and positive, got " + alpha);
        }
        if (targetModules.isEmpty()) {
            throw new IllegalArgumentException("a job targets at least one module");
        }
        targetModules = List.copyOf(targetModules);
        alphaPattern = Map.copyOf(alphaPattern);
        rankPattern = Map.copyOf(rankPattern);
        frozenA = Map.copyOf(frozenA);
        head = Map.copyOf(head);
    }

    /** A job with no per-module overrides, no frozen A to compare and the given head. */
    public static UploadExpectations of(int rank, double alpha, boolean useRslora, List<String> targetModules,
                                        AggregationMethod method, Map<String, List<Long>> head) {
        return new UploadExpectations(rank, alpha, useRslora, targetModules, method, Map.of(), Map.of(), Map.of(), head);
    }

    /** The rank of {@code module}: a {@code rankPattern} key applies when it is the module or a dotted suffix. */
    public int rankOf(String module) {
        for (Map.Entry<String, Integer> e : rankPattern.entrySet()) {
            if (module.equals(e.getKey()) || module.endsWith("." + e.getKey())) {
                return e.getValue();
            }
        }
        return rank;
    }

    /** The largest rank any module may have. */
    int maxRank() {
        return Math.max(rank, rankPattern.values().stream().mapToInt(Integer::intValue).max().orElse(rank));
    }
}
