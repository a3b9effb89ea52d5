package dev.fedexlora.core.peft;

import dev.fedexlora.core.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * One client's (or the global) LoRA adapter: its configuration, its LoRA layers by module, and the other
 * trainable tensors it carries (a classification head), keyed as in the PEFT file without the
 * {@code base_model.model.} prefix (e.g. {@code classifier.weight}).
 */
public record LoraAdapter(AdapterConfig config, Map<String, LoraLayer> layers, Map<String, Tensor> extras) {

    public LoraAdapter {
        layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    public LoraLayer layer(String module) {
        LoraLayer l = layers.get(module);
        if (l == null) {
            throw new NoSuchElementException("adapter has no LoRA layer '" + module + "'");
        }
        return l;
    }

    /** The scale {@code alpha/r} (or {@code alpha/sqrt(r)}) of {@code module} at its actual rank. */
    public double scale(String module) {
        return config.scale(module, layer(module).rank());
    }
}
