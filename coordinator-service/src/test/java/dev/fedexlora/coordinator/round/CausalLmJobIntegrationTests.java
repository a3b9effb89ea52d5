package dev.fedexlora.coordinator.round;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import dev.fedexlora.coordinator.AbstractRegistryContractIntegrationTests;
import dev.fedexlora.coordinator.registry.BaseCheckpoints;
import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.TestWorker;
import dev.fedexlora.coordinator.support.TinyDecoder;
import dev.fedexlora.worker.WorkerApplication;
import tools.jackson.databind.JsonNode;

/**
 * A CAUSAL_LM job end to end, every piece real and in-process: the registry imports a tiny Llama-layout checkpoint
 * with its tokenizer, the coordinator validates the job against it, a real worker (the worker-service application)
 * hosting three non-IID prompt/response clients trains LoRA on all seven projections with the decoder, and every
 * round aggregates exactly with a report per projection type and per layer.
 */
class CausalLmJobIntegrationTests extends AbstractRegistryContractIntegrationTests {

    static final String DECODER = "tiny-llama";
    static final String SHARDED = "tiny-llama-sharded";
    static final List<String> PROJECTIONS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");

    @Autowired
    Environment env;

    @Autowired
    BaseCheckpoints baseCheckpoints;

    @TempDir
    Path dir;

    @Test
    void causalLmJobTrainsTheDecoderOnARealWorkerAndRegistersExactVersionsReportedPerProjection() throws Exception {
        registerDecoder();
        runExactTwoRoundJob(DECODER, dir.resolve("worker-cache"));
    }

