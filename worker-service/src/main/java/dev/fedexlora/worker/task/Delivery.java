package dev.fedexlora.worker.task;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;

import dev.fedexlora.worker.coordinator.LeaseLostException;

/**
 * Delivering finished work: a step (upload, completion) retried with backoff while what fails is transient (the
 * coordinator or the object store unreachable, a 5xx, a 429, an expired upload URL), so work finished while the
 * coordinator is down is not thrown away. It stops at once when the coordinator says the lease is lost (409), on any
 * other refusal (4xx: the work itself is wrong), when the worker is stopping, or after {@code giveUpAfter}.
 */
final class Delivery {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

    /** One try of the step. */
    interface Step {
        void run(int attempt) throws IOException;
    }

    private Delivery() {
    }

    static void retry(String what, Duration giveUpAfter, BooleanSupplier stopping, Step step) throws IOException {
        long until = System.nanoTime() + giveUpAfter.toNanos();
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                step.run(attempt);
                if (attempt > 1) {
                    log.info("{} went through at attempt {}", what, attempt);
                }
                return;
            } catch (LeaseLostException e) {
                throw e;
            } catch (IOException | ResourceAccessException | HttpServerErrorException e) {
                giveUpOrWait(what, attempt, e, backoff, until, stopping);
            } catch (HttpClientErrorException e) {
                if (e.getStatusCode().value() != 429) {
                    throw e;
                }
                giveUpOrWait(what, attempt, e, backoff, until, stopping);
            }
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
        }
    }

    private static <E extends Exception> void giveUpOrWait(String what, int attempt, E e, Duration backoff, long until,
                                                           BooleanSupplier stopping) throws IOException {
        if (stopping.getAsBoolean()) {
            throw new CancellationException(WorkerLoop.SHUTTING_DOWN);
        }
        if (System.nanoTime() + backoff.toNanos() > until) {
            throw e instanceof IOException io ? io : new IOException(what + " failed " + attempt + " times: "
                    + e.getMessage(), e);
        }
        log.warn("{} failed (attempt {}), retrying in {}: {}", what, attempt, backoff, e.getMessage());
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while retrying " + what, ie);
        }
    }
}
