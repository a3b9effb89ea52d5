package dev.fedexlora.coordinator.job;

import dev.fedexlora.coordinator.event.JobEventData;
import dev.fedexlora.core.protocol.Method;
import dev.fedexlora.core.protocol.Task;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import org.springframework.data.domain.Sort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.fedexlora.coordinator.CoordinatorProperties;
import dev.fedexlora.coordinator.event.JobEvents;
import dev.fedexlora.coordinator.registry.BaseCheckpoints;
import dev.fedexlora.coordinator.registry.RegistryClient;
import dev.fedexlora.coordinator.registry.RegistryCallException;
import dev.fedexlora.coordinator.web.ApiException;
import dev.fedexlora.coordinator.worker.WorkerService;

/** Creating, reading and cancelling jobs. Rounds are opened and closed by the round package. */
@Service
public class JobService {

    private final JobRepository jobs;
    private final ApplicationEventPublisher publisher;
    private final JobEvents events;
    /** The longest round deadline a job may set: a bound on every instant computed from it. */
    static final Duration MAX_ROUND_DEADLINE = Duration.ofDays(365);

    private final RegistryClient registry;
    private final BaseCheckpoints baseCheckpoints;
    private final WorkerService workers;
    private final CoordinatorProperties properties;
    private final TransactionTemplate tx;
    private final Clock clock;

    JobService(JobRepository jobs, ApplicationEventPublisher publisher, JobEvents events,
               RegistryClient registry, BaseCheckpoints baseCheckpoints, WorkerService workers,
               CoordinatorProperties properties, TransactionTemplate tx, Clock clock) {
        this.baseCheckpoints = baseCheckpoints;
        this.jobs = jobs;
        this.publisher = publisher;
        this.events = events;
        this.registry = registry;
        this.workers = workers;
        this.properties = properties;
        this.tx = tx;
        this.clock = clock;
    }

    /** Validates the request, resolves the base model version in the registry, stores the job and opens round 1. */
    public Job create(JobRequest submitted) {
        JobRequest request = submitted.withDefaults(properties.defaultRoundDeadline());
        check(request);
        int baseVersion = resolveBaseVersion(request.baseModel());
        checkTargets(request);
        checkBaseKind(request);
        UUID id = UUID.randomUUID();
        tx.executeWithoutResult(s -> {
            Instant now = clock.instant();
            jobs.save(new JobEntity(id, request.method(), request.baseModel().name(), baseVersion, request.dataset(),
                    request.rounds(), request, now));
            events.record(id, new JobEventData.JobStarted(request.method().name(),
                    new JobEventData.BaseModel(request.baseModel().name(), baseVersion), request.rounds()));
            publisher.publishEvent(new JobSubmitted(id));
        });
        return get(id);
    }

    private void check(JobRequest r) {
        boolean explicit = r.clients() != null && !r.clients().isEmpty();
        if (explicit == (r.clientSelection() != null)) {
            throw ApiException.invalid("clients", "give either clients or clientSelection, not both or neither");
        }
        if (explicit && new HashSet<>(r.clients()).size() != r.clients().size()) {
            throw ApiException.invalid("clients", "client ids must be distinct");
        }
        if (r.method() == Method.CENTRALIZED && r.clientsPerRound() != 1) {
            throw ApiException.invalid(explicit ? "clients" : "clientSelection.count",
                    "CENTRALIZED trains one client holding the pooled data set " + r.dataset());
        }
        if (r.effectiveQuorum() > r.clientsPerRound()) {
            throw ApiException.invalid("quorum", "quorum " + r.effectiveQuorum() + " exceeds the "
                    + r.clientsPerRound() + " clients of a round");
        }
        if (r.effectiveTask() == Task.CAUSAL_LM && r.numLabels() != null) {
            throw ApiException.invalid("numLabels", "numLabels belongs to SEQUENCE_CLASSIFICATION jobs; a CAUSAL_LM job "
                    + "predicts the next token");
        }
        if (r.effectiveTask() == Task.SEQUENCE_CLASSIFICATION && r.maxSequenceLength() != null) {
            throw ApiException.invalid("maxSequenceLength", "maxSequenceLength belongs to CAUSAL_LM jobs; a "
                    + "SEQUENCE_CLASSIFICATION job's workers truncate to their own fedex.worker.max-length");
        }
        double outliers = r.effectiveRobust().outliers();
        if (outliers != 0 && outliers < 1) {
            throw ApiException.invalid("robust.outlierFactor", "is " + outliers + "; give 0 (off) or a factor of at"
                    + " least 1 times the round's median update norm");
        }
        if (outliers > 0 && r.clientsPerRound() < 3) {
            throw ApiException.invalid("robust.outlierFactor", "outlier rejection compares each client with the"
                    + " round's median and needs at least 3 clients per round, not " + r.clientsPerRound());
        }
        if (r.roundDeadline().isNegative() || r.roundDeadline().compareTo(Duration.ofSeconds(1)) < 0) {
            throw ApiException.invalid("roundDeadline", "the round deadline must be at least one second");
        }
        if (r.roundDeadline().compareTo(MAX_ROUND_DEADLINE) > 0) {
            throw ApiException.invalid("roundDeadline", "the round deadline may be at most " + MAX_ROUND_DEADLINE
                    + " (365 days)");
        }
    }

