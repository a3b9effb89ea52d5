package dev.fedexlora.coordinator.event;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One event of a job's history; ids increase, so they double as SSE event ids for resumption. */
@Entity
@Table(name = "job_events")
class JobEventEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private UUID jobId;
    private String type;
    /** The event's record, stored with its kind ({@code @type}) so that it reads back as the same record. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "payload_json")
    private JobEventData payload;
    private Instant createdAt;

    protected JobEventEntity() {
    }

    JobEventEntity(UUID jobId, JobEventData payload, Instant createdAt) {
        this.jobId = jobId;
        this.type = payload.type();
        this.payload = payload;
        this.createdAt = createdAt;
    }

    Long getId() {
        return id;
    }

    UUID getJobId() {
        return jobId;
    }

    String getType() {
        return type;
    }

    JobEventData getPayload() {
        return payload;
    }

    Instant getCreatedAt() {
        return createdAt;
    }
}
