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
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import dev.fedexlora.coordinator.event.JobEventData;
import dev.fedexlora.coordinator.CoordinatorMetrics;
import dev.fedexlora.coordinator.CoordinatorProperties;
import dev.fedexlora.coordinator.event.JobEvents;
import dev.fedexlora.coordinator.job.JobCancelled;
import dev.fedexlora.coordinator.job.JobEntity;
import dev.fedexlora.coordinator.job.JobRepository;
import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.coordinator.job.JobState;
import dev.fedexlora.coordinator.job.JobSubmitted;
import dev.fedexlora.coordinator.task.TaskState;
import dev.fedexlora.coordinator.task.Tasks;
import dev.fedexlora.coordinator.worker.WorkerService;

/**
 * The life of a round: open it (on {@link JobSubmitted}, and after each aggregation) with one task per selected
 * client through the {@link Tasks} API, close it when every task is done (or at its
 * deadline with the quorum), retry it when the quorum is missed, and after aggregation move the job on. Every
 * transition is one conditional update; the caller that loses a race simply does nothing.
 */
@Service
public class RoundService {

    private static final Logger log = LoggerFactory.getLogger(RoundService.class);

    private final RoundRepository rounds;
    private final JobRepository jobs;
    private final Tasks tasks;
    private final WorkerService workers;
    private final JobEvents events;
    private final CoordinatorProperties properties;
    private final CoordinatorMetrics metrics;
    private final TransactionTemplate tx;
    private final Clock clock;

    RoundService(RoundRepository rounds, JobRepository jobs, Tasks tasks, WorkerService workers, JobEvents events, CoordinatorProperties properties, CoordinatorMetrics metrics,
                 TransactionTemplate tx, Clock clock) {
        this.rounds = rounds;
        this.jobs = jobs;
        this.tasks = tasks;
        this.workers = workers;
        this.events = events;
        this.properties = properties;
        this.metrics = metrics;
        this.tx = tx;
        this.clock = clock;
    }

    /** A submitted job's first round opens in the submitting transaction. */
    @EventListener
    void on(JobSubmitted submitted) {
        tryOpen(submitted.jobId());
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
        JobRequest request = job.getRequest();
        List<String> clients = select(request, number, attempt);
        Instant now = clock.instant();
        if (clients.size() < request.effectiveQuorum()) {
            Instant waitingSince = latest.map(RoundEntity::getClosedAt).orElse(job.getUpdatedAt());
            if (waitingSince != null && now.isAfter(waitingSince.plus(request.roundDeadline()))) {
                String reason = "round " + number + " could not open: only " + clients.size()
                        + " registered clients hold data set " + request.dataset() + ", the quorum is "
                        + request.effectiveQuorum();
                if (jobs.end(jobId, JobState.FAILED, reason, now) == 1) {
                    events.record(jobId, new JobEventData.JobFailed(null, reason));
                }
            }
            return false;
        }
        RoundEntity round = rounds.save(new RoundEntity(UUID.randomUUID(), jobId, number, attempt,
                request.effectiveQuorum(), now, now.plus(request.roundDeadline())));
        tasks.offer(jobId, round.getId(), number, clients, now);
        events.record(jobId, new JobEventData.RoundOpened(number, attempt, clients,
                round.getDeadlineAt().toString()));
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
        Map<TaskState, Long> counts = tasks.countByState(round.getId());
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
            tasks.roundEnded(round.getId());
            if (retry) {
                log.warn("Job {} round {} attempt {} retried: {}", jobId, round.getNumber(), round.getAttempt(), reason);
                metrics.roundEnded("retried");
                events.record(jobId, new JobEventData.RoundRetried(round.getNumber(), round.getAttempt(), reason));
                tryOpen(jobId);
            } else {
                String jobReason = "round " + round.getNumber() + " failed after " + round.getAttempt()
                        + " attempts: " + reason;
                log.warn("Job {} failed: {}", jobId, jobReason);
                metrics.roundEnded("failed");
                if (jobs.end(jobId, JobState.FAILED, jobReason, now) == 1) {
                    events.record(jobId, new JobEventData.JobFailed(round.getNumber(), jobReason));
                }
            }
        });
    }

    /** AGGREGATING → REGISTERING once its artifacts are written; false when the round moved on (cancelled). */
    boolean awaitRegistration(RoundEntity round) {
        Boolean won = tx.execute(s -> rounds.transition(round.getId(), RoundState.AGGREGATING, RoundState.REGISTERING,
                null, clock.instant()) == 1);
        return Boolean.TRUE.equals(won);
    }

    /** REGISTERING → AGGREGATED with its metrics; the job moves to the next round or succeeds. */
    void aggregated(RoundEntity round, RoundAggregator.Outcome o) {
        tx.executeWithoutResult(s -> {
            if (rounds.aggregated(round.getId(), o.participants(), o.meanLoss(), o.meanAccuracy(), o.exactnessError(),
                    o.deviation(), o.residualBytes(), o.bytesMoved(), o.seconds(), o.modelVersion()) == 0) {
                return;
            }
            tasks.roundEnded(round.getId());
            metrics.roundEnded("aggregated");
            UUID jobId = round.getJobId();
            events.record(jobId, new JobEventData.RoundAggregated(round.getNumber(), o.modelVersion(),
                    o.participants(), o.exactnessError(), o.deviation(), o.residualBytes()));
            Instant now = clock.instant();
            JobEntity job = jobs.findById(jobId).orElseThrow();
            if (round.getNumber() >= job.getRoundsTotal()) {
                if (jobs.succeed(jobId, round.getNumber(), o.modelVersion(), now) == 1) {
                    events.record(jobId, new JobEventData.JobSucceeded(o.modelVersion(), job.getBaseModelName()));
                }
            } else if (jobs.advance(jobId, round.getNumber(), o.modelVersion(), now) == 1) {
                tryOpen(jobId);
            }
        });
    }

    /**
     * A cancelled job's unfinished round (open, aggregating or waiting for the registry) is cancelled, in the
     * cancelling transaction: the registrar checks the round's state before every registration attempt, so no
     * version is registered for it afterwards.
     */
    @EventListener
    void on(JobCancelled cancelled) {
        rounds.cancelUnfinished(cancelled.jobId(), cancelled.at());
    }
}
