package dev.fedexlora.coordinator.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/**
 * Tasks. Each modifying query is one state transition guarded by the state it leaves (and the lease owner where a
 * worker acts): it returns 1 when it won and 0 when another caller or the clock got there first.
 */
interface TaskRepository extends JpaRepository<TaskEntity, UUID> {

    List<TaskEntity> findByRoundIdOrderByCreatedAtAscClientIdAsc(UUID roundId);

    List<TaskEntity> findByJobIdOrderByCreatedAtAscClientIdAsc(UUID jobId);

    List<TaskEntity> findByRoundIdAndState(UUID roundId, TaskState state);

    /**
     * The round's tasks counted by state in one statement, so the counts are one consistent snapshot (separate
     * counts could miss a task that moves from LEASED to DONE between them).
     */
    @Query("select t.state, count(t) from TaskEntity t where t.roundId = :roundId group by t.state")
    List<Object[]> countByState(@Param("roundId") UUID roundId);

    /**
     * Claims the oldest offered task of an open round of a running job for a client this worker hosts; the row
     * stays locked until the transaction ends and concurrent claimers skip it.
     */
    @Query(nativeQuery = true, value = """
            select t.id from coordinator.tasks t
              join coordinator.rounds r on r.id = t.round_id
              join coordinator.jobs j on j.id = t.job_id
            where t.state = 'OFFERED' and r.state = 'OPEN' and j.state = 'RUNNING'
              and t.client_id in (select c.client_id from coordinator.worker_clients c where c.worker_id = :worker)
            order by t.created_at, t.id
            limit 1
            for update of t skip locked""")
    Optional<UUID> claimable(@Param("worker") UUID worker);

    /**
     * Tasks waiting for or held by a worker: OFFERED or LEASED in OPEN rounds of RUNNING jobs (the claim query's
     * conditions); the queue depth the worker autoscaler follows.
     */
    @Query(nativeQuery = true, value = """
            select count(*) from coordinator.tasks t
              join coordinator.rounds r on r.id = t.round_id
              join coordinator.jobs j on j.id = t.job_id
            where t.state in ('OFFERED', 'LEASED') and r.state = 'OPEN' and j.state = 'RUNNING'""")
    long countOpen();

    /** Moves every held lease's expiry forward by {@code seconds} (time the coordinator itself was down). */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query(nativeQuery = true, value = """
            update coordinator.tasks set lease_expires_at = lease_expires_at + make_interval(secs => :seconds),
                   version = version + 1
            where state = 'LEASED'""")
    int extendLeases(@Param("seconds") double seconds);

