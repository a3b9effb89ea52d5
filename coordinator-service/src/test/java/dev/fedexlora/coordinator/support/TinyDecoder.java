package dev.fedexlora.coordinator.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.train.decoder.DecoderConfig;
import dev.fedexlora.train.decoder.RandomDecoder;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tiny Llama-layout checkpoint (2 layers, hidden 32, GQA 4/2 heads, SwiGLU 48) with a word-level Hugging Face
 * {@code tokenizer.json} over a small vocabulary (Llama's {@code <unk>}, {@code <s>}, {@code </s>} as ids 0-2, BOS
 * added by its post-processor), and prompt/response lines in that vocabulary: "what is a WORD" → its category.
 */
public final class TinyDecoder {

    public static final Map<String, List<String>> CATEGORIES = Map.of(
            "animal", List.of("dog", "cat", "horse", "sheep", "goat", "mouse", "eagle", "trout"),
            "tool", List.of("hammer", "saw", "drill", "wrench", "chisel", "file", "spanner", "plane"),
            "food", List.of("bread", "cheese", "apple", "rice", "soup", "cake", "bean", "pear"));
    private static final List<String> FRAME = List.of("what", "is", "a", "tell", "me", "the", "kind", "of");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TinyDecoder() {
    }

    /** Writes config.json, model.safetensors and tokenizer.json into {@code dir}. */
    public static Path write(Path dir) throws IOException {
        return write(dir, 1);
    }

    /**
     * Writes config.json, tokenizer.json and the weights into {@code dir}: one model.safetensors, or with
     * {@code shards} above 1 that many {@code model-0000i-of-0000n.safetensors} and model.safetensors.index.json.
     */
    public static Path write(Path dir, int shards) throws IOException {
        Files.createDirectories(dir);
        Path tokenizer = dir.resolveSibling(dir.getFileName() + "-tokenizer.json");
        int vocab = writeTokenizer(tokenizer);
        DecoderConfig config = new DecoderConfig("llama", vocab, 32, 48, 2, 4, 2, 8, 1e-5, 10000, null, 128, false,
                false, 0, 1, List.of(2), -1);
        RandomDecoder.write(dir, config, DType.F32, shards, 0.05, 7, tokenizer);
        return dir;
    }

    private static int writeTokenizer(Path file) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String t : List.of("<unk>", "<s>", "</s>")) {
            vocab.put(t, vocab.size());
        }
        List<String> words = new ArrayList<>(FRAME);
        CATEGORIES.keySet().stream().sorted().forEach(words::add);
        CATEGORIES.keySet().stream().sorted().forEach(c -> words.addAll(CATEGORIES.get(c)));
        words.forEach(w -> vocab.putIfAbsent(w, vocab.size()));
        List<Map<String, Object>> added = new ArrayList<>();
        for (String t : List.of("<unk>", "<s>", "</s>")) {
            added.add(Map.of("id", vocab.get(t), "content", t, "single_word", false, "lstrip", false, "rstrip", false,
                    "normalized", false, "special", true));
        }
        Map<String, Object> bos = Map.of("SpecialToken", Map.of("id", "<s>", "type_id", 0));
        Map<String, Object> tokenizer = new LinkedHashMap<>();
        tokenizer.put("version", "1.0");
        tokenizer.put("truncation", null);
        tokenizer.put("padding", null);
        tokenizer.put("added_tokens", added);
        tokenizer.put("normalizer", null);
        tokenizer.put("pre_tokenizer", Map.of("type", "Whitespace"));
        tokenizer.put("post_processor", Map.of("type", "TemplateProcessing",
                "single", List.of(bos, Map.of("Sequence", Map.of("id", "A", "type_id", 0))),
                "pair", List.of(bos, Map.of("Sequence", Map.of("id", "A", "type_id", 0)),
                        Map.of("Sequence", Map.of("id", "B", "type_id", 1))),
                "special_tokens", Map.of("<s>", Map.of("id", "<s>", "ids", List.of(1), "tokens", List.of("<s>")))));
        tokenizer.put("decoder", null);
        tokenizer.put("model", Map.of("type", "WordLevel", "vocab", vocab, "unk_token", "<unk>"));
        Files.writeString(file, JSON.writeValueAsString(tokenizer));
        return vocab.size();
    }

    /**
     * {@code count} prompt/response lines, mostly of {@code category} (non-IID across clients): {@code {"prompt":
     * "what is a dog", "response": "animal"}}.
     */
    public static void writeClient(Path file, String category, int count, long seed) throws IOException {
        java.util.Random rnd = new java.util.Random(seed);
        List<String> cats = CATEGORIES.keySet().stream().sorted().toList();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String c = rnd.nextDouble() < 0.8 ? category : cats.get(rnd.nextInt(cats.size()));
            List<String> members = CATEGORIES.get(c);
            String word = members.get(rnd.nextInt(members.size()));
            out.append(JSON.writeValueAsString(Map.of("prompt", "what is a " + word, "response", c))).append('\n');
        }
        Files.writeString(file, out.toString());
    }
}
