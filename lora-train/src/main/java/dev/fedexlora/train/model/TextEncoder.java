package dev.fedexlora.train.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Tokenises text with the checkpoint's own {@code tokenizer.json} (Hugging Face tokenizers through DJL, offline),
 * truncating to {@code maxLength} tokens including the special ones, and pads each batch only to its longest
 * sequence.
 */
public final class TextEncoder implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final long padId;

    public TextEncoder(Path tokenizerJson, int maxLength, long padId) throws IOException {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
        }
        this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("padding", "false",
                "truncation", "true", "maxLength", Integer.toString(maxLength), "addSpecialTokens", "true"));
        this.maxLength = maxLength;
        this.padId = padId;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Token ids of one text, special tokens included, at most {@code maxLength}. */
    public long[] ids(String text) {
        return tokenizer.encode(text).getIds();
    }

    /** One batch of pre-tokenised sequences ({@code labels[i]} may be -1). */
    public Batch batch(List<long[]> sequences, int[] labels) {
        int size = sequences.size();
        int length = 1;
        for (long[] s : sequences) {
            length = Math.max(length, s.length);
        }
        long[] ids = new long[size * length];
        long[] mask = new long[size * length];
        long[] types = new long[size * length];
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < size; i++) {
            long[] s = sequences.get(i);
            System.arraycopy(s, 0, ids, i * length, s.length);
            java.util.Arrays.fill(mask, i * length, i * length + s.length, 1L);
        }
        return new Batch(size, length, ids, mask, types, labels);
    }

    /** Tokenises and batches {@code texts} in one go. */
    public Batch batch(List<String> texts) {
        Encoding[] enc = tokenizer.batchEncode(texts);
        List<long[]> seqs = java.util.Arrays.stream(enc).map(Encoding::getIds).toList();
        int[] labels = new int[texts.size()];
        java.util.Arrays.fill(labels, -1);
        return batch(seqs, labels);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
