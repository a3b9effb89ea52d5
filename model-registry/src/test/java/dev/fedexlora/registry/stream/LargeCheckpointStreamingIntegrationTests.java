package dev.fedexlora.registry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.aggregate.Aggregator;
import dev.fedexlora.core.aggregate.BaseWeights;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.platform.storage.StoredObject;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.DecoderConfig;
import io.minio.MinioClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A checkpoint several times larger than the registry's heap goes through import, one FedEx round and export with
 * the registry in its own JVM under {@code -Xmx256m}: a shard held on the heap would end it with an
 * OutOfMemoryError. The export is compared bit for bit with lora-core's in-memory fold on a few tensors.
 *
 * <p>The same run is the checkpoint benchmark ({@code bench/checkpoint.sh}): system properties
 * {@code fedex.checkpoint.layers|hidden|intermediate|vocab|heads|shards|heap|rank} change the shape, and the
 * figures are written to {@code target/checkpoint-streaming.json}.
 */
class LargeCheckpointStreamingIntegrationTests {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    @Test
    void aCheckpointFourTimesTheRegistrysHeapImportsAndExportsBitExactly() throws Exception {
        int layers = prop("layers", 36);
        int hidden = prop("hidden", 1024);
        int heads = prop("heads", 16);
        DecoderConfig config = new DecoderConfig("llama", prop("vocab", 32000), hidden, prop("intermediate", 2816),
                layers, heads, heads, hidden / heads, 1e-5, 10000, null, 4096, false, false, 0, 1, List.of(2), -1);
        String heap = System.getProperty("fedex.checkpoint.heap", "256m");
        int rank = prop("rank", 16);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("shape", Map.of("layers", layers, "hidden", hidden, "intermediate", config.intermediateSize(),
                "vocab", config.vocabSize(), "dtype", "BF16"));
        result.put("registryHeap", heap);
        result.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        Path ckpt = tmp.resolve("checkpoint");
        long started = System.nanoTime();
        long bytes = SyntheticCheckpoint.write(ckpt, config, prop("shards", 4), 42);
        result.put("checkpointBytes", bytes);
        result.put("writeSeconds", seconds(started));
        assertThat(bytes).isGreaterThan(3 * parseMiB(heap) * (1L << 20));

        try (ForkedRegistry registry = ForkedRegistry.start(Files.createDirectories(tmp.resolve("registry")), heap);
             HttpClient http = HttpClient.newHttpClient()) {
            started = System.nanoTime();
            HttpResponse<String> created = http.send(multipart(registry, "big-llama", ckpt),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body() + registry.logTail()).isEqualTo(201);
            result.put("importSeconds", seconds(started));
            result.put("importPeakHeapMiB", registry.peakHeapMiB());

            // One FedEx round of three clients, rank-r adapters on the seven projections of every layer.
            List<LoraAdapter> clients = new ArrayList<>();
            Map<String, long[]> shapes = DecoderCheckpoint.expectedShapes(config);
            for (int c = 0; c < 3; c++) {
                clients.add(adapter(config, shapes, rank, 100 + c));
            }
            resetPeaks();
            started = System.nanoTime();
            AggregationResult round = Aggregator.aggregate(AggregationMethod.FEDEX, clients,
                    new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0});
            result.put("aggregationSeconds", seconds(started));
            result.put("aggregationPeakHeapMiB", peakHeapMiB());
            result.put("aggregationMaxExactnessError", round.maxExactnessError());
            register(registry, http, round);
            assertThat(registry.alive()).as(registry.logTail()).isTrue();

            started = System.nanoTime();
            HttpResponse<String> exported = http.send(HttpRequest.newBuilder(
                    registry.url("/api/v1/models/big-llama/versions/1/export")).timeout(Duration.ofMinutes(60))
                    .header("Authorization", "Bearer dev-registry-reader").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(exported.statusCode()).as(exported.body() + registry.logTail()).isEqualTo(200);
            result.put("exportSeconds", seconds(started));
            result.put("registryPeakHeapMiB", registry.peakHeapMiB());
            result.put("registryHeapCapacityMiB", registry.heapCapacityMiB());
            assertThat(registry.alive()).isTrue();
            assertThat(registry.heapCapacityMiB()).isLessThanOrEqualTo(parseMiB(heap));

            // Bit-exact against the in-memory fold, on the first and last layers' weights and an untouched tensor.
            JsonNode files = JSON.readTree(exported.body()).get("files");
            Map<String, String> shardOf = new TreeMap<>();
            JSON.readTree(ckpt.resolve(DecoderCheckpoint.INDEX_FILE).toFile()).get("weight_map").properties()
                    .forEach(e -> shardOf.put(e.getKey(), e.getValue().asString()));
            Path out = Files.createDirectories(tmp.resolve("export"));
            for (String module : List.of("model.layers.0.self_attn.q_proj", "model.layers." + (layers - 1)
                    + ".mlp.down_proj", "model.embed_tokens")) {
                String key = module + ".weight";
                String shard = shardOf.get(key);
                Path local = out.resolve(shard);
                if (!Files.exists(local)) {
                    http.send(HttpRequest.newBuilder(java.net.URI.create(files.get(shard).get("url").asString()))
                            .build(), HttpResponse.BodyHandlers.ofFile(local));
                }
                long[] shape = shapes.get(key);
                Tensor base = new Tensor(DType.BF16, shape, SyntheticCheckpoint.tensorBytes(ckpt.resolve(shard), key));
                Residual residual = round.residuals().get(module);
                byte[] expected = residual == null ? base.bytes()
                        : BaseWeights.fold(new TensorFile(Map.of(key, base)), List.of(Map.of(module, residual)), false)
                        .tensor(key).bytes();
                byte[] got = SyntheticCheckpoint.tensorBytes(local, key);
                assertThat(got).as(key).isEqualTo(expected);
                if (residual != null) {
                    assertThat(got).as("the residual changes %s", key).isNotEqualTo(base.bytes());
                }
            }
        }
        result.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path report = Path.of("target", "checkpoint-streaming.json");
        Files.createDirectories(report.getParent());
        Files.writeString(report, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        System.out.println("checkpoint streaming: " + JSON.writeValueAsString(result));
    }

    private static HttpRequest multipart(ForkedRegistry registry, String name, Path dir) throws Exception {
        String boundary = "b-" + UUID.randomUUID();
        List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
        parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + name + "\r\n"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data;"
                        + " name=\"" + n + "\"; filename=\"" + n + "\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
                parts.add(HttpRequest.BodyPublishers.ofFile(f));
                parts.add(HttpRequest.BodyPublishers.ofString("\r\n"));
            }
        }
        parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n"));
        return HttpRequest.newBuilder(registry.url("/api/v1/models")).timeout(Duration.ofMinutes(60))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Authorization", "Bearer dev-registry-admin")
                .POST(HttpRequest.BodyPublishers.concat(parts.toArray(HttpRequest.BodyPublisher[]::new))).build();
    }

    /** Version 1: the round's global adapter and residuals, staged in the registry's bucket as the coordinator does. */
    private void register(ForkedRegistry registry, HttpClient http, AggregationResult round) throws Exception {
        ObjectStore store = new ObjectStore(MinioClient.builder().endpoint("http://127.0.0.1:" + registry.s3Port)
                .credentials("fedex", "fedex-secret").region("us-east-1").build(), "fedex");
        Path dir = Files.createDirectories(tmp.resolve("round"));
        PeftAdapters.write(dir, round.global());
        Residuals.write(dir.resolve(Residuals.FILE), round.residuals());
        List<Map<String, Object>> artifacts = new ArrayList<>();
        for (String file : List.of(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE, Residuals.FILE)) {
            String key = "jobs/bench/rounds/1/version/" + file;
            StoredObject o = store.put(key, dir.resolve(file));
            artifacts.add(Map.of("file", file, "objectKey", key, "sha256", o.sha256(), "size", o.size()));
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("parentVersion", 0);
        request.put("source", Map.of("jobId", "bench", "round", 1));
        request.put("method", "FEDEX");
        request.put("clients", List.of(Map.of("clientId", "c1", "examples", 10, "weight", 1 / 3.0),
                Map.of("clientId", "c2", "examples", 10, "weight", 1 / 3.0),
                Map.of("clientId", "c3", "examples", 10, "weight", 1 / 3.0)));
        request.put("metrics", Map.of("participants", 3));
        request.put("exactnessError", round.maxExactnessError());
        request.put("artifacts", artifacts);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(registry.url("/api/v1/models/big-llama/versions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer dev-registry-publisher")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body() + registry.logTail()).isEqualTo(201);
    }

    private static LoraAdapter adapter(DecoderConfig c, Map<String, long[]> shapes, int rank, long seed) {
        Random rnd = new Random(seed);
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            for (String m : DecoderCheckpoint.linearModules(l)) {
                long[] s = shapes.get(m + ".weight");
                layers.put(m, new LoraLayer(m, gaussian(rnd, rank, (int) s[1], 0.02f),
                        gaussian(rnd, (int) s[0], rank, 0.02f)));
            }
        }
        AdapterConfig config = new AdapterConfig(rank, 2.0 * rank, false, List.of("q_proj", "k_proj", "v_proj",
                "o_proj", "gate_proj", "up_proj", "down_proj"), List.of(), false, Map.of(), null, "CAUSAL_LM");
        return new LoraAdapter(config, layers, Map.of());
    }

    private static Matrix gaussian(Random rnd, int rows, int cols, float std) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * std;
        }
        return new Matrix(rows, cols, v);
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeapMiB() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() >> 20;
    }

    private static int prop(String name, int fallback) {
        return Integer.getInteger("fedex.checkpoint." + name, fallback);
    }

    private static long parseMiB(String heap) {
        String h = heap.toLowerCase(java.util.Locale.ROOT);
        long n = Long.parseLong(h.replaceAll("[^0-9]", ""));
        return h.endsWith("g") ? n * 1024 : n;
    }

    private static double seconds(long startedNanos) {
        return Math.round((System.nanoTime() - startedNanos) / 1e7) / 100.0;
    }
}
