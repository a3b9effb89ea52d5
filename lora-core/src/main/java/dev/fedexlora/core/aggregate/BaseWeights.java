package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Folds residuals into base weights. A LoRA module {@code m} adapts the base tensor {@code m.weight}; adapters
 * trained on a task model often name modules with a prefix the base checkpoint lacks
 * ({@code bert.encoder.layer.0…} against {@code encoder.layer.0…}), so leading path components are dropped until
 * a key matches.
 */
public final class BaseWeights {

    private BaseWeights() {
    }

    /** The key of {@code module}'s weight in {@code base}. @throws NoSuchElementException naming the module */
    public static String weightKey(Map<String, Tensor> base, String module) {
        String m = module;
        while (true) {
            if (base.containsKey(m + ".weight")) {
                return m + ".weight";
            }
            int dot = m.indexOf('.');
            if (dot < 0) {
                throw new NoSuchElementException("the base weights have no tensor for LoRA module '" + module
                        + "' (looked for '" + module + ".weight' and its suffixes)");
            }
            m = m.substring(dot + 1);
        }
    }

    /**
     * A copy of {@code base} with every residual added to its layer's weight. Updated weights are written as F32
     * (a half-precision base would round most of a small residual away); every other tensor is kept as it was.
     *
     * @param fanInFanOut base weights are stored in×out (GPT-2 Conv1D): the residual is added transposed
     * @throws IllegalArgumentException when a residual's shape does not fit its weight
     */
    public static TensorFile apply(TensorFile base, Map<String, Residual> residuals, boolean fanInFanOut) {
        Map<String, Tensor> out = new LinkedHashMap<>(base.tensors());
        for (Map.Entry<String, Residual> e : residuals.entrySet()) {
            String key = weightKey(base.tensors(), e.getKey());
            Tensor w = out.get(key);
            Residual r = e.getValue();
            long[] expected = fanInFanOut ? new long[] {r.cols(), r.rows()} : new long[] {r.rows(), r.cols()};
            if (!Arrays.equals(w.shape(), expected)) {
                throw new IllegalArgumentException("base weight '" + key + "' is " + Arrays.toString(w.shape())
                        + " but the residual of '" + e.getKey() + "' needs " + Arrays.toString(expected)
                        + (fanInFanOut ? " (fan_in_fan_out: in×out)" : " (out×in)"));
            }
            Matrix m = Matrix.of(w);
            r.applyTo(m, fanInFanOut);
            out.put(key, m.toTensor(DType.F32));
        }
        return new TensorFile(base.metadata(), out);
    }
}
