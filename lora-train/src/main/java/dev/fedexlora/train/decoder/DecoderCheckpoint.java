package dev.fedexlora.train.decoder;

import dev.fedexlora.core.aggregate.BaseWeights;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Hugging Face decoder checkpoint directory: {@code config.json}; {@code model.safetensors}, or shards named by
 * {@code model.safetensors.index.json}; optionally {@code tokenizer.json}. Every parameter the model reads must be
 * present with the shape {@code config.json} implies; tensors stay in the file's dtype (F32, F16 or BF16) until the
 * model converts them. Anything else is refused with the file and the problem.
 *
 * @param tokenizer {@code tokenizer.json}, or null when the directory has none (token ids only)
 */
public record DecoderCheckpoint(Path dir, DecoderConfig config, Map<String, Tensor> weights, Path tokenizer) {

    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    static final long MAX_INDEX_BYTES = 64L << 20;
    static final long MAX_TOKENIZER_BYTES = 64L << 20;
    private static final Pattern SHARD_NAME = Pattern.compile("[A-Za-z0-9_.-]+\\.safetensors");
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public DecoderCheckpoint {
        weights = Map.copyOf(weights);
    }

    public static DecoderCheckpoint load(Path dir) throws IOException {
        Path configFile = dir.resolve(DecoderConfig.FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new IOException(dir + ": not a Hugging Face checkpoint, config.json is missing");
        }
        DecoderConfig config = DecoderConfig.read(configFile);
        Map<String, Tensor> raw = readWeights(dir);
        Map<String, Tensor> weights = new TreeMap<>();
        Map<String, long[]> expected = expectedShapes(config);
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Tensor t = raw.get(e.getKey());
            if (t == null) {
                throw new IOException(dir + ": parameter " + e.getKey() + " is missing from the checkpoint");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new IOException(dir + ": " + e.getKey() + " is " + Arrays.toString(t.shape()) + " but config.json "
                        + "implies " + Arrays.toString(e.getValue()));
            }
            if (!t.dtype().isFloatingPoint() || t.dtype() == dev.fedexlora.core.tensor.DType.F64) {
                throw new IOException(dir + ": " + e.getKey() + " is " + t.dtype() + "; F32, F16 or BF16 are read");
            }
            weights.put(e.getKey(), t);
        }
        Path tokenizer = dir.resolve(TOKENIZER_FILE);
        if (Files.isRegularFile(tokenizer)) {
            checkTokenizer(tokenizer, config.vocabSize());
        } else {
            tokenizer = null;
        }
        return new DecoderCheckpoint(dir, config, weights, tokenizer);
    }

    /**
     * Writes this checkpoint to {@code to} in the Hugging Face layout ({@code config.json}, one
     * {@code model.safetensors} in the weights' own types, the tokenizer when there is one) and reads it back.
     */
    public DecoderCheckpoint save(Path to) throws IOException {
        Files.createDirectories(to);
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (String name : expectedShapes(config).keySet()) {
            ordered.put(name, weights.get(name));
        }
        String torchDtype = switch (weights.get("model.embed_tokens.weight").dtype()) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        };
        config.write(to.resolve(DecoderConfig.FILE), torchDtype);
        SafeTensors.write(to.resolve(WEIGHTS_FILE), new TensorFile(Map.of("format", "pt"), ordered));
        if (tokenizer != null) {
            Files.copy(tokenizer, to.resolve(TOKENIZER_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
        return load(to);
    }

    /** The tensors of the single file or of every shard the index names, checked against the index. */
    private static Map<String, Tensor> readWeights(Path dir) throws IOException {
        Path index = dir.resolve(INDEX_FILE);
        Path single = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(index)) {
            if (!Files.isRegularFile(single)) {
                String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                        ? " (pytorch_model.bin is pickle, which is not read: save with safe_serialization=True)" : "";
                throw new IOException(dir + ": neither " + WEIGHTS_FILE + " nor " + INDEX_FILE + " is there" + hint);
            }
            return SafeTensors.read(single).tensors();
        }
        if (Files.size(index) > MAX_INDEX_BYTES) {
            throw new IOException(index + ": larger than " + (MAX_INDEX_BYTES >> 20) + " MiB");
        }
        JsonNode map;
        try {
            map = JSON.readTree(Files.readString(index)).path("weight_map");
        } catch (JacksonException e) {
            throw new IOException(index + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (!map.isObject() || map.isEmpty()) {
            throw new IOException(index + ": weight_map is missing or empty");
        }
        Map<String, String> keyToShard = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            String shard = e.getValue().asString("");
            if (!SHARD_NAME.matcher(shard).matches()) {
                throw new IOException(index + ": weight_map['" + e.getKey() + "'] names '" + shard
                        + "', not a safetensors file name in this directory");
            }
            keyToShard.put(e.getKey(), shard);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String shard : new TreeSet<>(keyToShard.values())) {
            Path file = dir.resolve(shard);
            if (!Files.isRegularFile(file)) {
                throw new IOException(index + ": shard " + shard + " is missing");
            }
            Map<String, Tensor> tensors = SafeTensors.read(file).tensors();
            for (Map.Entry<String, String> e : keyToShard.entrySet()) {
                if (e.getValue().equals(shard)) {
                    Tensor t = tensors.get(e.getKey());
                    if (t == null) {
                        throw new IOException(file + ": holds no tensor " + e.getKey() + ", which " + INDEX_FILE
                                + " places there");
                    }
                    out.put(e.getKey(), t);
                }
            }
            for (String k : tensors.keySet()) {
                if (!shard.equals(keyToShard.get(k))) {
                    throw new IOException(index + ": has no entry for " + k + ", which shard " + shard + " holds");
                }
            }
        }
        return out;
    }

    /** Refuses a tokenizer whose largest token id does not fit {@code vocabSize} embedding rows. */
    static void checkTokenizer(Path file, int vocabSize) throws IOException {
        long size = vocabularySize(file);
        if (size > vocabSize) {
            throw new IOException(file + ": token id " + (size - 1) + " does not fit vocab_size " + vocabSize
                    + " of config.json");
        }
    }

    /**
     * The id of the first of {@code contents} that the tokenizer has as an added (special) token, or -1: how
     * {@code ./fedex lm init} finds BOS and EOS of a real tokenizer ({@code <s>}, {@code <|begin_of_text|>}, …).
     */
    public static int specialTokenId(Path file, String... contents) throws IOException {
        JsonNode n = readTokenizer(file);
        for (String c : contents) {
            for (JsonNode t : n.path("added_tokens")) {
                if (c.equals(t.path("content").asString(""))) {
                    return t.path("id").asInt();
                }
            }
        }
        return -1;
    }

    private static JsonNode readTokenizer(Path file) throws IOException {
        if (Files.size(file) > MAX_TOKENIZER_BYTES) {
            throw new IOException(file + ": larger than " + (MAX_TOKENIZER_BYTES >> 20) + " MiB");
        }
        try {
            return JSON.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** One more than the largest token id of a {@code tokenizer.json} (its vocabulary and added tokens). */
    public static int vocabularySize(Path file) throws IOException {
        JsonNode n = readTokenizer(file);
        long maxId = -1;
        JsonNode vocab = n.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                maxId = Math.max(maxId, e.getValue().asLong());
            }
        } else if (vocab.isArray()) {
            maxId = vocab.size() - 1;
        } else {
            throw new IOException(file + ": model.vocab is missing, not a Hugging Face tokenizer");
        }
        for (JsonNode t : n.path("added_tokens")) {
            maxId = Math.max(maxId, t.path("id").asLong());
        }
        return (int) (maxId + 1);
    }

    /** Every parameter the model reads, with its shape (out×in for linear weights), in file order. */
    public static Map<String, long[]> expectedShapes(DecoderConfig c) {
        Map<String, long[]> out = new LinkedHashMap<>();
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        out.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            out.put(p + "input_layernorm.weight", new long[] {h});
            Map<String, long[]> linear = new LinkedHashMap<>();
            linear.put("self_attn.q_proj", new long[] {q, h});
            linear.put("self_attn.k_proj", new long[] {kv, h});
            linear.put("self_attn.v_proj", new long[] {kv, h});
            linear.put("self_attn.o_proj", new long[] {h, q});
            linear.put("mlp.gate_proj", new long[] {inter, h});
            linear.put("mlp.up_proj", new long[] {inter, h});
            linear.put("mlp.down_proj", new long[] {h, inter});
            for (Map.Entry<String, long[]> e : linear.entrySet()) {
                out.put(p + e.getKey() + ".weight", e.getValue());
                String proj = e.getKey().substring(e.getKey().indexOf('.') + 1);
                if (c.hasBias(proj)) {
                    out.put(p + e.getKey() + ".bias", new long[] {e.getValue()[0]});
                }
            }
            out.put(p + "post_attention_layernorm.weight", new long[] {h});
        }
        out.put("model.norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) {
            out.put("lm_head.weight", new long[] {c.vocabSize(), h});
        }
        return out;
    }

    /** The seven linear modules of layer {@code l}, by their Hugging Face names. */
    public static List<String> linearModules(int l) {
        String p = "model.layers." + l + ".";
        List<String> out = new ArrayList<>();
        for (String m : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")) {
            out.add(p + m);
        }
        return out;
    }

    /**
     * The checkpoint with each version's residuals folded into its layers' weights, oldest first (the same
     * lora-core helper as the encoder's: one product per layer, updated weights in F32).
     */
    public DecoderCheckpoint withResiduals(List<Path> residualFiles) throws IOException {
        DecoderCheckpoint out = this;
        for (Path file : residualFiles) {
            out = out.withResidual(Residuals.read(file), file.toString());
        }
        return out;
    }

    public DecoderCheckpoint withResidual(Map<String, Residual> residuals, String source) throws IOException {
        try {
            Map<String, Tensor> w = BaseWeights.applyInFp32(new TensorFile(weights), residuals, false).tensors();
            return new DecoderCheckpoint(dir, config, w, tokenizer);
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            throw new IOException(source + ": does not fit the base checkpoint: " + e.getMessage(), e);
        }
    }
}
