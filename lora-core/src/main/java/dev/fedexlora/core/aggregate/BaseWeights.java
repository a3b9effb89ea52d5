package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Folds residuals into base weights, {@code W = W0 + Σ_v residual_v}: the platform's one implementation, used by the
 * worker before training, the experiment's evaluator and the registry's export. Each touched weight is converted to
 * fp32 once, every residual of the lineage accumulates into it in order (oldest first), and it is written back in the
 * base's dtype; untouched tensors pass through byte for byte.
 *
 * <p>A LoRA module {@code m} adapts the base tensor {@code m.weight}; adapters trained on a task model often name
 * modules with a prefix the base checkpoint lacks ({@code bert.encoder.layer.0…} against {@code encoder.layer.0…}),
 * so leading path components are dropped until a two-dimensional weight matches.
 */
public final class BaseWeights {

    private final TensorFile base;
    private final boolean fanInFanOut;
    private final Map<String, Matrix> merged = new LinkedHashMap<>();

    /**
     * @param fanInFanOut base weights are stored in×out (GPT-2 Conv1D): residuals are added transposed
     */
    public BaseWeights(TensorFile base, boolean fanInFanOut) {
        this.base = base;
        this.fanInFanOut = fanInFanOut;
    }

    /** The key of {@code module}'s weight in {@code base}. @throws NoSuchElementException naming the module */
    public static String weightKey(Map<String, Tensor> base, String module) {
        return find(base, module).orElseThrow(() -> new NoSuchElementException("the base weights have no tensor for "
                + "LoRA module '" + module + "' (looked for '" + module + ".weight' and its suffixes)"));
    }

    private static Optional<String> find(Map<String, Tensor> base, String module) {
        return weightKey(k -> base.get(k) != null && base.get(k).rank() == 2, module);
    }

    /**
     * The key of {@code module}'s weight among the keys {@code isMatrix} accepts (two-dimensional tensors of the
     * base, which need not be in memory: a sharded checkpoint's headers say it), dropping leading path components.
     */
    public static Optional<String> weightKey(java.util.function.Predicate<String> isMatrix, String module) {
        String m = module;
        while (true) {
            if (isMatrix.test(m + ".weight")) {
                return Optional.of(m + ".weight");
            }
            int dot = m.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            m = m.substring(dot + 1);
        }
    }

    /**
     * A copy of {@code base} with every residual added to its layer's weight, written in the base's dtype.
     *
     * @throws IllegalArgumentException when a residual has no weight or its shape does not fit
     */
    public static TensorFile apply(TensorFile base, Map<String, Residual> residuals, boolean fanInFanOut) {
        return fold(base, List.of(residuals), fanInFanOut);
    }

    /**
     * {@link #apply} for a model that goes on training on the folded weights (a worker): the touched weights stay in
     * fp32, so a chain of rounds is rounded to a half-precision base never, not once per round. Untouched tensors keep
     * their dtype and bytes.
     */
    public static TensorFile applyInFp32(TensorFile base, Map<String, Residual> residuals, boolean fanInFanOut) {
        BaseWeights weights = new BaseWeights(base, fanInFanOut);
        weights.add(residuals, "residual");
        return weights.result(Map.of(), DType.F32);
    }

    /** {@link #apply} for a lineage of residuals, oldest first, accumulated in fp32 and rounded once. */
    public static TensorFile fold(TensorFile base, List<Map<String, Residual>> lineage, boolean fanInFanOut) {
        BaseWeights weights = new BaseWeights(base, fanInFanOut);
        for (Map<String, Residual> residuals : lineage) {
            weights.add(residuals, "residual");
        }
        return weights.result(Map.of());
    }

