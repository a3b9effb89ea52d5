package dev.fedexlora.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.fedexlora.coordinator.support.RepositorySlice;
import dev.fedexlora.core.protocol.Method;

/**
 * The job table on PostgreSQL: the stored request reads back with its defaults, and each transition (end, advance,
 * succeed) wins only from RUNNING and the round it expects.
 */
@RepositorySlice
class JobRepositoryIntegrationTests {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Autowired
    JobRepository jobs;
    @Autowired
    EntityManager em;

    @Test
    void theStoredRequestReadsBackWithItsDefaults() {
        JobEntity job = jobs.saveAndFlush(job(3));
        em.clear();
        JobRequest read = jobs.findById(job.getId()).orElseThrow().getRequest();
        assertThat(read.weighting()).isEqualTo(Weighting.UNIFORM);
        assertThat(read.roundDeadline()).isEqualTo(Duration.ofMinutes(30));
        assertThat(read.clients()).containsExactly("c1", "c2");
        assertThat(read.numLabels()).isEqualTo(2);
    }

    @Test
    void aJobAdvancesRoundByRoundAndSucceedsOnlyAfterItsLastRound() {
        JobEntity job = jobs.saveAndFlush(job(2));
        UUID id = job.getId();

        assertThat(jobs.succeed(id, 1, 5, T0)).as("round 1 of 2 is not the last").isZero();
        assertThat(jobs.advance(id, 2, 5, T0)).as("the job is in round 1, not 2").isZero();
        assertThat(jobs.advance(id, 1, 5, T0)).isOne();
        assertThat(jobs.advance(id, 1, 6, T0)).as("round 1 advanced once").isZero();
        assertThat(jobs.findById(id).orElseThrow().getCurrentRound()).isEqualTo(2);
        assertThat(jobs.succeed(id, 2, 6, T0.plusSeconds(5))).isOne();

        JobEntity done = jobs.findById(id).orElseThrow();
        assertThat(done.getState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.getLatestModelVersion()).isEqualTo(6);
        assertThat(done.getFinishedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(jobs.end(id, JobState.CANCELLED, "too late", T0)).as("an ended job stays ended").isZero();
    }

    @Test
    void endingAJobWinsOnceAndRecordsWhy() {
        UUID id = jobs.saveAndFlush(job(1)).getId();
        assertThat(jobs.end(id, JobState.FAILED, "round 1 missed its quorum", T0)).isOne();
        assertThat(jobs.end(id, JobState.CANCELLED, null, T0)).isZero();
        assertThat(jobs.advance(id, 1, 1, T0)).isZero();
        JobEntity failed = jobs.findById(id).orElseThrow();
        assertThat(failed.getState()).isEqualTo(JobState.FAILED);
        assertThat(failed.getFailureReason()).isEqualTo("round 1 missed its quorum");
        assertThat(jobs.findByState(JobState.FAILED)).extracting(JobEntity::getId).contains(id);
    }

    private static JobEntity job(int rounds) {
        JobRequest request = new JobRequest(new JobRequest.BaseModelRef("tiny", "0"), "wordnet", List.of("c1", "c2"),
                null, Method.FEDEX, rounds, 4, 8.0, List.of("query", "value"), 0.001, 10, 8, null, null, null, null,
                null, null, null, null, null).withDefaults(Duration.ofMinutes(30));
        return new JobEntity(UUID.randomUUID(), Method.FEDEX, "tiny", 0, "wordnet", rounds, request, T0);
    }
}
