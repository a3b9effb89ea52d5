package dev.fedexlora.cli.chaos;

import dev.fedexlora.cli.platform.JobRequests;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Plays two hostile workers through the worker protocol on probe jobs whose clients only they host: one worker
 * acts on the other's task, takes over its name, and completes its own task with every crafted upload (PUT to the
 * presigned URLs, then complete with the right checksums). Probe rounds never aggregate (the other client never
 * completes) and the jobs are cancelled at the end, so nothing crafted reaches a version.
 */
final class WorkerProtocolProbe {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String DATASET = "chaos-probe";
    private static final String TASKS = "coordinator POST /api/v1/tasks/";

    private final Http http;
    private final Figures figures;
    private final URI coordinator;
    private final String model;
    private final String tokenA;
    private final String tokenB;
    /** worker id → the token of its credential */
    private final Map<String, String> tokens = new java.util.HashMap<>();
    private final String submitterToken;
    private final List<String> probeJobs = new ArrayList<>();
    private Map<String, String[]> honestObjects = Map.of();

    WorkerProtocolProbe(Http http, Figures figures, URI coordinator, String model, String tokenA, String tokenB,
                        String submitterToken) {
        this.http = http;
        this.figures = figures;
        this.coordinator = coordinator;
        this.model = model;
        this.tokenA = tokenA;
        this.tokenB = tokenB;
        this.submitterToken = submitterToken;
    }

    List<String> probeJobs() {
        return probeJobs;
    }

    void run() throws IOException, InterruptedException {
        String a = register("chaos-probe-a", "chaos-a", tokenA);
        String b = register("chaos-probe-b", "chaos-b", tokenB);
        concurrentRegistrations();
        submitProbeJob();
        JsonNode leaseA = lease(a, true);
        JsonNode leaseB = lease(b, true);
        if (leaseA == null || leaseB == null) {
            figures.did("worker protocol: no probe task was offered; crafted corpus skipped");
            return;
        }
        String taskA = leaseA.path("taskId").asString();
        crossWorker("heartbeat", taskA, b, F.objectNode().put("workerId", b));

        Map<String, long[]> shapes = baseShapes(leaseA);
        JsonNode t = leaseA.path("training");
        CraftedUploads.Upload honest = CraftedUploads.honest(shapes, t.path("rank").asInt(), t.path("alpha").asDouble(),
                strings(t.path("targetModules")), t.path("numLabels").asInt());
        int refused = 0;
        int accepted = 0;
        for (CraftedUploads.Upload u : CraftedUploads.hostile(honest)) {
            // A refused upload ends its task's lease, so every case gets a lease of its own.
            int status = attempt(a, u);
            if (status == 409) {
                status = attempt(a, u); // the lease ran out between lease and completion: once more
            }
            if (status >= 200 && status < 300) {
                accepted++;
                figures.broken(Promise.NO_BAD_ARTIFACT_ACCEPTED, "crafted upload '" + u.name() + "' completed its task");
            } else if (status == 400 || status == 422) {
                refused++;
            } else {
                figures.did("worker protocol: crafted case '" + u.name() + "' not decided (" + status + ")");
            }
        }
        figures.count("crafted uploads sent", accepted + refused);
        figures.count("crafted uploads accepted", accepted);
        JsonNode lease = lease(a, true);
        if (lease == null || !upload(a, lease, honest)) {
            figures.broken(Promise.HONEST_UPLOAD_ACCEPTED, "the honest upload did not complete its task");
        } else {
            honestObjects = objects(lease, honest);
            // the finished task of another worker: completing it again must not answer with its hashes
            crossWorker("complete", lease.path("taskId").asString(), b, completion(b, honest));
        }
        crossWorker("fail", leaseB.path("taskId").asString(), a, F.objectNode().put("workerId", a).put("reason", "chaos"));
        // A worker registering under another's name must not get that worker's id.
        Http.Reply takeover = http.json("coordinator POST /api/v1/workers", "POST", coordinator.resolve("/api/v1/workers"),
                tokenB, registration("chaos-probe-a", "chaos-b"));
        if (takeover.ok() && takeover.json().path("workerId").asString().equals(a)) {
            figures.broken(Promise.NO_CROSS_WORKER_ACTION, "registering under worker chaos-probe-a's name returned its id");
            figures.count("cross-worker actions allowed", 1);
        }
        figures.did(String.format("worker protocol: 2 probe workers, %d crafted uploads (%d refused, %d accepted),"
                + " cross-worker heartbeat/complete/fail and a name takeover", accepted + refused, refused, accepted));
    }

