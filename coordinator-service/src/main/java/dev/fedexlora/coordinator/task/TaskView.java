package dev.fedexlora.coordinator.task;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A task as {@code GET /jobs/{id}/tasks} shows it. */
public record TaskView(UUID id, UUID roundId, String clientId, TaskState state, int attempts, UUID leaseOwner,
                       Instant leaseExpiresAt, Long examples, Map<String, String> sha256, Map<String, Object> metrics,
                       String failureReason, Instant createdAt, Instant completedAt) {
}
