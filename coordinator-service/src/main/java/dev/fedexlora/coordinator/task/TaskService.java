package dev.fedexlora.coordinator.task;

import dev.fedexlora.coordinator.event.JobEventData;
import dev.fedexlora.core.protocol.TaskLease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.fedexlora.coordinator.CoordinatorMetrics;
import dev.fedexlora.coordinator.CoordinatorProperties;
import dev.fedexlora.coordinator.event.JobEvents;
import dev.fedexlora.coordinator.job.JobEntity;
import dev.fedexlora.coordinator.job.JobRepository;
import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.coordinator.web.ApiException;
import dev.fedexlora.coordinator.worker.WorkerEntity;
import dev.fedexlora.coordinator.worker.WorkerService;
import dev.fedexlora.core.peft.LoraAdapter;

/**
 * The worker side of a task: lease (claim with SKIP LOCKED), heartbeat, complete (verified upload) and fail, plus
 * lease expiry. Every call first checks that the worker id belongs to the calling credential (404 otherwise); a
 * task leased or completed by another worker answers 404, as an unknown one, revealing nothing about it.
 */
@Service
public class TaskService {

    private static final Logger log = LoggerFactory.getLogger(TaskService.class);

    private final TaskRepository tasks;
    private final JobRepository jobs;
    private final WorkerService workers;
    private final GlobalStateResolver globalState;
    private final ObjectStore store;
    private final VerifiedUploads uploads;
    private final JobEvents events;
    private final CoordinatorMetrics metrics;
    private final CoordinatorProperties properties;
    private final TransactionTemplate tx;
    private final Clock clock;

    TaskService(TaskRepository tasks, JobRepository jobs, WorkerService workers,
                GlobalStateResolver globalState, ObjectStore store, VerifiedUploads uploads, JobEvents events,
                CoordinatorMetrics metrics,
                CoordinatorProperties properties, TransactionTemplate tx, Clock clock) {
        this.tasks = tasks;
        this.jobs = jobs;
        this.workers = workers;
        this.globalState = globalState;
        this.store = store;
        this.uploads = uploads;
        this.events = events;
        this.metrics = metrics;
        this.properties = properties;
        this.tx = tx;
        this.clock = clock;
    }

    /** Claims one offered task of a client this worker hosts; empty when there is nothing to do. */
    public Optional<TaskLease> lease(UUID workerId, String principal) {
        workers.ownedWorker(workerId, principal);
        Optional<TaskEntity> claimed = tx.execute(s -> {
            Instant now = clock.instant();
            Optional<UUID> id = tasks.claimable(workerId);
            if (id.isEmpty() || tasks.lease(id.get(), workerId, now.plus(properties.leaseTtl()), now) == 0) {
                return Optional.<TaskEntity>empty();
            }
            return tasks.findById(id.get());
        });
        if (claimed.isEmpty()) {
            return Optional.empty();
        }
        TaskEntity task = claimed.get();
        try {
            return Optional.of(assemble(task));
        } catch (RuntimeException e) {
            // The worker never learns of this lease: give the task back at once instead of waiting for expiry.
            tx.executeWithoutResult(s -> {
                if (tasks.failLeased(task.getId(), workerId, "lease could not be assembled: " + e.getMessage(),
                        clock.instant()) == 1) {
                    tasks.reofferUncounted(task.getId(), clock.instant());
                }
            });
            throw e;
        }
    }

    private TaskLease assemble(TaskEntity task) {
        JobEntity job = jobs.findById(task.getJobId()).orElseThrow();
        JobRequest r = job.getRequest();
        Map<String, String> upload = uploadUrls(task, task.getLeaseExpiresAt());
        TaskLease.Training training = new TaskLease.Training(r.method(), r.rank(), r.alpha(),
                Boolean.TRUE.equals(r.useRslora()), r.targetModules(), r.learningRate(), r.localSteps(), r.batchSize(),
                r.seed(), r.numLabels() == null ? 0 : r.numLabels(), r.effectiveTask(),
                r.maxSequenceLength());
        return new TaskLease(task.getId(), task.getJobId(), task.getRoundNumber(), task.getClientId(), r.dataset(),
                task.getLeaseExpiresAt(), training,
                globalState.resolve(job.getBaseModelName(), job.currentModelVersion()), upload);
    }

