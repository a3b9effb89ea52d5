package dev.fedexlora.coordinator.support;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.fedexlora.coordinator.CoordinatorApplication;

/**
 * Settings and helpers shared by the integration tests: the API tokens (and their roles), the properties that
 * point a coordinator at the test PostgreSQL, s3proxy and the in-process registry, and job submission and polling over HTTP.
 */
public final class CoordinatorTestSupport {

    public static final String SUBMITTER = "submitter-token";
    public static final String VIEWER = "viewer-token";
    public static final String WORKER_A = "worker-a-token";
    public static final String WORKER_B = "worker-b-token";
    /** A worker credential bound to {@link #BOUND_CLIENT} only. */
    public static final String WORKER_C = "worker-c-token";
    public static final String BOUND_CLIENT = "bound-c1";
    public static final String MODEL = "tiny-bert";

    /**
     * A registry address where nothing listens (port 1 is never bound here): a coordinator pointed at it runs
     * without a registry, and any call to one fails at once as an outage.
     */
    public static final String NO_REGISTRY = "http://127.0.0.1:1";

    private static InProcessRegistry registry;

    private CoordinatorTestSupport() {
    }

    /** The real registry, one per test JVM (stopped at exit), holding the base model {@link #MODEL}. */
    public static synchronized InProcessRegistry registry() {
        if (registry == null) {
            registry = InProcessRegistry.start(TestInfrastructure.newDatabaseUrl());
            registry.addBaseModel(MODEL, TestAdapters.HIDDEN);
            TestInfrastructure.closeAtExit(registry);
        }
        return registry;
    }

    /** Every property a test coordinator needs, on the given embedded database, s3proxy and {@link #registry()}. */
    public static Map<String, Object> properties(String databaseUrl) {
        return properties(TestInfrastructure.Database.embedded(databaseUrl), TestInfrastructure.bucket(),
                registry().url());
    }

    /** Every property a test coordinator needs, on any database, bucket and registry. */
    public static Map<String, Object> properties(TestInfrastructure.Database database,
                                                 TestInfrastructure.Bucket bucket, String registryUrl) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", database.url());
        p.put("spring.datasource.username", database.username());
        p.put("spring.datasource.password", database.password());
        p.put("fedex.s3.endpoint", bucket.endpoint());
        p.put("fedex.s3.access-key", bucket.accessKey());
        p.put("fedex.s3.secret-key", bucket.secretKey());
        p.put("fedex.s3.bucket", bucket.name());
        p.put("fedex.coordinator.registry.url", registryUrl);
        p.put("server.shutdown", "immediate");
        p.put("fedex.coordinator.lease-ttl", "8s");
        p.put("fedex.coordinator.scheduler-interval", "100ms");
        p.put("fedex.coordinator.max-round-attempts", "2");
        p.put("fedex.coordinator.max-task-attempts", "5");
        p.putAll(credentials());
        return p;
    }

    /**
     * The API tokens {@link #SUBMITTER} and {@link #VIEWER} and the worker credentials {@link #WORKER_A},
     * {@link #WORKER_B} (any client) and {@link #WORKER_C} ({@link #BOUND_CLIENT} only), as configuration.
     */
    public static Map<String, Object> credentials() {
        Map<String, Object> p = new LinkedHashMap<>();
        String[][] tokens = {{"submitter", "SUBMITTER", SUBMITTER}, {"viewer", "VIEWER", VIEWER}};
        for (int i = 0; i < tokens.length; i++) {
            p.put("fedex.coordinator.security.tokens[" + i + "].name", tokens[i][0]);
            p.put("fedex.coordinator.security.tokens[" + i + "].role", tokens[i][1]);
            p.put("fedex.coordinator.security.tokens[" + i + "].sha256", UploadSha.of(tokens[i][2]));
        }
        // one credential per worker: A and B may host any client, C only BOUND_CLIENT
        String[][] workers = {{"worker-a", WORKER_A, "*"}, {"worker-b", WORKER_B, "*"}, {"worker-c", WORKER_C, BOUND_CLIENT}};
        for (int i = 0; i < workers.length; i++) {
            p.put("fedex.coordinator.security.workers[" + i + "].name", workers[i][0]);
            p.put("fedex.coordinator.security.workers[" + i + "].sha256", UploadSha.of(workers[i][1]));
            p.put("fedex.coordinator.security.workers[" + i + "].clients[0]", workers[i][2]);
        }
        return p;
    }

    /** A coordinator started on its own (a test that stops and starts it), on a free port, with these properties. */
    public static ConfigurableApplicationContext startCoordinator(Map<String, Object> properties) {
        Map<String, Object> p = new LinkedHashMap<>(properties);
        p.put("server.port", "0");
        List<String> args = new ArrayList<>();
        p.forEach((k, v) -> args.add("--" + k + "=" + v));
        return new SpringApplicationBuilder(CoordinatorApplication.class).run(args.toArray(String[]::new));
    }

    /** The base URL of a coordinator started with {@link #startCoordinator}. */
    public static String url(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** A FEDEX job request over explicit clients, on the fake registry's base model. */
    public static Map<String, Object> job(List<String> clients, int rounds) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("baseModel", Map.of("name", MODEL, "version", "0"));
        j.put("dataset", "wordnet-nouns");
        j.put("clients", clients);
        j.put("method", "FEDEX");
        j.put("rounds", rounds);
        j.put("rank", 4);
        j.put("alpha", 8.0);
        j.put("targetModules", TestAdapters.TARGETS);
        j.put("learningRate", 0.001);
        j.put("localSteps", 10);
        j.put("batchSize", 8);
        j.put("seed", 7);
        j.put("numLabels", TestAdapters.LABELS);
        return j;
    }

    public static TestWorker.Response call(String baseUrl, String method, String path, String token, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofByteArray(TestWorker.JSON.writeValueAsBytes(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return TestWorker.send(b.build());
    }

    public static String submit(String baseUrl, Map<String, Object> job) {
        TestWorker.Response r = call(baseUrl, "POST", "/api/v1/jobs", SUBMITTER, job);
        if (r.status() != 201) {
            throw new AssertionError("job submission answered " + r);
        }
        return r.json().get("id").asString();
    }

    public static JsonNode getJob(String baseUrl, String jobId) {
        return call(baseUrl, "GET", "/api/v1/jobs/" + jobId, VIEWER, null).json();
    }

    /** Polls the job until it is in {@code state}; fails on any other ended state or after {@code millis}. */
    public static JsonNode awaitJob(String baseUrl, String jobId, String state, long millis) {
        long until = System.currentTimeMillis() + millis;
        JsonNode job = null;
        while (System.currentTimeMillis() < until) {
            job = getJob(baseUrl, jobId);
            String s = job.get("state").asString();
            if (s.equals(state)) {
                return job;
            }
            if (!s.equals("RUNNING")) {
                throw new AssertionError("job ended " + s + " instead of " + state + ": " + job);
            }
            TestWorker.sleep(100);
        }
        throw new AssertionError("job not " + state + " after " + millis + " ms: " + job);
    }

    /** SHA-256 of a token, as configured. */
    static final class UploadSha {
        static String of(String token) {
            return dev.fedexlora.core.checksum.Sha256.hex(token);
        }
    }
}