    /**
     * Adds one version's residuals; {@code source} names them in errors.
     *
     * @throws IllegalArgumentException naming a module with no weight or a wrong-shaped one
     */
    public void add(Map<String, Residual> residuals, String source) {
        for (Map.Entry<String, Residual> e : residuals.entrySet()) {
            String key = find(base.tensors(), e.getKey()).orElseThrow(() -> new IllegalArgumentException(source
                    + ": module '" + e.getKey() + "' has no weight in the base checkpoint (looked for '" + e.getKey()
                    + ".weight' and its suffixes)"));
            Residual r = e.getValue();
            long[] expected = fanInFanOut ? new long[] {r.cols(), r.rows()} : new long[] {r.rows(), r.cols()};
            if (!Arrays.equals(base.tensor(key).shape(), expected)) {
                throw new IllegalArgumentException(source + ": base weight '" + key + "' is "
                        + Arrays.toString(base.tensor(key).shape()) + " but the residual of '" + e.getKey()
                        + "' needs " + Arrays.toString(expected) + (fanInFanOut ? " (fan_in_fan_out: in×out)" : " (out×in)"));
            }
            r.applyTo(merged.computeIfAbsent(key, k -> Matrix.of(base.tensor(k))), fanInFanOut);
        }
    }

    /**
     * The fold of one base weight streamed: reads its bytes (d×k, out×in, row-major in {@code dtype}) from {@code in}
     * in blocks of rows, adds every residual of {@code chain} (oldest first) to each block in fp32 with the same
     * {@link Residual#applyTo} as {@link #fold}, and writes the block rounded once to {@code dtype}. Each element sees
     * the same operations in the same order as in {@link #fold}, so the bytes are identical; memory is one block
     * (about {@code maxBlockElements} floats), whatever the tensor's size.
     *
     * @throws IllegalArgumentException when a residual's shape does not fit {@code shape}
     */
    public static void foldStreaming(DType dtype, long[] shape, List<Residual> chain, InputStream in, OutputStream out,
                                     int maxBlockElements) throws IOException {
        if (shape.length != 2 || !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("a residual folds into a two-dimensional floating-point weight, not "
                    + dtype + Arrays.toString(shape));
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        for (Residual r : chain) {
            if (r.rows() != rows || r.cols() != cols) {
                throw new IllegalArgumentException("weight " + dtype + Arrays.toString(shape) + " (out×in) cannot take a "
                        + r.rows() + "×" + r.cols() + " residual");
            }
        }
        int block = Math.max(1, Math.min(rows, maxBlockElements / Math.max(1, cols)));
        for (int first = 0; first < rows; first += block) {
            int count = Math.min(block, rows - first);
            byte[] bytes = in.readNBytes(count * cols * dtype.bytes());
            if (bytes.length != count * cols * dtype.bytes()) {
                throw new java.io.EOFException("weight " + Arrays.toString(shape) + " ends at row " + first);
            }
            Matrix rowsOfW = Matrix.of(new Tensor(dtype, new long[] {count, cols}, bytes));
            for (Residual r : chain) {
                r.rowSlice(first, count).applyTo(rowsOfW, false);
            }
            out.write(rowsOfW.toTensor(dtype).bytes());
        }
    }

    /** The base weight keys the added residuals touched. */
    public List<String> touched() {
        return List.copyOf(merged.keySet());
    }

    /** The folded checkpoint: base metadata plus {@code extraMetadata}, tensors in base order and dtype. */
    public TensorFile result(Map<String, String> extraMetadata) {
        return result(extraMetadata, null);
    }

    /** {@link #result(Map)} with the touched weights in {@code touchedDType} ({@code null}: the base's dtype). */
    private TensorFile result(Map<String, String> extraMetadata, DType touchedDType) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : base.tensors().entrySet()) {
            Matrix m = merged.get(e.getKey());
            tensors.put(e.getKey(), m == null ? e.getValue()
                    : m.toTensor(touchedDType != null ? touchedDType : e.getValue().dtype()));
        }
        Map<String, String> metadata = new LinkedHashMap<>(base.metadata());
        metadata.putAll(extraMetadata);
        return new TensorFile(metadata, tensors);
    }
}
