package dev.fedexlora.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Token ids of {@code size} sequences padded to {@code length}, row-major (size×length), with their attention
 * mask (1 for a token, 0 for padding), token types and labels ({@code -1} when unlabelled).
 */
public record Batch(int size, int length, long[] ids, long[] mask, long[] types, int[] labels) {

    public Batch {
        if (ids.length != size * length || mask.length != ids.length || types.length != ids.length
                || labels.length != size) {
            throw new IllegalArgumentException("batch arrays do not match " + size + "x" + length);
        }
    }

    /** Tokens that are not padding. */
    public long tokens() {
        long n = 0;
        for (long m : mask) {
            n += m;
        }
        return n;
    }

    NDArray ids(NDManager m) {
        return m.create(ids, new Shape(size, length));
    }

    NDArray mask(NDManager m) {
        return m.create(mask, new Shape(size, length));
    }

    NDArray types(NDManager m) {
        return m.create(types, new Shape(size, length));
    }

    public NDArray labels(NDManager m) {
        return m.create(labels, new Shape(size));
    }
}
