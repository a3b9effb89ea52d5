package dev.fedexlora.registry.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.TensorFile;
import dev.fedexlora.registry.Fixtures;
import dev.fedexlora.registry.RegistryIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class ExportIntegrationTests extends RegistryIntegrationTest {

    @TempDir
    Path tmp;

    @Test
    void exportEqualsBasePlusAllResidualsPlusScaledAdapterProduct() throws Exception {
        long seed = 5;
        fixtures.uploadBase("export-me", Fixtures.checkpoint(tmp.resolve("base"), seed)).andExpect(status().isCreated());
        Fixtures.Round r1 = fixtures.stageRound("job-x", 1, 0, 101, false, tmp);
        Fixtures.Round r2 = fixtures.stageRound("job-x", 2, 1, 102, true, tmp);
        fixtures.register("export-me", r1.request()).andExpect(status().isCreated());
        fixtures.register("export-me", r2.request()).andExpect(status().isCreated());

        JsonNode files = exportFiles("export-me", "latest");
        Path out = Files.createDirectories(tmp.resolve("export"));
        Files.createDirectories(out.resolve("adapter"));
        for (String f : List.of("model.safetensors", "config.json", "tokenizer.json",
                "adapter/adapter_model.safetensors", "adapter/adapter_config.json")) {
            Files.write(out.resolve(f), download(files.get(f).get("url").asString()));
        }
        TensorFile merged = SafeTensors.read(out.resolve("model.safetensors"));
        LoraAdapter adapter = PeftAdapters.read(out.resolve("adapter"));
        TensorFile base = Fixtures.baseWeights(seed);
        assertThat(merged.metadata()).containsEntry("fedex.version", "2");
        assertThat(Files.readString(out.resolve("config.json"))).contains("BertModel");

        for (String module : Fixtures.MODULES) {
            String key = module + ".weight";
            // expected, in double: W0 + R1 + R2 + s·B·A (version 2's adapter)
            double[] expected = toDouble(base.tensor(key).toFloatArray());
            for (Fixtures.Round r : List.of(r1, r2)) {
                add(expected, r.residuals().get(module).toDense(), 1.0);
            }
            LoraLayer layer = r2.adapter().layer(module);
            add(expected, layer.b().multiply(layer.a()), Fixtures.ALPHA / Fixtures.RANK);

            // what a user loading the export computes: merged base + s·B·A from the exported PEFT adapter
            double[] got = toDouble(merged.tensor(key).toFloatArray());
            LoraLayer exported = adapter.layer(module);
            add(got, exported.b().multiply(exported.a()), adapter.scale(module));
            assertThat(relativeError(got, expected)).as(module).isLessThan(1e-5);
        }
        // tensors no residual touches pass through unchanged
        for (String key : List.of("embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.key.weight",
                "encoder.layer.1.output.dense.weight")) {
            assertThat(merged.tensor(key).bytes()).as(key).isEqualTo(base.tensor(key).bytes());
        }
        assertThat(adapter.extras()).containsKey("classifier.weight");

        // a second export answers from the cached objects with the same checksums
        JsonNode again = exportFiles("export-me", "2");
        assertThat(again.get("model.safetensors").get("sha256").asString())
                .isEqualTo(files.get("model.safetensors").get("sha256").asString());
    }

    @Test
    void exportMergesOnlyTheResidualsOfItsOwnLineage() throws Exception {
        long seed = 6;
        fixtures.uploadBase("export-branch", Fixtures.checkpoint(tmp.resolve("bb"), seed))
                .andExpect(status().isCreated());
        Fixtures.Round a1 = fixtures.stageRound("job-a", 1, 0, 111, false, tmp);
        Fixtures.Round b1 = fixtures.stageRound("job-b", 1, 0, 112, true, tmp);
        fixtures.register("export-branch", a1.request()).andExpect(status().isCreated());
        fixtures.register("export-branch", b1.request()).andExpect(status().isCreated())
                .andExpect(jsonPath("$.version").value(2));

        // version 2 (job-b) branches from the base: version 1's residual is not on its lineage
        TensorFile merged = SafeTensors.read(write(tmp.resolve("branch.safetensors"),
                download(exportFiles("export-branch", "2").get("model.safetensors").get("url").asString())));
        TensorFile base = Fixtures.baseWeights(seed);
        for (String module : Fixtures.MODULES) {
            double[] expected = toDouble(base.tensor(module + ".weight").toFloatArray());
            add(expected, b1.residuals().get(module).toDense(), 1.0);
            double[] got = toDouble(merged.tensor(module + ".weight").toFloatArray());
            assertThat(relativeError(got, expected)).as(module).isLessThan(1e-6);
        }
        assertThat(merged.metadata()).containsEntry("fedex.merged", "base + residuals of versions [2]");
    }

    @Test
    void exportOfTheBaseIsTheBaseCheckpoint() throws Exception {
        fixtures.uploadBase("export-base", Fixtures.checkpoint(tmp.resolve("b0"), 9)).andExpect(status().isCreated());
        JsonNode files = exportFiles("export-base", "0");
        TensorFile got = SafeTensors.read(write(tmp.resolve("m.safetensors"),
                download(files.get("model.safetensors").get("url").asString())));
        TensorFile base = Fixtures.baseWeights(9);
        for (String key : base.tensors().keySet()) {
            assertThat(got.tensor(key).bytes()).as(key).isEqualTo(base.tensor(key).bytes());
        }
        assertThat(files.has("adapter/adapter_model.safetensors")).isFalse();
    }

    @Test
    void exportOfAnUnknownVersionIs404() throws Exception {
        fixtures.uploadBase("export-404", Fixtures.checkpoint(tmp.resolve("b4"), 9)).andExpect(status().isCreated());
        mvc.perform(post("/api/v1/models/export-404/versions/3/export"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/version-not-found"));
    }

    private JsonNode exportFiles(String model, String version) throws Exception {
        String body = mvc.perform(post("/api/v1/models/" + model + "/versions/" + version + "/export"))
                .andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        return fixtures.json().readTree(body).get("files");
    }

    static Path write(Path p, byte[] data) throws Exception {
        Files.write(p, data);
        return p;
    }

    static byte[] download(String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(res.statusCode()).isEqualTo(200);
            return res.body();
        }
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    static void add(double[] target, Matrix m, double scale) {
        float[] v = m.data();
        for (int i = 0; i < v.length; i++) {
            target[i] += scale * v[i];
        }
    }

    static double relativeError(double[] got, double[] expected) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < got.length; i++) {
            diff += (got[i] - expected[i]) * (got[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.sqrt(diff / norm);
    }


}
