package dev.fedexlora.core.aggregate;

/**
 * What aggregation did to one LoRA layer.
 *
 * @param module            the layer's module path
 * @param method            the aggregation method
 * @param outFeatures       d, rows of the base weight
 * @param inFeatures        k, columns of the base weight
 * @param rank              rank of the aggregated adapter (the largest client rank)
 * @param scale             scale of the aggregated adapter
 * @param residualWidth     width of the folded residual (0 when none is folded)
 * @param dense             whether the residual is stored dense (d×k) rather than factored
 * @param exactnessError    ‖(W0' + sB̄Ā) − (W0 + Σ pᵢsᵢBᵢAᵢ)‖_F / ‖Σ pᵢsᵢBᵢAᵢ‖_F, estimated with random probes
 * @param deviation         s‖R‖_F, the residual's norm: what FedIT leaves out, and what FedEx-LoRA folds in
 * @param relativeDeviation deviation / ‖Σ pᵢsᵢBᵢAᵢ‖_F
 * @param idealUpdateNorm   ‖Σ pᵢsᵢBᵢAᵢ‖_F
 * @param residualBytes     bytes the residual takes as stored (0 when none)
 * @param denseBytes        bytes a dense d×k residual would take
 * @param normsEstimated    deviation and idealUpdateNorm are estimated from the probes rather than exact
 */
public record LayerReport(String module, AggregationMethod method, int outFeatures, int inFeatures, int rank,
                          double scale, int residualWidth, boolean dense, double exactnessError, double deviation,
                          double relativeDeviation, double idealUpdateNorm, long residualBytes, long denseBytes,
                          boolean normsEstimated) {
}
