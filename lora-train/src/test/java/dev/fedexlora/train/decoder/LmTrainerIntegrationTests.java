package dev.fedexlora.train.decoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.train.data.InvalidDatasetException;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.training.ProgressListener;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local causal-LM training, evaluation and KV-cache generation on a tiny random Llama with a real tokenizer. */
class LmTrainerIntegrationTests {

    @TempDir
    Path dir;

    @Test
    void greedyGenerationWithTheCacheEqualsArgmaxOverTheWholeSequence() throws Exception {
        Path model = dir.resolve("model");
        RandomDecoder.write(model, TinyDecoders.config("qwen2", true, false, 300), DType.F32, 1, 0.3, 4, null);
        Path adapterDir = dir.resolve("adapter");
        DecoderCheckpoint ckpt = DecoderCheckpoint.load(model);
        LoraAdapter adapter = TinyDecoders.adapter(adapterDir, ckpt.config(), List.of("q_proj", "down_proj"), 4, 8, 1);
        long[] prompt = {5, 17, 99, 3};
        try (CausalLm lm = CausalLm.create(Device.cpu(), ckpt, CausalLm.settingsOf(adapter), adapter, 0)) {
            long[] cached = LmTrainer.generate(lm, prompt, 12, List.of());
            List<Long> seq = new ArrayList<>();
            for (long p : prompt) {
                seq.add(p);
            }
            for (int i = 0; i < 12; i++) {
                long[] ids = seq.stream().mapToLong(Long::longValue).toArray();
                NDArray logits = lm.logits(lm.manager().create(ids, new Shape(1, ids.length)), null, null);
                seq.add(logits.get(":, -1, :").argMax(-1).toLongArray()[0]);
                logits.close();
            }
            long[] full = seq.subList(prompt.length, seq.size()).stream().mapToLong(Long::longValue).toArray();
            assertThat(cached).containsExactly(full);
            assertThat(LmTrainer.generate(lm, prompt, 12, List.of((int) full[2]))).containsExactly(full[0], full[1]);
        }
    }

    @Test
    void trainingLowersTheHeldOutLossAndWritesAPeftCausalLmAdapter() throws Exception {
        Path tokenizer = TorchReference.tokenizer("llama2");
        Path model = dir.resolve("model");
        RandomDecoder.write(model, TinyDecoders.config("llama", true, false, 32000), DType.BF16, 2, 0.25, 3,
                tokenizer);
        Path data = dir.resolve("train.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            lines.add("{\"prompt\": \"Colour of item " + i + "?\", \"response\": \" blue\"}");
        }
        Files.write(data, lines);
        DecoderCheckpoint ckpt = DecoderCheckpoint.load(model);
        List<LmData.Example> examples = LmData.read(data);
        try (LmData.Tokens tokens = LmData.Tokens.of(ckpt, 32);
             CausalLm lm = CausalLm.create(Device.cpu(), ckpt,
                     new LoraSettings(8, 16, false, List.of("q_proj", "v_proj", "o_proj", "down_proj"), false), null, 1)) {
            List<LmData.Sequence> seqs = tokens.sequences(examples);
            assertThat(seqs.get(0).ids()[0]).isEqualTo(1L); // Llama's BOS from the tokenizer's post-processor
            assertThat(seqs.get(0).ids()[seqs.get(0).ids().length - 1]).isEqualTo(2L); // EOS appended
            LmTrainer.LmEvaluation before = LmTrainer.evaluate(lm, seqs, 8, 0);
            TrainingReport report = LmTrainer.train(lm, seqs, seqs,
                    new TrainingConfig(0.02, 4, 30, 0, 0.1, 0.0, 1.0, 32, 7), 2, 0, ProgressListener.NONE);
            assertThat(report.eval().loss()).isLessThan(before.loss() * 0.5);
            assertThat(report.steps()).isEqualTo(30);
            assertThat(report.examplesSeen()).isEqualTo(30 * 2 * 4);
            PeftAdapters.write(dir.resolve("out"), lm.toAdapter("tiny"));
            assertThat(LmTrainer.exactMatch(lm, tokens, examples.subList(0, 4), ckpt.config().eosTokenIds()))
                    .isEqualTo(1.0);
        }
        String weights = new String(Files.readAllBytes(dir.resolve("out/adapter_model.safetensors")), "ISO-8859-1");
        assertThat(weights).contains("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight");
        assertThat(Files.readString(dir.resolve("out/adapter_config.json"))).contains("CAUSAL_LM");
    }

    @Test
    void refusesABadLineWithFileLineAndField() throws Exception {
        Path data = dir.resolve("bad.jsonl");
        Files.writeString(data, "{\"text\": \"fine\"}\n\n{\"prompt\": \"p\", \"response\": 3}\n");
        assertThatThrownBy(() -> LmData.read(data)).isInstanceOf(InvalidDatasetException.class)
                .hasMessageContaining("bad.jsonl:3: field 'response'");
        Files.writeString(data, "{\"answer\": \"x\"}\n");
        assertThatThrownBy(() -> LmData.read(data)).hasMessageContaining(":1: field 'prompt'");
    }
}
