package dev.fedexlora.coordinator.round;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.fedexlora.coordinator.CoordinatorProperties;
import dev.fedexlora.coordinator.task.Tasks;

/**
 * Time the coordinator itself was down must not count against workers. Every scheduler run records its time in
 * {@code scheduler_heartbeat}; when a run finds the previous one further back than {@link #gapFor} (a stop, a
 * crash, a long pause of the JVM), the deadlines of OPEN rounds and the expiries of LEASED tasks move forward by the
 * whole gap: a round's deadline is paused while nobody could complete its tasks, and a worker that finished while
 * the coordinator was down still holds its lease when its completion gets through. Extending (rather than storing
 * "paused" state) keeps every other query as it is, and is idempotent: the heartbeat moves with it in one
 * transaction.
 */
@Component
class Downtime {

    private static final Logger log = LoggerFactory.getLogger(Downtime.class);
    private static final int ROW = 1;

    private final JdbcTemplate jdbc;
    private final RoundRepository rounds;
    private final Tasks tasks;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Duration gap;

    Downtime(JdbcTemplate jdbc, RoundRepository rounds, Tasks tasks, TransactionTemplate tx, Clock clock,
             CoordinatorProperties properties) {
        this.jdbc = jdbc;
        this.rounds = rounds;
        this.tasks = tasks;
        this.tx = tx;
        this.clock = clock;
        this.gap = gapFor(properties.schedulerInterval());
    }

    /** A gap between runs longer than this is downtime: 5 intervals, and at least 5 s (a slow run is not). */
    static Duration gapFor(Duration schedulerInterval) {
        Duration five = schedulerInterval.multipliedBy(5);
        return five.compareTo(Duration.ofSeconds(5)) > 0 ? five : Duration.ofSeconds(5);
    }

    /** Records this run; extends deadlines and leases first when the previous run was too long ago. */
    void beat() {
        tx.executeWithoutResult(s -> {
            Instant now = clock.instant();
            List<Timestamp> last = jdbc.queryForList(
                    "select beat_at from coordinator.scheduler_heartbeat where id = ? for update", Timestamp.class, ROW);
            if (last.isEmpty()) {
                jdbc.update("insert into coordinator.scheduler_heartbeat (id, beat_at) values (?, ?)", ROW,
                        Timestamp.from(now));
                return;
            }
            Duration down = Duration.between(last.get(0).toInstant(), now);
            if (down.compareTo(gap) > 0) {
                double seconds = down.toNanos() / 1e9;
                int deadlines = rounds.extendOpenDeadlines(seconds);
                int leases = tasks.extendLeases(seconds);
                log.warn("The scheduler last ran {} ago (coordinator down or paused): extended {} open round deadlines "
                        + "and {} leases by that time", down, deadlines, leases);
            }
            jdbc.update("update coordinator.scheduler_heartbeat set beat_at = ? where id = ?", Timestamp.from(now), ROW);
        });
    }
}
