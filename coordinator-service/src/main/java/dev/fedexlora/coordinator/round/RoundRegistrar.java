package dev.fedexlora.coordinator.round;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import dev.fedexlora.coordinator.registry.RegistryCallException;

/**
 * Registers aggregated rounds with the model registry on its own thread, so that a registry outage never holds the
 * scheduler loop (and with it every other job's rounds). A round waits in {@link RoundState#REGISTERING}; each
 * failed attempt (registry unreachable or 5xx) is retried after a backoff that doubles from
 * {@link #FIRST_BACKOFF} to {@link #MAX_BACKOFF}; a 4xx refusal retries or fails the round. Before every attempt the
 * round is read again: one cancelled meanwhile is dropped, so nothing is registered after a cancel. What is pending
 * lives in memory only: after a restart the scheduler aggregates a REGISTERING round again (same bytes) and hands
 * it over anew.
 */
@Component
class RoundRegistrar implements DisposableBean {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(RoundRegistrar.class);

    private final RoundAggregator aggregator;
    private final RoundService rounds;
    private final RoundRepository roundRepository;
    private final Clock clock;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("fedex-registrar").daemon(true).factory());
    private final Map<UUID, Pending> pending = new ConcurrentHashMap<>();

    /** A round waiting for the registry: what to register, and when to try next. */
    private static final class Pending {
        final RoundAggregator.Prepared prepared;
        volatile Instant nextTry;
        volatile Duration backoff = FIRST_BACKOFF;
        volatile boolean inFlight;
        volatile int failures;

        Pending(RoundAggregator.Prepared prepared, Instant nextTry) {
            this.prepared = prepared;
            this.nextTry = nextTry;
        }
    }

    RoundRegistrar(RoundAggregator aggregator, RoundService rounds, RoundRepository roundRepository, Clock clock) {
        this.aggregator = aggregator;
        this.rounds = rounds;
        this.roundRepository = roundRepository;
        this.clock = clock;
    }

    /** Whether the round's registration is already in hand (else, after a restart, it must be aggregated again). */
    boolean holds(UUID roundId) {
        return pending.containsKey(roundId);
    }

    /** Takes over a REGISTERING round; the first attempt starts at once. */
    void hand(UUID roundId, RoundAggregator.Prepared prepared) {
        pending.putIfAbsent(roundId, new Pending(prepared, clock.instant()));
        poll(roundId);
    }

    /** Drops what is pending for rounds no longer REGISTERING (cancelled meanwhile). */
    void retain(java.util.Set<UUID> registering) {
        pending.entrySet().removeIf(e -> !registering.contains(e.getKey()) && !e.getValue().inFlight);
    }

    /** Starts the round's next attempt on the registrar thread when it is due and none is in flight. */
    synchronized void poll(UUID roundId) {
        Pending p = pending.get(roundId);
        if (p == null || p.inFlight || clock.instant().isBefore(p.nextTry)) {
            return;
        }
        p.inFlight = true;
        thread.execute(() -> attempt(roundId, p));
    }

    private void attempt(UUID roundId, Pending p) {
        try {
            RoundEntity round = roundRepository.findById(roundId).orElse(null);
            if (round == null || round.getState() != RoundState.REGISTERING) {
                // Cancelled (or otherwise ended) while waiting: never register it.
                log.info("Round {} is {}: its registration is dropped", roundId,
                        round == null ? "gone" : round.getState());
                pending.remove(roundId);
                return;
            }
            int version;
            try {
                version = aggregator.register(p.prepared);
            } catch (RoundAggregator.Unaggregatable e) {
                rounds.retryOrFail(round, RoundState.REGISTERING, "the registry refused the version: "
                        + e.getMessage());
                pending.remove(roundId);
                return;
            }
            // The round leaves REGISTERING before it leaves this map: the scheduler never sees it REGISTERING and
            // not held (which would aggregate it again).
            rounds.aggregated(round, p.prepared.outcome().withVersion(version));
            pending.remove(roundId);
            if (p.failures > 0) {
                log.info("Job {} round {} registered as version {} after {} failed attempts", p.prepared.jobId(),
                        p.prepared.round(), version, p.failures);
            }
        } catch (RegistryCallException | org.springframework.dao.DataAccessException e) {
            retryLater(p, e);
        } catch (RuntimeException e) {
            retryLater(p, e);
        } finally {
            p.inFlight = false;
        }
    }

    private void retryLater(Pending p, RuntimeException e) {
        p.failures++;
        Duration wait = p.backoff;
        p.nextTry = clock.instant().plus(wait);
        Duration doubled = wait.multipliedBy(2);
        p.backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
        log.warn("Job {} round {} not registered yet (attempt {}), retrying in {}: {}", p.prepared.jobId(),
                p.prepared.round(), p.failures, wait, e.toString());
    }

    @Override
    public void destroy() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(5, TimeUnit.SECONDS);
    }
}
