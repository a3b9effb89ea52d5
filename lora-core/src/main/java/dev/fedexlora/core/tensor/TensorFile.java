package dev.fedexlora.core.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The contents of one tensor file: free-form string metadata (safetensors' {@code __metadata__}) and named
 * tensors in file order.
 */
public record TensorFile(Map<String, String> metadata, Map<String, Tensor> tensors) {

    public TensorFile {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public TensorFile(Map<String, Tensor> tensors) {
        this(Map.of(), tensors);
    }

    /** The tensor called {@code name}. @throws NoSuchElementException naming the missing key */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new NoSuchElementException("no tensor named '" + name + "'");
        }
        return t;
    }
}
