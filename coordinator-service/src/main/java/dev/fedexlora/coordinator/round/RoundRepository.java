package dev.fedexlora.coordinator.round;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** Rounds. Each modifying query is one state transition: 1 when it won, 0 when the state had moved. */
public interface RoundRepository extends JpaRepository<RoundEntity, UUID> {

    List<RoundEntity> findByState(RoundState state);

    /** Pushes the deadline of every OPEN round back by {@code seconds} (time the coordinator itself was down). */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query(nativeQuery = true, value = """
            update coordinator.rounds set deadline_at = deadline_at + make_interval(secs => :seconds),
                   version = version + 1
            where state = 'OPEN'""")
    int extendOpenDeadlines(@Param("seconds") double seconds);

    List<RoundEntity> findByJobIdOrderByNumberAscAttemptAsc(UUID jobId);

    Optional<RoundEntity> findFirstByJobIdAndNumberOrderByAttemptDesc(UUID jobId, int number);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update RoundEntity r set r.state = :to, r.closedAt = :now, r.failureReason = :reason, r.version = r.version + 1
            where r.id = :id and r.state = :from""")
    int transition(@Param("id") UUID id, @Param("from") RoundState from, @Param("to") RoundState to,
                   @Param("reason") String reason, @Param("now") Instant now);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update RoundEntity r set r.state = dev.fedexlora.coordinator.round.RoundState.AGGREGATED,
                   r.participants = :participants, r.meanLoss = :meanLoss, r.meanAccuracy = :meanAccuracy,
                   r.exactnessError = :exactnessError, r.deviation = :deviation, r.residualBytes = :residualBytes,
                   r.bytesMoved = :bytesMoved, r.aggregationSeconds = :seconds, r.modelVersion = :modelVersion,
                   r.version = r.version + 1
            where r.id = :id and r.state = dev.fedexlora.coordinator.round.RoundState.REGISTERING""")
    int aggregated(@Param("id") UUID id, @Param("participants") int participants, @Param("meanLoss") Double meanLoss,
                   @Param("meanAccuracy") Double meanAccuracy, @Param("exactnessError") double exactnessError,
                   @Param("deviation") double deviation, @Param("residualBytes") long residualBytes,
                   @Param("bytesMoved") long bytesMoved, @Param("seconds") double seconds,
                   @Param("modelVersion") int modelVersion);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("""
            update RoundEntity r set r.state = dev.fedexlora.coordinator.round.RoundState.CANCELLED, r.closedAt = :now,
                   r.failureReason = 'job cancelled', r.version = r.version + 1
            where r.jobId = :jobId and r.state in (dev.fedexlora.coordinator.round.RoundState.OPEN,
                                                 dev.fedexlora.coordinator.round.RoundState.AGGREGATING,
                                                 dev.fedexlora.coordinator.round.RoundState.REGISTERING)""")
    int cancelUnfinished(@Param("jobId") UUID jobId, @Param("now") Instant now);
}
