package dev.fedexlora.coordinator.round;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.fedexlora.coordinator.CoordinatorMetrics;
import dev.fedexlora.coordinator.job.JobEntity;
import dev.fedexlora.coordinator.job.JobRepository;
import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.coordinator.job.JobState;
import dev.fedexlora.coordinator.task.TaskService;
import dev.fedexlora.coordinator.task.Tasks;

/**
 * The coordinator's one background loop: make up for time the coordinator was down, expire leases, open rounds
 * that are due, close or retry open rounds, aggregate closed ones and hand them to the {@link RoundRegistrar}.
 * Everything it acts on is read back from PostgreSQL on every run, so a restarted coordinator simply continues (a
 * round left AGGREGATING or REGISTERING is aggregated again). A failure of one step is logged and retried on the
 * next run. Nothing here waits for the registry.
 */
@Component
class RoundScheduler {

    private static final Logger log = LoggerFactory.getLogger(RoundScheduler.class);

    private final TaskService taskService;
    private final RoundService rounds;
    private final RoundRepository roundRepository;
    private final RoundAggregator aggregator;
    private final RoundRegistrar registrar;
    private final Downtime downtime;
    private final JobRepository jobs;
    private final Tasks tasks;
    private final CoordinatorMetrics metrics;
    private final TransactionTemplate tx;

    RoundScheduler(TaskService taskService, RoundService rounds, RoundRepository roundRepository,
                   RoundAggregator aggregator, RoundRegistrar registrar, Downtime downtime, JobRepository jobs,
                   Tasks tasks, CoordinatorMetrics metrics, TransactionTemplate tx) {
        this.taskService = taskService;
        this.rounds = rounds;
        this.roundRepository = roundRepository;
        this.aggregator = aggregator;
        this.registrar = registrar;
        this.downtime = downtime;
        this.jobs = jobs;
        this.tasks = tasks;
        this.metrics = metrics;
        this.tx = tx;
    }

    @Scheduled(fixedDelayString = "${fedex.coordinator.scheduler-interval:1s}")
    void tick() {
        // Before anything expires: leases and deadlines that ran out while the coordinator was down are extended.
        step("make up for downtime", downtime::beat);
        step("expire leases", taskService::expireLeases);
        for (JobEntity job : jobs.findByState(JobState.RUNNING)) {
            step("open the next round of job " + job.getId(), () -> tx.executeWithoutResult(s -> rounds.tryOpen(job.getId())));
        }
        for (RoundEntity round : roundRepository.findByState(RoundState.OPEN)) {
            step("evaluate round " + round.getId(), () -> {
                if (rounds.evaluate(round)) {
                    aggregate(round.getId());
                }
            });
        }
        for (RoundEntity round : roundRepository.findByState(RoundState.AGGREGATING)) {
            step("aggregate round " + round.getId(), () -> aggregate(round.getId()));
        }
        Set<UUID> registering = new HashSet<>();
        for (RoundEntity round : roundRepository.findByState(RoundState.REGISTERING)) {
            registering.add(round.getId());
            step("register round " + round.getId(), () -> {
                if (registrar.holds(round.getId())) {
                    registrar.poll(round.getId());
                } else {
                    // After a restart: aggregate again (the same bytes) and hand it over, unless it moved on since
                    // it was listed.
                    roundRepository.findById(round.getId()).filter(r -> r.getState() == RoundState.REGISTERING)
                            .flatMap(this::prepare).ifPresent(p -> registrar.hand(round.getId(), p));
                }
            });
        }
        registrar.retain(registering);
        step("count open tasks", () -> metrics.tasksOpen(tasks.openCount()));
    }

    private void aggregate(UUID roundId) {
        RoundEntity round = roundRepository.findById(roundId).orElseThrow();
        if (round.getState() != RoundState.AGGREGATING) {
            return;
        }
        prepare(round).ifPresent(prepared -> {
            if (rounds.awaitRegistration(round)) {
                registrar.hand(roundId, prepared);
            }
        });
    }

    /** Aggregates the round and writes its artifacts; empty when it cannot aggregate (retried or failed). */
    private java.util.Optional<RoundAggregator.Prepared> prepare(RoundEntity round) {
        JobEntity job = jobs.findById(round.getJobId()).orElseThrow();
        JobRequest request = job.getRequest();
        try {
            return java.util.Optional.of(aggregator.aggregate(job, request, round, tasks.done(round.getId())));
        } catch (RoundAggregator.Unaggregatable e) {
            rounds.retryOrFail(round, round.getState(), e.getMessage());
            return java.util.Optional.empty();
        }
    }

    private static void step(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            log.warn("Could not {} (retried on the next run): {}", what, e.toString());
        }
    }
}
