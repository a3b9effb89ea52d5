package dev.fedexlora.coordinator.round;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import dev.fedexlora.coordinator.CoordinatorMetrics;
import dev.fedexlora.coordinator.CoordinatorProperties;
import dev.fedexlora.coordinator.event.JobEvents;
import dev.fedexlora.coordinator.job.JobEntity;
import dev.fedexlora.coordinator.job.JobRepository;
import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.coordinator.job.JobRequestCodec;
import dev.fedexlora.coordinator.job.JobState;
import dev.fedexlora.coordinator.task.TaskEntity;
import dev.fedexlora.coordinator.task.TaskRepository;
import dev.fedexlora.coordinator.task.TaskState;
import dev.fedexlora.coordinator.worker.WorkerService;

/**
 * The life of a round: open it with one task per selected client, close it when every task is done (or at its
 * deadline with the quorum), retry it when the quorum is missed, and after aggregation move the job on. Every
 * transition is one conditional update; the caller that loses a race simply does nothing.
 */
@Service
public class RoundService {

    private static final Logger log = LoggerFactory.getLogger(RoundService.class);

    private final RoundRepository rounds;
    private final JobRepository jobs;
    private final JobRequestCodec codec;
    private final TaskRepository tasks;
    private final WorkerService workers;
    private final JobEvents events;
    private final CoordinatorProperties properties;
    private final CoordinatorMetrics metrics;
    private final TransactionTemplate tx;
    private final Clock clock;

    RoundService(RoundRepository rounds, JobRepository jobs, JobRequestCodec codec, TaskRepository tasks,
                 WorkerService workers, JobEvents events, CoordinatorProperties properties, CoordinatorMetrics metrics,
                 TransactionTemplate tx, Clock clock) {
        this.rounds = rounds;
        this.jobs = jobs;
        this.codec = codec;
        this.tasks = tasks;
        this.workers = workers;
        this.events = events;
        this.properties = properties;
        this.metrics = metrics;
        this.tx = tx;
        this.clock = clock;
    }

    public List<RoundView> views(UUID jobId) {
        return tx.execute(s -> rounds.findByJobIdOrderByNumberAscAttemptAsc(jobId).stream().map(RoundView::of).toList());
    }

    /**
     * Opens the job's current round unless an attempt of it is open, aggregating or aggregated. With a selection
     * rule it waits until enough registered clients hold the data set, and fails the job when none appear within
     * one round deadline. Runs inside the caller's transaction.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean tryOpen(UUID jobId) {
        JobEntity job = jobs.findById(jobId).orElseThrow();
        if (job.getState() != JobState.RUNNING) {
            return false;
        }
        int number = job.getCurrentRound();
        Optional<RoundEntity> latest = rounds.findFirstByJobIdAndNumberOrderByAttemptDesc(jobId, number);
        if (latest.isPresent() && latest.get().getState() != RoundState.RETRIED) {
            return false;
        }
        int attempt = latest.map(r -> r.getAttempt() + 1).orElse(1);
        JobRequest request = codec.read(job);
        List<String> clients = select(request, number, attempt);
        Instant now = clock.instant();
        if (clients.size() < request.effectiveQuorum()) {
            Instant waitingSince = latest.map(RoundEntity::getClosedAt).orElse(job.getUpdatedAt());
            if (waitingSince != null && now.isAfter(waitingSince.plus(request.roundDeadline()))) {
                String reason = "round " + number + " could not open: only " + clients.size()
                        + " registered clients hold data set " + request.dataset() + ", the quorum is "
                        + request.effectiveQuorum();
                if (jobs.end(jobId, JobState.FAILED, reason, now) == 1) {
                    events.record(jobId, "JobFailed", Map.of("reason", reason));
                }
            }
            return false;
        }
        RoundEntity round = rounds.save(new RoundEntity(UUID.randomUUID(), jobId, number, attempt,
                request.effectiveQuorum(), now, now.plus(request.roundDeadline())));
        for (String client : clients) {
            tasks.save(new TaskEntity(UUID.randomUUID(), jobId, round.getId(), number, client, now));
        }
        events.record(jobId, "RoundOpened", Map.of("round", number, "attempt", attempt, "clients", clients,
                "deadline", round.getDeadlineAt().toString()));
        return true;
    }

    /** Explicit clients every round; otherwise a seeded sample of the registered clients holding the data set. */
    private List<String> select(JobRequest request, int number, int attempt) {
        if (request.clients() != null && !request.clients().isEmpty()) {
            return request.clients();
        }
        List<String> candidates = new ArrayList<>(workers.clientsHolding(request.dataset()).keySet());
        Collections.shuffle(candidates, new Random(request.seed() * 1_000_003L + number * 1_009L + attempt));
        return List.copyOf(candidates.subList(0, Math.min(request.clientSelection().count(), candidates.size())));
    }

