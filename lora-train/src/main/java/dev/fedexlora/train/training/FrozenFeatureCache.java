package dev.fedexlora.train.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.fedexlora.train.model.Batch;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.TextEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hidden states of examples after a model's frozen lower layers ({@link BertClassifier#frozenHidden}), kept
 * across tasks and rounds. With LoRA only in the upper layers, the embeddings and the layers below the first adapted
 * one never change during a job (FedEx-LoRA folds residuals into adapted modules only), so a client computes their
 * output once per example and trains only the adapted layers from then on.
 *
 * <p>Entries are keyed by the model's {@link BertClassifier#frozenFingerprint() frozen fingerprint} and the
 * example's token ids, so different base models, target layers or texts never share an entry; the least recently
 * used entries go first once {@code maxBytes} is reached. The frozen layers run without dropout. Thread-safe.
 */
public final class FrozenFeatureCache {

    private static final int COMPUTE_BATCH = 64;

    private final long maxBytes;
    private final Map<Key, float[]> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    public FrozenFeatureCache(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** Whether the model has frozen layers worth caching (its first adapter is above layer 0). */
    public static boolean applies(BertClassifier model) {
        return model.firstAdaptedLayer() > 0;
    }

    /**
     * The frozen hidden states (length×hidden, row-major) of each sequence, in order, computing the missing ones with
     * {@code model} in batches.
     */
    public List<float[]> features(BertClassifier model, TextEncoder encoder, List<long[]> sequences) {
        String prefix = HexFormat.of().formatHex(model.frozenFingerprint());
        float[][] out = new float[sequences.size()][];
        List<Integer> missing = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < out.length; i++) {
                out[i] = entries.get(new Key(prefix, sequences.get(i)));
                if (out[i] == null) {
                    missing.add(i);
                }
            }
            hits += out.length - missing.size();
            misses += missing.size();
        }
        int h = model.config().hiddenSize();
        for (int from = 0; from < missing.size(); from += COMPUTE_BATCH) {
            List<Integer> rows = missing.subList(from, Math.min(from + COMPUTE_BATCH, missing.size()));
            List<long[]> seqs = rows.stream().map(sequences::get).toList();
            int[] labels = new int[seqs.size()];
            Batch batch = encoder.batch(seqs, labels);
            float[] hidden;
            try (NDScope scope = new NDScope()) {
                hidden = model.frozenHidden(batch).toFloatArray();
            }
            for (int j = 0; j < rows.size(); j++) {
                int len = seqs.get(j).length;
                float[] one = Arrays.copyOfRange(hidden, j * batch.length() * h, (j * batch.length() + len) * h);
                out[rows.get(j)] = one;
            }
        }
        synchronized (this) {
            for (int i : missing) {
                put(new Key(prefix, sequences.get(i)), out[i]);
            }
        }
        return Arrays.asList(out);
    }

    /**
     * A batch of cached hidden states padded with zeros to the longest: the hidden states (n×length×hidden) and the
     * float attention mask (n×length), in {@code manager}.
     */
    static NDArray[] batch(NDManager manager, List<float[]> features, int[] rows, int hidden) {
        int length = 1;
        for (int r : rows) {
            length = Math.max(length, features.get(r).length / hidden);
        }
        float[] x = new float[rows.length * length * hidden];
        float[] mask = new float[rows.length * length];
        for (int i = 0; i < rows.length; i++) {
            float[] f = features.get(rows[i]);
            System.arraycopy(f, 0, x, i * length * hidden, f.length);
            Arrays.fill(mask, i * length, i * length + f.length / hidden, 1f);
        }
        return new NDArray[] {manager.create(x, new Shape(rows.length, length, hidden)),
                manager.create(mask, new Shape(rows.length, length))};
    }

    private void put(Key key, float[] value) {
        if (entries.put(key, value) == null) {
            bytes += 4L * value.length;
        }
        var it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            bytes -= 4L * it.next().getValue().length;
            it.remove();
        }
    }

    /** Lookups answered from the cache. */
    public synchronized long hits() {
        return hits;
    }

    /** Lookups that had to run the frozen layers. */
    public synchronized long misses() {
        return misses;
    }

    /** Entries held, bytes held, lookups answered from the cache and lookups computed. */
    public synchronized String stats() {
        return entries.size() + " entries, " + bytes / (1 << 20) + " MiB, " + hits + " hits, " + misses + " misses";
    }

    private record Key(String prefix, long[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && prefix.equals(k.prefix) && Arrays.equals(ids, k.ids);
        }

        @Override
        public int hashCode() {
            return 31 * prefix.hashCode() + Arrays.hashCode(ids);
        }
    }
}
