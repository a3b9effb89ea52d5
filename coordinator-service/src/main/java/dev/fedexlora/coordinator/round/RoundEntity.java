package dev.fedexlora.coordinator.round;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** One attempt of one round of a job, with the metrics its aggregation recorded. */
@Entity
@Table(name = "rounds")
public class RoundEntity {

    @Id
    private UUID id;
    @Version
    private long version;
    private UUID jobId;
    private int number;
    private int attempt;
    @Enumerated(EnumType.STRING)
    private RoundState state;
    private int quorum;
    private Instant openedAt;
    private Instant deadlineAt;
    private Instant closedAt;
    private Integer participants;
    private Double meanLoss;
    private Double meanAccuracy;
    private Double exactnessError;
    private Double deviation;
    private Long residualBytes;
    private Long bytesMoved;
    private Double aggregationSeconds;
    private Integer modelVersion;
    private String failureReason;

    protected RoundEntity() {
    }

    RoundEntity(UUID id, UUID jobId, int number, int attempt, int quorum, Instant openedAt, Instant deadlineAt) {
        this.id = id;
        this.jobId = jobId;
        this.number = number;
        this.attempt = attempt;
        this.state = RoundState.OPEN;
        this.quorum = quorum;
        this.openedAt = openedAt;
        this.deadlineAt = deadlineAt;
    }

    public UUID getId() {
        return id;
    }

    public UUID getJobId() {
        return jobId;
    }

    public int getNumber() {
        return number;
    }

    public int getAttempt() {
        return attempt;
    }

    public RoundState getState() {
        return state;
    }

    public int getQuorum() {
        return quorum;
    }

    public Instant getOpenedAt() {
        return openedAt;
    }

    public Instant getDeadlineAt() {
        return deadlineAt;
    }

    public Instant getClosedAt() {
        return closedAt;
    }

    public Integer getParticipants() {
        return participants;
    }

    public Double getMeanLoss() {
        return meanLoss;
    }

    public Double getMeanAccuracy() {
        return meanAccuracy;
    }

    public Double getExactnessError() {
        return exactnessError;
    }

    public Double getDeviation() {
        return deviation;
    }

    public Long getResidualBytes() {
        return residualBytes;
    }

    public Long getBytesMoved() {
        return bytesMoved;
    }

    public Double getAggregationSeconds() {
        return aggregationSeconds;
    }

    public Integer getModelVersion() {
        return modelVersion;
    }

    public String getFailureReason() {
        return failureReason;
    }
}
