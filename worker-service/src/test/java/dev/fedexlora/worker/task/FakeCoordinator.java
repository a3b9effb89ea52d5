package dev.fedexlora.worker.task;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.RandomCheckpoint;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http.Method;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The coordinator's side of the task protocol, played by the JDK's HTTP server (bearer {@link #TOKEN}), with the
 * global state and uploads in an in-process s3proxy reached only through presigned URLs made by the MinIO client,
 * as the coordinator makes them. The base model is the tiny random encoder under {@code models/tiny/base/}. Tests
 * queue leases and read what the worker registered and reported.
 */
final class FakeCoordinator implements AutoCloseable {

    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final String BUCKET = "fedex";
    static final String TOKEN = "worker-secret";

    final UUID workerId = UUID.randomUUID();
    /** Leases to hand out, in order; an empty queue answers 204. */
    final Queue<String> leases = new ConcurrentLinkedQueue<>();
    /** Completions and failures, each with {@code task} and {@code kind} (complete, fail) added. */
    final BlockingQueue<JsonNode> reports = new LinkedBlockingQueue<>();
    final BlockingQueue<JsonNode> registrations = new LinkedBlockingQueue<>();
    /** Tasks whose heartbeat answers 409. */
    final Set<String> lostTasks = ConcurrentHashMap.newKeySet();
    final Map<String, Integer> heartbeats = new ConcurrentHashMap<>();
    /** Statuses a task's completions answer first, in order (503: coordinator down; 409: lease lost). */
    final Map<String, Queue<Integer>> completeAnswers = new ConcurrentHashMap<>();
    final Map<String, Integer> completeCalls = new ConcurrentHashMap<>();
    final AtomicInteger leaseCalls = new AtomicInteger();
    final MinioClient minio;

    private final Path root;
    private final S3Proxy s3;
    private final HttpServer server;

    private FakeCoordinator(Path root, S3Proxy s3, MinioClient minio) throws IOException {
        this.root = root;
        this.s3 = s3;
        this.minio = minio;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/", this::handle);
        server.start();
    }

    /** Starts the s3proxy (with the tiny base model) and the HTTP server; {@link #root()} is a fresh directory. */
    static FakeCoordinator start() throws Exception {
        Path root = Files.createTempDirectory("worker-it");
        S3Proxy s3 = S3Proxy.builder().blobStore(BlobStores.create("transient", new Properties()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "access", "secret-key").build();
        s3.start();
        while (!s3.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        MinioClient minio = MinioClient.builder().endpoint("http://127.0.0.1:" + s3.getPort())
                .credentials("access", "secret-key").region("us-east-1").build();
        if (!minio.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())) {
            minio.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
        }
        Path base = root.resolve("base");
        RandomCheckpoint.write(base, BertConfig.tiny(30522), 5);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            minio.uploadObject(UploadObjectArgs.builder().bucket(BUCKET).object("models/tiny/base/" + f)
                    .filename(base.resolve(f).toString()).build());
        }
        return new FakeCoordinator(root, s3, minio);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A scratch directory for the test's data files and the worker's cache. */
    Path root() {
        return root;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(exchange, 401, "{}");
        } else if (path.equals("/api/v1/workers")) {
            registrations.add(body);
            respond(exchange, 201, "{\"workerId\":\"" + workerId + "\"}");
        } else if (path.equals("/api/v1/tasks/lease")) {
            leaseCalls.incrementAndGet();
            String lease = leases.poll();
            if (lease == null) {
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            } else {
                respond(exchange, 200, lease);
            }
        } else if (path.endsWith("/heartbeat")) {
            String task = path.split("/")[4];
            heartbeats.merge(task, 1, Integer::sum);
            if (lostTasks.contains(task)) {
                respond(exchange, 409, "{\"type\":\"urn:fedex:lease-lost\"}");
            } else {
                respond(exchange, 200, "{\"leaseExpiresAt\":\"2030-01-01T00:00:00Z\"}");
            }
        } else if (path.endsWith("/complete") && completeCalls.merge(path.split("/")[4], 1, Integer::sum) > 0
                && completeAnswers.getOrDefault(path.split("/")[4], new ConcurrentLinkedQueue<>()).peek() != null) {
            int status = completeAnswers.get(path.split("/")[4]).poll();
            respond(exchange, status, status == 409 ? "{\"type\":\"urn:fedex:lease-lost\"}" : "{}");
        } else if (path.endsWith("/complete") || path.endsWith("/fail")) {
            ObjectNode report = ((ObjectNode) body).put("task", path.split("/")[4])
                    .put("kind", path.endsWith("/complete") ? "complete" : "fail");
            reports.add(report);
            respond(exchange, 200, "{}");
        } else {
            respond(exchange, 404, "{}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    String presign(Method method, String key) throws Exception {
        return minio.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(method).bucket(BUCKET)
                .object(key).expiry(3600).build());
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    byte[] object(String key) throws Exception {
        try (InputStream in = minio.getObject(GetObjectArgs.builder().bucket(BUCKET).object(key).build())) {
            return in.readAllBytes();
        }
    }

    String lease(UUID task, String client, String dataset, int localSteps) throws Exception {
        return lease(task, client, dataset, localSteps, List.of(), null);
    }

    /** A lease whose global state holds {@code residualKeys} (versions 1..n, with their SHA-256 or a wrong one). */
    String lease(UUID task, String client, String dataset, int localSteps, List<Map.Entry<String, String>>
            residualKeys, String adapterPrefix) throws Exception {
        ObjectNode lease = JSON.createObjectNode();
        lease.put("taskId", task.toString()).put("jobId", UUID.randomUUID().toString()).put("round", 1)
                .put("clientId", client).put("dataset", dataset).put("leaseExpiresAt", "2030-01-01T00:00:00Z");
        ObjectNode training = lease.putObject("training");
        training.put("method", "FEDEX").put("rank", 4).put("alpha", 8.0).put("useRslora", false)
                .put("learningRate", 1e-2).put("localSteps", localSteps).put("batchSize", 8).put("seed", 17)
                .put("numLabels", 2);
        training.putArray("targetModules").add("query").add("value");
        ObjectNode state = lease.putObject("globalState");
        state.putObject("baseModel").put("name", "tiny").put("version", 0);
        ObjectNode base = state.putObject("base");
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            base.putObject(f).put("url", presign(Method.GET, "models/tiny/base/" + f))
                    .put("sha256", sha256(object("models/tiny/base/" + f)));
        }
        var residuals = state.putArray("residuals");
        for (int i = 0; i < residualKeys.size(); i++) {
            residuals.addObject().put("version", i + 1).put("url", presign(Method.GET, residualKeys.get(i).getKey()))
                    .put("sha256", residualKeys.get(i).getValue());
        }
        if (adapterPrefix == null) {
            state.putNull("adapter");
        } else {
            ObjectNode adapter = state.putObject("adapter");
            for (String f : List.of(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE)) {
                adapter.putObject(f).put("url", presign(Method.GET, adapterPrefix + f))
                        .put("sha256", sha256(object(adapterPrefix + f)));
            }
        }
        ObjectNode upload = lease.putObject("upload");
        for (String f : List.of(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE)) {
            upload.put(f, presign(Method.PUT, "jobs/j/rounds/1/tasks/" + task + "/" + f));
        }
        return JSON.writeValueAsString(lease);
    }

    @Override
    public void close() {
        server.stop(0);
        try {
            s3.stop();
        } catch (Exception e) {
            // test teardown
        }
    }
}