    /** Leases a task and completes it with {@code u}; answers the completion's status (0: no task offered). */
    private int attempt(String worker, CraftedUploads.Upload u) throws InterruptedException {
        JsonNode lease = lease(worker, true);
        if (lease == null) {
            return 0;
        }
        return put(worker, lease, u).status();
    }

    /**
     * Where the honest upload lies in the object store: file name → object key (from the presigned URL's path),
     * SHA-256 and size. A hostile registry caller can name these keys.
     */
    Map<String, String[]> honestObjects() {
        return honestObjects;
    }

    private static Map<String, String[]> objects(JsonNode lease, CraftedUploads.Upload u) {
        Map<String, String[]> out = new LinkedHashMap<>();
        lease.path("upload").properties().forEach(e -> {
            String path = URI.create(e.getValue().asString()).getPath();
            String key = path.substring(path.indexOf('/', 1) + 1); // drop "/<bucket>/"
            byte[] bytes = e.getKey().equals("adapter_config.json") ? u.config() : u.weights();
            out.put(e.getKey(), new String[] {key, S3Objects.sha256Hex(bytes), Long.toString(bytes.length)});
        });
        return out;
    }

    private boolean upload(String worker, JsonNode lease, CraftedUploads.Upload u) {
        return put(worker, lease, u).ok();
    }

    /** PUTs both files to the lease's presigned URLs and completes. */
    private Http.Reply put(String worker, JsonNode lease, CraftedUploads.Upload u) {
        JsonNode urls = lease.path("upload");
        http.send("object store PUT (presigned)", "PUT", URI.create(urls.path("adapter_model.safetensors").asString()),
                null, "application/octet-stream", u.weights());
        http.send("object store PUT (presigned)", "PUT", URI.create(urls.path("adapter_config.json").asString()),
                null, "application/octet-stream", u.config());
        return http.json(TASKS + "{id}/complete", "POST",
                coordinator.resolve("/api/v1/tasks/" + lease.path("taskId").asString() + "/complete"), tokens.get(worker),
                completion(worker, u));
    }

    private static ObjectNode completion(String worker, CraftedUploads.Upload u) {
        ObjectNode body = F.objectNode().put("workerId", worker).put("examples", u.examples());
        body.putObject("sha256").put("adapter_model.safetensors", S3Objects.sha256Hex(u.weights()))
                .put("adapter_config.json", S3Objects.sha256Hex(u.config()));
        body.putObject("metrics").put("loss", 1.0).put("accuracy", 0.5);
        return body;
    }

    private void crossWorker(String action, String task, String actor, JsonNode body) {
        // the actor's own credential and its own worker id: only the task is another's
        Http.Reply r = http.json(TASKS + "{id}/" + action, "POST", coordinator.resolve("/api/v1/tasks/" + task + "/" + action),
                tokens.get(actor), body);
        figures.count("cross-worker actions tried", 1);
        if (r.ok()) {
            figures.count("cross-worker actions allowed", 1);
            figures.broken(Promise.NO_CROSS_WORKER_ACTION, "worker " + actor + " could " + action + " another worker's task ("
                    + r.status() + ")");
        }
    }

