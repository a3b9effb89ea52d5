package dev.fedexlora.cli.chaos;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * The crafted-upload corpus for one task: an honest adapter built from the task's hyper-parameters and the base
 * checkpoint's layer shapes, and hostile variants of it. Each must be refused at completion, the honest one accepted.
 */
final class CraftedUploads {

    /** One upload: the two files and the example count the completion claims. */
    record Upload(String name, byte[] config, byte[] weights, long examples) {
    }

    private static final String PREFIX = "base_model.model.";

    private CraftedUploads() {
    }

    /**
     * @param baseShapes the base checkpoint's tensor shapes, from its safetensors header
     */
    static Upload honest(Map<String, long[]> baseShapes, int rank, double alpha, List<String> targets, int numLabels)
            throws IOException {
        return of("honest", adapter(baseShapes, rank, alpha, targets, numLabels, 1), 100);
    }

    private static Upload of(String name, LoraAdapter a, long examples) throws IOException {
        return new Upload(name, PeftAdapters.configJson(a).getBytes(StandardCharsets.UTF_8),
                SafeTensors.toBytes(PeftAdapters.weights(a)), examples);
    }

    static LoraAdapter adapter(Map<String, long[]> baseShapes, int rank, double alpha, List<String> targets,
                               int numLabels, long seed) {
        Random rnd = new Random(seed);
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        int hidden = 0;
        for (Map.Entry<String, long[]> e : baseShapes.entrySet()) {
            String key = e.getKey();
            long[] s = e.getValue();
            if (s.length != 2 || !key.endsWith(".weight")) {
                continue;
            }
            String module = key.substring(0, key.length() - ".weight".length());
            if (!targets.contains(module.substring(module.lastIndexOf('.') + 1))) {
                continue;
            }
            int d = (int) s[0];
            int k = (int) s[1];
            hidden = k;
            layers.put(module, new LoraLayer(module, gaussian(rnd, rank, k), gaussian(rnd, d, rank)));
        }
        Map<String, Tensor> head = new LinkedHashMap<>();
        head.put("classifier.weight", gaussian(rnd, numLabels, hidden).toTensor());
        head.put("classifier.bias", Tensor.ofFloats(new float[numLabels], numLabels));
        AdapterConfig c = new AdapterConfig(rank, alpha, false, targets, List.of("classifier"), false, Map.of(), null,
                "SEQ_CLS");
        return new LoraAdapter(c, layers, head);
    }

    /** The hostile variants of {@code honest} (the cases and the validator's corpus). */
    static List<Upload> hostile(Upload honest) throws IOException {
        List<Upload> out = new ArrayList<>();
        out.add(config(honest, "alpha_pattern 1e300", n -> n.putObject("alpha_pattern").put("query", 1e300)));
        out.add(config(honest, "alpha_pattern key (.*){1,30}x",
                n -> n.putObject("alpha_pattern").put("(.*){1,30}x", 8.0)));
        out.add(config(honest, "fan_in_fan_out true", n -> n.put("fan_in_fan_out", true)));
        out.add(config(honest, "r 8 in the config", n -> n.put("r", n.path("r").asInt() * 2)));
        out.add(config(honest, "unknown target module", n -> n.putArray("target_modules").add("no_such_module")));
        out.add(config(honest, "bias all", n -> n.put("bias", "all")));
        out.add(tensors(honest, "int-typed head", t -> t.put(PREFIX + "classifier.weight", new Tensor(DType.I32,
                t.get(PREFIX + "classifier.weight").shape(), new byte[(int) t.get(PREFIX + "classifier.weight").byteSize()]))));
        out.add(tensors(honest, "16x16 adapters for a wider base", t -> {
            for (String k : new ArrayList<>(t.keySet())) {
                if (k.endsWith("lora_A.weight")) {
                    long r = t.get(k).shape()[0];
                    t.put(k, Tensor.ofFloats(new float[(int) r * 16], r, 16));
                } else if (k.endsWith("lora_B.weight")) {
                    long r = t.get(k).shape()[1];
                    t.put(k, Tensor.ofFloats(new float[16 * (int) r], 16, r));
                }
            }
        }));
        out.add(tensors(honest, "NaN in a lora_B", t -> {
            String k = t.keySet().stream().filter(x -> x.endsWith("lora_B.weight")).findFirst().orElseThrow();
            float[] v = t.get(k).toFloatArray();
            v[v.length / 2] = Float.NaN;
            t.put(k, Tensor.ofFloats(v, t.get(k).shape()));
        }));
        out.add(tensors(honest, "rank 8 tensors", t -> {
            for (String k : new ArrayList<>(t.keySet())) {
                long[] s = t.get(k).shape();
                if (k.endsWith("lora_A.weight")) {
                    t.put(k, Tensor.ofFloats(new float[(int) (2 * s[0] * s[1])], 2 * s[0], s[1]));
                } else if (k.endsWith("lora_B.weight")) {
                    t.put(k, Tensor.ofFloats(new float[(int) (2 * s[0] * s[1])], s[0], 2 * s[1]));
                }
            }
        }));
        out.add(tensors(honest, "extra key", t -> t.put(PREFIX + "evil.weight", Tensor.ofFloats(new float[4], 2, 2))));
        out.add(tensors(honest, "oversize (32 MiB extra tensor)",
                t -> t.put(PREFIX + "padding.weight", Tensor.ofFloats(new float[8 << 20], 8 << 20))));
        out.add(new Upload("examples 9e18", honest.config(), honest.weights(), 9_000_000_000_000_000_000L));
        return out;
    }

    private static Upload config(Upload h, String name, Consumer<ObjectNode> edit) {
        ObjectNode n = (ObjectNode) Http.JSON.readTree(h.config());
        edit.accept(n);
        return new Upload(name, Http.JSON.writeValueAsBytes(n), h.weights(), h.examples());
    }

    private static Upload tensors(Upload h, String name, Consumer<Map<String, Tensor>> edit) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>(SafeTensors.read(h.weights(), name).tensors());
        edit.accept(t);
        return new Upload(name, h.config(), SafeTensors.toBytes(new TensorFile(t)), h.examples());
    }

    private static Matrix gaussian(Random rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.01);
        }
        return new Matrix(rows, cols, v);
    }
}
