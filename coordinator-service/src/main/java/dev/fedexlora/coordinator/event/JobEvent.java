package dev.fedexlora.coordinator.event;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A job event as streamed: {@code type} is one of JobStarted, RoundOpened, TaskCompleted, TaskFailed,
 * RoundAggregated, RoundRetried, JobSucceeded, JobFailed, JobCancelled, and {@code data} the matching
 * {@link JobEventData} record.
 */
public record JobEvent(long id, UUID jobId, String type, Instant at,
                       @JsonTypeInfo(use = JsonTypeInfo.Id.NONE) JobEventData data) {
}
