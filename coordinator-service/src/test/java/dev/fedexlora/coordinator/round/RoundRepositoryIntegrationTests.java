package dev.fedexlora.coordinator.round;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;

import dev.fedexlora.coordinator.support.RepositorySlice;
import dev.fedexlora.coordinator.support.SqlFixtures;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The round table on PostgreSQL: OPEN → AGGREGATING → REGISTERING → AGGREGATED, each step won once; a cancel takes
 * every unfinished attempt; a restart pushes open deadlines back; one row per (job, number, attempt).
 */
@RepositorySlice
class RoundRepositoryIntegrationTests {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Autowired
    RoundRepository rounds;
    @Autowired
    SqlFixtures rows;
    @Autowired
    EntityManager em;

    @Test
    void aRoundMovesThroughAggregationOnceAndRecordsItsFigures() {
        UUID job = rows.job("RUNNING", 1, T0);
        RoundEntity r = rounds.saveAndFlush(new RoundEntity(UUID.randomUUID(), job, 1, 1, 2, T0, T0.plusSeconds(60)));

        assertThat(rounds.transition(r.getId(), RoundState.OPEN, RoundState.AGGREGATING, null, T0)).isOne();
        assertThat(rounds.transition(r.getId(), RoundState.OPEN, RoundState.AGGREGATING, null, T0)).isZero();
        assertThat(rounds.aggregated(r.getId(), 2, 0.5, 0.75, 1e-7, 0.01, 100, 200, 1.5, 3))
                .as("not REGISTERING yet").isZero();
        assertThat(rounds.transition(r.getId(), RoundState.AGGREGATING, RoundState.REGISTERING, null, T0)).isOne();
        assertThat(rounds.aggregated(r.getId(), 2, 0.5, 0.75, 1e-7, 0.01, 100, 200, 1.5, 3)).isOne();
        assertThat(rounds.cancelUnfinished(job, T0)).as("nothing unfinished left").isZero();

        RoundEntity done = rounds.findById(r.getId()).orElseThrow();
        assertThat(done.getState()).isEqualTo(RoundState.AGGREGATED);
        assertThat(done.getModelVersion()).isEqualTo(3);
        assertThat(done.getMeanAccuracy()).isEqualTo(0.75);
        assertThat(done.getResidualBytes()).isEqualTo(100);
    }

    @Test
    void aCancelTakesOpenAndInFlightAttemptsButNotFinishedOnes() {
        UUID job = rows.job("RUNNING", 2, T0);
        RoundEntity retried = rounds.saveAndFlush(new RoundEntity(UUID.randomUUID(), job, 1, 1, 1, T0, T0));
        rounds.transition(retried.getId(), RoundState.OPEN, RoundState.RETRIED, "quorum", T0);
        RoundEntity open = rounds.saveAndFlush(new RoundEntity(UUID.randomUUID(), job, 1, 2, 1, T0, T0.plusSeconds(60)));

        assertThat(rounds.cancelUnfinished(job, T0.plusSeconds(1))).isOne();
        assertThat(rounds.findById(open.getId()).orElseThrow().getState()).isEqualTo(RoundState.CANCELLED);
        assertThat(rounds.findById(retried.getId()).orElseThrow().getState()).isEqualTo(RoundState.RETRIED);
        assertThat(rounds.findFirstByJobIdAndNumberOrderByAttemptDesc(job, 1)).get()
                .extracting(RoundEntity::getAttempt).isEqualTo(2);
    }

    @Test
    void openDeadlinesMoveBackByTheDowntime() {
        UUID job = rows.job("RUNNING", 1, T0);
        RoundEntity r = rounds.saveAndFlush(new RoundEntity(UUID.randomUUID(), job, 1, 1, 1, T0, T0.plusSeconds(60)));
        assertThat(rounds.extendOpenDeadlines(30)).isPositive();
        em.clear();
        assertThat(rounds.findById(r.getId()).orElseThrow().getDeadlineAt()).isEqualTo(T0.plusSeconds(90));
    }

    @Test
    void aJobHasOneRowPerRoundAttempt() {
        UUID job = rows.job("RUNNING", 1, T0);
        rounds.saveAndFlush(new RoundEntity(UUID.randomUUID(), job, 1, 1, 1, T0, T0.plusSeconds(60)));
        assertThatThrownBy(() -> rounds.saveAndFlush(new RoundEntity(UUID.randomUUID(), job, 1, 1, 1, T0, T0)))
                .isInstanceOf(DataIntegrityViolationException.class);
    }
}