    /** Every target module must name a 2-d layer of the base checkpoint (by its last path component). */
    private void checkTargets(JobRequest r) {
        java.util.Set<String> known = baseCheckpoints.targetableModules(r.baseModel().name());
        for (String target : r.targetModules()) {
            if (!known.contains(target)) {
                throw ApiException.invalid("targetModules", "the base model '" + r.baseModel().name() + "' has no"
                        + " layer named '" + abbreviate(target) + "'; it has " + known);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    /** Refuses a causal-LM job on an encoder base and a classification job on a decoder base. */
    private void checkBaseKind(JobRequest r) {
        String architecture = registry.model(r.baseModel().name()).architecture();
        boolean decoder = BaseModelKind.isDecoder(architecture);
        if (r.effectiveTask() == Task.CAUSAL_LM && !decoder) {
            throw ApiException.invalid("task", "CAUSAL_LM needs a decoder base (" + BaseModelKind.DECODERS
                    + "), but model '" + r.baseModel().name() + "' is " + architecture);
        }
        if (r.effectiveTask() == Task.SEQUENCE_CLASSIFICATION && decoder) {
            throw ApiException.invalid("task", "model '" + r.baseModel().name() + "' is the decoder " + architecture
                    + ": give \"task\": \"CAUSAL_LM\" (SEQUENCE_CLASSIFICATION needs an encoder base)");
        }
    }

    private int resolveBaseVersion(JobRequest.BaseModelRef ref) {
        try {
            return registry.version(ref.name(), ref.version()).version();
        } catch (RegistryCallException e) {
            if (e.notFound()) {
                throw ApiException.invalid("baseModel", "the registry has no version " + ref.version() + " of model '"
                        + ref.name() + "'");
            }
            throw e;
        }
    }

    public Job get(UUID id) {
        return tx.execute(s -> {
            JobEntity job = jobs.findById(id).orElseThrow(() -> ApiException.notFound("job", id));
            return Job.of(job, job.getRequest());
        });
    }

    public List<Job> list(JobState state) {
        return tx.execute(s -> (state == null ? jobs.findAll(Sort.by(Sort.Direction.DESC, "createdAt"))
                : jobs.findByState(state)).stream().map(j -> Job.of(j, j.getRequest())).toList());
    }

    /** RUNNING → CANCELLED; its open round is cancelled and its unfinished tasks fail. 409 once the job ended. */
    public Job cancel(UUID id, String by) {
        tx.executeWithoutResult(s -> {
            JobEntity job = jobs.findById(id).orElseThrow(() -> ApiException.notFound("job", id));
            Instant now = clock.instant();
            if (jobs.end(id, JobState.CANCELLED, "cancelled by " + by, now) == 0) {
                throw ApiException.illegalTransition("job " + id + " is already " + job.getState()
                        + " and cannot be cancelled");
            }
            publisher.publishEvent(new JobCancelled(id, now));
            events.record(id, new JobEventData.JobCancelled(by));
        });
        return get(id);
    }

    /** 404 unless the job exists. */
    public void requireExists(UUID id) {
        if (!jobs.existsById(id)) {
            throw ApiException.notFound("job", id);
        }
    }
}
