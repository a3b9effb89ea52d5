package dev.fedexlora.coordinator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.fedexlora.coordinator.support.RepositorySlice;
import dev.fedexlora.coordinator.support.SqlFixtures;

/** A worker's clients and their data sets: one jsonb object per client row, read back as typed counts. */
@RepositorySlice
class WorkerRepositoryIntegrationTests {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Autowired
    WorkerRepository workers;
    @Autowired
    SqlFixtures rows;
    @Autowired
    EntityManager em;

    @Test
    void announcedDataSetsAreStoredAsJsonObjectsPerClientAndReadBackTyped() {
        WorkerEntity w = new WorkerEntity(UUID.randomUUID(), "ds-w", "ds", T0);
        w.announce(Map.of("ds-c1", new HostedDatasets(Map.of("wordnet", 120L, "sst2", 0L)),
                "ds-c2", new HostedDatasets(Map.of("wordnet", 7L))), T0);
        workers.saveAndFlush(w);
        em.clear();

        WorkerEntity read = workers.findByName("ds-w").orElseThrow();
        assertThat(read.clientIds()).containsExactlyInAnyOrder("ds-c1", "ds-c2");
        assertThat(read.datasets("ds-c1").of("wordnet")).isEqualTo(120);
        assertThat(read.datasets("ds-c1").of("sst2")).isZero();
        assertThat(read.datasets("ds-c2").of("sst2")).as("a data set the client lacks").isZero();
        assertThat(rows.jdbc().sql("""
                select (datasets_json -> 'wordnet')::bigint from coordinator.worker_clients
                where worker_id = ? and client_id = 'ds-c1'""").param(w.getId()).query(Long.class).single())
                .isEqualTo(120);
        assertThat(workers.allClientDatasets()).anySatisfy(row -> {
            assertThat(row[0]).isEqualTo("ds-c2");
            assertThat(((HostedDatasets) row[1]).examples()).isEqualTo(Map.of("wordnet", 7L));
        });
    }

    @Test
    void announcingAgainReplacesTheClientsAndTheirDataSets() {
        WorkerEntity w = new WorkerEntity(UUID.randomUUID(), "re-w", "re", T0);
        w.announce(Map.of("re-c1", new HostedDatasets(Map.of("wordnet", 1L))), T0);
        workers.saveAndFlush(w);
        em.clear();
        WorkerEntity again = workers.findById(w.getId()).orElseThrow();
        again.announce(Map.of("re-c2", new HostedDatasets(Map.of("wordnet", 2L))), T0.plusSeconds(1));
        workers.saveAndFlush(again);
        em.clear();

        WorkerEntity read = workers.findById(w.getId()).orElseThrow();
        assertThat(read.clientIds()).containsExactly("re-c2");
        assertThat(read.datasets("re-c2").of("wordnet")).isEqualTo(2);
        assertThat(read.getLastSeenAt()).isEqualTo(T0.plusSeconds(1));
    }
}
