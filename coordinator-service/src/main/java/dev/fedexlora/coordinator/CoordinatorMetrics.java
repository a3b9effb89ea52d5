package dev.fedexlora.coordinator;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The coordinator's Micrometer meters (exposed at {@code /actuator/prometheus}): rounds by outcome, aggregation
 * time, bytes moved through the object store, lease expiries, rejected uploads and the open-task queue depth.
 */
@Component
public class CoordinatorMetrics {

    private final MeterRegistry registry;
    private final Timer aggregation;
    private final Counter leaseExpiries;
    private final Counter rejectedUploads;
    private final Counter uploadReads;
    private final AtomicLong tasksOpen = new AtomicLong();

    CoordinatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.aggregation = Timer.builder("fedex.coordinator.aggregation")
                .description("Time to aggregate a round: read and verify uploads, aggregate, write artifacts")
                .register(registry);
        this.leaseExpiries = Counter.builder("fedex.coordinator.lease.expiries")
                .description("Task leases that expired and were offered again").register(registry);
        this.rejectedUploads = Counter.builder("fedex.coordinator.uploads.rejected")
                .description("Uploads refused by verification (checksum, shape, rank, finiteness)").register(registry);
        this.uploadReads = Counter.builder("fedex.coordinator.uploads.reads")
                .description("Client uploads read from the object store (once each, at completion, unless the "
                        + "coordinator restarted before aggregating)").register(registry);
        Gauge.builder("fedex.coordinator.tasks.open", tasksOpen, AtomicLong::get)
                .description("Tasks OFFERED or LEASED in OPEN rounds of RUNNING jobs (the queue depth the worker "
                        + "autoscaler follows); refreshed by every scheduler run").register(registry);
        for (String outcome : new String[] {"aggregated", "retried", "failed"}) {
            rounds(outcome);
        }
        for (String direction : new String[] {"in", "out"}) {
            bytes(direction);
        }
    }

    /** A round ended: {@code aggregated}, {@code retried} or {@code failed}. */
    public void roundEnded(String outcome) {
        rounds(outcome).increment();
    }

    public void aggregated(Duration took) {
        aggregation.record(took);
    }

    /** Bytes the coordinator read ({@code in}) or wrote ({@code out}) in the object store. */
    public void bytesMoved(String direction, long bytes) {
        bytes(direction).increment(bytes);
    }

    /** The number of open tasks, counted by the scheduler. */
    public void tasksOpen(long count) {
        tasksOpen.set(count);
    }

    public void leaseExpired() {
        leaseExpiries.increment();
    }

    public void uploadRejected() {
        rejectedUploads.increment();
    }

    /** One client upload (its weights and config) was read from the object store. */
    public void uploadRead() {
        uploadReads.increment();
    }

    private Counter rounds(String outcome) {
        return Counter.builder("fedex.coordinator.rounds").description("Rounds ended, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    private Counter bytes(String direction) {
        return Counter.builder("fedex.coordinator.bytes").baseUnit("bytes")
                .description("Bytes moved through the object store").tag("direction", direction).register(registry);
    }
}
