package dev.fedexlora.core.validate;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job on a 384-wide, one-layer BERT-like base (query and value 384×384, a 3-label head) and an honest upload for
 * it, from which the tests craft hostile variants.
 */
final class CraftedUploads {

    static final int HIDDEN = 384;
    static final int RANK = 4;
    static final double ALPHA = 8;
    static final List<String> MODULES = List.of("bert.encoder.layer.0.attention.self.query",
            "bert.encoder.layer.0.attention.self.value");
    static final Map<String, List<Long>> HEAD = Map.of("classifier.weight", List.of(3L, (long) HIDDEN),
            "classifier.bias", List.of(3L));
    static final String PREFIX = "base_model.model.";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CraftedUploads() {
    }

    /** Shapes of the base checkpoint: its keys lack the task model's {@code bert.} prefix, as real ones do. */
    static Map<String, Tensor> baseTensors() {
        Map<String, Tensor> base = new LinkedHashMap<>();
        for (String m : List.of("query", "key", "value")) {
            base.put("encoder.layer.0.attention.self." + m + ".weight", Tensor.ofFloats(new float[HIDDEN * HIDDEN], HIDDEN, HIDDEN));
            base.put("encoder.layer.0.attention.self." + m + ".bias", Tensor.ofFloats(new float[HIDDEN], HIDDEN));
        }
        return base;
    }

    static UploadExpectations job(AggregationMethod method) {
        return UploadExpectations.of(RANK, ALPHA, false, List.of("query", "value"), method, HEAD);
    }

    static UploadValidator validator() {
        return new UploadValidator(job(AggregationMethod.FEDEX), BaseLayers.of(baseTensors()));
    }

    static LoraAdapter honestAdapter(long seed) {
        Random rnd = new Random(seed);
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        for (String m : MODULES) {
            layers.put(m, new LoraLayer(m, gaussian(rnd, RANK, HIDDEN), gaussian(rnd, HIDDEN, RANK)));
        }
        Map<String, Tensor> head = new LinkedHashMap<>();
        head.put("classifier.weight", gaussian(rnd, 3, HIDDEN).toTensor());
        head.put("classifier.bias", Tensor.ofFloats(new float[] {0.1f, 0.2f, 0.3f}, 3));
        return new LoraAdapter(AdapterConfig.of(RANK, ALPHA, List.of("query", "value")), layers, head);
    }

    static Matrix gaussian(Random rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        return new Matrix(rows, cols, v);
    }

    /** One upload: the two files' bytes. */
    record Upload(byte[] config, byte[] weights) {

        static Upload honest() throws IOException {
            return of(honestAdapter(1));
        }

        static Upload of(LoraAdapter a) throws IOException {
            return new Upload(PeftAdapters.configJson(a).getBytes(StandardCharsets.UTF_8),
                    SafeTensors.toBytes(PeftAdapters.weights(a)));
        }

        /** The honest upload with its config edited. */
        Upload config(java.util.function.Consumer<ObjectNode> edit) {
            ObjectNode n = (ObjectNode) JSON.readTree(new String(config, StandardCharsets.UTF_8));
            edit.accept(n);
            return new Upload(JSON.writeValueAsBytes(n), weights);
        }

        /** The honest upload with its config replaced by raw text (for what JSON trees cannot hold). */
        Upload rawConfig(UnaryOperator<String> edit) {
            return new Upload(edit.apply(new String(config, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8), weights);
        }

        /** The honest upload with its tensors edited (keys with the PEFT prefix). */
        Upload tensors(java.util.function.Consumer<Map<String, Tensor>> edit) throws IOException {
            Map<String, Tensor> t = new LinkedHashMap<>(SafeTensors.read(weights, "upload").tensors());
            edit.accept(t);
            return new Upload(config, SafeTensors.toBytes(new TensorFile(t)));
        }
    }
}
