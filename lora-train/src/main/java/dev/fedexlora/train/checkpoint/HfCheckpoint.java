package dev.fedexlora.train.checkpoint;

import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Hugging Face BERT or RoBERTa checkpoint directory ({@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}) with its parameter names normalised to the bare encoder's: a {@code bert.} or
 * {@code roberta.} prefix is dropped, old {@code LayerNorm.gamma/beta} become {@code weight/bias}, and heads of
 * pretraining checkpoints ({@code cls.*}, {@code lm_head.*}, {@code pooler.*}) are left out. Weights stay in the
 * file's dtype; linear weights are out×in.
 */
public record HfCheckpoint(Path dir, BertConfig config, Map<String, Tensor> weights, Path tokenizer) {

    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String TOKENIZER_FILE = "tokenizer.json";

    public HfCheckpoint {
        weights = Map.copyOf(weights);
    }

    public static HfCheckpoint load(Path dir) throws IOException {
        Path configFile = dir.resolve(BertConfig.FILE);
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        Path tokenizer = dir.resolve(TOKENIZER_FILE);
        for (Path p : List.of(configFile, weightsFile, tokenizer)) {
            if (!Files.isRegularFile(p)) {
                String hint = p.equals(weightsFile) && Files.exists(dir.resolve("pytorch_model.bin"))
                        ? " (pytorch_model.bin is pickle, which is not read: save with safe_serialization=True)" : "";
                throw new IOException(dir + ": not a Hugging Face checkpoint, " + p.getFileName() + " is missing" + hint);
            }
        }
        BertConfig config = BertConfig.read(configFile);
        TensorFile file = SafeTensors.read(weightsFile);
        Map<String, Tensor> weights = normalise(file.tensors());
        List<String> missing = missing(config, weights);
        if (!missing.isEmpty()) {
            throw new IOException(weightsFile + ": missing encoder parameters " + missing);
        }
        return new HfCheckpoint(dir, config, weights, tokenizer);
    }

    /** The checkpoint with some parameters replaced (e.g. base weights with residuals applied). */
    public HfCheckpoint withWeights(Map<String, Tensor> replaced) {
        Map<String, Tensor> merged = new TreeMap<>(weights);
        replaced.forEach((k, v) -> {
            if (!merged.containsKey(k)) {
                throw new IllegalArgumentException("checkpoint has no parameter " + k);
            }
            merged.put(k, v);
        });
        return new HfCheckpoint(dir, config, merged, tokenizer);
    }

    static Map<String, Tensor> normalise(Map<String, Tensor> raw) {
        Map<String, Tensor> out = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : raw.entrySet()) {
            String k = e.getKey();
            for (String prefix : List.of("bert.", "roberta.", "model.")) {
                if (k.startsWith(prefix)) {
                    k = k.substring(prefix.length());
                    break;
                }
            }
            if (!k.startsWith("embeddings.") && !k.startsWith("encoder.")) {
                continue;
            }
            k = k.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias");
            if (k.endsWith("position_ids")) {
                continue;
            }
            out.put(k, e.getValue());
        }
        return out;
    }

    /** Every parameter name the encoder of {@code config} reads. */
    public static List<String> parameterNames(BertConfig config) {
        List<String> names = new ArrayList<>(List.of("embeddings.word_embeddings.weight",
                "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
                "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"));
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            for (String m : linearModules(l)) {
                names.add(m + ".weight");
                names.add(m + ".bias");
            }
            String p = "encoder.layer." + l + ".";
            for (String ln : List.of("attention.output.LayerNorm", "output.LayerNorm")) {
                names.add(p + ln + ".weight");
                names.add(p + ln + ".bias");
            }
        }
        return names;
    }

    /** The six linear modules of layer {@code l}, by their Hugging Face names. */
    public static List<String> linearModules(int l) {
        String p = "encoder.layer." + l + ".";
        return List.of(p + "attention.self.query", p + "attention.self.key", p + "attention.self.value",
                p + "attention.output.dense", p + "intermediate.dense", p + "output.dense");
    }

    private static List<String> missing(BertConfig config, Map<String, Tensor> weights) {
        return parameterNames(config).stream().filter(n -> !weights.containsKey(n)).toList();
    }
}
