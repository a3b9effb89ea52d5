package dev.fedexlora.coordinator.worker;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A worker process and the clients it hosts. {@code principal} is the API token's name that registered it: only
 * that token may act for this worker.
 */
@Entity
@Table(name = "workers")
public class WorkerEntity {

    @Id
    private UUID id;
    @Version
    private long version;
    private String name;
    private String principal;
    private Instant registeredAt;
    private Instant lastSeenAt;
    /** client id → the data sets it holds. */
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "worker_clients", joinColumns = @JoinColumn(name = "worker_id"))
    @MapKeyColumn(name = "client_id")
    private Map<String, HostedDatasets> clients = new HashMap<>();

    protected WorkerEntity() {
    }

    WorkerEntity(UUID id, String name, String principal, Instant now) {
        this.id = id;
        this.name = name;
        this.principal = principal;
        this.registeredAt = now;
        this.lastSeenAt = now;
    }

    void announce(Map<String, HostedDatasets> clientDatasets, Instant now) {
        clients.clear();
        clients.putAll(clientDatasets);
        lastSeenAt = now;
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getPrincipal() {
        return principal;
    }

    public Instant getLastSeenAt() {
        return lastSeenAt;
    }

    /** The ids of the clients it hosts. */
    public java.util.Set<String> clientIds() {
        return java.util.Set.copyOf(clients.keySet());
    }

    HostedDatasets datasets(String clientId) {
        return clients.get(clientId);
    }
}
