package dev.fedexlora.coordinator.event;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.fedexlora.coordinator.CoordinatorProperties;

/**
 * Server-sent event streams of job events. A new stream first replays the stored events after
 * {@code Last-Event-ID} (all of them without one), then receives committed events live. Replay and live delivery
 * can overlap; each stream skips ids it has already sent.
 *
 * <p>When the application context closes, every open stream is completed before the web server's graceful shutdown
 * starts waiting for requests: a followed job's stream would otherwise hold the shutdown for its whole phase
 * timeout. Clients see the stream end normally and resume elsewhere with {@code Last-Event-ID}; a stream opened
 * during shutdown gets its replay and ends.
 */
@Component
public class JobEventStream implements SmartLifecycle {

    private static final Set<String> FINAL = Set.of("JobSucceeded", "JobFailed", "JobCancelled");

    private final JobEvents events;
    private final CoordinatorProperties properties;
    private final Map<UUID, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile boolean stopped;

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
        // Registered before this check, so either stop() sees the stream or the stream sees the stop.
        if (stopped) {
            s.complete();
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

    @Override
    public void start() {
        stopped = false;
        running = true;
    }

    /** Completes every open stream; Tomcat then finishes their responses, so graceful shutdown has none to wait for. */
    @Override
    public void stop() {
        stopped = true;
        running = false;
        subscribers.values().forEach(list -> list.forEach(Subscriber::complete));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown (a higher phase stops earlier). */
    @Override
    public int getPhase() {
        return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;
    }

    private static final class Subscriber {
        private final SseEmitter emitter;
        private long lastSent;
        private boolean completed;

        Subscriber(SseEmitter emitter, long lastSent) {
            this.emitter = emitter;
            this.lastSent = lastSent;
        }

        synchronized void send(JobEvent e) {
            if (completed || e.id() <= lastSent) {
                return;
            }
            try {
                emitter.send(SseEmitter.event().id(Long.toString(e.id())).name(e.type()).data(e));
                lastSent = e.id();
                if (FINAL.contains(e.type())) {
                    complete();
                }
            } catch (IOException | IllegalStateException ex) {
                completed = true;
                emitter.completeWithError(ex);
            }
        }

        /** Ends the stream once, whether the job ended or the coordinator is stopping. */
        synchronized void complete() {
            if (!completed) {
                completed = true;
                emitter.complete();
            }
        }
    }
}
