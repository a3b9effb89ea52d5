package dev.fedexlora.coordinator.support;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

import tools.jackson.databind.json.JsonMapper;

/**
 * Rows the repository tests start from, written with plain SQL against the migrated schema (so a test of one
 * repository does not depend on another feature's entity constructors). Ids are fresh on every call.
 */
public class SqlFixtures {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    SqlFixtures(DataSource dataSource, JsonMapper json) {
        this.jdbc = JdbcClient.create(dataSource);
        this.json = json;
    }

    /** A job in {@code state} with a minimal valid stored request. */
    public UUID job(String state, int rounds, Instant now) {
        UUID id = UUID.randomUUID();
        String request = json.writeValueAsString(Map.of("baseModel", Map.of("name", "m", "version", "0"),
                "dataset", "d", "clients", java.util.List.of("c"), "method", "FEDEX", "rounds", rounds, "rank", 4,
                "alpha", 8.0, "targetModules", java.util.List.of("query"), "learningRate", 0.001, "localSteps", 1));
        jdbc.sql("""
                insert into coordinator.jobs (id, version, state, method, base_model_name, base_model_version, dataset,
                    rounds_total, current_round, request_json, created_at, updated_at)
                values (?, 0, ?, 'FEDEX', 'm', 0, 'd', ?, 1, ?, ?, ?)""")
                .params(id, state, rounds, request, ts(now), ts(now)).update();
        return id;
    }

    /** Round {@code number} (attempt 1) of a job, in {@code state}, closing at {@code deadline}. */
    public UUID round(UUID jobId, int number, String state, Instant now, Instant deadline) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into coordinator.rounds (id, version, job_id, number, attempt, state, quorum, opened_at, deadline_at)
                values (?, 0, ?, ?, 1, ?, 1, ?, ?)""")
                .params(id, jobId, number, state, ts(now), ts(deadline)).update();
        return id;
    }

    /** An offered task of the round for {@code clientId}, created at {@code createdAt}. */
    public UUID task(UUID jobId, UUID roundId, String clientId, Instant createdAt) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into coordinator.tasks (id, version, job_id, round_id, round_number, client_id, state, attempts,
                    created_at, updated_at)
                values (?, 0, ?, ?, 1, ?, 'OFFERED', 0, ?, ?)""")
                .params(id, jobId, roundId, clientId, ts(createdAt), ts(createdAt)).update();
        return id;
    }

    /** A worker of {@code principal} hosting these clients, each with one data set of 10 examples. */
    public UUID worker(String principal, Instant now, String... clients) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into coordinator.workers (id, version, name, principal, registered_at, last_seen_at)
                values (?, 0, ?, ?, ?, ?)""").params(id, "w-" + id, principal, ts(now), ts(now)).update();
        for (String c : clients) {
            jdbc.sql("insert into coordinator.worker_clients (worker_id, client_id, datasets_json) values (?, ?, ?::jsonb)")
                    .params(id, c, "{\"d\": 10}").update();
        }
        return id;
    }

    public JdbcClient jdbc() {
        return jdbc;
    }

    private static Timestamp ts(Instant t) {
        return Timestamp.from(t);
    }
}
