package dev.fedexlora.train.decoder;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.TensorFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decoder's logits and LoRA gradients equal those of the PyTorch reference written from the transformers
 * definitions ({@code bench/torch_causal_lm.py}) within 1e-4 relative, for each family and file layout.
 */
class CausalLmParityIntegrationTests {

    static final List<String> ALL = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1} shards={2} tied={3} llama3Rope={4} adapter={5} attentionBias={6}")
    @CsvSource({
            "llama,   F32,  1, false, false, false, false",
            "llama,   BF16, 3, true,  true,  true,  false",
            "llama,   F16,  1, false, true,  false, false",
            "llama,   F32,  2, false, false, true,  true",
            "mistral, F16,  1, false, false, true,  false",
            "mistral, BF16, 1, true,  false, false, true",
            "mistral, F32,  2, true,  false, false, false",
            "qwen2,   BF16, 2, true,  false, true,  false",
            "qwen2,   F32,  1, false, false, false, false",
            "qwen2,   F16,  3, false, false, true,  false"})
    void logitsEqualPyTorchs(String family, DType dtype, int shards, boolean tied, boolean llama3Rope,
                             boolean withAdapter, boolean attentionBias) throws Exception {
        TorchReference.assumeAvailable();
        boolean bias = attentionBias;
        DecoderConfig config = TinyDecoders.config(family, tied, llama3Rope, bias, 512);
        Path model = dir.resolve("model");
        RandomDecoder.write(model, config, dtype, shards, 0.05, 7, null);
        Path adapterDir = dir.resolve("adapter");
        LoraAdapter adapter = withAdapter
                ? TinyDecoders.adapter(adapterDir, config, List.of("q_proj", "v_proj", "o_proj", "up_proj", "down_proj"),
                4, 8, 3) : null;
        long[] tokens = new Random(11).longs(24, 0, 512).toArray();
        Path ref = dir.resolve("ref.safetensors");
        String joined = Arrays.stream(tokens).mapToObj(Long::toString).collect(Collectors.joining(","));
        if (withAdapter) {
            TorchReference.run("logits", "--model", model.toString(), "--adapter", adapterDir.toString(),
                    "--tokens", joined, "--out", ref.toString());
        } else {
            TorchReference.run("logits", "--model", model.toString(), "--tokens", joined, "--out", ref.toString());
        }
        float[] expected = SafeTensors.read(ref).tensor("logits").toFloatArray();

        DecoderCheckpoint checkpoint = DecoderCheckpoint.load(model);
        float[] actual;
        try (CausalLm lm = CausalLm.create(TinyDecoders.device(), checkpoint,
                adapter == null ? null : CausalLm.settingsOf(adapter), adapter, 0)) {
            NDArray logits = lm.logits(lm.manager().create(tokens, new Shape(1, tokens.length)), null, null);
            assertThat(logits.getShape()).isEqualTo(new Shape(1, tokens.length, 512));
            actual = logits.toFloatArray();
            logits.close();
        }
        double error = TinyDecoders.relativeError(actual, expected);
        System.out.printf("logits parity %s %s shards=%d tied=%b llama3Rope=%b adapter=%b bias=%b: max relative "
                + "error %.2e%n", family, dtype, shards, tied, llama3Rope, withAdapter, bias, error);
        if (bias) {
            assertThat(checkpoint.weights()).containsKey("model.layers.0.self_attn.o_proj.bias");
        }
        assertThat(error).isLessThan(TinyDecoders.tolerance());
    }

    @Test
    void loraGradientsOfOneStepEqualPyTorchs() throws Exception {
        TorchReference.assumeAvailable();
        DecoderConfig config = TinyDecoders.config("qwen2", false, false, 512);
        Path model = dir.resolve("model");
        RandomDecoder.write(model, config, DType.BF16, 1, 0.05, 5, null);
        Path adapterDir = dir.resolve("adapter");
        LoraAdapter adapter = TinyDecoders.adapter(adapterDir, config, ALL, 4, 16, 9);
        // Two right-padded sequences; the first counts only its last tokens (a prompt/response pair).
        Random rnd = new Random(2);
        LmData.Sequence a = new LmData.Sequence(rnd.longs(12, 0, 512).toArray(), null);
        long[] labelsA = a.ids().clone();
        Arrays.fill(labelsA, 0, 5, LmData.IGNORE);
        long[] idsB = rnd.longs(8, 0, 512).toArray();
        LmTrainer.Batch batch = LmTrainer.Batch.of(List.of(new LmData.Sequence(a.ids(), labelsA),
                new LmData.Sequence(idsB, idsB.clone())), 0);
        Path batchFile = dir.resolve("batch.json");
        java.nio.file.Files.writeString(batchFile, "{\"ids\": " + rows(batch.ids(), batch) + ", \"mask\": "
                + rows(batch.mask(), batch) + ", \"labels\": " + rows(batch.labels(), batch) + "}");
        Path ref = dir.resolve("grads.safetensors");
        TorchReference.run("grads", "--model", model.toString(), "--adapter", adapterDir.toString(), "--batch",
                batchFile.toString(), "--out", ref.toString());
        TensorFile expected = SafeTensors.read(ref);

        try (CausalLm lm = CausalLm.create(TinyDecoders.device(), DecoderCheckpoint.load(model), CausalLm.settingsOf(adapter),
                adapter, 0)) {
            LmTrainer.Gradients g = LmTrainer.gradients(lm, batch);
            assertThat(g.loss()).isCloseTo(expected.tensor("loss").toFloatArray()[0],
                    org.assertj.core.data.Offset.offset(1e-4 * g.loss()));
            assertThat(g.names()).hasSize(2 * ALL.size() * config.numHiddenLayers());
            double worst = 0;
            for (int i = 0; i < g.names().size(); i++) {
                float[] want = expected.tensor("base_model.model." + g.names().get(i)).toFloatArray();
                double error = TinyDecoders.relativeError(g.values().get(i), want);
                worst = Math.max(worst, error);
                assertThat(error).as(g.names().get(i)).isLessThan(TinyDecoders.tolerance());
            }
            System.out.printf("gradient parity: loss %.6f, worst relative error over %d LoRA gradients %.2e%n",
                    g.loss(), g.names().size(), worst);
        }
        assertThat(PeftAdapters.read(adapterDir).layers()).hasSize(ALL.size() * config.numHiddenLayers());
    }

    private static String rows(long[] flat, LmTrainer.Batch b) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < b.size(); i++) {
            s.append(i == 0 ? "" : ",").append(Arrays.toString(Arrays.copyOfRange(flat, i * b.length(),
                    (i + 1) * b.length())));
        }
        return s.append("]").toString();
    }
}
