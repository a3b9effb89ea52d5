package dev.fedexlora.coordinator.event;

import java.time.Instant;
import java.util.UUID;

/**
 * A job event as streamed: {@code type} is one of JobStarted, RoundOpened, TaskCompleted, TaskFailed,
 * RoundAggregated, RoundRetried, JobSucceeded, JobFailed, JobCancelled, and {@code data} the matching
 * {@link JobEventData} record.
 */
public record JobEvent(long id, UUID jobId, String type, Instant at, JobEventData data) {
}
