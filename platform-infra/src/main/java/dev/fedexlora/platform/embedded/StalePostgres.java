package dev.fedexlora.platform.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL left running on a persistent data directory by a service that died without closing it (SIGKILL,
 * OOM killer, power loss of the JVM only). Its {@code postmaster.pid} names the process; while it runs, a new start on
 * that directory fails. Before starting, the embedded configuration stops it: SIGTERM (PostgreSQL's smart shutdown;
 * the dead service's connections are gone, so it ends at once), then SIGKILL after a grace period. PostgreSQL itself
 * removes the stale pid file and recovers from its WAL on the next start, so no committed row is lost.
 */
final class StalePostgres {

    private static final Logger log = LoggerFactory.getLogger(StalePostgres.class);

    static final String PID_FILE = "postmaster.pid";

    private StalePostgres() {
    }

    /**
     * Stops the postmaster recorded in {@code dataDir}, when it is still alive and is a PostgreSQL server.
     *
     * @return the pid that was stopped, or empty when there was nothing to stop
     */
    static Optional<Long> stopIfRunning(Path dataDir, Duration grace) throws IOException {
        Path pidFile = dataDir.resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        long pid;
        try {
            pid = lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            log.warn("Ignoring unreadable {} (PostgreSQL will judge it)", pidFile);
            return Optional.empty();
        }
        Optional<ProcessHandle> process = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (process.isEmpty() || !process.get().isAlive() || !isPostgres(process.get())
                || pid == ProcessHandle.current().pid()) {
            return Optional.empty();
        }
        ProcessHandle postmaster = process.get();
        log.warn("A PostgreSQL (pid {}) left by a previous run still holds {}: stopping it before starting", pid,
                dataDir);
        postmaster.destroy();
        if (!waitFor(postmaster, grace)) {
            log.warn("PostgreSQL pid {} did not stop within {}: killing it", pid, grace);
            postmaster.destroyForcibly();
            waitFor(postmaster, grace);
        }
        if (postmaster.isAlive()) {
            throw new IllegalStateException("PostgreSQL pid " + pid + " still runs on " + dataDir
                    + " and could not be stopped; stop it and start again");
        }
        return Optional.of(pid);
    }

    /** The process is PostgreSQL's server (not a pid reused by something else since). */
    private static boolean isPostgres(ProcessHandle process) {
        String command = process.info().command().orElse("");
        if (command.isEmpty()) {
            try {
                command = Files.readString(Path.of("/proc", Long.toString(process.pid()), "comm")).trim();
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        String name = Path.of(command).getFileName().toString();
        return name.equals("postgres") || name.equals("postmaster");
    }

    private static boolean waitFor(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return !process.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
