package dev.fedexlora.coordinator.job;

import java.time.Instant;
import java.util.UUID;

/**
 * A job was cancelled; published inside the cancelling transaction, so listeners (its open round, its unfinished
 * tasks) end their part in the same commit.
 */
public record JobCancelled(UUID jobId, Instant at) {
}