    /**
     * Presigned PUTs of this attempt's upload that expire with the lease (never later than {@code presignExpiry}):
     * a worker that loses its lease soon loses the means to write, and every heartbeat hands out fresh ones.
     */
    private Map<String, String> uploadUrls(TaskEntity task, Instant leaseExpiresAt) {
        Duration valid = Duration.between(clock.instant(), leaseExpiresAt);
        if (valid.compareTo(properties.presignExpiry()) > 0) {
            valid = properties.presignExpiry();
        }
        if (valid.compareTo(Duration.ofSeconds(1)) < 0) {
            valid = Duration.ofSeconds(1);
        }
        Map<String, String> upload = new LinkedHashMap<>();
        for (String file : UploadVerifier.FILES) {
            upload.put(file, store.presignPut(TaskKeys.upload(task, file), valid));
        }
        return upload;
    }

    /**
     * Extends the lease by the lease TTL and hands out fresh upload URLs valid as long; 409 when it is no longer
     * this worker's.
     */
    public TaskRequests.Heartbeat heartbeat(UUID taskId, UUID workerId, String principal) {
        workers.ownedWorker(workerId, principal);
        Instant now = clock.instant();
        Instant expires = now.plus(properties.leaseTtl());
        Integer won = tx.execute(s -> tasks.heartbeat(taskId, workerId, expires, now));
        if (won == null || won == 0) {
            requireVisible(taskId, workerId);
            throw ApiException.leaseLost(taskId);
        }
        return new TaskRequests.Heartbeat(expires, uploadUrls(requireTask(taskId), expires));
    }

    /**
     * Verifies the upload and marks the task DONE. A task already DONE answers its first completion (idempotent);
     * a rejected upload fails the task with the reason, offers it again, and answers 422.
     */
    public TaskRequests.CompletionResult complete(UUID taskId, TaskRequests.Completion body, String principal) {
        WorkerEntity worker = workers.ownedWorker(body.workerId(), principal);
        TaskEntity task = requireVisible(taskId, body.workerId());
        if (task.getState() == TaskState.DONE) {
            return result(task);
        }
        if (task.getState() != TaskState.LEASED || !body.workerId().equals(task.getLeaseOwner())) {
            throw ApiException.leaseLost(taskId);
        }
        JobEntity job = jobs.findById(task.getJobId()).orElseThrow();
        JobRequest request = job.getRequest();
        // The EXAMPLES weighting trusts this count: never more than the worker announced for the client's data set.
        long registered = workers.registeredExamples(worker, task.getClientId(), request.dataset());
        if (body.examples() > registered) {
            String reason = "examples: " + body.examples() + " exceeds the " + registered + " examples this worker"
                    + " registered for client " + task.getClientId() + " and data set " + request.dataset();
            reject(task, body.workerId(), reason);
            throw new ApiException(org.springframework.http.HttpStatus.UNPROCESSABLE_CONTENT, "upload-rejected",
                    "upload of task " + taskId + " rejected: " + reason, "examples");
        }
        UploadVerifier.Verified verified;
        try {
            verified = uploads.verify(task, request, job.getBaseModelName(), body.sha256(),
                    request.method() == dev.fedexlora.core.protocol.Method.FFA ? ffaReference(task, request,
                            job.getBaseModelName()) : null);
        } catch (UploadVerifier.Rejected e) {
            reject(task, body.workerId(), e.getMessage());
            throw ApiException.uploadRejected("upload of task " + taskId + " rejected: " + e.getMessage());
        }
        metrics.bytesMoved("in", verified.bytes());
        Map<String, Object> reported = body.metrics() == null ? Map.of() : body.metrics();
        Boolean won = tx.execute(s -> {
            Instant now = clock.instant();
            if (tasks.complete(taskId, body.workerId(), verified.weightsSha256(), verified.configSha256(),
                    body.examples(), reported, now) == 0) {
                return false;
            }
            events.record(task.getJobId(), new JobEventData.TaskCompleted(taskId.toString(),
                    task.getRoundNumber(), task.getClientId(), body.examples()));
            return true;
        });
        if (Boolean.TRUE.equals(won)) {
            uploads.keep(task, verified);
        }
        TaskEntity now = requireTask(taskId);
        if (!Boolean.TRUE.equals(won) && now.getState() != TaskState.DONE) {
            throw ApiException.leaseLost(taskId);
        }
        return result(now);
    }

