package dev.fedexlora.train.decoder;

import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a randomly initialised decoder checkpoint in exactly the Hugging Face layout: {@code config.json},
 * {@code model.safetensors} (or {@code model-0000k-of-0000n.safetensors} shards with
 * {@code model.safetensors.index.json}) in F32, F16 or BF16, and optionally a copy of a {@code tokenizer.json}.
 * Matrices and biases are N(0, std²); norm weights are 1 + N(0, 0.1²), so that a test notices a norm weight that
 * is read wrongly (transformers initialises them to 1).
 */
public final class RandomDecoder {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private RandomDecoder() {
    }

    /**
     * @param shards    1 for a single {@code model.safetensors}; more for that many shards and an index
     * @param tokenizer a {@code tokenizer.json} to copy beside the weights, or null
     */
    public static void write(Path dir, DecoderConfig config, DType dtype, int shards, double std, long seed,
                             Path tokenizer) throws IOException {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("dtype must be F32, F16 or BF16, got " + dtype);
        }
        if (shards < 1 || shards > 99) {
            throw new IllegalArgumentException("shards must be 1..99, got " + shards);
        }
        if (tokenizer != null) {
            DecoderCheckpoint.checkTokenizer(tokenizer, config.vocabSize());
        }
        Files.createDirectories(dir);
        Random rnd = new Random(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : DecoderCheckpoint.expectedShapes(config).entrySet()) {
            long[] shape = e.getValue();
            int count = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
            float[] v = new float[count];
            boolean norm = e.getKey().endsWith("norm.weight");
            for (int i = 0; i < count; i++) {
                v[i] = (float) (norm ? 1 + rnd.nextGaussian() * 0.1 : rnd.nextGaussian() * std);
            }
            weights.put(e.getKey(), Tensor.ofFloats(dtype, v, shape));
        }
        String torchDtype = switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        };
        config.write(dir.resolve(DecoderConfig.FILE), torchDtype);
        if (shards == 1) {
            SafeTensors.write(dir.resolve(DecoderCheckpoint.WEIGHTS_FILE), new TensorFile(Map.of("format", "pt"), weights));
        } else {
            writeShards(dir, weights, shards);
        }
        if (tokenizer != null) {
            Files.copy(tokenizer, dir.resolve(DecoderCheckpoint.TOKENIZER_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeShards(Path dir, Map<String, Tensor> weights, int shards) throws IOException {
        List<String> names = new ArrayList<>(weights.keySet());
        ObjectNode index = JSON.createObjectNode();
        long total = weights.values().stream().mapToLong(Tensor::byteSize).sum();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        int per = (names.size() + shards - 1) / shards;
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            Map<String, Tensor> part = new LinkedHashMap<>();
            for (String n : names.subList(Math.min(s * per, names.size()), Math.min((s + 1) * per, names.size()))) {
                part.put(n, weights.get(n));
                map.put(n, file);
            }
            SafeTensors.write(dir.resolve(file), new TensorFile(Map.of("format", "pt"), part));
        }
        Files.writeString(dir.resolve(DecoderCheckpoint.INDEX_FILE), JSON.writeValueAsString(index));
    }
}
