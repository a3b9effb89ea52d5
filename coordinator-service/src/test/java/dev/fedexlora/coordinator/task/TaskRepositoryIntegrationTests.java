package dev.fedexlora.coordinator.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import dev.fedexlora.coordinator.support.RepositorySlice;
import dev.fedexlora.coordinator.support.SqlFixtures;

/**
 * The task table's SQL on PostgreSQL: the SKIP LOCKED claim, and each transition (lease, heartbeat, expire,
 * complete, fail, re-offer) winning exactly when the state it leaves (and the lease owner) still holds.
 */
@RepositorySlice
class TaskRepositoryIntegrationTests {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Autowired
    TaskRepository tasks;
    @Autowired
    SqlFixtures rows;
    @Autowired
    EntityManager em;
    @Autowired
    PlatformTransactionManager txManager;

    @Test
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    void aClaimSkipsTheTaskAnotherTransactionHoldsAndTakesTheNextOldest() throws Exception {
        TransactionTemplate tx = new TransactionTemplate(txManager);
        UUID[] ids = tx.execute(s -> {
            UUID job = rows.job("RUNNING", 1, T0);
            UUID round = rows.round(job, 1, "OPEN", T0, T0.plusSeconds(3600));
            UUID first = rows.task(job, round, "skip-c1", T0);
            UUID second = rows.task(job, round, "skip-c1", T0.plusSeconds(1));
            UUID worker = rows.worker("skip", T0, "skip-c1");
            return new UUID[] {first, second, worker};
        });
        UUID worker = ids[2];
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Optional<UUID>> holder = CompletableFuture.supplyAsync(() -> tx.execute(s -> {
            Optional<UUID> mine = tasks.claimable(worker);
            claimed.countDown();
            await(release);
            return mine;
        }));
        try {
            assertThat(claimed.await(30, TimeUnit.SECONDS)).isTrue();
            // the oldest row is locked by the other transaction: this claim skips it instead of waiting
            Optional<UUID> next = tx.execute(s -> tasks.claimable(worker));
            assertThat(next).contains(ids[1]);
            TransactionTemplate another = new TransactionTemplate(txManager);
            another.setPropagationBehavior(TransactionTemplate.PROPAGATION_REQUIRES_NEW);
            Boolean nothingLeft = tx.execute(s -> {
                Optional<UUID> second = tasks.claimable(worker);
                // both rows locked now: a third claimer finds nothing, still without waiting
                Optional<UUID> third = another.execute(s2 -> tasks.claimable(worker));
                return second.isPresent() && third.isEmpty();
            });
            assertThat(nothingLeft).isTrue();
        } finally {
            release.countDown();
        }
        assertThat(holder.get(30, TimeUnit.SECONDS)).contains(ids[0]);
    }

    @Test
    void aClaimOffersOnlyTasksOfOpenRoundsOfRunningJobsForTheWorkersOwnClients() {
        UUID running = rows.job("RUNNING", 1, T0);
        UUID open = rows.round(running, 1, "OPEN", T0, T0.plusSeconds(60));
        UUID cancelled = rows.job("CANCELLED", 1, T0);
        UUID cancelledRound = rows.round(cancelled, 1, "OPEN", T0, T0.plusSeconds(60));
        UUID closedRound = rows.round(running, 2, "AGGREGATING", T0, T0.plusSeconds(60));
        rows.task(cancelled, cancelledRound, "only-c1", T0.minusSeconds(30));
        rows.task(running, closedRound, "only-c1", T0.minusSeconds(20));
        rows.task(running, open, "only-other", T0.minusSeconds(10));
        UUID mine = rows.task(running, open, "only-c1", T0);
        UUID worker = rows.worker("only", T0, "only-c1");

        assertThat(tasks.claimable(worker)).contains(mine);
        assertThat(tasks.lease(mine, worker, T0.plusSeconds(8), T0)).isOne();
        assertThat(tasks.claimable(worker)).isEmpty();
    }

    @Test
    void aLeaseIsWonOnceAndHeartbeatsExtendItOnlyForItsOwnerBeforeItExpires() {
        UUID task = offeredTask("hb-c1");
        UUID owner = UUID.randomUUID();
        UUID other = UUID.randomUUID();

        assertThat(tasks.lease(task, owner, T0.plusSeconds(8), T0)).isOne();
        assertThat(tasks.lease(task, other, T0.plusSeconds(8), T0)).isZero();
        assertThat(tasks.heartbeat(task, other, T0.plusSeconds(12), T0.plusSeconds(4))).isZero();
        assertThat(tasks.heartbeat(task, owner, T0.plusSeconds(12), T0.plusSeconds(4))).isOne();
        assertThat(reload(task).getLeaseExpiresAt()).isEqualTo(T0.plusSeconds(12));
        // too late: the lease ran out at +12 s
        assertThat(tasks.heartbeat(task, owner, T0.plusSeconds(20), T0.plusSeconds(13))).isZero();
    }

