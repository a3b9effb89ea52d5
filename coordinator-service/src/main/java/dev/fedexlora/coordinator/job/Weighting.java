package dev.fedexlora.coordinator.job;

/** Client weights pᵢ: equal, or proportional to the example counts the clients report on completion. */
public enum Weighting {
    UNIFORM, EXAMPLES
}
