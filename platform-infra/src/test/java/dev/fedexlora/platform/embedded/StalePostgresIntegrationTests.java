package dev.fedexlora.platform.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A service killed with SIGKILL leaves its embedded PostgreSQL running on the data directory. The next start of the
 * profile {@code embedded} detects it through {@code postmaster.pid}, stops it and starts on the same data, which is
 * all still there.
 */
class StalePostgresIntegrationTests {

    @TempDir
    Path tmp;

    @Test
    void aPostgresLeftRunningByAKilledServiceIsStoppedAndItsDataReusedOnTheNextStart() throws Exception {
        Path dir = tmp.resolve("data");
        Path pgDir = dir.resolve("killed-pg");
        Files.createDirectories(pgDir);
        // The "service": a separate JVM that starts PostgreSQL on the directory, writes a row, and is killed -9.
        Process service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServiceThatDies.class.getName(), pgDir.toString())
                .redirectErrorStream(true).start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(),
                StandardCharsets.UTF_8))) {
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("READY"));
            assertThat(line).as("the child JVM started PostgreSQL").isNotNull();
            service.destroyForcibly();
            assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        List<String> pidFile = Files.readAllLines(pgDir.resolve(StalePostgres.PID_FILE));
        long postmaster = Long.parseLong(pidFile.get(0).trim());
        assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).as("PostgreSQL outlived its service")
                .contains(true);

        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EmbeddedInfrastructureAutoConfiguration.class))
                .withPropertyValues("spring.profiles.active=embedded", "fedex.embedded.dir=" + dir,
                        "fedex.embedded.postgres-name=killed-pg", "fedex.embedded.s3=false",
                        "fedex.s3.endpoint=http://127.0.0.1:1")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(new JdbcTemplate(context.getBean(DataSource.class))
                            .queryForObject("select note from survived", String.class)).isEqualTo("committed before kill");
                });
        assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
                .as("the stale postmaster was stopped").isFalse();
    }

    @Test
    void aPidFileOfAProcessThatIsGoneOrNotPostgresIsLeftToPostgres() throws Exception {
        Path pgDir = Files.createDirectories(tmp.resolve("gone"));
        Files.writeString(pgDir.resolve(StalePostgres.PID_FILE), ProcessHandle.current().pid() + "\n" + pgDir + "\n");
        assertThat(StalePostgres.stopIfRunning(pgDir, java.time.Duration.ofSeconds(1))).isEmpty();
        Files.writeString(pgDir.resolve(StalePostgres.PID_FILE), "999999999\n");
        assertThat(StalePostgres.stopIfRunning(pgDir, java.time.Duration.ofSeconds(1))).isEmpty();
        Files.writeString(pgDir.resolve(StalePostgres.PID_FILE), "not a pid\n");
        assertThat(StalePostgres.stopIfRunning(pgDir, java.time.Duration.ofSeconds(1))).isEmpty();
    }

    /** The child JVM of the test: starts PostgreSQL on a persistent directory and waits to be killed. */
    static final class ServiceThatDies {
        public static void main(String[] args) throws Exception {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(Path.of(args[0]))
                    .setCleanDataDirectory(false).start();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("create table survived (note text)");
                s.execute("insert into survived values ('committed before kill')");
            }
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
