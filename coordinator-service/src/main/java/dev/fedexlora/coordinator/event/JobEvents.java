package dev.fedexlora.coordinator.event;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Records job events in the same transaction as the transition they describe, and hands them to the live
 * streams once that transaction commits (so a stream never shows a transition that rolled back).
 */
@Service
public class JobEvents {

    private final JobEventRepository events;
    private final ApplicationEventPublisher publisher;
    private final Clock clock;

    JobEvents(JobEventRepository events, ApplicationEventPublisher publisher, Clock clock) {
        this.events = events;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Must run inside the transaction of the transition it records. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(UUID jobId, JobEventData data) {
        JobEventEntity e = events.save(new JobEventEntity(jobId, data, clock.instant()));
        publisher.publishEvent(toEvent(e));
    }

    @Transactional(readOnly = true)
    public List<JobEvent> after(UUID jobId, long afterId) {
        return events.findByJobIdAndIdGreaterThanOrderByIdAsc(jobId, afterId).stream().map(this::toEvent).toList();
    }

    @Transactional(readOnly = true)
    public long count(UUID jobId, String type) {
        return events.countByJobIdAndType(jobId, type);
    }

    private JobEvent toEvent(JobEventEntity e) {
        return new JobEvent(e.getId(), e.getJobId(), e.getType(), e.getCreatedAt(), e.getPayload());
    }
}
