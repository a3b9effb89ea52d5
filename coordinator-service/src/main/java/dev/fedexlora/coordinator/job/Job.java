package dev.fedexlora.coordinator.job;

import dev.fedexlora.core.protocol.Method;
import java.time.Instant;
import java.util.UUID;

/**
 * A job as the API shows it.
 *
 * @param baseModel          the resolved base model version the job started from
 * @param currentRound       the round in progress (or the last one when ended)
 * @param modelVersion       the latest version this job registered (the final one when SUCCEEDED), or null
 * @param failureReason      why the job failed or was cancelled, or null
 */
public record Job(UUID id, JobState state, Method method, ModelVersionRef baseModel, String dataset, int rounds,
                  int currentRound, Integer modelVersion, String failureReason, Instant createdAt, Instant updatedAt,
                  Instant finishedAt, JobRequest request) {

    /** A registry model version by name and number. */
    public record ModelVersionRef(String name, int version) {
    }

    static Job of(JobEntity e, JobRequest request) {
        return new Job(e.getId(), e.getState(), e.getMethod(),
                new ModelVersionRef(e.getBaseModelName(), e.getBaseModelVersion()), e.getDataset(),
                e.getRoundsTotal(), e.getCurrentRound(), e.getLatestModelVersion(), e.getFailureReason(),
                e.getCreatedAt(), e.getUpdatedAt(), e.getFinishedAt(), request);
    }
}
