package dev.fedexlora.coordinator.round;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.fedexlora.coordinator.job.JobEntity;
import dev.fedexlora.coordinator.job.JobRepository;
import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.coordinator.job.JobState;
import dev.fedexlora.coordinator.task.TaskService;
import dev.fedexlora.coordinator.task.Tasks;

/**
 * The coordinator's one background loop: expire leases, open rounds that are due, close or retry open rounds, and
 * aggregate closed ones. Everything it acts on is read back from PostgreSQL on every run, so a restarted
 * coordinator simply continues (a round left AGGREGATING is aggregated again). A failure of one step is logged and
 * retried on the next run.
 */
@Component
class RoundScheduler {

    private static final Logger log = LoggerFactory.getLogger(RoundScheduler.class);

    private final TaskService taskService;
    private final RoundService rounds;
    private final RoundRepository roundRepository;
    private final RoundAggregator aggregator;
    private final JobRepository jobs;
    private final Tasks tasks;
    private final TransactionTemplate tx;

    RoundScheduler(TaskService taskService, RoundService rounds, RoundRepository roundRepository,
                   RoundAggregator aggregator, JobRepository jobs, Tasks tasks,
                   TransactionTemplate tx) {
        this.taskService = taskService;
        this.rounds = rounds;
        this.roundRepository = roundRepository;
        this.aggregator = aggregator;
        this.jobs = jobs;
        this.tasks = tasks;
        this.tx = tx;
    }

    @Scheduled(fixedDelayString = "${fedex.coordinator.scheduler-interval:1s}")
    void tick() {
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
    }

    private void aggregate(java.util.UUID roundId) {
        RoundEntity round = roundRepository.findById(roundId).orElseThrow();
        if (round.getState() != RoundState.AGGREGATING) {
            return;
        }
        JobEntity job = jobs.findById(round.getJobId()).orElseThrow();
        JobRequest request = job.getRequest();
        try {
            var outcome = aggregator.aggregate(job, request, round, tasks.done(roundId));
            rounds.aggregated(round, outcome);
        } catch (RoundAggregator.Unaggregatable e) {
            rounds.retryOrFail(round, RoundState.AGGREGATING, e.getMessage());
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
