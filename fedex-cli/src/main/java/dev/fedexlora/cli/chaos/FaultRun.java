package dev.fedexlora.cli.chaos;

import dev.fedexlora.cli.platform.JobRequests;
import dev.fedexlora.cli.platform.LocalPlatform;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * N jobs × R rounds on the real workers while faults are injected: a worker is killed (SIGKILL) and restarted
 * every time a round opens, the coordinator is killed at set points of the run's progress, and the coordinator is
 * cut off from the registry for a while. Records how long each recovery took.
 */
final class FaultRun {

    /** What to inject. */
    record Plan(int jobs, int rounds, int coordinatorKills, Duration registryOutage, Duration limit) {
    }

    private final LocalPlatform platform;
    private final java.nio.file.Path data;
    private final TcpProxy registryProxy;
    private final Http http;
    private final Figures figures;
    private final URI coordinator;
    private final List<String> workers;
    private final String viewerToken;
    private final String submitterToken;

    FaultRun(LocalPlatform platform, java.nio.file.Path data, TcpProxy registryProxy, Http http, Figures figures, URI coordinator,
             List<String> workers, String viewerToken, String submitterToken) {
        this.platform = platform;
        this.data = data;
        this.registryProxy = registryProxy;
        this.http = http;
        this.figures = figures;
        this.coordinator = coordinator;
        this.workers = workers;
        this.viewerToken = viewerToken;
        this.submitterToken = submitterToken;
    }

    /** Runs the plan; answers the ids of the jobs it submitted, each ended or given up at the time limit. */
    List<String> run(Plan plan, String model, String dataset, List<String> clients, int numLabels)
            throws IOException, InterruptedException {
        Instant until = Instant.now().plus(plan.limit());
        List<String> jobs = new ArrayList<>();
        for (int j = 0; j < plan.jobs(); j++) {
            var body = JobRequests.job(model, dataset, clients, j % 2 == 0 ? "FEDEX" : "FEDIT", plan.rounds(), 4, 8,
                    List.of("query", "value"), 5e-3, 2, 8, 100 + j, numLabels);
            Http.Reply r = http.json("coordinator POST /api/v1/jobs", "POST", coordinator.resolve("/api/v1/jobs"),
                    submitterToken, body);
            if (!r.ok()) {
                throw new IOException("the fault run's job was refused: " + r.status() + " " + r.text());
            }
            jobs.add(r.json().path("id").asString());
        }
        figures.did(String.format("fault run: %d jobs x %d rounds on %d workers (clients %s)", plan.jobs(), plan.rounds(),
                workers.size(), clients));
        int total = plan.jobs() * plan.rounds();
        List<Integer> coordinatorKillsAt = new ArrayList<>();
        for (int k = 1; k <= plan.coordinatorKills(); k++) {
            coordinatorKillsAt.add(Math.max(1, total * k / (plan.coordinatorKills() + 1)));
        }
        int outageAt = Math.max(1, total / 2);
        boolean outageDone = plan.registryOutage().isZero();
        int roundsSeen = 0;
        int workerKills = 0;
        Map<String, String> states = new LinkedHashMap<>();
        while (Instant.now().isBefore(until)) {
            Progress p = progress(jobs, states);
            if (p.ended() == jobs.size()) {
                break;
            }
            if (p.opened() > roundsSeen) {
                roundsSeen = p.opened();
                Thread.sleep(3000); // let the workers lease and start training, then kill one
                String victim = workers.get(workerKills++ % workers.size());
                killAndRestart(victim);
            }
            if (!coordinatorKillsAt.isEmpty() && p.aggregated() >= coordinatorKillsAt.get(0)) {
                coordinatorKillsAt.remove(0);
                killCoordinator();
            }
            if (!outageDone && p.aggregated() >= outageAt) {
                outageDone = true;
                registryOutage(plan.registryOutage());
            }
            Thread.sleep(1000);
        }
        figures.count("worker kills", workerKills);
        if (!Instant.now().isBefore(until)) {
            figures.did("fault run: time limit of " + plan.limit().toMinutes() + " min reached; states " + states.values());
        }
        return jobs;
    }

    private record Progress(int opened, int aggregated, int ended) {
    }