    @Query(nativeQuery = true, value = """
            select t.id from coordinator.tasks t
            where t.state = 'LEASED' and t.lease_expires_at < :now
            for update skip locked""")
    List<UUID> expiredLeases(@Param("now") Instant now);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.state = dev.fedexlora.coordinator.task.TaskState.LEASED, t.leaseOwner = :worker,
                   t.leaseExpiresAt = :expires, t.updatedAt = :now, t.version = t.version + 1
            where t.id = :id and t.state = dev.fedexlora.coordinator.task.TaskState.OFFERED""")
    int lease(@Param("id") UUID id, @Param("worker") UUID worker, @Param("expires") Instant expires,
              @Param("now") Instant now);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.leaseExpiresAt = :expires, t.updatedAt = :now, t.version = t.version + 1
            where t.id = :id and t.state = dev.fedexlora.coordinator.task.TaskState.LEASED and t.leaseOwner = :worker
              and t.leaseExpiresAt >= :now""")
    int heartbeat(@Param("id") UUID id, @Param("worker") UUID worker, @Param("expires") Instant expires,
                  @Param("now") Instant now);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.state = dev.fedexlora.coordinator.task.TaskState.DONE,
                   t.adapterSha256 = :adapterSha256, t.configSha256 = :configSha256, t.examples = :examples,
                   t.metrics = :metrics, t.completedAt = :now, t.updatedAt = :now, t.failureReason = null,
                   t.version = t.version + 1
            where t.id = :id and t.state = dev.fedexlora.coordinator.task.TaskState.LEASED and t.leaseOwner = :worker""")
    int complete(@Param("id") UUID id, @Param("worker") UUID worker, @Param("adapterSha256") String adapterSha256,
                 @Param("configSha256") String configSha256, @Param("examples") long examples,
                 @Param("metrics") Map<String, Object> metrics, @Param("now") Instant now);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.state = dev.fedexlora.coordinator.task.TaskState.FAILED, t.failureReason = :reason,
                   t.updatedAt = :now, t.version = t.version + 1
            where t.id = :id and t.state = dev.fedexlora.coordinator.task.TaskState.LEASED and t.leaseOwner = :worker""")
    int failLeased(@Param("id") UUID id, @Param("worker") UUID worker, @Param("reason") String reason,
                   @Param("now") Instant now);

    /** A failed task is offered again while it has attempts left. */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.state = dev.fedexlora.coordinator.task.TaskState.OFFERED, t.leaseOwner = null,
                   t.leaseExpiresAt = null, t.attempts = t.attempts + 1, t.updatedAt = :now, t.version = t.version + 1
            where t.id = :id and t.state = dev.fedexlora.coordinator.task.TaskState.FAILED
              and t.attempts + 1 < :maxAttempts""")
    int reoffer(@Param("id") UUID id, @Param("maxAttempts") int maxAttempts, @Param("now") Instant now);

    /** A lease the coordinator itself could not hand out goes straight back on offer, costing no attempt. */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.state = dev.fedexlora.coordinator.task.TaskState.OFFERED, t.leaseOwner = null,
                   t.leaseExpiresAt = null, t.failureReason = null, t.updatedAt = :now, t.version = t.version + 1
            where t.id = :id and t.state = dev.fedexlora.coordinator.task.TaskState.FAILED""")
    int reofferUncounted(@Param("id") UUID id, @Param("now") Instant now);

    /** A lease that ran out puts its task back on offer (the worker is presumed gone). */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.state = dev.fedexlora.coordinator.task.TaskState.OFFERED, t.leaseOwner = null,
                   t.leaseExpiresAt = null, t.attempts = t.attempts + 1, t.updatedAt = :now, t.version = t.version + 1
            where t.id = :id and t.state = dev.fedexlora.coordinator.task.TaskState.LEASED and t.leaseExpiresAt < :now""")
    int expire(@Param("id") UUID id, @Param("now") Instant now);

    /** A round closed (or its job ended) without these tasks: they fail for good. */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.state = dev.fedexlora.coordinator.task.TaskState.FAILED, t.failureReason = :reason,
                   t.leaseOwner = null, t.leaseExpiresAt = null, t.updatedAt = :now, t.version = t.version + 1
            where t.roundId = :roundId and t.state in (dev.fedexlora.coordinator.task.TaskState.OFFERED,
                                                     dev.fedexlora.coordinator.task.TaskState.LEASED)""")
    int abandonRound(@Param("roundId") UUID roundId, @Param("reason") String reason, @Param("now") Instant now);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.state = dev.fedexlora.coordinator.task.TaskState.FAILED, t.failureReason = :reason,
                   t.leaseOwner = null, t.leaseExpiresAt = null, t.updatedAt = :now, t.version = t.version + 1
            where t.jobId = :jobId and t.state in (dev.fedexlora.coordinator.task.TaskState.OFFERED,
                                                 dev.fedexlora.coordinator.task.TaskState.LEASED)""")
    int abandonJob(@Param("jobId") UUID jobId, @Param("reason") String reason, @Param("now") Instant now);

    /** A verified upload turned out to have changed since (overwritten through a stale URL): fail it. */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update TaskEntity t set t.state = dev.fedexlora.coordinator.task.TaskState.FAILED, t.failureReason = :reason,
                   t.updatedAt = :now, t.version = t.version + 1
            where t.id = :id and t.state = dev.fedexlora.coordinator.task.TaskState.DONE""")
    int failDone(@Param("id") UUID id, @Param("reason") String reason, @Param("now") Instant now);
}
