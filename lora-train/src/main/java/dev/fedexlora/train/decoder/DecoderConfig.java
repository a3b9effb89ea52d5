package dev.fedexlora.train.decoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The architecture of a decoder-only causal LM of Hugging Face {@code model_type} {@code llama}, {@code mistral} or
 * {@code qwen2}, as its {@code config.json} states it. {@link #read} refuses, naming the field and its value, every
 * configuration the model does not implement (another model type or activation, a {@code rope_scaling} other than
 * {@code llama3}, mixture-of-experts fields, MLP biases), before any weight is read.
 *
 * @param modelType             {@code llama}, {@code mistral} or {@code qwen2}
 * @param vocabSize             rows of {@code embed_tokens} and {@code lm_head}
 * @param hiddenSize            width of the residual stream
 * @param intermediateSize      width of the SwiGLU MLP
 * @param numHiddenLayers       decoder layers
 * @param numAttentionHeads     query heads
 * @param numKeyValueHeads      key/value heads (grouped-query attention); divides {@code numAttentionHeads}
 * @param headDim               width of one head ({@code head_dim}, default hidden/heads)
 * @param rmsNormEps            epsilon of every RMSNorm
 * @param ropeTheta             base of the rotary frequencies
 * @param ropeScaling           {@code rope_scaling} of type {@code llama3}, or null
 * @param maxPositionEmbeddings longest sequence the checkpoint was made for
 * @param tieWordEmbeddings     {@code lm_head} shares {@code embed_tokens}' weight
 * @param attentionBias         q/k/v (and for llama/mistral o) projections have biases; always q/k/v for qwen2
 * @param slidingWindow         attention window in force, or 0 when none: longer sequences are refused
 * @param bosTokenId            beginning-of-sequence id, or -1
 * @param eosTokenIds           end-of-sequence ids (may be empty)
 * @param padTokenId            padding id, or -1
 */
public record DecoderConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize,
                            int numHiddenLayers, int numAttentionHeads, int numKeyValueHeads, int headDim,
                            double rmsNormEps, double ropeTheta, RopeScaling ropeScaling, int maxPositionEmbeddings,
                            boolean tieWordEmbeddings, boolean attentionBias, int slidingWindow, int bosTokenId,
                            List<Integer> eosTokenIds, int padTokenId) {

    public static final String FILE = "config.json";
    public static final Set<String> FAMILIES = Set.of("llama", "mistral", "qwen2");
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** Llama 3.1's frequency-dependent rotary scaling ({@code rope_scaling.rope_type = "llama3"}). */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {
    }

    public DecoderConfig {
        if (!FAMILIES.contains(modelType)) {
            throw new IllegalArgumentException("model_type " + modelType + " is not implemented (llama, mistral, qwen2)");
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_key_value_heads " + numKeyValueHeads
                    + " does not divide num_attention_heads " + numAttentionHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " is odd: rotary embeddings need it even");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("rms_norm_eps and rope_theta must be positive, got " + rmsNormEps
                    + " and " + ropeTheta);
        }
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + v);
        }
    }

    /** Query heads per key/value head. */
    public int groups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Whether {@code module} ({@code q_proj}…) has a bias in this family. */
    public boolean hasBias(String projection) {
        if ("qwen2".equals(modelType)) {
            return !"o_proj".equals(projection) && List.of("q_proj", "k_proj", "v_proj").contains(projection);
        }
        return attentionBias && List.of("q_proj", "k_proj", "v_proj", "o_proj").contains(projection);
    }

    /** Reads and checks {@code config.json}. @throws IOException naming the file, the field and its value */
    public static DecoderConfig read(Path file) throws IOException {
        if (Files.size(file) > 1 << 20) {
            throw new IOException(file + ": larger than 1 MiB, not a model configuration");
        }
        JsonNode n;
        try {
            n = JSON.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IOException(file + ": not a JSON object");
        }
        try {
            return parse(n);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    static DecoderConfig parse(JsonNode n) {
        String type = n.path("model_type").asString("");
        if (!FAMILIES.contains(type)) {
            throw new IllegalArgumentException("model_type '" + type + "' is not implemented (llama, mistral, qwen2)");
        }
        String act = n.path("hidden_act").asString("silu");
        if (!"silu".equals(act)) {
            throw new IllegalArgumentException("hidden_act '" + act + "' is not implemented (silu)");
        }
        for (String moe : List.of("num_experts", "num_local_experts", "num_experts_per_tok", "moe_intermediate_size")) {
            if (n.has(moe) && !n.get(moe).isNull() && n.get(moe).asInt(0) > 0) {
                throw new IllegalArgumentException(moe + " " + n.get(moe) + ": mixture-of-experts is not implemented");
            }
        }
        if (n.path("mlp_bias").asBoolean(false)) {
            throw new IllegalArgumentException("mlp_bias true is not implemented");
        }
        if (n.has("pretraining_tp") && n.get("pretraining_tp").asInt(1) != 1) {
            throw new IllegalArgumentException("pretraining_tp " + n.get("pretraining_tp") + " is not implemented (1)");
        }
        RopeScaling scaling = null;
        JsonNode rs = n.get("rope_scaling");
        if (rs != null && !rs.isNull()) {
            String kind = rs.path("rope_type").asString(rs.path("type").asString(""));
            if (!"llama3".equals(kind) && !"default".equals(kind)) {
                throw new IllegalArgumentException("rope_scaling type '" + kind + "' is not implemented (llama3)");
            }
            if ("llama3".equals(kind)) {
                scaling = new RopeScaling(required(rs, "rope_scaling.factor", "factor").asDouble(),
                        required(rs, "rope_scaling.low_freq_factor", "low_freq_factor").asDouble(),
                        required(rs, "rope_scaling.high_freq_factor", "high_freq_factor").asDouble(),
                        required(rs, "rope_scaling.original_max_position_embeddings",
                                "original_max_position_embeddings").asInt());
            }
        }
        int hidden = integer(n, "hidden_size");
        int heads = integer(n, "num_attention_heads");
        int kvHeads = n.has("num_key_value_heads") && !n.get("num_key_value_heads").isNull()
                ? integer(n, "num_key_value_heads") : heads;
        int headDim = n.has("head_dim") && !n.get("head_dim").isNull() ? integer(n, "head_dim") : hidden / heads;
        if (!n.has("head_dim") && hidden % heads != 0) {
            throw new IllegalArgumentException("hidden_size " + hidden + " is not a multiple of num_attention_heads "
                    + heads);
        }
        int window = 0;
        JsonNode sw = n.get("sliding_window");
        boolean windowInForce = "mistral".equals(type) || n.path("use_sliding_window").asBoolean(false);
        if (sw != null && !sw.isNull() && windowInForce) {
            window = sw.asInt();
        }
        List<Integer> eos = new java.util.ArrayList<>();
        JsonNode e = n.get("eos_token_id");
        if (e != null && e.isArray()) {
            e.forEach(x -> eos.add(x.asInt()));
        } else if (e != null && e.isIntegralNumber()) {
            eos.add(e.asInt());
        }
        return new DecoderConfig(type, integer(n, "vocab_size"), hidden, integer(n, "intermediate_size"),
                integer(n, "num_hidden_layers"), heads, kvHeads, headDim, n.path("rms_norm_eps").asDouble(1e-6),
                n.path("rope_theta").asDouble(10000.0), scaling,
                n.path("max_position_embeddings").asInt(2048), n.path("tie_word_embeddings").asBoolean(false),
                n.path("attention_bias").asBoolean(false), window, n.path("bos_token_id").asInt(-1), eos,
                n.path("pad_token_id").asInt(-1));
    }

    private static JsonNode required(JsonNode n, String field, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(field + " is missing or not a number");
        }
        return v;
    }

    private static int integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(field + " is missing or not an integer" + (v == null ? "" : ": " + v));
        }
        return v.asInt();
    }

    /** Writes this configuration as Hugging Face's {@code config.json} of the family, with {@code torchDtype}. */
    public void write(Path file, String torchDtype) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        String arch = Map.of("llama", "LlamaForCausalLM", "mistral", "MistralForCausalLM", "qwen2",
                "Qwen2ForCausalLM").get(modelType);
        n.putArray("architectures").add(arch);
        n.put("model_type", modelType);
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hiddenSize);
        n.put("intermediate_size", intermediateSize);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("num_attention_heads", numAttentionHeads);
        n.put("num_key_value_heads", numKeyValueHeads);
        n.put("head_dim", headDim);
        n.put("hidden_act", "silu");
        n.put("rms_norm_eps", rmsNormEps);
        n.put("rope_theta", ropeTheta);
        if (ropeScaling == null) {
            n.putNull("rope_scaling");
        } else {
            ObjectNode r = n.putObject("rope_scaling");
            r.put("rope_type", "llama3");
            r.put("factor", ropeScaling.factor());
            r.put("low_freq_factor", ropeScaling.lowFreqFactor());
            r.put("high_freq_factor", ropeScaling.highFreqFactor());
            r.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
        }
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("tie_word_embeddings", tieWordEmbeddings);
        if (!"qwen2".equals(modelType)) {
            n.put("attention_bias", attentionBias);
        }
        if ("mistral".equals(modelType)) {
            if (slidingWindow > 0) {
                n.put("sliding_window", slidingWindow);
            } else {
                n.putNull("sliding_window");
            }
        }
        if ("qwen2".equals(modelType)) {
            n.put("use_sliding_window", slidingWindow > 0);
            n.put("sliding_window", slidingWindow > 0 ? slidingWindow : maxPositionEmbeddings);
        }
        if (bosTokenId >= 0) {
            n.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            n.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            var a = n.putArray("eos_token_id");
            eosTokenIds.forEach(a::add);
        }
        if (padTokenId >= 0) {
            n.put("pad_token_id", padTokenId);
        }
        n.put("torch_dtype", torchDtype);
        n.put("transformers_version", "4.57.0");
        Files.writeString(file, JSON.writeValueAsString(n));
    }
}
