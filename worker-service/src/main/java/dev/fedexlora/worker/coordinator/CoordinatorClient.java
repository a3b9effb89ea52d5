package dev.fedexlora.worker.coordinator;

import dev.fedexlora.core.protocol.TaskLease;
import dev.fedexlora.worker.WorkerProperties;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

/** The worker side of the coordinator's REST protocol ({@code docs/architecture.md}, Coordinator). */
@Component
public class CoordinatorClient {

    public record Registration(String name, List<Client> clients) {
        public record Client(String clientId, Map<String, Long> datasets) {
        }
    }

    record Registered(UUID workerId) {
    }

    record WorkerRef(UUID workerId) {
    }

    /**
     * A renewed lease: its new expiry and fresh upload URLs for this attempt, valid as long (absent from an older
     * coordinator).
     */
    public record Heartbeat(Instant leaseExpiresAt, Map<String, String> upload) {
    }

    record Completion(UUID workerId, long examples, Map<String, String> sha256, Map<String, Object> metrics) {
    }

    record Failure(UUID workerId, String reason) {
    }

    private final RestClient http;

    CoordinatorClient(RestClient.Builder builder, WorkerProperties properties) {
        RestClient.Builder b = builder.baseUrl(properties.coordinatorUrl().resolve("/api/v1/").toString());
        if (properties.token() != null && !properties.token().isBlank()) {
            b = b.defaultHeader("Authorization", "Bearer " + properties.token());
        }
        this.http = b.build();
    }

    public UUID register(Registration registration) {
        return http.post().uri("workers").body(registration).retrieve().body(Registered.class).workerId();
    }

    /** The next task of a client this worker hosts, or empty when there is nothing to do (204). */
    public Optional<TaskLease> lease(UUID workerId) {
        ResponseEntity<TaskLease> r = http.post().uri("tasks/lease").body(new WorkerRef(workerId)).retrieve()
                .toEntity(TaskLease.class);
        return r.getStatusCode().value() == 204 ? Optional.empty() : Optional.ofNullable(r.getBody());
    }

    /**
     * Renews the lease and hands out fresh upload URLs. @throws LeaseLostException when the coordinator answers 409,
     * or 404 (the task is now another worker's, which the coordinator does not reveal)
     */
    public Heartbeat heartbeat(UUID taskId, UUID workerId) {
        try {
            return http.post().uri("tasks/{id}/heartbeat", taskId).body(new WorkerRef(workerId)).retrieve()
                    .body(Heartbeat.class);
        } catch (HttpClientErrorException e) {
            if (e.getStatusCode().isSameCodeAs(HttpStatus.CONFLICT) || e.getStatusCode().isSameCodeAs(HttpStatus.NOT_FOUND)) {
                throw new LeaseLostException(taskId, e.getResponseBodyAsString());
            }
            throw e;
        }
    }

    /** Completes the task. @throws LeaseLostException when the coordinator answers 409 (not this worker's now) */
    public void complete(UUID taskId, UUID workerId, long examples, Map<String, String> sha256,
                         Map<String, Object> metrics) {
        try {
            http.post().uri("tasks/{id}/complete", taskId).body(new Completion(workerId, examples, sha256, metrics))
                    .retrieve().toBodilessEntity();
        } catch (HttpClientErrorException e) {
            if (e.getStatusCode().isSameCodeAs(HttpStatus.CONFLICT)) {
                throw new LeaseLostException(taskId, e.getResponseBodyAsString());
            }
            throw e;
        }
    }

    public void fail(UUID taskId, UUID workerId, String reason) {
        String r = reason.length() > 4000 ? reason.substring(0, 4000) : reason;
        http.post().uri("tasks/{id}/fail", taskId).body(new Failure(workerId, r)).retrieve().toBodilessEntity();
    }
}