    /**
     * A base imported as two shards with their index: the coordinator reads the layer shapes from both shards'
     * headers (layer 1's projections live in the second), the lease ships the index and both shards, the worker
     * downloads and caches them once and loads the sharded checkpoint, and both rounds aggregate exactly.
     */
    @Test
    void causalLmJobOnAShardedBaseShipsEveryShardAndStaysExact() throws Exception {
        Path base = java.nio.file.Files.createTempDirectory("tiny-llama-sharded").resolve("base");
        TinyDecoder.write(base, 2);
        CoordinatorTestSupport.registry().addBaseModel(SHARDED, base);
        FedexJobScenario registry = new FedexJobScenario(baseUrl(), CoordinatorTestSupport.registry().url());
        List<String> stored = new ArrayList<>();
        registry.registry("/api/v1/models/" + SHARDED + "/versions/0").get("artifacts")
                .forEach(a -> stored.add(a.get("file").asString()));
        List<String> shards = List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        assertThat(stored).contains("model.safetensors.index.json").containsAll(shards)
                .doesNotContain("model.safetensors");

        Map<String, List<Long>> shapes = baseCheckpoints.shapes(SHARDED);
        Map<String, List<Long>> single = java.util.stream.Stream.of(shards.get(0), shards.get(1))
                .flatMap(shard -> headerShapes(base.resolve(shard)).entrySet().stream())
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(shapes).isEqualTo(single);
        assertThat(headerShapes(base.resolve(shards.get(1)))).isNotEmpty();
        assertThat(baseCheckpoints.targetableModules(SHARDED)).containsAll(PROJECTIONS);
        assertThat(baseCheckpoints.weightFiles(SHARDED))
                .containsExactly("model.safetensors.index.json", shards.get(0), shards.get(1));

        Path cache = dir.resolve("sharded-worker-cache");
        runExactTwoRoundJob(SHARDED, cache);

        // One base directory holding exactly the checkpoint's files, downloaded once for six tasks.
        List<Path> bases;
        try (var listed = java.nio.file.Files.list(cache.resolve("base"))) {
            bases = listed.toList();
        }
        assertThat(bases).hasSize(1);
        List<String> cached;
        try (var listed = java.nio.file.Files.list(bases.getFirst())) {
            cached = listed.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(cached).containsExactly(".complete", "config.json", "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors", "model.safetensors.index.json", "tokenizer.json");
        for (String shard : shards) {
            assertThat(bases.getFirst().resolve(shard)).hasSameBinaryContentAs(base.resolve(shard));
        }
    }

    private static Map<String, List<Long>> headerShapes(Path safetensors) {
        try {
            Map<String, List<Long>> out = new java.util.HashMap<>();
            dev.fedexlora.core.tensor.SafeTensors.read(safetensors).tensors().forEach((name, t) -> out.put(name,
                    java.util.Arrays.stream(t.shape()).boxed().toList()));
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A two-round FEDEX job on {@code model} with a real worker hosting three non-IID clients; checks every round. */
    private void runExactTwoRoundJob(String model, Path cacheDir) throws Exception {
        List<String> clients = List.of("lm-animal", "lm-tool", "lm-food");
        List<String> categories = List.of("animal", "tool", "food");
        List<String> args = new ArrayList<>(List.of(
                "--spring.config.name=worker-in-coordinator-tests",
                "--spring.application.name=worker-service",
                "--spring.datasource.url=" + env.getProperty("spring.datasource.url"),
                "--spring.datasource.username=" + env.getProperty("spring.datasource.username"),
                "--spring.datasource.password=" + env.getProperty("spring.datasource.password"),
                "--spring.flyway.enabled=false",
                "--spring.jpa.hibernate.ddl-auto=none",
                "--fedex.s3.endpoint=" + env.getProperty("fedex.s3.endpoint"),
                "--fedex.s3.access-key=" + env.getProperty("fedex.s3.access-key"),
                "--fedex.s3.secret-key=" + env.getProperty("fedex.s3.secret-key"),
                "--fedex.s3.bucket=" + env.getProperty("fedex.s3.bucket"),
                "--fedex.worker.name=lm-worker",
                "--fedex.worker.coordinator-url=" + baseUrl(),
                "--fedex.worker.token=" + WORKER_A,
                "--fedex.worker.cache-dir=" + cacheDir,
                "--fedex.worker.poll-interval=100ms",
                "--fedex.worker.heartbeat-interval=500ms",
                "--fedex.worker.held-out-fraction=0.25",
                "--fedex.worker.threads=1"));
        for (int i = 0; i < clients.size(); i++) {
            Path data = dir.resolve(clients.get(i) + ".jsonl");
            TinyDecoder.writeClient(data, categories.get(i), 24, i);
            args.add("--fedex.worker.clients[" + i + "].client-id=" + clients.get(i));
            args.add("--fedex.worker.clients[" + i + "].dataset=wordnet-qa");
            args.add("--fedex.worker.clients[" + i + "].path=" + data);
            args.add("--fedex.worker.clients[" + i + "].task=CAUSAL_LM");
        }
        Map<String, Object> request = lmJob(clients);
        request.put("baseModel", "fedex://models/" + model + "/0");
        try (ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerApplication.class)
                .web(WebApplicationType.NONE).run(args.toArray(String[]::new))) {
            String jobId = submit(baseUrl(), request);
            JsonNode done = awaitJob(baseUrl(), jobId, "SUCCEEDED", 300_000);
            assertThat(done.get("modelVersion").asInt()).isGreaterThanOrEqualTo(2);

            JsonNode tasks = call(baseUrl(), "GET", "/api/v1/jobs/" + jobId + "/tasks", VIEWER, null).json();
            int completed = 0;
            for (JsonNode t : tasks.has("content") ? tasks.get("content") : tasks) {
                JsonNode m = t.get("metrics");
                if (m == null || m.isNull()) {
                    continue;
                }
                completed++;
                assertThat(m.get("perplexity").asDouble()).isGreaterThan(1.0);
                assertThat(Math.log(m.get("perplexity").asDouble())).isCloseTo(m.get("loss").asDouble(),
                        org.assertj.core.data.Offset.offset(1e-6));
                assertThat(m.get("tokenAccuracy").asDouble()).isBetween(0.0, 1.0);
                assertThat(m.get("exactMatch").asDouble()).isBetween(0.0, 1.0);
            }
            assertThat(completed).isEqualTo(6);

            FedexJobScenario registry = new FedexJobScenario(baseUrl(), CoordinatorTestSupport.registry().url());
            for (int v = 1; v <= 2; v++) {
                JsonNode version = registry.registry("/api/v1/models/" + model + "/versions/" + v);
                assertThat(version.get("exactnessError").asDouble()).isLessThanOrEqualTo(1e-5);
                JsonNode metrics = version.get("metrics");
                for (String p : PROJECTIONS) {
                    assertThat(metrics.get("maxDeviation." + p).asDouble()).as(p).isGreaterThan(0);
                    assertThat(metrics.get("maxExactnessError." + p).asDouble()).as(p).isLessThanOrEqualTo(1e-5);
                }
                assertThat(metrics.get("meanPerplexity").asDouble()).isGreaterThan(1.0);
                JsonNode presigned = registry.registry("/api/v1/models/" + model + "/versions/" + v
                        + "/artifacts/report.json?presign=true");
                JsonNode report = TestWorker.JSON.readTree(TestWorker.download(presigned.get("url").asString()));
                assertThat(report.get("task").asString()).isEqualTo("CAUSAL_LM");
                assertThat(report.get("byProjection").propertyNames()).containsExactlyInAnyOrderElementsOf(PROJECTIONS);
                assertThat(report.get("byProjection").get("q_proj").get("modules").asInt()).isEqualTo(2);
                assertThat(report.get("byLayer").propertyNames()).containsExactly("0", "1");
                assertThat(report.get("byLayer").get("0").get("modules").asInt()).isEqualTo(7);
            }
        }
    }

    @Test
    void aCausalLmJobOnAnEncoderBaseIsRefusedNamingTheTask() {
        Map<String, Object> request = job(List.of("lm-x"), 1);
        request.remove("numLabels");
        request.put("task", "CAUSAL_LM");
        TestWorker.Response r = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, request);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("task").contains("decoder").contains(MODEL);
    }

    @Test
    void aClassificationJobOnADecoderBaseAndNumLabelsOnACausalLmJobAreRefused() throws Exception {
        registerDecoder();
        Map<String, Object> classification = lmJob(List.of("lm-y"));
        classification.remove("task");
        classification.remove("maxSequenceLength");
        TestWorker.Response r = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, classification);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("task").contains("CAUSAL_LM");

        Map<String, Object> labels = lmJob(List.of("lm-y"));
        labels.put("numLabels", 3);
        r = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, labels);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("numLabels");
    }

    private static Map<String, Object> lmJob(List<String> clients) {
        Map<String, Object> request = job(clients, 2);
        request.put("baseModel", "fedex://models/" + DECODER + "/0");
        request.put("task", "CAUSAL_LM");
        request.put("dataset", "wordnet-qa");
        request.remove("numLabels");
        request.put("maxSequenceLength", 16);
        request.put("targetModules", PROJECTIONS);
        request.put("rank", 2);
        request.put("alpha", 4.0);
        request.put("localSteps", 4);
        request.put("batchSize", 4);
        request.put("learningRate", 0.01);
        return request;
    }

    private static synchronized void registerDecoder() throws Exception {
        if (CoordinatorTestSupport.call(CoordinatorTestSupport.registry().url(), "GET", "/api/v1/models/" + DECODER,
                dev.fedexlora.coordinator.support.InProcessRegistry.READER_TOKEN, null).status() == 200) {
            return;
        }
        Path base = java.nio.file.Files.createTempDirectory("tiny-llama").resolve("base");
        CoordinatorTestSupport.registry().addBaseModel(DECODER, TinyDecoder.write(base));
    }
}
