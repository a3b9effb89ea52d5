package dev.fedexlora.coordinator.job;

import dev.fedexlora.core.protocol.Method;
import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A job row. State changes go through {@link JobRepository}'s conditional updates, never through setters. */
@Entity
@Table(name = "jobs")
public class JobEntity {

    @Id
    private UUID id;
    @Version
    private long version;
    @Enumerated(EnumType.STRING)
    private JobState state;
    @Enumerated(EnumType.STRING)
    private Method method;
    private String baseModelName;
    private int baseModelVersion;
    private String dataset;
    private int roundsTotal;
    private int currentRound;
    private Integer latestModelVersion;
    @Column(name = "request_json")
    @Convert(converter = JobRequestConverter.class)
    private JobRequest request;
    private String failureReason;
    private Instant createdAt;
    private Instant updatedAt;
    private Instant finishedAt;

    protected JobEntity() {
    }

    JobEntity(UUID id, Method method, String baseModelName, int baseModelVersion, String dataset, int roundsTotal,
              JobRequest request, Instant now) {
        this.id = id;
        this.state = JobState.RUNNING;
        this.method = method;
        this.baseModelName = baseModelName;
        this.baseModelVersion = baseModelVersion;
        this.dataset = dataset;
        this.roundsTotal = roundsTotal;
        this.currentRound = 1;
        this.request = request;
        this.createdAt = now;
        this.updatedAt = now;
    }

    public UUID getId() {
        return id;
    }

    public long getVersion() {
        return version;
    }

    public JobState getState() {
        return state;
    }

    public Method getMethod() {
        return method;
    }

    public String getBaseModelName() {
        return baseModelName;
    }

    public int getBaseModelVersion() {
        return baseModelVersion;
    }

    public String getDataset() {
        return dataset;
    }

    public int getRoundsTotal() {
        return roundsTotal;
    }

    public int getCurrentRound() {
        return currentRound;
    }

    /** The newest model version of this job's line: the base version until a round has aggregated. */
    public int currentModelVersion() {
        return latestModelVersion != null ? latestModelVersion : baseModelVersion;
    }

    public Integer getLatestModelVersion() {
        return latestModelVersion;
    }

    /** The request as submitted, with defaults filled in. */
    public JobRequest getRequest() {
        return request;
    }

    public String getFailureReason() {
        return failureReason;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }
}
