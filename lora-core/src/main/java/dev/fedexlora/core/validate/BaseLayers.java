package dev.fedexlora.core.validate;

import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shapes of a base checkpoint's tensors, read from its safetensors header without loading the weights. A LoRA
 * module {@code m} adapts the 2-d tensor {@code m.weight} (d×k, out×in); as in
 * {@link dev.fedexlora.core.aggregate.BaseWeights}, leading path components of an adapter's module name that the
 * checkpoint lacks ({@code bert.} before {@code encoder.layer.0…}) are dropped until a key matches.
 */
public record BaseLayers(Map<String, List<Long>> shapes) {

    public BaseLayers {
        shapes = Map.copyOf(shapes);
    }

    /** The layer shapes in {@code checkpoint}'s header. */
    public static BaseLayers of(Path checkpoint) throws IOException {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        SafeTensors.header(checkpoint).forEach((k, info) -> out.put(k, boxed(info.shape())));
        return new BaseLayers(out);
    }

    /** The layer shapes of tensors already in memory. */
    public static BaseLayers of(Map<String, Tensor> tensors) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        tensors.forEach((k, t) -> out.put(k, boxed(t.shape())));
        return new BaseLayers(out);
    }

    /** The key of {@code module}'s 2-d weight, or null when the checkpoint has none. */
    String weightKey(String module) {
        String m = module;
        while (true) {
            List<Long> s = shapes.get(m + ".weight");
            if (s != null) {
                return s.size() == 2 ? m + ".weight" : null;
            }
            int dot = m.indexOf('.');
            if (dot < 0) {
                return null;
            }
            m = m.substring(dot + 1);
        }
    }

    /** The 2-d weights whose module's last path component is one of {@code targets}, by weight key. */
    Map<String, List<Long>> targeted(List<String> targets) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        shapes.forEach((key, shape) -> {
            if (shape.size() == 2 && key.endsWith(".weight")) {
                String module = key.substring(0, key.length() - ".weight".length());
                String last = module.substring(module.lastIndexOf('.') + 1);
                if (targets.contains(last)) {
                    out.put(key, shape);
                }
            }
        });
        return out;
    }

    private static List<Long> boxed(long[] shape) {
        return java.util.Arrays.stream(shape).boxed().toList();
    }
}