    private String register(String name, String client, String token) {
        Http.Reply r = http.json("coordinator POST /api/v1/workers", "POST", coordinator.resolve("/api/v1/workers"),
                token, registration(name, client));
        if (!r.ok()) {
            throw new IllegalStateException("cannot register probe worker " + name + ": " + r.status() + " " + r.text());
        }
        String id = r.json().path("workerId").asString();
        tokens.put(id, token);
        return id;
    }

    private static ObjectNode registration(String name, String client) {
        ObjectNode body = F.objectNode().put("name", name);
        body.putArray("clients").addObject().put("clientId", client).putObject("datasets").put(DATASET, 100);
        return body;
    }

    /** Eight registrations under one new name at once; each must answer 2xx or a 4xx, never a 5xx. */
    private void concurrentRegistrations() throws InterruptedException {
        String name = "chaos-same-name-" + UUID.randomUUID();
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<Future<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                replies.add(pool.submit(() -> http.json("coordinator POST /api/v1/workers", "POST",
                        coordinator.resolve("/api/v1/workers"), tokenA, registration(name, "chaos-c"))));
            }
            for (Future<Http.Reply> f : replies) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
        }
        figures.did("worker protocol: 8 concurrent registrations under one name");
    }

    private void submitProbeJob() {
        ObjectNode job = JobRequests.job(model, DATASET, List.of("chaos-a", "chaos-b"), "FEDEX", 1, 4, 8,
                List.of("query", "value"), 1e-3, 1, 4, 1, 3);
        job.put("roundDeadline", "PT1H");
        Http.Reply r = http.json("coordinator POST /api/v1/jobs", "POST", coordinator.resolve("/api/v1/jobs"),
                submitterToken, job);
        if (!r.ok()) {
            throw new IllegalStateException("cannot submit a probe job: " + r.status() + " " + r.text());
        }
        probeJobs.add(r.json().path("id").asString());
    }

    /** A lease for {@code worker}, submitting a new probe job when none is offered (once). */
    private JsonNode lease(String worker, boolean submitIfNone) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            Http.Reply r = http.json(TASKS + "lease", "POST", coordinator.resolve("/api/v1/tasks/lease"), tokens.get(worker),
                    F.objectNode().put("workerId", worker));
            if (r.status() == 200) {
                return r.json();
            }
            if (i == 0 && submitIfNone && r.status() == 204) {
                submitProbeJob();
            }
            Thread.sleep(500);
        }
        return null;
    }

    /** The base checkpoint's tensor shapes, from its safetensors header (two ranged GETs of the presigned URL). */
    private Map<String, long[]> baseShapes(JsonNode lease) throws IOException, InterruptedException {
        String url = lease.path("globalState").path("base").path("model.safetensors").path("url").asString();
        var client = java.net.http.HttpClient.newHttpClient();
        byte[] len = range(client, url, 0, 7);
        long headerLen = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen <= 0 || headerLen > 100 << 20) {
            throw new IOException("base checkpoint header of " + headerLen + " bytes");
        }
        JsonNode header = Http.JSON.readTree(new String(range(client, url, 8, 8 + headerLen - 1), StandardCharsets.UTF_8));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getValue().has("shape")) {
                JsonNode s = e.getValue().path("shape");
                long[] dims = new long[s.size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = s.get(i).asLong();
                }
                shapes.put(e.getKey(), dims);
            }
        }
        return shapes;
    }

    private static byte[] range(java.net.http.HttpClient client, String url, long from, long to)
            throws IOException, InterruptedException {
        var r = client.send(java.net.http.HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=" + from + "-" + to)
                .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 206 && r.statusCode() != 200) {
            throw new IOException("base checkpoint GET answered " + r.statusCode());
        }
        byte[] body = r.body();
        return r.statusCode() == 206 ? body : java.util.Arrays.copyOfRange(body, (int) from, (int) to + 1);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asString()));
        return out;
    }
}
