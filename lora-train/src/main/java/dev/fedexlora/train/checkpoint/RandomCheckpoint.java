package dev.fedexlora.train.checkpoint;

import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Writes a randomly initialised Hugging Face checkpoint of any BERT architecture (weights N(0, 0.02²), LayerNorm
 * weight 1 and bias 0, as BERT initialises), with MiniLM's WordPiece {@code tokenizer.json}. Tests and demos use
 * it with {@link BertConfig#tiny(int)} to exercise the real code path in seconds.
 */
public final class RandomCheckpoint {

    private RandomCheckpoint() {
    }

    public static void write(Path dir, BertConfig config, long seed) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(seed);
        Map<String, Tensor> weights = new TreeMap<>();
        int h = config.hiddenSize();
        weights.put("embeddings.word_embeddings.weight", normal(rnd, config.vocabSize(), h));
        weights.put("embeddings.position_embeddings.weight", normal(rnd, config.maxPositionEmbeddings(), h));
        weights.put("embeddings.token_type_embeddings.weight", normal(rnd, config.typeVocabSize(), h));
        for (String name : HfCheckpoint.parameterNames(config)) {
            if (weights.containsKey(name)) {
                continue;
            }
            if (name.contains("LayerNorm")) {
                float[] v = new float[h];
                java.util.Arrays.fill(v, name.endsWith(".weight") ? 1f : 0f);
                weights.put(name, Tensor.ofFloats(v, h));
            } else if (name.endsWith(".bias")) {
                int out = name.contains("intermediate.dense") ? config.intermediateSize() : h;
                weights.put(name, Tensor.ofFloats(new float[out], out));
            } else {
                int out = name.contains("intermediate.dense") ? config.intermediateSize() : h;
                int in = name.contains(".output.dense") && !name.contains("attention") ? config.intermediateSize() : h;
                weights.put(name, normal(rnd, out, in));
            }
        }
        config.write(dir.resolve(BertConfig.FILE));
        SafeTensors.write(dir.resolve(HfCheckpoint.WEIGHTS_FILE), new TensorFile(Map.of("format", "pt"), weights));
        try (InputStream in = MiniLm.resource(MiniLm.TOKENIZER_RESOURCE)) {
            Files.copy(in, dir.resolve(HfCheckpoint.TOKENIZER_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Tensor normal(Random rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        return Tensor.ofFloats(v, rows, cols);
    }
}