    private Progress progress(List<String> jobs, Map<String, String> states) {
        int opened = 0;
        int aggregated = 0;
        int ended = 0;
        for (String id : jobs) {
            Http.Reply job = http.quietGet(coordinator.resolve("/api/v1/jobs/" + id), viewerToken);
            Http.Reply rounds = http.quietGet(coordinator.resolve("/api/v1/jobs/" + id + "/rounds"), viewerToken);
            if (!job.ok() || !rounds.ok()) {
                continue; // the coordinator is down or restarting
            }
            String state = job.json().path("state").asString();
            states.put(id, state);
            if (!state.equals("RUNNING")) {
                ended++;
            }
            java.util.Set<Integer> numbers = new java.util.HashSet<>();
            for (JsonNode r : rounds.json()) {
                numbers.add(r.path("number").asInt());
                if (r.path("state").asString().equals("AGGREGATED")) {
                    aggregated++;
                }
            }
            opened += numbers.size();
        }
        return new Progress(opened, aggregated, ended);
    }

    private void killAndRestart(String worker) throws InterruptedException {
        Instant t0 = Instant.now();
        platform.kill(worker);
        Thread.sleep(2000);
        try {
            platform.restart(worker, Duration.ofMinutes(3));
            figures.recovered("worker " + worker + " killed, back", Duration.between(t0, Instant.now()).toMillis() / 1e3);
        } catch (IOException | RuntimeException e) {
            figures.did("worker " + worker + " did not come back: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private void killCoordinator() throws InterruptedException {
        Instant t0 = Instant.now();
        platform.kill("coordinator");
        // Its embedded PostgreSQL detaches from it (pg_ctl): find it by this run's coordinator data directory.
        String pgDir = data.toAbsolutePath().resolve("coordinator-pg").toString();
        List<ProcessHandle> orphans = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(pgDir)).orElse(false)).toList();
        figures.did("coordinator killed with SIGKILL; " + orphans.size() + " processes of its embedded PostgreSQL outlived it");
        figures.count("coordinator kills", 1);
        try {
            // The restarted coordinator first stops the PostgreSQL its killed predecessor left (SIGTERM, then SIGKILL
            // after 30 s) and then migrates and starts: on a loaded 2-core machine that can take minutes.
            platform.restart("coordinator", Duration.ofMinutes(8));
        } catch (IOException | RuntimeException first) {
            figures.broken(Promise.CLEAN_RESTART, "restart after SIGKILL failed: "
                    + first.getMessage().lines().findFirst().orElse(""));
            // What an operator does by hand today: kill what the dead coordinator left, start again.
            orphans.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle h : orphans) {
                h.onExit().join();
            }
            try {
                platform.restart("coordinator", Duration.ofMinutes(3));
                figures.did("coordinator started again after the " + orphans.size() + " stale PostgreSQL processes were killed");
            } catch (IOException | RuntimeException second) {
                throw new IllegalStateException("the coordinator does not start again: " + second.getMessage(), second);
            }
        }
        figures.recovered("coordinator killed, ready again", Duration.between(t0, Instant.now()).toMillis() / 1e3);
    }

    private void registryOutage(Duration outage) throws InterruptedException {
        registryProxy.down();
        figures.did("registry unreachable from the coordinator for " + outage.toSeconds() + " s");
        Thread.sleep(outage.toMillis());
        registryProxy.up();
        figures.did("registry reachable again");
    }

    /**
     * Round attempts of {@code jobs} that were retried or failed, and task attempts beyond the first (work done
     * again after a kill).
     */
    void auditRetries(List<String> jobs) {
        for (String id : jobs) {
            for (JsonNode t : http.quietGet(coordinator.resolve("/api/v1/jobs/" + id + "/tasks"), viewerToken).json()) {
                figures.count("task attempts repeated", Math.max(0, t.path("attempts").asInt() - 1));
            }
            Http.Reply rounds = http.quietGet(coordinator.resolve("/api/v1/jobs/" + id + "/rounds"), viewerToken);
            for (JsonNode r : rounds.json()) {
                String state = r.path("state").asString();
                if (state.equals("RETRIED") || state.equals("FAILED")) {
                    figures.count("round attempts retried or failed", 1);
                    figures.broken(Promise.NO_ROUND_RETRIED, "job " + id + " round " + r.path("number").asInt()
                            + " attempt " + r.path("attempt").asInt() + " " + state + ": " + r.path("failureReason").asString(""));
                }
            }
        }
    }
}
