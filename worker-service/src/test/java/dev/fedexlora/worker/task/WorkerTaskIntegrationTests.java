package dev.fedexlora.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.RandomCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;
import io.minio.Http.Method;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A worker hosting two clients against a coordinator played by the JDK's HTTP server, with the global state and
 * uploads in an in-process s3proxy reached only through presigned URLs, training the tiny encoder.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD) // stop the loop before the fake coordinator
class WorkerTaskIntegrationTests {

    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final String BUCKET = "fedex";
    static final UUID WORKER_ID = UUID.randomUUID();

    static Path root;
    static S3Proxy s3;
    static MinioClient minio;
    static HttpServer coordinator;
    static final Queue<String> leases = new ConcurrentLinkedQueue<>();
    static final BlockingQueue<JsonNode> reports = new LinkedBlockingQueue<>();
    static final BlockingQueue<JsonNode> registrations = new LinkedBlockingQueue<>();
    static final Set<String> lostTasks = ConcurrentHashMap.newKeySet();
    static final Map<String, Integer> heartbeats = new ConcurrentHashMap<>();
    static int trainExamplesOfA;

    @DynamicPropertySource
    static void start(DynamicPropertyRegistry registry) throws Exception {
        root = Files.createTempDirectory("worker-it");
        startS3();
        startCoordinator();
        List<Example> a = new ArrayList<>();
        List<Example> b = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            a.add(new Example((i % 2 == 0 ? "a small cat " : "a heavy hammer ") + i, i % 2));
            b.add(new Example((i % 2 == 0 ? "the old dog " : "the new wrench ") + i, i % 2));
        }
        Jsonl.write(root.resolve("a.jsonl"), a);
        Jsonl.write(root.resolve("b.jsonl"), b);
        trainExamplesOfA = 60 - (int) Math.round(60 * 0.2);
        registry.add("fedex.worker.coordinator-url", () -> "http://127.0.0.1:" + coordinator.getAddress().getPort());
        registry.add("fedex.worker.token", () -> "worker-secret");
        registry.add("fedex.worker.cache-dir", () -> root.resolve("cache").toString());
        registry.add("fedex.worker.poll-interval", () -> "100ms");
        registry.add("fedex.worker.heartbeat-interval", () -> "100ms");
        registry.add("fedex.worker.held-out-fraction", () -> "0.2");
        registry.add("fedex.worker.max-length", () -> "16");
        registry.add("fedex.worker.clients[0].client-id", () -> "client-a");
        registry.add("fedex.worker.clients[0].dataset", () -> "topics");
        registry.add("fedex.worker.clients[0].path", () -> root.resolve("a.jsonl").toString());
        registry.add("fedex.worker.clients[1].client-id", () -> "client-b");
        registry.add("fedex.worker.clients[1].dataset", () -> "topics");
        registry.add("fedex.worker.clients[1].path", () -> root.resolve("b.jsonl").toString());
    }

    static void startS3() throws Exception {
        s3 = S3Proxy.builder().blobStore(BlobStores.create("transient", new Properties()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "access", "secret-key").build();
        s3.start();
        while (!s3.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        minio = MinioClient.builder().endpoint("http://127.0.0.1:" + s3.getPort()).credentials("access", "secret-key")
                .region("us-east-1").build();
        if (!minio.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())) {
            minio.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
        }
        Path base = root.resolve("base");
        RandomCheckpoint.write(base, BertConfig.tiny(30522), 5);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            minio.uploadObject(UploadObjectArgs.builder().bucket(BUCKET).object("models/tiny/base/" + f)
                    .filename(base.resolve(f).toString()).build());
        }
    }

    static void startCoordinator() throws IOException {
        coordinator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        coordinator.createContext("/api/v1/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            if (!"Bearer worker-secret".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                respond(exchange, 401, "{}");
            } else if (path.equals("/api/v1/workers")) {
                registrations.add(body);
                respond(exchange, 201, "{\"workerId\":\"" + WORKER_ID + "\"}");
            } else if (path.equals("/api/v1/tasks/lease")) {
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
            } else if (path.endsWith("/complete") || path.endsWith("/fail")) {
                ObjectNode report = ((ObjectNode) body).put("task", path.split("/")[4])
                        .put("kind", path.endsWith("/complete") ? "complete" : "fail");
                reports.add(report);
                respond(exchange, 200, "{}");
            } else {
                respond(exchange, 404, "{}");
            }
        });
        coordinator.start();
    }

    static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @AfterAll
    static void stop() throws Exception {
        coordinator.stop(0);
        s3.stop();
    }

    static String presign(Method method, String key) throws Exception {
        return minio.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(method).bucket(BUCKET)
                .object(key).expiry(3600).build());
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String lease(UUID task, String client, String dataset, int localSteps) throws Exception {
        return lease(task, client, dataset, localSteps, List.of(), null);
    }

    /** A lease whose global state holds {@code residualKeys} (versions 1..n, with their SHA-256 or a wrong one). */
    static String lease(UUID task, String client, String dataset, int localSteps, List<Map.Entry<String, String>>
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
            byte[] content;
            try (InputStream in = minio.getObject(GetObjectArgs.builder().bucket(BUCKET)
                    .object("models/tiny/base/" + f).build())) {
                content = in.readAllBytes();
            }
            base.putObject(f).put("url", presign(Method.GET, "models/tiny/base/" + f)).put("sha256", sha256(content));
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

    static Matrix random(int rows, int cols, Random rnd) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (rnd.nextGaussian() * 0.01);
        }
        return new Matrix(rows, cols, data);
    }

    static byte[] object(String key) throws Exception {
        try (InputStream in = minio.getObject(GetObjectArgs.builder().bucket(BUCKET).object(key).build())) {
            return in.readAllBytes();
        }
    }

    @Test
    void registersItsClientsThenTrainsUploadsThroughPresignedUrlsAndCompletes() throws Exception {
        JsonNode registration = registrations.poll(30, TimeUnit.SECONDS);
        assertThat(registration).isNotNull();
        assertThat(registration.path("clients").findValuesAsString("clientId")).containsExactly("client-a", "client-b");
        assertThat(registration.path("clients").get(0).path("datasets").path("topics").asInt()).isEqualTo(trainExamplesOfA);

        UUID wrongDataset = UUID.randomUUID();
        UUID lostLease = UUID.randomUUID();
        UUID good = UUID.randomUUID();
        lostTasks.add(lostLease.toString());
        leases.add(lease(wrongDataset, "client-b", "no-such-dataset", 5));
        leases.add(lease(lostLease, "client-b", "topics", 100_000));
        leases.add(lease(good, "client-a", "topics", 6));

        JsonNode failure = reports.poll(60, TimeUnit.SECONDS);
        assertThat(failure.path("kind").asString()).isEqualTo("fail");
        assertThat(failure.path("task").asString()).isEqualTo(wrongDataset.toString());
        assertThat(failure.path("workerId").asString()).isEqualTo(WORKER_ID.toString());
        assertThat(failure.path("reason").asString()).contains("no dataset 'no-such-dataset'");

        // The task whose lease is lost is abandoned without a report; the next one completes.
        JsonNode completion = reports.poll(120, TimeUnit.SECONDS);
        assertThat(completion).isNotNull();
        assertThat(completion.path("task").asString()).isEqualTo(good.toString());
        assertThat(completion.path("kind").asString()).isEqualTo("complete");
        assertThat(heartbeats.get(lostLease.toString())).isPositive();
        assertThat(completion.path("examples").asInt()).isEqualTo(trainExamplesOfA);
        assertThat(completion.path("metrics").path("steps").asDouble()).isEqualTo(6.0);
        assertThat(completion.path("metrics").has("evalAccuracy")).isTrue();
        assertThat(completion.path("metrics").has("trainLoss")).isTrue();
        assertThat(completion.path("metrics").path("accuracy").asDouble())
                .isEqualTo(completion.path("metrics").path("evalAccuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(completion.path("metrics").path("loss").asDouble())
                .isEqualTo(completion.path("metrics").path("evalLoss").asDouble()).isPositive();

        String prefix = "jobs/j/rounds/1/tasks/" + good + "/";
        byte[] weights = object(prefix + PeftAdapters.WEIGHTS_FILE);
        byte[] config = object(prefix + PeftAdapters.CONFIG_FILE);
        assertThat(completion.path("sha256").path(PeftAdapters.WEIGHTS_FILE).asString()).isEqualTo(sha256(weights));
        assertThat(completion.path("sha256").path(PeftAdapters.CONFIG_FILE).asString()).isEqualTo(sha256(config));
        LoraAdapter adapter = PeftAdapters.fromParts(new String(config, StandardCharsets.UTF_8),
                SafeTensors.read(weights, "upload"), "upload");
        assertThat(adapter.layers()).hasSize(4);
        assertThat(adapter.config().r()).isEqualTo(4);
        assertThat(adapter.extras().get("classifier.weight").shape()).containsExactly(2, 32);
        assertThat(reports.poll(500, TimeUnit.MILLISECONDS)).isNull();

        // Round 2 starts from round 1's adapter with a version's residual on the base; a residual whose bytes do
        // not match the lease's SHA-256 fails its task with that reason.
        Random rnd = new Random(3);
        Path residual = root.resolve("residual.safetensors");
        Residuals.write(residual, Map.of("encoder.layer.0.attention.self.query",
                new Residual.Factored(random(32, 4, rnd), random(4, 32, rnd))));
        minio.uploadObject(UploadObjectArgs.builder().bucket(BUCKET).object("models/tiny/versions/1/residual.safetensors")
                .filename(residual.toString()).build());
        String residualSha = sha256(Files.readAllBytes(residual));
        UUID tampered = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        leases.add(lease(tampered, "client-b", "topics", 3,
                List.of(Map.entry("models/tiny/versions/1/residual.safetensors", "00" + residualSha.substring(2))),
                prefix));
        leases.add(lease(second, "client-b", "topics", 3,
                List.of(Map.entry("models/tiny/versions/1/residual.safetensors", residualSha)), prefix));
        JsonNode refused = reports.poll(60, TimeUnit.SECONDS);
        assertThat(refused.path("task").asString()).isEqualTo(tampered.toString());
        assertThat(refused.path("kind").asString()).isEqualTo("fail");
        assertThat(refused.path("reason").asString()).contains("SHA-256").doesNotContain("X-Amz-Signature");
        JsonNode round2 = reports.poll(120, TimeUnit.SECONDS);
        assertThat(round2.path("task").asString()).isEqualTo(second.toString());
        assertThat(round2.path("kind").asString()).isEqualTo("complete");
        assertThat(round2.path("metrics").path("steps").asDouble()).isEqualTo(3.0);
        LoraAdapter next = PeftAdapters.fromParts(
                new String(object("jobs/j/rounds/1/tasks/" + second + "/" + PeftAdapters.CONFIG_FILE), StandardCharsets.UTF_8),
                SafeTensors.read(object("jobs/j/rounds/1/tasks/" + second + "/" + PeftAdapters.WEIGHTS_FILE), "upload"),
                "upload");
        assertThat(next.layers().keySet()).isEqualTo(adapter.layers().keySet());

        // The base checkpoint was fetched once into the content-addressed cache; task scratch space is gone.
        try (var dirs = Files.list(root.resolve("cache/base"))) {
            assertThat(dirs.toList()).hasSize(1);
        }
        try (var dirs = Files.list(root.resolve("cache/tasks"))) {
            assertThat(dirs.toList()).isEmpty();
        }
    }
}
