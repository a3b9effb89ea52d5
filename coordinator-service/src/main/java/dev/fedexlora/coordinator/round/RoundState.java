package dev.fedexlora.coordinator.round;

/**
 * OPEN (tasks offered) → AGGREGATING (closed, aggregation and registration under way; resumed after a restart) →
 * AGGREGATED. A round that missed its quorum at the deadline is RETRIED (a new attempt of the same number opens)
 * or FAILED (its job fails); CANCELLED with its job.
 */
public enum RoundState {
    OPEN, AGGREGATING, AGGREGATED, RETRIED, FAILED, CANCELLED
}
