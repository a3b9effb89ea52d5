package dev.fedexlora.cli.chaos;

import dev.fedexlora.cli.platform.LocalPlatform;
import dev.fedexlora.cli.platform.PlatformClient;
import dev.fedexlora.cli.platform.Shards;
import dev.fedexlora.train.data.Jsonl;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One chaos run: starts the platform on free 127.0.0.1 ports under {@code data} (the coordinator reaching the
 * registry through a cuttable proxy), imports MiniLM, starts the workers, then runs the worker-protocol probe, the
 * issue's trust cases, the hostile corpus on both services, the fault run and the version audit, and stops
 * everything it started.
 */
public final class ChaosSuite {

    /** The development tokens the local platform accepts (see docs/operations.md). */
    static final String SUBMITTER = "dev-submitter";
    /** The hostile corpus's worker and the probe's two hostile workers: credentials the launched workers don't use. */
    static final String WORKER = LocalPlatform.workerToken(LocalPlatform.MAX_WORKERS - 3);
    static final String PROBE_WORKER_A = LocalPlatform.workerToken(LocalPlatform.MAX_WORKERS - 2);
    static final String PROBE_WORKER_B = LocalPlatform.workerToken(LocalPlatform.MAX_WORKERS - 1);
    static final String VIEWER = "dev-viewer";
    static final String REGISTRY_READER = LocalPlatform.DEV_REGISTRY_READER;
    static final String REGISTRY_PUBLISHER = LocalPlatform.DEV_REGISTRY_PUBLISHER;
    static final String REGISTRY_ADMIN = LocalPlatform.DEV_REGISTRY_ADMIN;
    static final String MODEL = "minilm";

    /**
     * How big a run is.
     *
     * @param workers          real worker processes, one client each
     * @param jobs             jobs of the fault run
     * @param rounds           rounds per job
     * @param coordinatorKills SIGKILLs of the coordinator during the fault run
     * @param registryOutage   how long the coordinator is cut off from the registry (zero: never)
     * @param limit            the fault run's time limit
     */
    public record Size(int workers, int jobs, int rounds, int coordinatorKills, Duration registryOutage, Duration limit) {
        /** The CI size: a few minutes. */
        public static final Size QUICK = new Size(2, 1, 2, 1, Duration.ofSeconds(10), Duration.ofMinutes(10));
        /** The size whose figures docs/reliability.md records. */
        public static final Size FULL = new Size(3, 3, 3, 2, Duration.ofSeconds(30), Duration.ofMinutes(30));
    }

    private final Path home;
    private final Path data;
    private final Path dataset;
    private final PrintStream out;

    /**
     * @param home    the repository root (service jars under {@code <module>/target})
     * @param data    where the services keep their state and logs for this run (best empty)
     * @param dataset the JSONL data the workers split among their clients
     */
    public ChaosSuite(Path home, Path data, Path dataset, PrintStream out) {
        this.home = home;
        this.data = data;
        this.dataset = dataset;
        this.out = out;
    }

    public Figures run(Size size) throws IOException, InterruptedException {
        Figures figures = new Figures();
        Http http = new Http(figures, Duration.ofSeconds(60));
        int[] ports = freePorts(3 + size.workers());
        LocalPlatform.Ports p = new LocalPlatform.Ports(ports[0], ports[1], ports[2], ports[3]);
        Instant started = Instant.now();
        try (LocalPlatform platform = new LocalPlatform(home, data, p, out);
             TcpProxy registryProxy = new TcpProxy(p.registry())) {
            platform.startCore(URI.create("http://127.0.0.1:" + registryProxy.port()));
            URI coordinator = platform.coordinatorUrl();
            URI registry = platform.registryUrl();
            new PlatformClient(coordinator, registry, SUBMITTER, REGISTRY_ADMIN).ensureMiniLm(MODEL, out);
            var examples = Jsonl.read(dataset);
            String name = Shards.datasetName(dataset);
            Map<String, Path> shards = Shards.write(examples, data.resolve("shards"), "client-", size.workers(), 0.5, 42);
            platform.startWorkers(shards.entrySet().stream()
                    .map(e -> new LocalPlatform.WorkerClient(e.getKey(), name, e.getValue())).toList());
            figures.did(String.format("platform up on 127.0.0.1 in %.0f s: registry :%d, S3 :%d, coordinator :%d,"
                    + " %d workers", Duration.between(started, Instant.now()).toMillis() / 1e3, p.registry(), p.s3(),
                    p.coordinator(), size.workers()));

            WorkerProtocolProbe probe = new WorkerProtocolProbe(http, figures, coordinator, MODEL, PROBE_WORKER_A,
                    PROBE_WORKER_B, SUBMITTER);
            probe.run();
            String probeJob = probe.probeJobs().isEmpty() ? "00000000-0000-0000-0000-000000000000" : probe.probeJobs().get(0);
            TrustCases trust = new TrustCases(http, figures, coordinator, registry, MODEL, SUBMITTER, REGISTRY_READER,
                    REGISTRY_PUBLISHER);
            trust.run(probeJob, probe.honestObjects());
            HostileCorpus corpus = new HostileCorpus(http, figures);
            corpus.run(new HostileCorpus.Service("coordinator", coordinator,
                    Map.of("id", probeJob), (method, path) -> path.startsWith("/api/v1/workers")
                            || path.startsWith("/api/v1/tasks") ? WORKER
                            : method.equals("GET") ? VIEWER : SUBMITTER));
            corpus.run(new HostileCorpus.Service("registry", registry,
                    Map.of("name", MODEL, "version", "0", "alias", "production", "file", "config.json"),
                    ChaosSuite::registryTokenFor));
            List<String> junk = new ArrayList<>(probe.probeJobs());
            junk.addAll(trust.createdJobs());
            junk.addAll(corpus.createdJobs());
            for (String job : junk) {
                http.json("coordinator POST /api/v1/jobs/{id}/cancel", "POST",
                        coordinator.resolve("/api/v1/jobs/" + job + "/cancel"), SUBMITTER, null);
            }
            figures.did("cancelled the " + junk.size() + " probe and corpus jobs");

            List<String> workers = new ArrayList<>();
            for (int i = 0; i < size.workers(); i++) {
                workers.add("worker-" + i);
            }
            FaultRun faults = new FaultRun(platform, data, registryProxy, http, figures, coordinator, workers, VIEWER, SUBMITTER);
            List<String> jobs = faults.run(new FaultRun.Plan(size.jobs(), size.rounds(), size.coordinatorKills(),
                    size.registryOutage(), size.limit()), MODEL, name, new ArrayList<>(shards.keySet()),
                    Jsonl.numLabels(examples));
            faults.auditRetries(jobs);
            S3Objects s3 = new S3Objects(URI.create("http://127.0.0.1:" + p.s3()), "fedex", "fedex", "fedex-secret",
                    "us-east-1");
            new VersionAudit(http, figures, coordinator, registry, s3, VIEWER, REGISTRY_READER).audit(MODEL, jobs, size.rounds());
        }
        figures.did(String.format("whole run: %.0f s", Duration.between(started, Instant.now()).toMillis() / 1e3));
        return figures;
    }

    private static int[] freePorts(int n) throws IOException {
        int[] out = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                held.add(s);
                out[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return out;
    }

    /** The registry token a legitimate caller of an operation has: the coordinator registers, an admin curates. */
    static String registryTokenFor(String method, String path) {
        if (method.equals("GET") || path.endsWith("/export")) {
            return REGISTRY_READER;
        }
        return method.equals("POST") && path.endsWith("/versions") ? REGISTRY_PUBLISHER : REGISTRY_ADMIN;
    }
}
