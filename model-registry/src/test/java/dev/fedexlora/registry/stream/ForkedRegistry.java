package dev.fedexlora.registry.stream;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The registry as its own JVM with a fixed heap ({@code -Xmx}), profile {@code embedded} (PostgreSQL and a
 * filesystem s3proxy under {@code dir}), and a GC log from which {@link #peakHeapMiB} reads the largest heap
 * occupancy the collector saw. Started from the main classes and dependencies of this build, not the test classes.
 */
final class ForkedRegistry implements AutoCloseable {

    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    final int port;
    final int s3Port;
    final Path gcLog;
    final Path log;
    private final Process process;

    private ForkedRegistry(int port, int s3Port, Path gcLog, Path log, Process process) {
        this.port = port;
        this.s3Port = s3Port;
        this.gcLog = gcLog;
        this.log = log;
        this.process = process;
    }

    static ForkedRegistry start(Path dir, String maxHeap) throws IOException, InterruptedException {
        int port = freePort();
        int s3Port = freePort();
        Path gcLog = dir.resolve("gc.log");
        Path log = dir.resolve("registry.log");
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-Xlog:gc:file=" + gcLog, "-cp", classpath,
                "dev.fedexlora.registry.RegistryApplication", "--server.port=" + port,
                "--spring.profiles.active=embedded", "--fedex.embedded.dir=" + dir.resolve("data"),
                "--fedex.embedded.s3-port=" + s3Port, "--logging.level.root=WARN",
                "--logging.level.dev.fedexlora=INFO"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ForkedRegistry r = new ForkedRegistry(port, s3Port, gcLog, log, p);
        // A registry started under nice on a loaded machine may need longer: -Dfedex.checkpoint.ready-minutes.
        try {
            r.awaitReady(Duration.ofMinutes(Long.getLong("fedex.checkpoint.ready-minutes", 4)));
        } catch (IOException | InterruptedException | RuntimeException e) {
            // Not returned, so no try-with-resources closes it: end it here rather than leave it running.
            p.destroyForcibly();
            throw e;
        }
        return r;
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The last lines of the registry's log, for a failure message. */
    String logTail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return "\nregistry log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** The largest heap occupancy before a collection, in MiB, over the run so far. */
    long peakHeapMiB() throws IOException {
        return maxInGcLog(1);
    }

    /** The heap limit the collector reported (MiB), the largest capacity in the log. */
    long heapCapacityMiB() throws IOException {
        return maxInGcLog(3);
    }

    /** The largest value of {@code group} (1 before, 2 after, 3 capacity) over the log's "aM->bM(cM)" lines. */
    private long maxInGcLog(int group) throws IOException {
        long max = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_LINE.matcher(line);
            if (m.find()) {
                max = Math.max(max, Long.parseLong(m.group(group)));
            }
        }
        return max;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        Instant until = Instant.now().plus(timeout);
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (Instant.now().isBefore(until)) {
                if (!process.isAlive()) {
                    throw new IOException("the registry exited with " + process.exitValue() + ": "
                            + Files.readString(log));
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(url("/actuator/health/readiness"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(500);
            }
        }
        throw new IOException("the registry was not ready after " + timeout);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
