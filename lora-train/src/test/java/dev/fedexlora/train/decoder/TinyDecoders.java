package dev.fedexlora.train.decoder;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tiny configurations of each family and random PEFT adapters with non-zero B, for tests. */
final class TinyDecoders {

    private TinyDecoders() {
    }

    /**
     * The device the parity tests run on: the CPU (fp32 throughout, tolerance 1e-4), or with
     * {@code -Dfedex.test.device=gpu} (scripts/gpu-check.sh) the GPU, whose frozen base weights are fp16, so the
     * logits agree with the fp32 reference only to fp16's precision (tolerance 1e-2).
     */
    static ai.djl.Device device() {
        return "gpu".equals(System.getProperty("fedex.test.device")) ? ai.djl.Device.gpu() : ai.djl.Device.cpu();
    }

    static double tolerance() {
        return device().isGpu() ? 1e-2 : 1e-4;
    }

    static DecoderConfig config(String family, boolean tied, boolean llama3Rope, int vocab) {
        return config(family, tied, llama3Rope, false, vocab);
    }

    /** With {@code attentionBias}, llama and mistral get q/k/v/o biases (qwen2 has q/k/v biases regardless). */
    static DecoderConfig config(String family, boolean tied, boolean llama3Rope, boolean attentionBias, int vocab) {
        DecoderConfig.RopeScaling scaling = llama3Rope ? new DecoderConfig.RopeScaling(8, 1, 4, 16) : null;
        return new DecoderConfig(family, vocab, 64, 96, 2, 4, 2, 16, 1e-5, llama3Rope ? 500000 : 10000, scaling,
                128, tied, attentionBias, 0, 1, List.of(2), -1);
    }

    /** An adapter on {@code targets} of every layer with A and B drawn N(0, 0.1²), written in PEFT layout. */
    static LoraAdapter adapter(Path dir, DecoderConfig c, List<String> targets, int rank, double alpha, long seed)
            throws IOException {
        Random rnd = new Random(seed);
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        Map<String, long[]> shapes = DecoderCheckpoint.expectedShapes(c);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            for (String m : DecoderCheckpoint.linearModules(l)) {
                if (targets.stream().noneMatch(m::endsWith)) {
                    continue;
                }
                long[] s = shapes.get(m + ".weight");
                layers.put(m, new LoraLayer(m, random(rnd, rank, (int) s[1]), random(rnd, (int) s[0], rank)));
            }
        }
        LoraAdapter a = new LoraAdapter(new AdapterConfig(rank, alpha, false, targets, List.of(), false, Map.of(),
                "tiny", "CAUSAL_LM"), layers, Map.of());
        PeftAdapters.write(dir, a);
        return a;
    }

    private static Matrix random(Random rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        return new Matrix(rows, cols, v);
    }

    /** max |a - b| / max |b|. */
    static double relativeError(float[] a, float[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < b.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }
}
