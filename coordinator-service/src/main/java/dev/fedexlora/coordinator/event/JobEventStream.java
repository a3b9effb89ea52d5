package dev.fedexlora.coordinator.event;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.fedexlora.coordinator.CoordinatorProperties;

/**
 * Server-sent event streams of job events. A new stream first replays the stored events after
 * {@code Last-Event-ID} (all of them without one), then receives committed events live. Replay and live delivery
 * can overlap; each stream skips ids it has already sent.
 */
@Component
public class JobEventStream {

    private static final Set<String> FINAL = Set.of("JobSucceeded", "JobFailed", "JobCancelled");

    private final JobEvents events;
    private final CoordinatorProperties properties;
    private final Map<UUID, List<Subscriber>> subscribers = new ConcurrentHashMap<>();

    JobEventStream(JobEvents events, CoordinatorProperties properties) {
        this.events = events;
        this.properties = properties;
    }

    public SseEmitter open(UUID jobId, long afterId) {
        SseEmitter emitter = new SseEmitter(properties.eventStreamTimeout().toMillis());
        Subscriber s = new Subscriber(emitter, afterId);
        List<Subscriber> list = subscribers.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>());
        list.add(s);
        Runnable remove = () -> list.remove(s);
        emitter.onCompletion(remove);
        emitter.onTimeout(remove);
        emitter.onError(e -> remove.run());
        for (JobEvent e : events.after(jobId, afterId)) {
            s.send(e);
        }
        return emitter;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onCommitted(JobEvent event) {
        List<Subscriber> list = subscribers.get(event.jobId());
        if (list != null) {
            list.forEach(s -> s.send(event));
        }
    }

    private static final class Subscriber {
        private final SseEmitter emitter;
        private long lastSent;

        Subscriber(SseEmitter emitter, long lastSent) {
            this.emitter = emitter;
            this.lastSent = lastSent;
        }

        synchronized void send(JobEvent e) {
            if (e.id() <= lastSent) {
                return;
            }
            try {
                emitter.send(SseEmitter.event().id(Long.toString(e.id())).name(e.type()).data(e));
                lastSent = e.id();
                if (FINAL.contains(e.type())) {
                    emitter.complete();
                }
            } catch (IOException | IllegalStateException ex) {
                emitter.completeWithError(ex);
            }
        }
    }
}
