package dev.fedexlora.train.decoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.train.data.Example;
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

/**
 * Full-parameter training (pretraining a decoder from a random initialisation), saving the trained checkpoint, the
 * batched exact match against greedy decoding, and the prompt/response pairs built from labelled examples.
 */
class FullParameterTrainingIntegrationTests {

    @TempDir
    Path dir;

    @Test
    void fullParameterTrainingUpdatesEveryParameterAndTheSavedCheckpointScoresTheSame() throws Exception {
        Path tokenizer = TorchReference.tokenizer("llama2");
        Path model = dir.resolve("init");
        RandomDecoder.write(model, TinyDecoders.config("llama", true, false, 32000), DType.F32, 1, 0.02, 5, tokenizer);
        DecoderCheckpoint init = DecoderCheckpoint.load(model);
        List<LmData.Example> text = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            text.add(new LmData.Example(null, null, "The cat sat on the mat and the dog sat on the log number " + (i % 3)));
        }
        try (LmData.Tokens tokens = LmData.Tokens.of(init, 32);
             CausalLm lm = CausalLm.createFull(init)) {
            List<LmData.Sequence> seqs = tokens.sequences(text);
            assertThat(lm.trainableNames()).containsExactlyInAnyOrderElementsOf(
                    DecoderCheckpoint.expectedShapes(init.config()).keySet());
            LmTrainer.LmEvaluation before = LmTrainer.evaluate(lm, seqs, 8, 0);
            TrainingReport report = LmTrainer.train(lm, seqs, seqs, new TrainingConfig(0.01, 8, 40, 0, 0.1, 0.0, 1.0, 32, 3),
                    1, 0, ProgressListener.NONE);
            assertThat(report.eval().loss()).isLessThan(before.loss() * 0.5);
            DecoderCheckpoint trained = lm.toCheckpoint(init);
            for (String name : List.of("model.embed_tokens.weight", "model.layers.0.input_layernorm.weight",
                    "model.layers.1.self_attn.q_proj.weight", "model.layers.0.mlp.down_proj.weight", "model.norm.weight")) {
                assertThat(trained.weights().get(name).toFloatArray()).as(name)
                        .isNotEqualTo(init.weights().get(name).toFloatArray());
            }
            DecoderCheckpoint saved = trained.save(dir.resolve("trained"));
            assertThat(saved.tokenizer()).isNotNull();
            assertThat(Files.readString(dir.resolve("trained/config.json"))).contains("\"float32\"");
            try (CausalLm reloaded = CausalLm.create(Device.cpu(), saved, null, null, 0)) {
                assertThat(LmTrainer.evaluate(reloaded, seqs, 8, 0).loss()).isCloseTo(report.eval().loss(),
                        org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void batchedExactMatchEqualsGreedyDecodingOfEveryPair() throws Exception {
        Path tokenizer = TorchReference.tokenizer("llama2");
        Path model = dir.resolve("model");
        RandomDecoder.write(model, TinyDecoders.config("llama", true, false, 32000), DType.F32, 1, 0.25, 3, tokenizer);
        DecoderCheckpoint ckpt = DecoderCheckpoint.load(model);
        List<String> names = List.of("noun.animal", "noun.artifact", "noun.food");
        List<Example> labelled = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            labelled.add(new Example("thing number " + i + (i % 3 == 0 ? " that eats" : " made of wood"), i % 3));
        }
        List<LmData.Example> pairs = PromptPairs.pairs(labelled, names);
        try (LmData.Tokens tokens = LmData.Tokens.of(ckpt, 48);
             CausalLm lm = CausalLm.create(Device.cpu(), ckpt,
                     new LoraSettings(8, 16, false, List.of("q_proj", "v_proj", "down_proj"), false), null, 1)) {
            List<LmData.Sequence> seqs = tokens.sequences(pairs);
            List<Double> seen = new ArrayList<>();
            for (int steps : new int[] {0, 6, 40}) {
                if (steps > 0) {
                    LmTrainer.train(lm, seqs, List.of(), new TrainingConfig(0.02, 4, steps, 0, 0.1, 0.0, 1.0, 48, steps),
                            1, 0, ProgressListener.NONE);
                }
                double batched = LmTrainer.evaluate(lm, seqs, 7, 0).exactMatch();
                double greedy = LmTrainer.exactMatch(lm, tokens, pairs, ckpt.config().eosTokenIds());
                assertThat(batched).as("after %d steps", steps).isEqualTo(greedy);
                seen.add(batched);
            }
            assertThat(seen.getLast()).isGreaterThan(seen.getFirst());
        }
    }

    @Test
    void pairsAskForTheCategoryOfAGlossAndKeepTheLabel() throws Exception {
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "noun.Tops\nnoun.artifact\n\n");
        List<String> names = PromptPairs.labelNames(labels);
        assertThat(names).containsExactly("noun.Tops", "noun.artifact");
        LmData.Example p = PromptPairs.pair(new Example(" a large shallow dish used for serving food ", 1), names);
        assertThat(p.prompt()).isEqualTo("Gloss: a large shallow dish used for serving food\nCategory:");
        assertThat(p.response()).isEqualTo("artifact");
        assertThat(p.isPair()).isTrue();
        assertThat(PromptPairs.category("politics")).isEqualTo("politics");
        assertThatThrownBy(() -> PromptPairs.pair(new Example("x", 2), names)).hasMessageContaining("label 2");
    }
}
