package dev.fedexlora.core.peft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fedexlora.core.tensor.InvalidTensorFileException;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftAdaptersUnitTests {

    static final Path FIXTURES = Path.of("src/test/resources/peft");

    @TempDir
    Path dir;

    @Test
    void readsAnAdapterSavedByPeftForSequenceClassification() throws IOException {
        LoraAdapter adapter = PeftAdapters.read(FIXTURES.resolve("client3"));

        assertThat(adapter.config().r()).isEqualTo(2);
        assertThat(adapter.config().loraAlpha()).isEqualTo(4.0);
        assertThat(adapter.config().targetModules()).containsExactly("query", "value", "intermediate.dense");
        assertThat(adapter.layers()).hasSize(6).containsKey("bert.encoder.layer.1.intermediate.dense");
        LoraLayer ffn = adapter.layer("bert.encoder.layer.1.intermediate.dense");
        assertThat(ffn.a().shape()).isEqualTo("2x8");
        assertThat(ffn.b().shape()).isEqualTo("24x2");
        assertThat(adapter.scale(ffn.module())).isEqualTo(2.0);
        assertThat(adapter.extras().keySet()).containsExactlyInAnyOrder("classifier.weight", "classifier.bias");
    }

    @Test
    void roundTripsThroughThePeftLayout() throws IOException {
        LoraAdapter original = PeftAdapters.read(FIXTURES.resolve("client1"));
        PeftAdapters.write(dir.resolve("out"), original);
        LoraAdapter back = PeftAdapters.read(dir.resolve("out"));

        assertThat(back.layers().keySet()).isEqualTo(original.layers().keySet());
        for (String m : original.layers().keySet()) {
            assertThat(back.layer(m).a()).isEqualTo(original.layer(m).a());
            assertThat(back.layer(m).b()).isEqualTo(original.layer(m).b());
            assertThat(back.scale(m)).isCloseTo(original.scale(m), within(1e-12));
        }
        assertThat(back.extras().get("classifier.bias").toFloatArray())
                .containsExactly(original.extras().get("classifier.bias").toFloatArray());
        TensorFile raw = SafeTensors.read(dir.resolve("out/adapter_model.safetensors"));
        assertThat(raw.tensors()).containsKey("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight")
                .containsKey("base_model.model.classifier.weight");
        assertThat(Files.readString(dir.resolve("out/adapter_config.json")))
                .contains("\"peft_type\" : \"LORA\"").contains("\"lora_alpha\" : 8.0");
    }

    @Test
    void rejectsADirectoryWithoutConfig() {
        assertThatThrownBy(() -> PeftAdapters.read(dir))
                .isInstanceOf(InvalidTensorFileException.class)
                .hasMessageContaining("adapter_config.json is missing");
    }

    @Test
    void explainsThatPickleWeightsAreNotRead() throws IOException {
        Files.copy(FIXTURES.resolve("client1/adapter_config.json"), dir.resolve("adapter_config.json"));
        Files.write(dir.resolve("adapter_model.bin"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> PeftAdapters.read(dir))
                .hasMessageContaining("adapter_model.bin is pickle");
    }

    @Test
    void rejectsALoraAWithoutItsB() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("base_model.model.q.lora_A.weight", Tensor.ofFloats(new float[4], 2, 2));
        writeAdapter(t, "{\"r\": 2, \"lora_alpha\": 4, \"peft_type\": \"LORA\"}");
        assertThatThrownBy(() -> PeftAdapters.read(dir)).hasMessageContaining("module 'q' has lora_A but no lora_B");
    }

    @Test
    void rejectsDoraAndOtherPeftTypes() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("base_model.model.q.lora_A.weight", Tensor.ofFloats(new float[4], 2, 2));
        t.put("base_model.model.q.lora_B.weight", Tensor.ofFloats(new float[4], 2, 2));
        writeAdapter(t, "{\"r\": 2, \"lora_alpha\": 4, \"use_dora\": true}");
        assertThatThrownBy(() -> PeftAdapters.read(dir)).hasMessageContaining("DoRA");
        writeAdapter(t, "{\"r\": 2, \"peft_type\": \"IA3\"}");
        assertThatThrownBy(() -> PeftAdapters.read(dir)).hasMessageContaining("peft_type is IA3");
        writeAdapter(t, "{\"lora_alpha\": 4}");
        assertThatThrownBy(() -> PeftAdapters.read(dir)).hasMessageContaining("'r' must be a positive integer");
    }

    @Test
    void rejectsRanksThatDisagreeBetweenAAndB() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("base_model.model.q.lora_A.weight", Tensor.ofFloats(new float[6], 3, 2));
        t.put("base_model.model.q.lora_B.weight", Tensor.ofFloats(new float[4], 2, 2));
        writeAdapter(t, "{\"r\": 2, \"lora_alpha\": 4}");
        assertThatThrownBy(() -> PeftAdapters.read(dir)).hasMessageContaining("disagree on the rank");
    }

    @Test
    void rsLoraScalesBySquareRootOfRank() {
        AdapterConfig c = new AdapterConfig(16, 32, true, java.util.List.of("q"), java.util.List.of(), false, Map.of(), null, null);
        assertThat(c.scale("q", 16)).isEqualTo(8.0);
        AdapterConfig pattern = new AdapterConfig(16, 32, false, java.util.List.of("q"), java.util.List.of(), false,
                Map.of("layer.0.q", 64.0), null, null);
        assertThat(pattern.scale("model.layer.0.q", 16)).isEqualTo(4.0);
        assertThat(pattern.scale("model.layer.1.q", 16)).isEqualTo(2.0);
    }

    private void writeAdapter(Map<String, Tensor> tensors, String config) throws IOException {
        SafeTensors.write(dir.resolve("adapter_model.safetensors"), new TensorFile(tensors));
        Files.writeString(dir.resolve("adapter_config.json"), config);
    }
}
