package dev.fedexlora.coordinator.round;

/**
 * OPEN (tasks offered) → AGGREGATING (closed, aggregation under way; resumed after a restart) → REGISTERING
 * (artifacts written; the registry has not yet taken the version, retried with backoff off the scheduler thread) →
 * AGGREGATED. A round that missed its quorum at the deadline is RETRIED (a new attempt of the same number opens)
 * or FAILED (its job fails); CANCELLED with its job (from OPEN, AGGREGATING or REGISTERING: nothing is registered after a cancel).
 */
public enum RoundState {
    OPEN, AGGREGATING, REGISTERING, AGGREGATED, RETRIED, FAILED, CANCELLED
}
