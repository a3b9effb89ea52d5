package dev.fedexlora.train.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values (batch×kvHeads×length×headDim per layer) of the tokens a decoder has seen, with their padding
 * mask, so that each generated token costs one position instead of the whole sequence. The cached tensors are
 * kept out of any {@link NDScope} and freed when replaced or when the cache is closed.
 */
public final class KvCache implements AutoCloseable {

    private final NDArray[] keys;
    private final NDArray[] values;
    private NDArray mask;
    private int length;

    private final ai.djl.ndarray.NDManager manager;

    KvCache(int layers, ai.djl.ndarray.NDManager manager) {
        this.manager = manager;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Tokens cached so far. */
    public int length() {
        return length;
    }

    /** The layer's keys and values with {@code k} and {@code v} appended along the sequence axis. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray nk = keys[layer] == null ? k.duplicate() : keys[layer].concat(k, 2);
        NDArray nv = values[layer] == null ? v.duplicate() : values[layer].concat(v, 2);
        NDScope.unregister(nk, nv);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = nk;
        values[layer] = nv;
        return new NDArray[] {nk, nv};
    }

    /** The key mask over cached and new tokens (batch×keys), or null when no padding was ever given. */
    NDArray appendMask(NDArray newMask, int n, int t) {
        if (newMask == null && mask == null) {
            return null;
        }
        NDArray m = newMask == null ? newOnes(n, t) : newMask.toType(ai.djl.ndarray.types.DataType.INT64, false);
        NDArray all = mask == null ? (length == 0 ? m.duplicate() : newOnes(n, length).concat(m, 1)) : mask.concat(m, 1);
        NDScope.unregister(all);
        if (mask != null) {
            mask.close();
        }
        mask = all;
        return all;
    }

    private NDArray newOnes(int n, int t) {
        return manager.ones(new ai.djl.ndarray.types.Shape(n, t), ai.djl.ndarray.types.DataType.INT64);
    }

    void advance(int t) {
        length += t;
    }

    @Override
    public void close() {
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                keys[l].close();
                values[l].close();
                keys[l] = null;
                values[l] = null;
            }
        }
        if (mask != null) {
            mask.close();
        }
    }
}
