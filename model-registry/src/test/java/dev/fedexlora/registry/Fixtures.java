package dev.fedexlora.registry;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

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
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.platform.storage.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import tools.jackson.databind.ObjectMapper;

/**
 * Test data: a tiny random BERT-like checkpoint (hidden 8, 2 layers) written with lora-core's SafeTensors, and
 * job rounds (a PEFT adapter with a head, a residual) staged in the object store under {@code jobs/} the way the
 * coordinator leaves them.
 */
@TestComponent
public class Fixtures {

    public static final int HIDDEN = 8;
    public static final int LAYERS = 2;
    public static final List<String> MODULES = List.of(
            "encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.value",
            "encoder.layer.1.attention.self.query", "encoder.layer.1.attention.self.value");
    public static final int RANK = 2;
    public static final double ALPHA = 4;

    private final MockMvc mvc;
    private final ObjectStore store;
    private final ObjectMapper json;

    Fixtures(MockMvc mvc, ObjectStore store, ObjectMapper json) {
        this.mvc = mvc;
        this.store = store;
        this.json = json;
    }

    public ObjectStore store() {
        return store;
    }

    public ObjectMapper json() {
        return json;
    }

    /** The base weights of the tiny checkpoint for {@code seed}. */
    public static TensorFile baseWeights(long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("embeddings.word_embeddings.weight", random(rnd, 20, HIDDEN));
        t.put("embeddings.position_embeddings.weight", random(rnd, 16, HIDDEN));
        t.put("embeddings.LayerNorm.weight", random(rnd, HIDDEN));
        t.put("embeddings.LayerNorm.bias", random(rnd, HIDDEN));
        for (int l = 0; l < LAYERS; l++) {
            String p = "encoder.layer." + l + ".";
            for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                t.put(p + m + ".weight", random(rnd, HIDDEN, HIDDEN));
                t.put(p + m + ".bias", random(rnd, HIDDEN));
            }
            t.put(p + "intermediate.dense.weight", random(rnd, 16, HIDDEN));
            t.put(p + "output.dense.weight", random(rnd, HIDDEN, 16));
        }
        return new TensorFile(Map.of("format", "pt"), t);
    }

    /** Writes config.json, model.safetensors and tokenizer.json of the tiny checkpoint into {@code dir}. */
    public static Path checkpoint(Path dir, long seed) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), """
                    {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 8,
                     "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 16,
                     "vocab_size": 20, "max_position_embeddings": 16}""");
            SafeTensors.write(dir.resolve("model.safetensors"), baseWeights(seed));
            Files.writeString(dir.resolve("tokenizer.json"), """
                    {"version": "1.0", "model": {"type": "WordPiece", "unk_token": "[UNK]",
                     "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4}}}""");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ResultActions uploadBase(String name, Path dir) throws Exception {
        return mvc.perform(multipart("/api/v1/models")
                .file(part("config.json", dir))
                .file(part("model.safetensors", dir))
                .file(part("tokenizer.json", dir))
                .param("name", name));
    }

    public static MockMultipartFile part(String file, Path dir) throws IOException {
        return new MockMultipartFile(file, file, MediaType.APPLICATION_OCTET_STREAM_VALUE,
                Files.readAllBytes(dir.resolve(file)));
    }

    /** One staged round: the request the coordinator would send, and what it contains. */
    public record Round(Map<String, Object> request, LoraAdapter adapter, Map<String, Residual> residuals,
                       Map<String, StoredObject> staged) {

        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> artifacts() {
            return (List<Map<String, Object>>) request.get("artifacts");
        }
    }

    /**
     * Writes a random adapter (r=2 on query and value of both layers, a 3-label head) and a residual (factored
     * U·V of width 4, and dense for one module when {@code denseOne}) under {@code jobs/{job}/rounds/{round}/version/}.
     */
    public Round stageRound(String job, int round, int parent, long seed, boolean denseOne, Path work) {
        try {
            Random rnd = new Random(seed);
            Map<String, LoraLayer> layers = new LinkedHashMap<>();
            Map<String, Residual> residuals = new LinkedHashMap<>();
            for (String m : MODULES) {
                layers.put(m, new LoraLayer(m, matrix(rnd, RANK, HIDDEN), matrix(rnd, HIDDEN, RANK)));
                residuals.put(m, denseOne && m.equals(MODULES.get(1))
                        ? new Residual.Dense(matrix(rnd, HIDDEN, HIDDEN).scaleInPlace(0.01f))
                        : new Residual.Factored(matrix(rnd, HIDDEN, 4).scaleInPlace(0.1f), matrix(rnd, 4, HIDDEN)));
            }
            Map<String, Tensor> head = new LinkedHashMap<>();
            head.put("classifier.weight", random(rnd, 3, HIDDEN));
            head.put("classifier.bias", random(rnd, 3));
            AdapterConfig config = new AdapterConfig(RANK, ALPHA, false,
                    List.of("query", "value"), List.of("classifier"), false, Map.of(), null, "SEQ_CLS");
            LoraAdapter adapter = new LoraAdapter(config, layers, head);
            Path dir = Files.createDirectories(work.resolve(job + "-" + round));
            PeftAdapters.write(dir, adapter);
            Residuals.write(dir.resolve(Residuals.FILE), residuals);
            // the per-layer part of the coordinator's round report (RoundAggregator.report)
            StringBuilder report = new StringBuilder("{\"round\": " + round + ", \"layers\": [");
            for (int i = 0; i < MODULES.size(); i++) {
                report.append(i == 0 ? "" : ", ").append("{\"module\": \"").append(MODULES.get(i))
                        .append("\", \"exactnessError\": ").append(1e-7 * round * (i + 1))
                        .append(", \"deviation\": ").append(0.01 * round * (i + 1)).append('}');
            }
            Files.writeString(dir.resolve("report.json"), report.append("]}").toString());

            Map<String, StoredObject> staged = new LinkedHashMap<>();
            List<Map<String, Object>> artifacts = new ArrayList<>();
            for (String file : List.of(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE, Residuals.FILE,
                    "report.json")) {
                String key = "jobs/" + job + "/rounds/" + round + "/version/" + file;
                StoredObject o = store.put(key, dir.resolve(file));
                staged.put(file, o);
                artifacts.add(new LinkedHashMap<>(Map.of("file", file, "objectKey", key, "sha256", o.sha256(),
                        "size", o.size())));
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("parentVersion", parent);
            request.put("source", Map.of("jobId", job, "round", round));
            request.put("method", "FEDEX");
            request.put("clients", List.of(Map.of("clientId", "c1", "examples", 10, "weight", 0.5),
                    Map.of("clientId", "c2", "examples", 10, "weight", 0.5)));
            // the names the coordinator registers (RoundAggregator)
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("participants", 2);
            metrics.put("meanLoss", 1.0 / round);
            metrics.put("meanAccuracy", 0.5 + 0.1 * round);
            metrics.put("maxDeviation", 0.01 * round);
            request.put("metrics", metrics);
            request.put("exactnessError", 1e-7 * round);
            request.put("artifacts", artifacts);
            return new Round(request, adapter, residuals, staged);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ResultActions register(String model, Object request) throws Exception {
        return mvc.perform(post("/api/v1/models/" + model + "/versions").contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, Tokens.bearer(Tokens.PUBLISHER))
                .content(json.writeValueAsString(request)));
    }

    static Tensor random(Random rnd, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return Tensor.ofFloats(v, shape);
    }

    static Matrix matrix(Random rnd, int rows, int cols) {
        return Matrix.of(random(rnd, rows, cols));
    }
}
