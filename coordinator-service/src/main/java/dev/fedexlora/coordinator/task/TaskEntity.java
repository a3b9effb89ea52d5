package dev.fedexlora.coordinator.task;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One client's work in one round attempt. State changes go through {@link TaskRepository}'s conditional updates. */
@Entity
@Table(name = "tasks")
public class TaskEntity {

    @Id
    private UUID id;
    @Version
    private long version;
    private UUID jobId;
    private UUID roundId;
    private int roundNumber;
    private String clientId;
    @Enumerated(EnumType.STRING)
    private TaskState state;
    private UUID leaseOwner;
    private Instant leaseExpiresAt;
    private int attempts;
    private String adapterSha256;
    private String configSha256;
    private Long examples;
    /** The client's training metrics as it reported them (numbers by name); null until the task is done. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "metrics_json")
    private Map<String, Object> metrics;
    private String failureReason;
    private Instant createdAt;
    private Instant updatedAt;
    private Instant completedAt;

    protected TaskEntity() {
    }

    public TaskEntity(UUID id, UUID jobId, UUID roundId, int roundNumber, String clientId, Instant now) {
        this.id = id;
        this.jobId = jobId;
        this.roundId = roundId;
        this.roundNumber = roundNumber;
        this.clientId = clientId;
        this.state = TaskState.OFFERED;
        this.createdAt = now;
        this.updatedAt = now;
    }

    public UUID getId() {
        return id;
    }

    public UUID getJobId() {
        return jobId;
    }

    public UUID getRoundId() {
        return roundId;
    }

    public int getRoundNumber() {
        return roundNumber;
    }

    public String getClientId() {
        return clientId;
    }

    public TaskState getState() {
        return state;
    }

    public UUID getLeaseOwner() {
        return leaseOwner;
    }

    public Instant getLeaseExpiresAt() {
        return leaseExpiresAt;
    }

    public int getAttempts() {
        return attempts;
    }

    public String getAdapterSha256() {
        return adapterSha256;
    }

    public String getConfigSha256() {
        return configSha256;
    }

    public Long getExamples() {
        return examples;
    }

    /** The reported metrics (read-only), or null while the task is not done. */
    public Map<String, Object> getMetrics() {
        return metrics == null ? null : Collections.unmodifiableMap(metrics);
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

    public Instant getCompletedAt() {
        return completedAt;
    }
}
