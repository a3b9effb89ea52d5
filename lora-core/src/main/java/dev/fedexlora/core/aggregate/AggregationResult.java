package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.peft.LoraAdapter;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one aggregation: the global adapter (and head) the next round starts from, the residual of
 * each layer to fold into the base weights (empty for FedIT and FFA), a report per layer, and what the robust
 * options did (clipping, outlier rejection; {@link RobustnessReport#OFF} when they were off). {@code weights} are
 * those of the clients that took part.
 */
public record AggregationResult(AggregationMethod method, LoraAdapter global, Map<String, Residual> residuals,
                                List<LayerReport> layers, double[] weights, RobustnessReport robustness) {

    public AggregationResult {
        residuals = Map.copyOf(residuals);
        layers = List.copyOf(layers);
        weights = weights.clone();
        java.util.Objects.requireNonNull(robustness, "robustness");
    }

    /** A result aggregated without robust options. */
    public AggregationResult(AggregationMethod method, LoraAdapter global, Map<String, Residual> residuals,
                             List<LayerReport> layers, double[] weights) {
        this(method, global, residuals, layers, weights, RobustnessReport.OFF);
    }

    /** The largest exactness error over all layers. */
    public double maxExactnessError() {
        return layers.stream().mapToDouble(LayerReport::exactnessError).max().orElse(0);
    }

    /** The largest FedIT deviation s‖R‖_F over all layers. */
    public double maxDeviation() {
        return layers.stream().mapToDouble(LayerReport::deviation).max().orElse(0);
    }

    /** Bytes of all residuals as stored. */
    public long residualBytes() {
        return layers.stream().mapToLong(LayerReport::residualBytes).sum();
    }
}
