package dev.fedexlora.train.decoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.core.tensor.DType;
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

/** What a decoder checkpoint must be, and the file and problem named when it is not. */
class DecoderCheckpointUnitTests {

    @TempDir
    Path dir;

    private Path write(String family, DType dtype, int shards, boolean tied) throws IOException {
        Path model = dir.resolve(family + dtype + shards + tied);
        RandomDecoder.write(model, TinyDecoders.config(family, tied, false, 256), dtype, shards, 0.02, 1, null);
        return model;
    }

    private void editConfig(Path model, String from, String to) throws IOException {
        Path c = model.resolve("config.json");
        String s = Files.readString(c);
        assertThat(s).contains(from);
        Files.writeString(c, s.replace(from, to));
    }

    @Test
    void readsEveryFamilyInEveryDtypeSingleAndSharded() throws IOException {
        for (String family : DecoderConfig.FAMILIES) {
            for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                for (int shards : new int[] {1, 3}) {
                    Path model = dir.resolve(family + dtype + shards);
                    DecoderConfig c = TinyDecoders.config(family, shards == 3, false, 256);
                    RandomDecoder.write(model, c, dtype, shards, 0.02, 1, null);
                    DecoderCheckpoint ckpt = DecoderCheckpoint.load(model);
                    assertThat(ckpt.config()).isEqualTo(c);
                    assertThat(ckpt.weights().get("model.embed_tokens.weight").dtype()).isEqualTo(dtype);
                    assertThat(ckpt.weights().containsKey("lm_head.weight")).isEqualTo(shards != 3);
                    assertThat(ckpt.weights().containsKey("model.layers.0.self_attn.q_proj.bias"))
                            .isEqualTo(family.equals("qwen2"));
                    assertThat(Files.exists(model.resolve(DecoderCheckpoint.INDEX_FILE))).isEqualTo(shards == 3);
                }
            }
        }
    }

    @Test
    void refusesConfigurationsItDoesNotImplementNamingFieldAndValue() throws IOException {
        Path model = write("llama", DType.F32, 1, false);
        editConfig(model, "\"model_type\" : \"llama\"", "\"model_type\" : \"gemma2\"");
        assertThatThrownBy(() -> DecoderCheckpoint.load(model)).hasMessageContaining("config.json")
                .hasMessageContaining("model_type 'gemma2'");
        editConfig(model, "\"model_type\" : \"gemma2\"", "\"model_type\" : \"llama\"");
        editConfig(model, "\"hidden_act\" : \"silu\"", "\"hidden_act\" : \"gelu\"");
        assertThatThrownBy(() -> DecoderCheckpoint.load(model)).hasMessageContaining("hidden_act 'gelu'");
        editConfig(model, "\"hidden_act\" : \"gelu\"", "\"hidden_act\" : \"silu\"");
        editConfig(model, "\"rope_scaling\" : null", "\"rope_scaling\" : {\"rope_type\": \"yarn\", \"factor\": 4}");
        assertThatThrownBy(() -> DecoderCheckpoint.load(model)).hasMessageContaining("rope_scaling type 'yarn'");
        editConfig(model, "\"rope_scaling\" : {\"rope_type\": \"yarn\", \"factor\": 4}",
                "\"rope_scaling\" : null, \"num_local_experts\": 8");
        assertThatThrownBy(() -> DecoderCheckpoint.load(model)).hasMessageContaining("num_local_experts 8");
    }

    @Test
    void refusesASequenceLongerThanTheSlidingWindow() throws IOException {
        Path model = write("mistral", DType.F32, 1, false);
        editConfig(model, "\"sliding_window\" : null", "\"sliding_window\" : 4");
        DecoderCheckpoint ckpt = DecoderCheckpoint.load(model);
        assertThat(ckpt.config().slidingWindow()).isEqualTo(4);
        try (CausalLm lm = CausalLm.create(ai.djl.Device.cpu(), ckpt, null, null, 0)) {
            assertThatThrownBy(() -> lm.logits(lm.manager().create(new long[] {1, 2, 3, 4, 5},
                    new ai.djl.ndarray.types.Shape(1, 5)), null, null)).hasMessageContaining("sliding_window 4");
        }
    }

    @Test
    void refusesAMissingShardAKeyMissingFromTheIndexAndAWrongShape() throws IOException {
        Path model = write("llama", DType.BF16, 3, false);
        Files.delete(model.resolve("model-00002-of-00003.safetensors"));
        assertThatThrownBy(() -> DecoderCheckpoint.load(model)).hasMessageContaining(DecoderCheckpoint.INDEX_FILE)
                .hasMessageContaining("shard model-00002-of-00003.safetensors is missing");

        Path other = write("qwen2", DType.F16, 2, false);
        Path index = other.resolve(DecoderCheckpoint.INDEX_FILE);
        Files.writeString(index, Files.readString(index).replaceAll(
                "\"model.norm.weight\" : \"[^\"]+\",?", ""));
        assertThatThrownBy(() -> DecoderCheckpoint.load(other)).hasMessageContaining(DecoderCheckpoint.INDEX_FILE)
                .hasMessageContaining("no entry for model.norm.weight");

        Path single = write("mistral", DType.F32, 1, false);
        TensorFile f = SafeTensors.read(single.resolve("model.safetensors"));
        Map<String, Tensor> t = new LinkedHashMap<>(f.tensors());
        t.put("model.layers.1.mlp.up_proj.weight", Tensor.ofFloats(new float[64 * 95], 95, 64));
        SafeTensors.write(single.resolve("model.safetensors"), new TensorFile(t));
        assertThatThrownBy(() -> DecoderCheckpoint.load(single))
                .hasMessageContaining("model.layers.1.mlp.up_proj.weight is [95, 64] but config.json implies [96, 64]");
        t.remove("model.layers.1.mlp.up_proj.weight");
        SafeTensors.write(single.resolve("model.safetensors"), new TensorFile(t));
        assertThatThrownBy(() -> DecoderCheckpoint.load(single))
                .hasMessageContaining("model.layers.1.mlp.up_proj.weight is missing");
    }

    @Test
    void refusesAShardNameThatIsAPath() throws IOException {
        Path model = write("llama", DType.F32, 2, false);
        Path index = model.resolve(DecoderCheckpoint.INDEX_FILE);
        Files.writeString(index, Files.readString(index).replace("model-00001-of-00002.safetensors",
                "../model-00001-of-00002.safetensors"));
        assertThatThrownBy(() -> DecoderCheckpoint.load(model)).hasMessageContaining("not a safetensors file name");
    }

    @Test
    void refusesATokenizerWhoseVocabularyDoesNotFitVocabSize() throws IOException {
        Path llama2 = TorchReference.tokenizer("llama2");
        DecoderConfig small = TinyDecoders.config("llama", false, false, 256);
        assertThatThrownBy(() -> RandomDecoder.write(dir.resolve("m"), small, DType.F32, 1, 0.02, 1, llama2))
                .hasMessageContaining("tokenizer.json").hasMessageContaining("does not fit vocab_size 256");
        Path model = dir.resolve("ok");
        RandomDecoder.write(model, TinyDecoders.config("llama", true, false, 32000), DType.BF16, 1, 0.02, 1, llama2);
        assertThat(DecoderCheckpoint.load(model).tokenizer()).isNotNull();
        Files.copy(TorchReference.tokenizer("llama3"), model.resolve("tokenizer.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> DecoderCheckpoint.load(model)).hasMessageContaining("ok/tokenizer.json: token id 128")
                .hasMessageContaining("does not fit vocab_size 32000");
    }

    @Test
    void realTokenizersFitTheVocabularySizesOfTheirModelsAndNameTheirSpecialTokens() throws IOException {
        // vocab_size of Llama-2-7b, Llama-3.2-1B and Qwen2.5/Qwen3 configs
        assertThat(DecoderCheckpoint.vocabularySize(TorchReference.tokenizer("llama2"))).isEqualTo(32000);
        assertThat(DecoderCheckpoint.vocabularySize(TorchReference.tokenizer("llama3"))).isEqualTo(128256);
        assertThat(DecoderCheckpoint.vocabularySize(TorchReference.tokenizer("qwen3"))).isLessThanOrEqualTo(151936);
        assertThat(DecoderCheckpoint.specialTokenId(TorchReference.tokenizer("llama3"), "<|begin_of_text|>"))
                .isEqualTo(128000);
        assertThat(DecoderCheckpoint.specialTokenId(TorchReference.tokenizer("qwen3"), "</s>", "<|endoftext|>"))
                .isEqualTo(151643);
        try (LmData.Tokens t = new LmData.Tokens(TorchReference.tokenizer("llama3"), 16, 128001)) {
            // Special tokens are the tokenizer.json post-processor's: this file's (ByteLevel only) adds no BOS.
            LmData.Sequence seq = t.sequence(new LmData.Example("Hi", " there", null));
            long[] prompt = t.prompt("Hi");
            assertThat(seq.ids()).startsWith(prompt).endsWith(128001L).hasSize(prompt.length
                    + t.continuation(" there").length + 1);
            assertThat(seq.labels()).startsWith(LmData.IGNORE).endsWith(128001L);
        }
    }
}
