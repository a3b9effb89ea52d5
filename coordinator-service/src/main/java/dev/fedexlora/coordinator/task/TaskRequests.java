package dev.fedexlora.coordinator.task;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** Bodies of the worker-facing task calls. */
public final class TaskRequests {

    private TaskRequests() {
    }

    public record WorkerRef(@NotNull UUID workerId) {
    }

    /**
     * A renewed lease.
     *
     * @param leaseExpiresAt when the lease ends without another heartbeat
     * @param upload         fresh presigned PUT URLs of this attempt's upload, valid until {@code leaseExpiresAt}
     */
    public record Heartbeat(Instant leaseExpiresAt, Map<String, String> upload) {
    }

    /**
     * @param examples examples the client trained on this round (the EXAMPLES weighting uses it)
     * @param sha256   hex SHA-256 of each uploaded file, by file name
     * @param metrics  the client's training metrics (loss, accuracy, …), numbers by name
     */
    public record Completion(@NotNull UUID workerId, @NotNull @PositiveOrZero Long examples,
                             @NotEmpty Map<String, String> sha256, Map<String, Object> metrics) {
    }

    public record Failure(@NotNull UUID workerId, @NotBlank @Size(max = 4000) String reason) {
    }

    /** The answer to a completion; a repeated completion gets the first one's answer. */
    public record CompletionResult(UUID taskId, TaskState state, long examples, Map<String, String> sha256,
                                   Instant completedAt) {
    }
}
