package dev.fedexlora.registry.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.core.aggregate.BaseWeights;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import dev.fedexlora.platform.storage.StoredObject;
import dev.fedexlora.registry.RegistryIntegrationTest;
import dev.fedexlora.registry.model.DecoderCheckpoints;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;

class DecoderExportIntegrationTests extends RegistryIntegrationTest {

    @TempDir
    Path tmp;

    @Test
    void aShardedBf16ExportIsBitIdenticalToTheInMemoryFoldAndStaysBf16() throws Exception {
        Path dir = DecoderCheckpoints.write(tmp.resolve("base"), 21);
        MockMultipartHttpServletRequestBuilder up = multipart("/api/v1/models");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                up.file(new MockMultipartFile(n, n, MediaType.APPLICATION_OCTET_STREAM_VALUE, Files.readAllBytes(f)));
            }
        }
        mvc.perform(up.param("name", "llama-export")).andExpect(status().isCreated());
        Map<String, Residual> residuals = stageAndRegister("llama-export", 31);

        JsonNode files = fixtures.json().readTree(mvc.perform(post("/api/v1/models/llama-export/versions/1/export"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString()).get("files");
        assertThat(files.has(DecoderCheckpoint.INDEX_FILE)).isTrue();
        assertThat(files.has("adapter/adapter_model.safetensors")).isTrue();
        assertThat(ExportIntegrationTests.download(files.get(DecoderCheckpoint.INDEX_FILE).get("url").asString()))
                .isEqualTo(Files.readAllBytes(dir.resolve(DecoderCheckpoint.INDEX_FILE)));

        Map<String, Tensor> base = new LinkedHashMap<>();
        Map<String, Tensor> exported = new LinkedHashMap<>();
        for (String shard : List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors")) {
            base.putAll(SafeTensors.read(dir.resolve(shard)).tensors());
            TensorFile got = SafeTensors.read(
                    ExportIntegrationTests.download(files.get(shard).get("url").asString()), shard);
            assertThat(got.metadata()).containsEntry("fedex.merged", "base + residuals of versions [1]");
            exported.putAll(got.tensors());
        }
        TensorFile expected = BaseWeights.fold(new TensorFile(base), List.of(residuals), false);
        assertThat(exported.keySet()).isEqualTo(expected.tensors().keySet());
        for (Map.Entry<String, Tensor> e : expected.tensors().entrySet()) {
            Tensor got = exported.get(e.getKey());
            assertThat(got.dtype()).as(e.getKey()).isEqualTo(DType.BF16);
            assertThat(got.bytes()).as(e.getKey()).isEqualTo(e.getValue().bytes());
        }
        String q = "model.layers.1.self_attn.q_proj.weight";
        assertThat(exported.get(q).bytes()).as("the residual changed %s", q).isNotEqualTo(base.get(q).bytes());
    }

    /** Registers version 1: an adapter on the seven projections of both layers and its factored residuals. */
    private Map<String, Residual> stageAndRegister(String model, long seed) throws Exception {
        Random rnd = new Random(seed);
        Map<String, long[]> shapes = DecoderCheckpoint.expectedShapes(DecoderCheckpoints.LLAMA);
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        Map<String, Residual> residuals = new LinkedHashMap<>();
        for (int l = 0; l < 2; l++) {
            for (String m : DecoderCheckpoint.linearModules(l)) {
                long[] s = shapes.get(m + ".weight");
                int d = (int) s[0];
                int k = (int) s[1];
                layers.put(m, new LoraLayer(m, matrix(rnd, 2, k, 0.1f), matrix(rnd, d, 2, 0.1f)));
                residuals.put(m, new Residual.Factored(matrix(rnd, d, 4, 0.05f), matrix(rnd, 4, k, 1f)));
            }
        }
        AdapterConfig config = new AdapterConfig(2, 4, false, List.of("q_proj", "k_proj", "v_proj", "o_proj",
                "gate_proj", "up_proj", "down_proj"), List.of(), false, Map.of(), null, "CAUSAL_LM");
        Path work = Files.createDirectories(tmp.resolve("round"));
        PeftAdapters.write(work, new LoraAdapter(config, layers, Map.of()));
        Residuals.write(work.resolve(Residuals.FILE), residuals);
        List<Map<String, Object>> artifacts = new ArrayList<>();
        for (String file : List.of(PeftAdapters.WEIGHTS_FILE, PeftAdapters.CONFIG_FILE, Residuals.FILE)) {
            String key = "jobs/llm-job/rounds/1/version/" + file;
            StoredObject o = fixtures.store().put(key, work.resolve(file));
            artifacts.add(Map.of("file", file, "objectKey", key, "sha256", o.sha256(), "size", o.size()));
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("parentVersion", 0);
        request.put("source", Map.of("jobId", "llm-job", "round", 1));
        request.put("method", "FEDEX");
        request.put("clients", List.of(Map.of("clientId", "c1", "examples", 10, "weight", 1.0)));
        request.put("metrics", Map.of("participants", 1));
        request.put("exactnessError", 1e-7);
        request.put("artifacts", artifacts);
        fixtures.register(model, request).andExpect(status().isCreated());
        return residuals;
    }

    private static Matrix matrix(Random rnd, int rows, int cols, float scale) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * scale;
        }
        return new Matrix(rows, cols, v);
    }
}
