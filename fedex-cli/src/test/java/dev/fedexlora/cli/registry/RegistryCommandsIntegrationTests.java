package dev.fedexlora.cli.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.cli.CliRun;
import dev.fedexlora.cli.platform.CliConfig;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import dev.fedexlora.registry.RegistryApplication;
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.platform.storage.StoredObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * The model and version commands against the real registry, started in-process on an embedded PostgreSQL and an
 * in-memory s3proxy: import a checkpoint directory, alias, describe, archive (refused while aliased), compare,
 * export and download with checksums, by {@code fedex://} URI and short forms.
 */
class RegistryCommandsIntegrationTests {

    static final int HIDDEN = 8;
    static final List<String> MODULES = List.of("encoder.layer.0.attention.self.query",
            "encoder.layer.0.attention.self.value", "encoder.layer.1.attention.self.query",
            "encoder.layer.1.attention.self.value");

    static ConfigurableApplicationContext registry;
    static String url;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRegistry() {
        registry = new SpringApplicationBuilder(RegistryApplication.class).run("--server.port=0",
                "--server.shutdown=immediate", "--spring.main.register-shutdown-hook=false",
                "--spring.profiles.active=embedded", "--fedex.embedded.dir=", "--fedex.embedded.s3-port=0",
                "--logging.level.org.gaul=warn", "--logging.level.io.zonky=warn");
        url = "http://127.0.0.1:" + ((WebServerApplicationContext) registry).getWebServer().getPort();
        CliConfig.useEnvironment(Map.of("FEDEX_REGISTRY_URL", url), shared);
    }

    @AfterAll
    static void stopRegistry() {
        CliConfig.useEnvironment(null, null);
        if (registry != null) {
            registry.close();
        }
    }

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static CliRun ok(String... args) {
        CliRun r = run(args);
        assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
        return r;
    }

    @Test
    void importsAShardedDecoderCheckpointDirectoryAndNamesAMissingShard() throws Exception {
        Path dir = tmp.resolve("llama-shards");
        dev.fedexlora.train.decoder.RandomDecoder.write(dir, new dev.fedexlora.train.decoder.DecoderConfig("llama", 40,
                64, 96, 2, 4, 2, 16, 1e-5, 10000, null, 128, false, false, 0, 1, List.of(2), -1),
                dev.fedexlora.core.tensor.DType.BF16, 3, 0.05, 3, null);
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\"}}");
        assertThat(ok("models", "import", dir.toString()).out())
                .contains("registered fedex://models/llama-shards/0 (LlamaForCausalLM)");
        Files.delete(dir.resolve("model-00002-of-00003.safetensors"));
        CliRun missing = run("models", "import", dir.toString(), "--name", "llama-shards-2");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains(dir.resolve("model-00002-of-00003.safetensors") + ": missing");
    }

    @Test
    void importsAliasesDescribesComparesAndDownloadsVersions() throws Exception {
        Path checkpoint = checkpoint(tmp.resolve("Tiny-Bert"));
        assertThat(ok("models", "import", checkpoint.toString(), "--tag", "test").out())
                .contains("registered fedex://models/tiny-bert/0");
        assertThat(ok("models", "list", "-q", "tiny").out()).contains("tiny-bert", "test");
        registerRound("tiny-bert", 1, 0);
        registerRound("tiny-bert", 2, 1);

        // a reader's token may read but not move an alias; the development default is the admin's
        CliConfig.useEnvironment(Map.of("FEDEX_REGISTRY_URL", url, "FEDEX_REGISTRY_TOKEN", "dev-registry-reader"), shared);
        try {
            assertThat(ok("models", "list", "-q", "tiny").out()).contains("tiny-bert");
            CliRun refused = run("models", "alias", "tiny-bert", "1", "production");
            assertThat(refused.code()).isNotZero();
            assertThat(refused.err()).contains("registry answered 403");
        } finally {
            CliConfig.useEnvironment(Map.of("FEDEX_REGISTRY_URL", url), shared);
        }
        assertThat(ok("models", "alias", "tiny-bert", "1", "production").out()).contains("tiny-bert@production → version 1");
        CliRun show = ok("versions", "show", "fedex://models/tiny-bert@production");
        assertThat(show.out()).contains("fedex://models/tiny-bert/1", "production", "job job-cli, round 1",
                "lineage     1 ← 0", "adapter_model.safetensors");

        ok("versions", "describe", "tiny-bert/1", "-d", "first round", "--tag", "candidate");
        assertThat(ok("versions", "show", "tiny-bert@production").out()).contains("description first round",
                "tags        candidate");

        // archiving is refused while an alias names the version, and allowed once it is gone
        CliRun refused = run("versions", "archive", "tiny-bert@production");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("registry answered 409", "production");
        ok("models", "unalias", "tiny-bert", "production");
        assertThat(ok("versions", "archive", "tiny-bert/1").out()).contains("tiny-bert/1 is archived");
        assertThat(ok("versions", "list", "tiny-bert").out()).doesNotContain("round 1 ");
        assertThat(ok("versions", "list", "tiny-bert", "--archived").out()).contains("(archived)");

        CliRun compare = ok("versions", "compare", "fedex://models/tiny-bert/1", "latest");
        assertThat(compare.out()).contains("version 1 and version 2, common ancestor 1", "meanLoss",
                MODULES.get(0));

        Path out = tmp.resolve("download");
        CliRun download = ok("versions", "download", "tiny-bert@latest", out.toString());
        assertThat(download.out()).contains("4 files");
        assertThat(sha256(Files.readAllBytes(out.resolve("residual.safetensors"))))
                .isEqualTo(JsonMapper.builder().build().readTree(get("/api/v1/models/tiny-bert/versions/2"))
                        .path("artifacts").valueStream().filter(a -> a.path("file").asString()
                                .equals("residual.safetensors")).findFirst().orElseThrow().path("sha256").asString());
        CliRun again = run("versions", "download", "tiny-bert@latest", out.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("exists (use --force");

        Path merged = tmp.resolve("merged");
        ok("versions", "download", "tiny-bert/2", merged.toString(), "--export");
        assertThat(merged.resolve("model.safetensors")).exists();
        assertThat(merged.resolve("adapter/adapter_model.safetensors")).exists();
        assertThat(ok("versions", "export", "tiny-bert/2").out()).contains("model.safetensors", "sha256");
    }

    @Test
    void badReferencesAndDirectoriesAreNamedAndUnknownVersionsAre404s() throws Exception {
        CliRun badRef = run("versions", "show", "fedex://models/Bad Name@x");
        assertThat(badRef.code()).isEqualTo(1);
        assertThat(badRef.err()).contains("fedex versions show: VERSION:", "must match");
        CliRun bare = run("versions", "show", "justaname");
        assertThat(bare.code()).isEqualTo(1);
        assertThat(bare.err()).contains("VERSION: 'justaname' names no version");
        Path incomplete = Files.createDirectories(tmp.resolve("incomplete"));
        Files.writeString(incomplete.resolve("config.json"), "{}");
        CliRun missing = run("models", "import", incomplete.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains(incomplete.resolve("model.safetensors") + ": missing");
        CliRun unknown = run("versions", "show", "fedex://models/no-such-model/3");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("registry answered 404");
        CliRun otherModel = run("versions", "compare", "a@latest", "b@latest");
        assertThat(otherModel.code()).isEqualTo(1);
        assertThat(otherModel.err()).contains("V2: compares versions of one model");
        assertThat(run("versions").code()).isEqualTo(2);
    }

    /** A tiny BERT-layout Hugging Face checkpoint (two layers, query and value hidden × hidden). */
    static Path checkpoint(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"BertForSequenceClassification\"],"
                + "\"model_type\":\"bert\",\"hidden_size\":" + HIDDEN + ",\"num_hidden_layers\":2}");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\":\"1.0\",\"model\":{\"type\":\"WordPiece\"}}");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Random rnd = new Random(3);
        for (String m : MODULES) {
            tensors.put(m + ".weight", random(rnd, HIDDEN, HIDDEN));
        }
        SafeTensors.write(dir.resolve("model.safetensors"), new TensorFile(tensors));
        return dir;
    }

    /** Stages a round's adapter, residual and report in the registry's bucket and registers it, as the coordinator does. */
    void registerRound(String model, int round, int parent) throws Exception {
        Random rnd = new Random(round);
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        Map<String, Residual> residuals = new LinkedHashMap<>();
        for (String m : MODULES) {
            layers.put(m, new LoraLayer(m, Matrix.of(random(rnd, 2, HIDDEN)), Matrix.of(random(rnd, HIDDEN, 2))));
            residuals.put(m, new Residual.Factored(Matrix.of(random(rnd, HIDDEN, 2)), Matrix.of(random(rnd, 2, HIDDEN))));
        }
        Map<String, Tensor> head = new LinkedHashMap<>();
        head.put("classifier.weight", random(rnd, 3, HIDDEN));
        head.put("classifier.bias", random(rnd, 3));
        LoraAdapter adapter = new LoraAdapter(new AdapterConfig(2, 4, false, List.of("query", "value"),
                List.of("classifier"), false, Map.of(), null, "SEQ_CLS"), layers, head);
        Path dir = Files.createDirectories(tmp.resolve("round-" + round));
        PeftAdapters.write(dir, adapter);
        Residuals.write(dir.resolve(Residuals.FILE), residuals);
        Files.writeString(dir.resolve("report.json"), "{\"layers\": [{\"module\": \"" + MODULES.get(0)
                + "\", \"exactnessError\": " + round * 1e-7 + ", \"deviation\": " + round * 0.01 + "}]}");
        ObjectStore store = registry.getBean(ObjectStore.class);
        List<Map<String, Object>> artifacts = new ArrayList<>();
        for (String file : List.of(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE, Residuals.FILE, "report.json")) {
            String key = "jobs/job-cli/rounds/" + round + "/version/" + file;
            StoredObject o = store.put(key, dir.resolve(file));
            artifacts.add(Map.of("file", file, "objectKey", key, "sha256", o.sha256(), "size", o.size()));
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("parentVersion", parent);
        request.put("source", Map.of("jobId", "job-cli", "round", round));
        request.put("method", "FEDEX");
        request.put("metrics", Map.of("meanLoss", 1.0 / round));
        request.put("exactnessError", round * 1e-7);
        request.put("artifacts", artifacts);
        HttpResponse<String> r;
        try (HttpClient http = HttpClient.newHttpClient()) {
            r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/models/" + model + "/versions"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer dev-registry-publisher") // the coordinator's identity
                    .POST(HttpRequest.BodyPublishers.ofString(JsonMapper.builder().build().writeValueAsString(request)))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    static String get(String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(url + path))
                            .header("Authorization", "Bearer dev-registry-reader").build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    static Tensor random(Random rnd, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.1f;
        }
        return Tensor.ofFloats(v, shape);
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
