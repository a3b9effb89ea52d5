package dev.fedexlora.train.decoder;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.fedexlora.train.data.InvalidDatasetException;
import dev.fedexlora.train.data.Jsonl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Causal-LM data: UTF-8 JSON Lines with either {@code {"prompt": …, "response": …}} (the loss counts the response
 * tokens only, and an end-of-sequence token is appended) or {@code {"text": …}} (every token counts); blank lines
 * are skipped. {@link Tokens} turns examples into token ids and labels (-100 where the loss does not count, as
 * transformers' {@code ignore_index}), truncated to a maximum length.
 */
public final class LmData {

    /** Labels of tokens the loss ignores. */
    public static final long IGNORE = -100;

    private LmData() {
    }

    /** One line: {@code text} is null for a prompt/response pair, and both of those are null for plain text. */
    public record Example(String prompt, String response, String text) {

        public boolean isPair() {
            return text == null;
        }
    }

    /** One tokenised sequence: ids and labels of the same length (labels unshifted, as transformers takes them). */
    public record Sequence(long[] ids, long[] labels) {
    }

    /** @throws InvalidDatasetException naming the file, the line and the offending field */
    public static List<Example> read(Path file) throws IOException {
        return Jsonl.read(file, LmData::parse);
    }

    private static Example parse(JsonNode n, Path file, int number) throws InvalidDatasetException {
        if (n.has("text")) {
            if (n.has("prompt") || n.has("response")) {
                throw new InvalidDatasetException(file, number, "text", "give either text or prompt and response");
            }
            return new Example(null, null, string(n, "text", file, number, true));
        }
        if (!n.has("prompt")) {
            throw new InvalidDatasetException(file, number, "prompt", "missing: give text, or prompt and response");
        }
        return new Example(string(n, "prompt", file, number, false), string(n, "response", file, number, true), null);
    }

    private static String string(JsonNode n, String field, Path file, int line, boolean nonBlank)
            throws InvalidDatasetException {
        JsonNode v = n.get(field);
        if (v == null || !v.isString() || (nonBlank && v.asString().isBlank())) {
            throw new InvalidDatasetException(file, line, field, nonBlank ? "must be a non-blank string" : "must be a string");
        }
        return v.asString();
    }

    /** The checkpoint's {@code tokenizer.json}, with the special tokens its post-processor adds (Llama's BOS). */
    public static final class Tokens implements AutoCloseable {

        private final HuggingFaceTokenizer tokenizer;
        private final int maxLength;
        private final long eos;

        /** @param eos the end-of-sequence id appended to responses, or -1 when the model has none */
        public Tokens(Path tokenizerJson, int maxLength, long eos) throws IOException {
            if (maxLength < 2) {
                throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
            }
            this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("padding", "false",
                    "truncation", "false", "addSpecialTokens", "true"));
            this.maxLength = maxLength;
            this.eos = eos;
        }

        public static Tokens of(DecoderCheckpoint checkpoint, int maxLength) throws IOException {
            if (checkpoint.tokenizer() == null) {
                throw new IOException(checkpoint.dir() + ": tokenizer.json is missing; text needs the checkpoint's "
                        + "tokenizer");
            }
            List<Integer> eos = checkpoint.config().eosTokenIds();
            return new Tokens(checkpoint.tokenizer(), maxLength, eos.isEmpty() ? -1 : eos.get(0));
        }

        /** The ids of a prompt as the model is given it (special tokens added). */
        public long[] prompt(String text) {
            return tokenizer.encode(text, true, false).getIds();
        }

        /** The ids of a continuation (no special tokens added). */
        public long[] continuation(String text) {
            return tokenizer.encode(text, false, false).getIds();
        }

        public String decode(long[] ids) {
            return tokenizer.decode(ids, true);
        }

        public long eos() {
            return eos;
        }

        public int maxLength() {
            return maxLength;
        }

        public Sequence sequence(Example e) {
            if (!e.isPair()) {
                long[] ids = prompt(e.text());
                ids = Arrays.copyOf(ids, Math.min(ids.length, maxLength));
                return new Sequence(ids, ids.clone());
            }
            if (eos < 0) {
                throw new IllegalArgumentException("config.json has no eos_token_id, which prompt/response data needs");
            }
            long[] p = prompt(e.prompt());
            long[] r = continuation(e.response());
            long[] ids = new long[p.length + r.length + 1];
            System.arraycopy(p, 0, ids, 0, p.length);
            System.arraycopy(r, 0, ids, p.length, r.length);
            ids[ids.length - 1] = eos;
            long[] labels = ids.clone();
            Arrays.fill(labels, 0, p.length, IGNORE);
            int n = Math.min(ids.length, maxLength);
            return new Sequence(Arrays.copyOf(ids, n), Arrays.copyOf(labels, n));
        }

        public List<Sequence> sequences(List<Example> examples) {
            return examples.stream().map(this::sequence).toList();
        }

        @Override
        public void close() {
            tokenizer.close();
        }
    }
}