    /** Decides an open round: close it, retry it, or leave it open. Returns true when it closed for aggregation. */
    boolean evaluate(RoundEntity round) {
        Map<TaskState, Long> counts = new java.util.EnumMap<>(TaskState.class);
        for (Object[] row : tasks.countByState(round.getId())) {
            counts.put((TaskState) row[0], (Long) row[1]);
        }
        long done = counts.getOrDefault(TaskState.DONE, 0L);
        long failed = counts.getOrDefault(TaskState.FAILED, 0L);
        long open = counts.getOrDefault(TaskState.OFFERED, 0L) + counts.getOrDefault(TaskState.LEASED, 0L);
        Instant now = clock.instant();
        boolean pastDeadline = !now.isBefore(round.getDeadlineAt());
        if (open == 0 && done > 0 && (done >= round.getQuorum() || failed == 0)) {
            return close(round);
        }
        if (pastDeadline || open == 0) {
            if (done >= round.getQuorum() && done > 0) {
                return close(round);
            }
            retryOrFail(round, RoundState.OPEN, (pastDeadline ? "deadline passed with " : "every task ended with ")
                    + done + " completed tasks, the quorum is " + round.getQuorum());
        }
        return false;
    }

    /** OPEN → AGGREGATING; the tasks still open fail for good. */
    private boolean close(RoundEntity round) {
        Boolean won = tx.execute(s -> {
            Instant now = clock.instant();
            if (rounds.transition(round.getId(), RoundState.OPEN, RoundState.AGGREGATING, null, now) == 0) {
                return false;
            }
            tasks.abandonRound(round.getId(), "round " + round.getNumber() + " closed without this task", now);
            return true;
        });
        return Boolean.TRUE.equals(won);
    }

    /**
     * A round that cannot aggregate: RETRIED (and the next attempt opens) while attempts remain, else FAILED with
     * its job.
     */
    void retryOrFail(RoundEntity round, RoundState from, String reason) {
        tx.executeWithoutResult(s -> {
            Instant now = clock.instant();
            UUID jobId = round.getJobId();
            boolean retry = round.getAttempt() < properties.maxRoundAttempts();
            if (rounds.transition(round.getId(), from, retry ? RoundState.RETRIED : RoundState.FAILED, reason, now) == 0) {
                return;
            }
            tasks.abandonRound(round.getId(), "round " + round.getNumber() + " attempt " + round.getAttempt()
                    + " ended: " + reason, now);
            if (retry) {
                log.warn("Job {} round {} attempt {} retried: {}", jobId, round.getNumber(), round.getAttempt(), reason);
                metrics.roundEnded("retried");
                events.record(jobId, "RoundRetried", Map.of("round", round.getNumber(), "attempt", round.getAttempt(),
                        "reason", reason));
                tryOpen(jobId);
            } else {
                String jobReason = "round " + round.getNumber() + " failed after " + round.getAttempt()
                        + " attempts: " + reason;
                log.warn("Job {} failed: {}", jobId, jobReason);
                metrics.roundEnded("failed");
                if (jobs.end(jobId, JobState.FAILED, jobReason, now) == 1) {
                    events.record(jobId, "JobFailed", Map.of("round", round.getNumber(), "reason", jobReason));
                }
            }
        });
    }

    /** AGGREGATING → AGGREGATED with its metrics; the job moves to the next round or succeeds. */
    void aggregated(RoundEntity round, RoundAggregator.Outcome o) {
        tx.executeWithoutResult(s -> {
            if (rounds.aggregated(round.getId(), o.participants(), o.meanLoss(), o.meanAccuracy(), o.exactnessError(),
                    o.deviation(), o.residualBytes(), o.bytesMoved(), o.seconds(), o.modelVersion()) == 0) {
                return;
            }
            metrics.roundEnded("aggregated");
            UUID jobId = round.getJobId();
            Map<String, Object> data = new java.util.LinkedHashMap<>();
            data.put("round", round.getNumber());
            data.put("modelVersion", o.modelVersion());
            data.put("participants", o.participants());
            data.put("exactnessError", o.exactnessError());
            data.put("deviation", o.deviation());
            data.put("residualBytes", o.residualBytes());
            events.record(jobId, "RoundAggregated", data);
            Instant now = clock.instant();
            JobEntity job = jobs.findById(jobId).orElseThrow();
            if (round.getNumber() >= job.getRoundsTotal()) {
                if (jobs.succeed(jobId, round.getNumber(), o.modelVersion(), now) == 1) {
                    events.record(jobId, "JobSucceeded", Map.of("modelVersion", o.modelVersion(),
                            "model", job.getBaseModelName()));
                }
            } else if (jobs.advance(jobId, round.getNumber(), o.modelVersion(), now) == 1) {
                tryOpen(jobId);
            }
        });
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void cancelOpen(UUID jobId, Instant now) {
        rounds.cancelOpen(jobId, now);
    }
}
