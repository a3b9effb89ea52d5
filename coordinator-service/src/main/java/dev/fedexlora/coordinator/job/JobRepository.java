package dev.fedexlora.coordinator.job;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** Jobs. Each modifying query is one state transition: it returns 1 when it won and 0 when the state had moved. */
public interface JobRepository extends JpaRepository<JobEntity, UUID> {

    List<JobEntity> findByState(JobState state);

    List<JobEntity> findAll(Sort sort);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update JobEntity j set j.state = :to, j.failureReason = :reason, j.finishedAt = :now, j.updatedAt = :now,
                   j.version = j.version + 1
            where j.id = :id and j.state = dev.fedexlora.coordinator.job.JobState.RUNNING""")
    int end(@Param("id") UUID id, @Param("to") JobState to, @Param("reason") String reason, @Param("now") Instant now);

    /** Round {@code from} aggregated into {@code modelVersion}: the job moves on to round {@code from + 1}. */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update JobEntity j set j.currentRound = :from + 1, j.latestModelVersion = :modelVersion, j.updatedAt = :now,
                   j.version = j.version + 1
            where j.id = :id and j.currentRound = :from and j.state = dev.fedexlora.coordinator.job.JobState.RUNNING""")
    int advance(@Param("id") UUID id, @Param("from") int from, @Param("modelVersion") int modelVersion,
                @Param("now") Instant now);

    /** The last round aggregated: the job succeeds with that round's version. */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update JobEntity j set j.state = dev.fedexlora.coordinator.job.JobState.SUCCEEDED,
                   j.latestModelVersion = :modelVersion, j.finishedAt = :now, j.updatedAt = :now, j.version = j.version + 1
            where j.id = :id and j.currentRound = :round and j.roundsTotal = :round
              and j.state = dev.fedexlora.coordinator.job.JobState.RUNNING""")
    int succeed(@Param("id") UUID id, @Param("round") int round, @Param("modelVersion") int modelVersion,
                @Param("now") Instant now);
}
