package dev.fedexlora.train.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The architecture of a BERT-family encoder, as the Hugging Face {@code config.json} states it.
 *
 * @param modelType            {@code bert} or {@code roberta} (RoBERTa offsets positions by {@code padTokenId + 1})
 * @param vocabSize            rows of the word embedding
 * @param hiddenSize           width of every hidden state
 * @param numHiddenLayers      transformer layers
 * @param numAttentionHeads    heads per layer; divides {@code hiddenSize}
 * @param intermediateSize     width of the feed-forward layer
 * @param maxPositionEmbeddings rows of the position embedding
 * @param typeVocabSize        rows of the token-type embedding
 * @param layerNormEps         epsilon of every LayerNorm
 * @param padTokenId           id of the padding token
 * @param hiddenDropout        dropout on hidden states while training
 * @param attentionDropout     dropout on attention probabilities while training
 */
public record BertConfig(String modelType, int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
                         int intermediateSize, int maxPositionEmbeddings, int typeVocabSize, double layerNormEps,
                         int padTokenId, double hiddenDropout, double attentionDropout) {

    public static final String FILE = "config.json";
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public BertConfig {
        if (!"bert".equals(modelType) && !"roberta".equals(modelType)) {
            throw new IllegalArgumentException("model_type must be bert or roberta, got " + modelType);
        }
        if (hiddenSize <= 0 || numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a positive multiple of "
                    + "num_attention_heads " + numAttentionHeads);
        }
        if (vocabSize <= 0 || numHiddenLayers <= 0 || intermediateSize <= 0 || maxPositionEmbeddings <= 0
                || typeVocabSize <= 0) {
            throw new IllegalArgumentException("vocab, layers, intermediate, positions and type vocab must be positive");
        }
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** The first position id: 0 for BERT, {@code padTokenId + 1} for RoBERTa. */
    public int positionOffset() {
        return "roberta".equals(modelType) ? padTokenId + 1 : 0;
    }

    /** A tiny randomly initialisable encoder of the same architecture, for tests. */
    public static BertConfig tiny(int vocabSize) {
        return new BertConfig("bert", vocabSize, 32, 2, 4, 64, 128, 2, 1e-12, 0, 0.1, 0.1);
    }

    public static BertConfig read(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IOException(file + ": not a usable BERT/RoBERTa config.json: " + e.getMessage(), e);
        }
    }

    public static BertConfig parse(String json) {
        JsonNode n = JSON.readTree(json);
        String type = n.path("model_type").asString("bert");
        String act = n.path("hidden_act").asString("gelu");
        if (!"gelu".equals(act)) {
            throw new IllegalArgumentException("hidden_act " + act + " is not supported (only gelu)");
        }
        return new BertConfig(type, required(n, "vocab_size"), required(n, "hidden_size"),
                required(n, "num_hidden_layers"), required(n, "num_attention_heads"), required(n, "intermediate_size"),
                n.path("max_position_embeddings").asInt(512), n.path("type_vocab_size").asInt(2),
                n.path("layer_norm_eps").asDouble(1e-12), n.path("pad_token_id").asInt(0),
                n.path("hidden_dropout_prob").asDouble(0.1), n.path("attention_probs_dropout_prob").asDouble(0.1));
    }

    private static int required(JsonNode n, String field) {
        if (!n.path(field).isNumber()) {
            throw new IllegalArgumentException("field " + field + " is missing or not a number");
        }
        return n.path(field).asInt();
    }

    /** The Hugging Face {@code config.json} of this architecture. */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("roberta".equals(modelType) ? "RobertaModel" : "BertModel");
        n.put("model_type", modelType);
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hiddenSize);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("num_attention_heads", numAttentionHeads);
        n.put("intermediate_size", intermediateSize);
        n.put("hidden_act", "gelu");
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("type_vocab_size", typeVocabSize);
        n.put("layer_norm_eps", layerNormEps);
        n.put("pad_token_id", padTokenId);
        n.put("hidden_dropout_prob", hiddenDropout);
        n.put("attention_probs_dropout_prob", attentionDropout);
        n.put("position_embedding_type", "absolute");
        return JSON.writeValueAsString(n);
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, toJson());
    }
}
