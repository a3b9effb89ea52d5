package dev.fedexlora.coordinator.event;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One event of a job's history; ids increase, so they double as SSE event ids for resumption. */
@Entity
@Table(name = "job_events")
class JobEventEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private UUID jobId;
    private String type;
    private String payloadJson;
    private Instant createdAt;

    protected JobEventEntity() {
    }

    JobEventEntity(UUID jobId, String type, String payloadJson, Instant createdAt) {
        this.jobId = jobId;
        this.type = type;
        this.payloadJson = payloadJson;
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

    String getPayloadJson() {
        return payloadJson;
    }

    Instant getCreatedAt() {
        return createdAt;
    }
}
