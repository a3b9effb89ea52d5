package dev.fedexlora.core.aggregate;

/** How a round's client adapters become the global model (design.md §1). */
public enum AggregationMethod {
    /** FedEx-LoRA: average A and B, fold the residual {@code Σ pᵢBᵢAᵢ − B̄Ā} into the base weight. Exact. */
    FEDEX,
    /** FedIT: average A and B, nothing else. Inexact by {@code s‖R‖_F}, which is reported. */
    FEDIT,
    /** Federated Freeze-A: A frozen at one shared initialisation, only B trained and averaged. Exact. */
    FFA
}
