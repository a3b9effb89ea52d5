package dev.fedexlora.cli.platform;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The platform on one machine, on embedded defaults: each service is its own JVM started from its executable jar
 * (as in a deployment), with its output in {@code data/logs/<service>.log}. The registry starts an embedded
 * PostgreSQL and an in-process S3 endpoint with a filesystem store under {@code data/s3}; the coordinator starts its
 * own embedded PostgreSQL and uses that S3 endpoint; workers host clients on shards of a local JSONL file.
 * {@link #close()} stops every process it started, newest first.
 */
public final class LocalPlatform implements AutoCloseable {

    /** Ports of one local platform. */
    public record Ports(int coordinator, int registry, int s3, int firstWorker) {
        public static final Ports DEFAULT = new Ports(8080, 8081, 9000, 8082);
    }

    /** One started service. */
    public record Service(String name, Process process, URI url, Path log) {
    }

    private static final String VERSION = "0.1.0-SNAPSHOT";

    /** The development tokens the services accept by default (docs/operations.md lists them). */
    public static final String DEV_SUBMITTER = "dev-submitter";
    public static final String DEV_VIEWER = "dev-viewer";
    public static final String DEV_REGISTRY_READER = "dev-registry-reader";
    public static final String DEV_REGISTRY_PUBLISHER = "dev-registry-publisher";
    public static final String DEV_REGISTRY_ADMIN = "dev-registry-admin";

    /** Worker credentials the coordinator's development defaults hold: worker-0 .. worker-7. */
    public static final int MAX_WORKERS = 8;

    /** The development token of worker {@code i} (the coordinator holds its SHA-256 by default). */
    public static String workerToken(int i) {
        return "dev-worker-" + i;
    }

    private final Path home;
    private final Path data;
    private final Ports ports;
    /** The address every service listens on; 127.0.0.1 unless told otherwise. */
    private final String bind;
    private final PrintStream out;
    private final List<Service> started = new ArrayList<>();
    /** How each service was launched, by name, so that it can be started again after a kill. */
    private final Map<String, Launch> launches = new HashMap<>();
    private final Thread shutdownHook = new Thread(this::stopAll, "platform-shutdown");

    /**
     * @param home the repository root (the service jars are under {@code <module>/target})
     * @param data where the services keep their databases, objects and logs
     */
    public LocalPlatform(Path home, Path data, Ports ports, PrintStream out) {
        this(home, data, ports, out, null);
    }

    /**
     * @param bind the address every service listens on (Spring's {@code server.address}, and the embedded S3
     *             endpoint's); null takes {@code SERVER_ADDRESS} from the environment, else 127.0.0.1. A wildcard
     *             (0.0.0.0) exposes the HTTP services on every interface; the S3 endpoint then stays on 127.0.0.1
     *             because presigned URLs must name a reachable host.
     */
    public LocalPlatform(Path home, Path data, Ports ports, PrintStream out, String bind) {
        String env = System.getenv("SERVER_ADDRESS");
        this.bind = bind != null && !bind.isBlank() ? bind.trim()
                : env != null && !env.isBlank() ? env.trim() : "127.0.0.1";
        this.home = home;
        this.data = data.toAbsolutePath();
        this.ports = ports;
        this.out = out;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The host that reaches the services: the bind address, or 127.0.0.1 when that is a wildcard. */
    public String host() {
        return isWildcard(bind) ? "127.0.0.1" : bind;
    }

    public String bindAddress() {
        return bind;
    }

    static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
    }

    public URI coordinatorUrl() {
        return URI.create("http://" + host() + ":" + ports.coordinator());
    }

    public URI registryUrl() {
        return URI.create("http://" + host() + ":" + ports.registry());
    }

    public List<Service> services() {
        return List.copyOf(started);
    }

    /** Starts the registry, then the coordinator, each once its dependencies are ready. */
    public void startCore() throws IOException {
        startCore(registryUrl());
    }

    /**
     * Starts the registry, then the coordinator, which reaches the registry at {@code registryForCoordinator} (the
     * chaos suite puts a switchable proxy there).
     */
    public void startCore(URI registryForCoordinator) throws IOException {
        requireFree(ports.registry(), "registry");
        requireFree(ports.s3(), "S3 endpoint");
        requireFree(ports.coordinator(), "coordinator");
        // The development profile "embedded": each service its own PostgreSQL under data/, the registry the S3
        // endpoint (data/s3) that the coordinator then uses.
        start("model-registry", "registry", ports.registry(), List.of(
                "--spring.profiles.active=embedded",
                "--fedex.embedded.dir=" + data,
                "--fedex.embedded.s3-port=" + ports.s3(),
                "--fedex.embedded.s3-host=" + host()));
        start("coordinator-service", "coordinator", ports.coordinator(), List.of(
                "--spring.profiles.active=embedded",
                "--fedex.embedded.dir=" + data,
                "--fedex.s3.endpoint=http://" + host() + ":" + ports.s3(),
                "--fedex.coordinator.registry.url=" + registryForCoordinator));
    }

    /** One client of a worker: its id, the data set name it announces and its local JSONL file. */
    public record WorkerClient(String clientId, String dataset, Path shard) {
    }

    /**
     * Starts one worker process per client, all at once, and returns when every one is ready. Worker {@code i}
     * listens on the first worker port + i and keeps its cache under {@code data/worker-i-cache}.
     */
    public void startWorkers(List<WorkerClient> clients) throws IOException {
        startWorkers(clients.stream().map(List::of).toList(), List.of());
    }

    /**
     * Starts one worker process per group of clients, all at once, each with {@code options} (further
     * {@code --fedex.worker.*} settings), and returns when every one is ready.
     */
    public void startWorkers(List<List<WorkerClient>> groups, List<String> options) throws IOException {
        if (groups.size() > MAX_WORKERS) {
            throw new IllegalArgumentException("at most " + MAX_WORKERS + " local workers (the coordinator's development"
                    + " worker credentials), not " + groups.size());
        }
        List<Service> workers = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            int port = ports.firstWorker() + i;
            requireFree(port, "worker " + i);
            List<String> args = new ArrayList<>(List.of(
                    "--fedex.worker.name=worker-" + i,
                    "--fedex.worker.coordinator-url=" + coordinatorUrl(),
                    "--fedex.worker.token=" + workerToken(i),
                    "--fedex.worker.cache-dir=" + data.resolve("worker-" + i + "-cache")));
            List<WorkerClient> group = groups.get(i);
            for (int j = 0; j < group.size(); j++) {
                WorkerClient c = group.get(j);
                String p = "--fedex.worker.clients[" + j + "].";
                args.add(p + "client-id=" + c.clientId());
                args.add(p + "dataset=" + c.dataset());
                args.add(p + "path=" + c.shard().toAbsolutePath());
            }
            args.addAll(options);
            workers.add(launch("worker-service", "worker-" + i, port, args));
        }
        for (Service w : workers) {
            awaitReady(w, Duration.ofMinutes(5));
        }
    }

    private Service start(String module, String name, int port, List<String> args) throws IOException {
        Service s = launch(module, name, port, args);
        awaitReady(s, Duration.ofMinutes(5));
        return s;
    }

    private record Launch(String module, int port, List<String> args) {
    }

    /**
     * Kills service {@code name} at once (SIGKILL, as a crash would), waits for it to be gone and answers the
     * processes it had started that outlived it (an embedded PostgreSQL, say).
     */
    public synchronized List<ProcessHandle> kill(String name) throws InterruptedException {
        Service s = service(name);
        List<ProcessHandle> children = s.process().descendants().toList();
        s.process().destroyForcibly();
        s.process().waitFor();
        return children.stream().filter(ProcessHandle::isAlive).toList();
    }

    /** Starts service {@code name} again as it was first started and waits until it is ready. */
    public synchronized Service restart(String name, Duration timeout) throws IOException {
        Service old = service(name);
        if (old.process().isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        started.remove(old);
        Launch l = launches.get(name);
        Service s = launch(l.module(), name, l.port(), l.args());
        awaitReady(s, timeout);
        return s;
    }

    private Service service(String name) {
        return started.stream().filter(s -> s.name().equals(name)).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalArgumentException("no service '" + name + "' was started"));
    }

    private Service launch(String module, String name, int port, List<String> args) throws IOException {
        launches.put(name, new Launch(module, port, List.copyOf(args)));
        Path jar = home.resolve(module).resolve("target").resolve(module + "-" + VERSION + "-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: build the platform first (./fedex builds it on first use)");
        }
        Path logs = Files.createDirectories(data.resolve("logs"));
        Path log = logs.resolve(name + ".log");
        if (Files.exists(log)) { // a restart: keep what the previous process wrote
            Files.move(log, logs.resolve(name + "-" + System.currentTimeMillis() + ".log"));
        }
        List<String> command = new ArrayList<>(List.of(java(), "-XX:+UseSerialGC", "-Xss2m",
                "-Dai.djl.offline=true", "-jar", jar.toString(), "--server.port=" + port, "--server.address=" + bind));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Path shown = log.toAbsolutePath().startsWith(home) ? home.relativize(log.toAbsolutePath()) : log.toAbsolutePath();
        out.printf("starting %s on port %d (log: %s)%n", name, port, shown);
        Service s = new Service(name, pb.start(), URI.create("http://" + host() + ":" + port), log);
        started.add(s);
        return s;
    }

    private void awaitReady(Service s, Duration timeout) throws IOException {
        PlatformClient probe = new PlatformClient(s.url(), s.url(), "");
        Instant until = Instant.now().plus(timeout);
        while (Instant.now().isBefore(until)) {
            if (!s.process().isAlive()) {
                throw new IOException(s.name() + " exited with status " + s.process().exitValue()
                        + " while starting; its log " + s.log() + " ends with:\n" + tail(s.log(), 20));
            }
            if (probe.ready(s.url())) {
                return;
            }
            sleep(500);
        }
        throw new IOException(s.name() + " was not ready after " + timeout.toSeconds() + " s; see " + s.log());
    }

    /**
     * Watches the services until the registry or the coordinator exits (then says which and returns) or the thread
     * is interrupted. A worker that exits does not stop the others: it is logged and, with {@code restartWorkers},
     * started again (at most {@link #WORKER_RESTARTS} times per worker; after that it stays down, logged).
     */
    public void supervise(boolean restartWorkers) throws InterruptedException {
        Map<String, Integer> restarts = new java.util.HashMap<>();
        while (true) {
            List<Service> now;
            synchronized (this) {
                now = List.copyOf(started);
            }
            for (Service s : now) {
                if (s.process().isAlive()) {
                    continue;
                }
                if (!s.name().startsWith("worker-")) {
                    out.printf("%s exited with status %d; see %s%n", s.name(), s.process().exitValue(), s.log());
                    return;
                }
                int n = restarts.getOrDefault(s.name(), 0);
                synchronized (this) {
                    started.remove(s);
                }
                if (!restartWorkers || n >= WORKER_RESTARTS) {
                    out.printf("%s exited with status %d (see %s); the other services keep running%s%n", s.name(),
                            s.process().exitValue(), s.log(), restartWorkers ? ", it was restarted " + n
                                    + " times already and stays down" : "");
                    continue;
                }
                out.printf("%s exited with status %d (see %s); starting it again (restart %d of %d)%n", s.name(),
                        s.process().exitValue(), s.log(), n + 1, WORKER_RESTARTS);
                restarts.put(s.name(), n + 1);
                synchronized (this) {
                    started.add(s); // restart() looks it up by name
                }
                try {
                    restart(s.name(), Duration.ofMinutes(5));
                } catch (IOException | RuntimeException e) {
                    out.printf("%s could not be started again: %s%n", s.name(), e.getMessage());
                    synchronized (this) {
                        started.removeIf(x -> x.name().equals(s.name()) && !x.process().isAlive());
                    }
                }
            }
            Thread.sleep(1000);
        }
    }

    /** How often {@link #supervise} starts one worker again. */
    static final int WORKER_RESTARTS = 5;

    /** Blocks until one of the services exits (then says which) or the thread is interrupted. */
    public void awaitExit() throws InterruptedException {
        while (true) {
            for (Service s : started) {
                if (!s.process().isAlive()) {
                    out.printf("%s exited with status %d; see %s%n", s.name(), s.process().exitValue(), s.log());
                    return;
                }
            }
            Thread.sleep(1000);
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Process p = started.get(i).process();
            p.destroy();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        started.clear();
    }

    private void requireFree(int port, String what) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(bind, port));
        } catch (IOException e) {
            throw new IOException("port " + port + " for the " + what + " is in use (another platform running?)");
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