    /**
     * For FFA, the upload whose frozen {@code lora_A} every other of the round must equal: a kept verified upload
     * of the round, or (after a restart) the first done upload of the round that still verifies; null for the
     * round's first.
     */
    private LoraAdapter ffaReference(TaskEntity task, JobRequest request, String model) {
        Optional<LoraAdapter> kept = uploads.keptReference(task.getRoundId(), task.getId());
        if (kept.isPresent()) {
            return kept.get();
        }
        for (TaskEntity other : tasks.findByRoundIdAndState(task.getRoundId(), TaskState.DONE)) {
            if (other.getId().equals(task.getId())) {
                continue;
            }
            try {
                return uploads.adapter(other, request, model).adapter();
            } catch (VerifiedUploads.Unreadable e) {
                log.warn("Reference upload of task {} no longer reads: {}", other.getId(), e.getMessage());
            }
        }
        return null;
    }

    private void reject(TaskEntity task, UUID workerId, String reason) {
        metrics.uploadRejected();
        tx.executeWithoutResult(s -> failAndReoffer(task, workerId, "upload rejected: " + reason));
    }

    /** The worker gave up on its task: FAILED with the reason, then offered again while attempts remain. */
    public void fail(UUID taskId, TaskRequests.Failure body, String principal) {
        workers.ownedWorker(body.workerId(), principal);
        TaskEntity task = requireVisible(taskId, body.workerId());
        if (task.getState() == TaskState.DONE) {
            throw ApiException.illegalTransition("task " + taskId + " is already DONE");
        }
        Boolean won = tx.execute(s -> failAndReoffer(task, body.workerId(), body.reason()));
        if (!Boolean.TRUE.equals(won)) {
            throw ApiException.leaseLost(taskId);
        }
    }

    private boolean failAndReoffer(TaskEntity task, UUID workerId, String reason) {
        Instant now = clock.instant();
        if (tasks.failLeased(task.getId(), workerId, reason, now) == 0) {
            return false;
        }
        boolean reoffered = tasks.reoffer(task.getId(), properties.maxTaskAttempts(), now) == 1;
        events.record(task.getJobId(), new JobEventData.TaskFailed(task.getId().toString(),
                task.getRoundNumber(), task.getClientId(), reason, reoffered));
        return true;
    }

    /** Leases past their expiry go back on offer (attempt + 1). Returns how many expired. */
    public int expireLeases() {
        Integer n = tx.execute(s -> {
            Instant now = clock.instant();
            int count = 0;
            for (UUID id : tasks.expiredLeases(now)) {
                TaskEntity t = tasks.findById(id).orElseThrow();
                if (tasks.expire(id, now) == 1) {
                    count++;
                    metrics.leaseExpired();
                    events.record(t.getJobId(), new JobEventData.TaskFailed(id.toString(),
                            t.getRoundNumber(), t.getClientId(), "lease expired", true));
                }
            }
            return count;
        });
        return n == null ? 0 : n;
    }

    public List<TaskView> views(UUID jobId) {
        return tx.execute(s -> tasks.findByJobIdOrderByCreatedAtAscClientIdAsc(jobId).stream().map(this::view).toList());
    }

    private TaskView view(TaskEntity t) {
        Map<String, String> sha = t.getAdapterSha256() == null ? null : Map.of(UploadVerifier.WEIGHTS,
                t.getAdapterSha256(), UploadVerifier.CONFIG, t.getConfigSha256());
        Map<String, Object> m = t.getMetrics();
        return new TaskView(t.getId(), t.getRoundId(), t.getClientId(), t.getState(), t.getAttempts(), t.getLeaseOwner(),
                t.getLeaseExpiresAt(), t.getExamples(), sha, m, t.getFailureReason(), t.getCreatedAt(),
                t.getCompletedAt());
    }

    /**
     * The task, unless another worker holds it (leased or done by it): then 404 as for an unknown task, so that a
     * worker learns nothing about others' tasks. A task no one holds answers as before (the caller's lease is lost).
     */
    private TaskEntity requireVisible(UUID id, UUID workerId) {
        TaskEntity task = requireTask(id);
        if (task.getLeaseOwner() != null && !task.getLeaseOwner().equals(workerId)) {
            throw ApiException.notFound("task", id);
        }
        return task;
    }

    private TaskEntity requireTask(UUID id) {
        return tx.execute(s -> tasks.findById(id)).orElseThrow(() -> ApiException.notFound("task", id));
    }

    private static TaskRequests.CompletionResult result(TaskEntity t) {
        return new TaskRequests.CompletionResult(t.getId(), t.getState(), t.getExamples() == null ? 0 : t.getExamples(),
                Map.of(UploadVerifier.WEIGHTS, t.getAdapterSha256(), UploadVerifier.CONFIG, t.getConfigSha256()),
                t.getCompletedAt());
    }
}
