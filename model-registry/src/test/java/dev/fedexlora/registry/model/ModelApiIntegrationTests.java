package dev.fedexlora.registry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.registry.Fixtures;
import dev.fedexlora.registry.RegistryIntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;

class ModelApiIntegrationTests extends RegistryIntegrationTest {

    @TempDir
    Path tmp;

    @Test
    void uploadRegistersTheBaseAsVersionZeroWithVerifiedArtifacts() throws Exception {
        Path dir = Fixtures.checkpoint(tmp.resolve("ckpt"), 1);
        fixtures.uploadBase("tiny-bert", dir)
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/models/tiny-bert"))
                .andExpect(jsonPath("$.name").value("tiny-bert"))
                .andExpect(jsonPath("$.architecture").value("BertModel"))
                .andExpect(jsonPath("$.latestVersion").value(0))
                .andExpect(jsonPath("$.aliases.latest").value(0));

        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(dir.resolve("model.safetensors"))));
        mvc.perform(get("/api/v1/models/tiny-bert/versions/0"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.version").value(0))
                .andExpect(jsonPath("$.source.kind").value("UPLOAD"))
                .andExpect(jsonPath("$.lineage.length()").value(1))
                .andExpect(jsonPath("$.artifacts[?(@.file=='model.safetensors')].sha256").value(sha))
                .andExpect(jsonPath("$.artifacts[?(@.file=='model.safetensors')].objectKey")
                        .value("models/tiny-bert/base/model.safetensors"));
        assertThat(fixtures.store().list("models/tiny-bert/")).containsExactly(
                "models/tiny-bert/base/config.json", "models/tiny-bert/base/model.safetensors",
                "models/tiny-bert/base/tokenizer.json");
    }

    @Test
    void duplicateNameIsAConflictAndKeepsTheFirstModel() throws Exception {
        fixtures.uploadBase("dup-model", Fixtures.checkpoint(tmp.resolve("a"), 1)).andExpect(status().isCreated());
        fixtures.uploadBase("dup-model", Fixtures.checkpoint(tmp.resolve("b"), 2))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/model-exists"))
                .andExpect(jsonPath("$.field").value("name"));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(tmp.resolve("a/model.safetensors"))));
        assertThat(fixtures.store().hash("models/dup-model/base/model.safetensors").sha256()).isEqualTo(sha);
        mvc.perform(get("/api/v1/models/dup-model")).andExpect(jsonPath("$.versionCount").value(1));
    }

    @Test
    void malformedSafetensorsIsA400NamingTheFileAndStoresNothing() throws Exception {
        Path dir = Fixtures.checkpoint(tmp.resolve("bad"), 1);
        byte[] good = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(good, good.length - 7));
        fixtures.uploadBase("bad-weights", dir)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/malformed-checkpoint"))
                .andExpect(jsonPath("$.field").value("model.safetensors"))
                .andExpect(jsonPath("$.detail", containsString("model.safetensors")));
        mvc.perform(get("/api/v1/models/bad-weights")).andExpect(status().isNotFound());
        assertThat(fixtures.store().list("models/bad-weights/")).isEmpty();
    }

    @Test
    void configThatIsNotJsonIsA400NamingConfigJson() throws Exception {
        Path dir = Fixtures.checkpoint(tmp.resolve("badcfg"), 1);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": bert");
        fixtures.uploadBase("bad-config", dir)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("config.json"));
        mvc.perform(get("/api/v1/models/bad-config")).andExpect(status().isNotFound());
    }

    @Test
    void missingPartAndBadNameAre400sNamingTheField() throws Exception {
        Path dir = Fixtures.checkpoint(tmp.resolve("parts"), 1);
        mvc.perform(multipart("/api/v1/models").file(Fixtures.part("config.json", dir))
                        .file(Fixtures.part("model.safetensors", dir)).param("name", "no-tokenizer"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("tokenizer.json"));
        fixtures.uploadBase("Bad Name!", dir)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("name"));
    }

    @Test
    void unknownModelIs404ProblemDetail() throws Exception {
        mvc.perform(get("/api/v1/models/does-not-exist"))
                .andExpect(status().isNotFound())
                .andExpect(header().string("Content-Type", containsString("application/problem+json")))
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/model-not-found"))
                .andExpect(jsonPath("$.status").value(404));
        mvc.perform(get("/api/v1/models/does-not-exist/versions/0")).andExpect(status().isNotFound());
    }

    @Test
    void searchMatchesNameAndTagsAndPaginates() throws Exception {
        for (String n : new String[] {"search-alpha", "search-beta", "search-gamma"}) {
            fixtures.uploadBase(n, Fixtures.checkpoint(tmp.resolve(n), 3)).andExpect(status().isCreated());
        }
        mvc.perform(put("/api/v1/models/search-beta/tags").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"tags\": [\"nlp\", \"wordnet-exp\"]}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tags[1]").value("wordnet-exp"));
        mvc.perform(get("/api/v1/models").param("q", "search-").param("size", "2"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.totalItems").value(3))
                .andExpect(jsonPath("$.totalPages").value(2))
                .andExpect(jsonPath("$.items[0].name").value("search-alpha"))
                .andExpect(jsonPath("$.items[1].name").value("search-beta"));
        mvc.perform(get("/api/v1/models").param("q", "search-").param("size", "2").param("page", "1"))
                .andExpect(jsonPath("$.items.length()").value(1))
                .andExpect(jsonPath("$.items[0].name").value("search-gamma"));
        mvc.perform(get("/api/v1/models").param("q", "WORDNET"))
                .andExpect(jsonPath("$.totalItems").value(1))
                .andExpect(jsonPath("$.items[0].name").value("search-beta"));
        mvc.perform(get("/api/v1/models").param("size", "0"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("size"));
        mvc.perform(put("/api/v1/models/search-beta/tags").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"tags\": [\"Not A Tag\"]}"))
                .andExpect(status().isBadRequest());
    }

    @Test
    void emptySafetensorsUploadIsRejected() throws Exception {
        Path dir = Fixtures.checkpoint(tmp.resolve("empty"), 1);
        mvc.perform(multipart("/api/v1/models")
                        .file(Fixtures.part("config.json", dir))
                        .file(new MockMultipartFile("model.safetensors", new byte[0]))
                        .file(Fixtures.part("tokenizer.json", dir))
                        .param("name", "empty-weights"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("model.safetensors"));
    }

    @Test
    void importOfTheBundledMiniLmRegistersAValidBertCheckpoint() throws Exception {
        mvc.perform(post("/api/v1/models/import/minilm").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"minilm\"}"))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/models/minilm"))
                .andExpect(jsonPath("$.architecture").value("BertModel"))
                .andExpect(jsonPath("$.baseCheckpoint", containsString("all-MiniLM-L6-v2")))
                .andExpect(jsonPath("$.latestVersion").value(0));
        mvc.perform(get("/api/v1/models/minilm/versions/0"))
                .andExpect(jsonPath("$.source.kind").value("IMPORT"))
                .andExpect(jsonPath("$.artifacts.length()").value(3));
        // 6 layers of hidden 384 under Hugging Face names, nn.Linear out×in
        Path weights = tmp.resolve("minilm.safetensors");
        fixtures.store().download("models/minilm/base/model.safetensors", weights);
        var tensors = dev.fedexlora.core.tensor.SafeTensors.read(weights);
        assertThat(tensors.tensor("encoder.layer.5.attention.self.query.weight").shape()).containsExactly(384L, 384L);
        assertThat(tensors.tensor("encoder.layer.0.intermediate.dense.weight").shape()).containsExactly(1536L, 384L);
        // the name is checked before the model is exported again
        mvc.perform(post("/api/v1/models/import/minilm").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"minilm\"}"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/model-exists"));
        mvc.perform(post("/api/v1/models/import/minilm").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"Mini LM\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("name"));
    }
}
