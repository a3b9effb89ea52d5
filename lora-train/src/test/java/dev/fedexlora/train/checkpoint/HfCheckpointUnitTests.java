package dev.fedexlora.train.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointUnitTests {

    @TempDir
    Path dir;

    @Test
    void normalisesPrefixedAndGammaBetaNamesAndDropsPretrainingHeads() {
        Tensor t = Tensor.ofFloats(new float[] {1}, 1);
        Map<String, Tensor> raw = new LinkedHashMap<>();
        raw.put("bert.embeddings.LayerNorm.gamma", t);
        raw.put("roberta.encoder.layer.0.output.LayerNorm.beta", t);
        raw.put("encoder.layer.0.attention.self.query.weight", t);
        raw.put("cls.predictions.bias", t);
        raw.put("bert.pooler.dense.weight", t);
        raw.put("embeddings.position_ids", t);
        assertThat(HfCheckpoint.normalise(raw).keySet()).containsExactly("embeddings.LayerNorm.weight",
                "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.output.LayerNorm.bias");
    }

    @Test
    void loadsARandomCheckpointAndNamesWhatIsMissing() throws Exception {
        BertConfig tiny = BertConfig.tiny(30522);
        RandomCheckpoint.write(dir, tiny, 1);
        HfCheckpoint c = HfCheckpoint.load(dir);
        assertThat(c.config()).isEqualTo(tiny);
        assertThat(c.weights().keySet()).containsExactlyInAnyOrderElementsOf(HfCheckpoint.parameterNames(tiny));

        Map<String, Tensor> weights = new LinkedHashMap<>(SafeTensors.read(dir.resolve("model.safetensors")).tensors());
        weights.remove("encoder.layer.1.attention.self.value.weight");
        SafeTensors.write(dir.resolve("model.safetensors"), new TensorFile(weights));
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("encoder.layer.1.attention.self.value.weight");

        Files.delete(dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> HfCheckpoint.load(dir)).hasMessageContaining("tokenizer.json is missing");
    }

    @Test
    void rejectsConfigsItCannotRun() {
        assertThatThrownBy(() -> BertConfig.parse("{\"model_type\":\"gpt2\",\"vocab_size\":1,\"hidden_size\":4,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"intermediate_size\":4}"))
                .hasMessageContaining("bert or roberta");
        assertThatThrownBy(() -> BertConfig.parse("{\"vocab_size\":1,\"hidden_size\":5,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"intermediate_size\":4}"))
                .hasMessageContaining("multiple");
        assertThat(BertConfig.parse(BertConfig.tiny(99).toJson())).isEqualTo(BertConfig.tiny(99));
    }
}
