package dev.fedexlora.coordinator.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;

/** Real PEFT adapters made with lora-core from seeded random tensors, as a tiny BERT's client would upload. */
public final class TestAdapters {

    public static final List<String> TARGETS = List.of("query", "value");
    public static final int HIDDEN = 16;
    public static final int LABELS = 3;

    private TestAdapters() {
    }

    /** Two layers × {query, value}, d = k = {@code hidden}, rank {@code r}, plus a classifier head. */
    public static LoraAdapter random(long seed, int r, double alpha, int hidden) {
        Random rnd = new Random(seed);
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            for (String t : TARGETS) {
                String module = "bert.encoder.layer." + layer + ".attention.self." + t;
                layers.put(module, new LoraLayer(module, gaussian(rnd, r, hidden), gaussian(rnd, hidden, r)));
            }
        }
        Map<String, Tensor> extras = new LinkedHashMap<>();
        extras.put("classifier.weight", gaussian(rnd, LABELS, hidden).toTensor());
        extras.put("classifier.bias", Tensor.ofFloats(gaussian(rnd, 1, LABELS).data(), LABELS));
        return new LoraAdapter(AdapterConfig.of(r, alpha, TARGETS), layers, extras);
    }

    public static Matrix gaussian(Random rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        return new Matrix(rows, cols, v);
    }

    /** The two files of the PEFT layout, by file name. */
    public static Map<String, byte[]> files(LoraAdapter adapter) {
        try {
            return Map.of(PeftAdapters.WEIGHTS_FILE, SafeTensors.toBytes(PeftAdapters.weights(adapter)),
                    PeftAdapters.CONFIG_FILE, PeftAdapters.configJson(adapter).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
