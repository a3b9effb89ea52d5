package dev.fedexlora.coordinator.worker;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.fedexlora.coordinator.web.ApiException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Worker registration and the ownership check every task call makes. */
@Service
public class WorkerService {

    private final WorkerRepository workers;
    private final JsonMapper json;
    private final Clock clock;

    WorkerService(WorkerRepository workers, JsonMapper json, Clock clock) {
        this.workers = workers;
        this.json = json;
        this.clock = clock;
    }

    @Transactional
    public UUID register(WorkerRegistration registration, String principal) {
        Map<String, String> clients = new LinkedHashMap<>();
        for (WorkerRegistration.Client c : registration.clients()) {
            c.datasets().forEach((name, n) -> {
                if (n == null || n < 0) {
                    throw ApiException.invalid("clients.datasets", "client " + c.clientId() + ": data set " + name
                            + " needs a non-negative example count");
                }
            });
            clients.put(c.clientId(), json.writeValueAsString(c.datasets()));
        }
        WorkerEntity worker = workers.findByPrincipalAndName(principal, registration.name())
                .orElseGet(() -> new WorkerEntity(UUID.randomUUID(), registration.name(), principal, clock.instant()));
        worker.announce(clients, clock.instant());
        return workers.save(worker).getId();
    }

    /** The worker, if this token registered it; otherwise 404 (unknown) or 403 (another token's worker). */
    @Transactional(readOnly = true)
    public WorkerEntity ownedWorker(UUID workerId, String principal) {
        WorkerEntity w = workers.findById(workerId).orElseThrow(() -> ApiException.notFound("worker", workerId));
        if (!w.getPrincipal().equals(principal)) {
            throw ApiException.forbidden("worker " + workerId + " belongs to another token");
        }
        return w;
    }

    /** Principal that registered the worker, or null when it is unknown. */
    @Transactional(readOnly = true)
    public String principalOf(UUID workerId) {
        return workers.findById(workerId).map(WorkerEntity::getPrincipal).orElse(null);
    }

    /** Registered clients that hold {@code dataset}, with their example counts, in a stable order. */
    @Transactional(readOnly = true)
    public Map<String, Long> clientsHolding(String dataset) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Object[] row : workers.allClientDatasets()) {
            Map<String, Long> datasets = json.readValue((String) row[1], new TypeReference<Map<String, Long>>() { });
            if (datasets.containsKey(dataset)) {
                out.merge((String) row[0], datasets.get(dataset), Math::max);
            }
        }
        return out;
    }

    List<String> clientIds(WorkerEntity w) {
        return new ArrayList<>(w.getClients().keySet());
    }
}
