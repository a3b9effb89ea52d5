package dev.fedexlora.coordinator.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.fedexlora.coordinator.support.RepositorySlice;
import dev.fedexlora.coordinator.support.SqlFixtures;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job's event history: each payload is stored as a jsonb document naming its record kind and reads back as the
 * same record; ids increase per job, so a stream resumes after the last id it sent.
 */
@RepositorySlice
class JobEventRepositoryIntegrationTests {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Autowired
    JobEventRepository events;
    @Autowired
    SqlFixtures rows;
    @Autowired
    EntityManager em;
    @Autowired
    JsonMapper json;

    @Test
    void payloadsReadBackAsTheRecordsThatWereStoredInOrder() {
        UUID job = rows.job("RUNNING", 2, T0);
        List<JobEventData> written = List.of(
                new JobEventData.JobStarted("FEDEX", new JobEventData.BaseModel("tiny", 0), 2),
                new JobEventData.RoundOpened(1, 1, List.of("c1", "c2"), "2026-01-01T00:30:00Z"),
                new JobEventData.TaskFailed(UUID.randomUUID().toString(), 1, "c2", "out of memory", true),
                new JobEventData.RoundAggregated(1, 1, 2, 1e-7, 0.02, 4096),
                new JobEventData.JobFailed(null, "registry unavailable"));
        long first = 0;
        for (JobEventData d : written) {
            long id = events.saveAndFlush(new JobEventEntity(job, d, T0)).getId();
            first = first == 0 ? id : first;
        }
        em.clear();

        List<JobEventEntity> read = events.findByJobIdAndIdGreaterThanOrderByIdAsc(job, 0);
        assertThat(read).extracting(JobEventEntity::getPayload).containsExactlyElementsOf(written);
        assertThat(read).extracting(JobEventEntity::getType).containsExactly("JobStarted", "RoundOpened",
                "TaskFailed", "RoundAggregated", "JobFailed");
        assertThat(events.findByJobIdAndIdGreaterThanOrderByIdAsc(job, first)).hasSize(written.size() - 1);
        assertThat(events.countByJobIdAndType(job, "RoundOpened")).isOne();
        assertThat(rows.jdbc().sql("""
                select payload_json ->> '@type' from coordinator.job_events where job_id = ? order by id""")
                .param(job).query(String.class).list()).containsExactly("JobStarted", "RoundOpened", "TaskFailed",
                "RoundAggregated", "JobFailed");
    }

    @Test
    void theStreamedEventCarriesTheRecordsFieldsWithoutTheStoredKind() {
        JobEvent event = new JobEvent(7, UUID.randomUUID(), "RoundRetried", T0,
                new JobEventData.RoundRetried(2, 2, "quorum not reached"));
        String streamed = json.writeValueAsString(event);
        assertThat(json.readTree(streamed).get("data").propertyNames())
                .containsExactlyInAnyOrder("round", "attempt", "reason");
    }
}