    @Test
    void anExpiredLeaseGoesBackOnOfferCostingOneAttemptAndOnlyAfterItsExpiry() {
        UUID task = offeredTask("exp-c1");
        UUID owner = UUID.randomUUID();
        tasks.lease(task, owner, T0.plusSeconds(8), T0);

        assertThat(tasks.expiredLeases(T0.plusSeconds(7))).doesNotContain(task);
        assertThat(tasks.expire(task, T0.plusSeconds(7))).isZero();
        assertThat(tasks.expiredLeases(T0.plusSeconds(9))).contains(task);
        assertThat(tasks.expire(task, T0.plusSeconds(9))).isOne();
        TaskEntity t = reload(task);
        assertThat(t.getState()).isEqualTo(TaskState.OFFERED);
        assertThat(t.getAttempts()).isOne();
        assertThat(t.getLeaseOwner()).isNull();
        // the worker that had it can no longer complete it
        assertThat(tasks.complete(task, owner, "a", "c", 10, Map.of(), T0.plusSeconds(10))).isZero();
    }

    @Test
    void completionByTheOwnerStoresTheMetricsAsAJsonObjectAndWinsOnce() {
        UUID task = offeredTask("done-c1");
        UUID owner = UUID.randomUUID();
        tasks.lease(task, owner, T0.plusSeconds(8), T0);

        assertThat(tasks.complete(task, UUID.randomUUID(), "a", "c", 10, Map.of("loss", 0.5), T0)).isZero();
        assertThat(tasks.complete(task, owner, "a".repeat(64), "c".repeat(64), 12,
                Map.of("loss", 0.25, "accuracy", 0.75, "note", "ok"), T0.plusSeconds(1))).isOne();
        assertThat(tasks.complete(task, owner, "b", "d", 13, Map.of(), T0.plusSeconds(2))).isZero();

        TaskEntity done = reload(task);
        assertThat(done.getState()).isEqualTo(TaskState.DONE);
        assertThat(done.getExamples()).isEqualTo(12);
        assertThat(done.getMetrics()).containsEntry("loss", 0.25).containsEntry("accuracy", 0.75)
                .containsEntry("note", "ok");
        assertThat(rows.jdbc().sql("select jsonb_typeof(metrics_json) from coordinator.tasks where id = ?")
                .param(task).query(String.class).single()).isEqualTo("object");
        assertThat(rows.jdbc().sql("select (metrics_json ->> 'loss')::float8 from coordinator.tasks where id = ?")
                .param(task).query(Double.class).single()).isEqualTo(0.25);
    }

    @Test
    void aFailedTaskIsOfferedAgainOnlyWhileItHasAttemptsLeft() {
        UUID task = offeredTask("fail-c1");
        UUID owner = UUID.randomUUID();
        tasks.lease(task, owner, T0.plusSeconds(8), T0);
        assertThat(tasks.failLeased(task, UUID.randomUUID(), "not mine", T0)).isZero();
        assertThat(tasks.failLeased(task, owner, "out of memory", T0)).isOne();
        assertThat(tasks.reoffer(task, 1, T0)).as("max 1 attempt: none left").isZero();
        assertThat(tasks.reoffer(task, 2, T0)).isOne();
        TaskEntity again = reload(task);
        assertThat(again.getState()).isEqualTo(TaskState.OFFERED);
        assertThat(again.getAttempts()).isOne();
    }

    @Test
    void leasesHeldWhileTheCoordinatorWasDownAreExtendedByTheDowntime() {
        UUID task = offeredTask("down-c1");
        tasks.lease(task, UUID.randomUUID(), T0.plusSeconds(8), T0);
        assertThat(tasks.extendLeases(90.5)).isPositive();
        assertThat(reload(task).getLeaseExpiresAt()).isEqualTo(T0.plusSeconds(98).plusMillis(500));
    }

    private UUID offeredTask(String client) {
        UUID job = rows.job("RUNNING", 1, T0);
        UUID round = rows.round(job, 1, "OPEN", T0, T0.plus(Duration.ofHours(1)));
        return rows.task(job, round, client, T0);
    }

    private TaskEntity reload(UUID id) {
        em.clear();
        return tasks.findById(id).orElseThrow();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
