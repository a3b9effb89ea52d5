package dev.fedexlora.registry.export;

import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Merges residuals into base weights: {@code W = W0 + Σ_v residual_v}, applied in lineage order (oldest first),
 * each with lora-core's {@link Residual#applyTo}, which accumulates in fp32 into one fp32 copy of each touched
 * weight. Untouched tensors pass through byte for byte; touched ones are written back in the base's dtype.
 *
 * <p>A residual's module ({@code encoder.layer.0.attention.self.query}) names the base weight
 * {@code <module>.weight}; a PEFT-style prefix the base does not have ({@code bert.}, {@code base_model.model.})
 * is dropped one leading segment at a time until a weight matches.
 */
final class CheckpointMerger {

    private final TensorFile base;
    private final Map<String, Matrix> merged = new LinkedHashMap<>();

    CheckpointMerger(TensorFile base) {
        this.base = base;
    }

    /** Adds one version's residuals. @throws IllegalArgumentException naming a module with no or a wrong-shaped weight */
    void add(Map<String, Residual> residuals, String source) {
        for (Map.Entry<String, Residual> e : residuals.entrySet()) {
            String key = weightKey(e.getKey()).orElseThrow(() -> new IllegalArgumentException(source + ": module '"
                    + e.getKey() + "' has no weight in the base checkpoint"));
            Matrix w = merged.computeIfAbsent(key, k -> Matrix.of(base.tensor(k)));
            Residual r = e.getValue();
            if (r.rows() != w.rows() || r.cols() != w.cols()) {
                throw new IllegalArgumentException(source + ": module '" + e.getKey() + "' is " + r.rows() + "×"
                        + r.cols() + " but the base weight '" + key + "' is " + w.shape());
            }
            r.applyTo(w);
        }
    }

    /** The base weight key a module names, if the base has one. */
    Optional<String> weightKey(String module) {
        String m = module;
        while (true) {
            String key = m + ".weight";
            Tensor t = base.tensors().get(key);
            if (t != null && t.rank() == 2) {
                return Optional.of(key);
            }
            int dot = m.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            m = m.substring(dot + 1);
        }
    }

    /** Every module key the merged residuals touched. */
    List<String> touched() {
        return List.copyOf(merged.keySet());
    }

    /** The merged checkpoint: base metadata plus {@code extraMetadata}, tensors in base order. */
    TensorFile result(Map<String, String> extraMetadata) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : base.tensors().entrySet()) {
            Matrix m = merged.get(e.getKey());
            tensors.put(e.getKey(), m == null ? e.getValue() : m.toTensor(e.getValue().dtype()));
        }
        Map<String, String> metadata = new LinkedHashMap<>(base.metadata());
        metadata.putAll(extraMetadata);
        return new TensorFile(metadata, tensors);
    }
}
