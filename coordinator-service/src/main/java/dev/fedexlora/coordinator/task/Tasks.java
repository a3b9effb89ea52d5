package dev.fedexlora.coordinator.task;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import dev.fedexlora.coordinator.job.JobCancelled;

/**
 * What the rest of the coordinator may do with tasks: the round offers one task per selected client, counts them,
 * abandons the unfinished ones when it closes, and reads the done ones to aggregate. The task table itself
 * ({@link TaskRepository}) stays inside this package.
 */
@Service
public class Tasks {

    private final TaskRepository tasks;
    private final VerifiedUploads uploads;

    Tasks(TaskRepository tasks, VerifiedUploads uploads) {
        this.tasks = tasks;
        this.uploads = uploads;
    }

    /** One OFFERED task per client of the round; inside the transaction that opens the round. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void offer(UUID jobId, UUID roundId, int round, List<String> clients, Instant now) {
        for (String client : clients) {
            tasks.save(new TaskEntity(UUID.randomUUID(), jobId, roundId, round, client, now));
        }
    }

    /** How many of the round's tasks are in each state (absent: none). */
    @Transactional(readOnly = true)
    public Map<TaskState, Long> countByState(UUID roundId) {
        Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
        for (Object[] row : tasks.countByState(roundId)) {
            counts.put((TaskState) row[0], (Long) row[1]);
        }
        return counts;
    }

    /** Every held lease lasts {@code seconds} longer: the coordinator was down that long. Returns how many. */
    @Transactional(propagation = Propagation.MANDATORY)
    public int extendLeases(double seconds) {
        return tasks.extendLeases(seconds);
    }

    /** Tasks OFFERED or LEASED in OPEN rounds of RUNNING jobs: what workers could be doing right now. */
    @Transactional(readOnly = true)
    public long openCount() {
        return tasks.countOpen();
    }

    /** The round's tasks still offered or leased fail for good with {@code reason}. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void abandonRound(UUID roundId, String reason, Instant now) {
        tasks.abandonRound(roundId, reason, now);
    }

    /** The round's completed tasks, to aggregate. */
    @Transactional(readOnly = true)
    public List<TaskEntity> done(UUID roundId) {
        return tasks.findByRoundIdAndState(roundId, TaskState.DONE);
    }

    /** The round ended (aggregated, retried or failed): the uploads kept for it are no longer needed. */
    public void roundEnded(UUID roundId) {
        uploads.forgetRound(roundId);
    }

    /** A cancelled job's unfinished tasks fail, in the cancelling transaction. */
    @EventListener
    void on(JobCancelled cancelled) {
        tasks.abandonJob(cancelled.jobId(), "job cancelled", cancelled.at());
    }
}
