package dev.fedexlora.coordinator.worker;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import java.util.concurrent.ThreadLocalRandom;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import dev.fedexlora.coordinator.CoordinatorProperties;

import dev.fedexlora.coordinator.web.ApiException;

/** Worker registration (bound to the calling credential's clients) and the ownership check every task call makes. */
@Service
public class WorkerService {

    private final WorkerRepository workers;
    private static final int MAX_REGISTRATION_ATTEMPTS = 8;

    private final Clock clock;
    private final CoordinatorProperties properties;
    private final TransactionTemplate tx;

    WorkerService(WorkerRepository workers, Clock clock, CoordinatorProperties properties,
                  TransactionTemplate tx) {
        this.workers = workers;
        this.clock = clock;
        this.properties = properties;
        this.tx = tx;
    }

    /**
     * Registers (or announces again) worker {@code registration.name()} for the calling credential. Only the clients
     * the credential is bound to may be announced (403 naming the client otherwise); a name another credential
     * registered is refused with 409; concurrent registrations of one name by one credential end with one worker.
     */
    public UUID register(WorkerRegistration registration, String principal) {
        CoordinatorProperties.WorkerCredential credential = properties.security().worker(principal);
        Map<String, HostedDatasets> clients = new LinkedHashMap<>();
        for (WorkerRegistration.Client c : registration.clients()) {
            if (credential == null || !credential.mayHost(c.clientId())) {
                throw new ApiException(HttpStatus.FORBIDDEN, "forbidden", "this worker credential is not bound to"
                        + " client '" + c.clientId() + "'", "clients.clientId");
            }
            c.datasets().forEach((name, n) -> {
                if (n == null || n < 0) {
                    throw ApiException.invalid("clients.datasets", "client " + c.clientId() + ": data set " + name
                            + " needs a non-negative example count");
                }
            });
            clients.put(c.clientId(), new HostedDatasets(c.datasets()));
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.execute(s -> {
                    WorkerEntity worker = workers.findByName(registration.name()).orElseGet(() ->
                            new WorkerEntity(UUID.randomUUID(), registration.name(), principal, clock.instant()));
                    if (!worker.getPrincipal().equals(principal)) {
                        throw ApiException.conflict("worker-name-taken", "worker name '" + registration.name()
                                + "' is registered by another identity", "name");
                    }
                    worker.announce(clients, clock.instant());
                    return workers.saveAndFlush(worker).getId();
                });
            } catch (DataIntegrityViolationException | OptimisticLockingFailureException e) {
                // Another registration of the same name won the race: read it again (it may be ours to update).
                if (attempt >= MAX_REGISTRATION_ATTEMPTS) {
                    throw ApiException.conflict("worker-registration-conflict", "worker '" + registration.name()
                            + "' is being registered concurrently; try again", "name");
                }
                sleepBriefly(attempt);
            }
        }
    }

    private static void sleepBriefly(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.conflict("worker-registration-conflict", "registration interrupted", "name");
        }
    }

    /**
     * The worker, if the calling credential registered it; otherwise 404, whether it is unknown or another
     * credential's (nothing about other workers leaks).
     */
    @Transactional(readOnly = true)
    public WorkerEntity ownedWorker(UUID workerId, String principal) {
        WorkerEntity w = workers.findById(workerId).orElse(null);
        if (w == null || !w.getPrincipal().equals(principal)) {
            throw ApiException.notFound("worker", workerId);
        }
        return w;
    }

    /**
     * The example count worker {@code w} registered for {@code clientId}'s data set {@code dataset}; 0 when it
     * announced none (a completion may not claim more examples than this).
     */
    public long registeredExamples(WorkerEntity w, String clientId, String dataset) {
        HostedDatasets datasets = w.datasets(clientId);
        return datasets == null ? 0 : datasets.of(dataset);
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
            HostedDatasets datasets = (HostedDatasets) row[1];
            if (datasets.examples().containsKey(dataset)) {
                out.merge((String) row[0], datasets.of(dataset), Math::max);
            }
        }
        return out;
    }

    List<String> clientIds(WorkerEntity w) {
        return new ArrayList<>(w.clientIds());
    }
}
