package dev.fedexlora.train.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.fedexlora.train.model.Batch;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.model.TextEncoder;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled MiniLM, exported to the Hugging Face layout and run by the platform's DJL encoder, gives the same
 * sentence embeddings as ONNX Runtime running the original ONNX file.
 */
class MiniLmOnnxParityIntegrationTests {

    static final List<String> SENTENCES = List.of(
            "a domesticated carnivorous mammal that typically has a long snout",
            "the act of making something different",
            "Federated learning keeps the data where it was collected.",
            "ok",
            "a large body of water; the sea or ocean, esp. when near land or a harbour, and the ships upon it");

    @TempDir
    static Path dir;

    @BeforeAll
    static void export() throws Exception {
        MiniLm.exportHuggingFace(dir);
    }

    @Test
    void exportWritesAHuggingFaceBertCheckpointWithLinearWeightsOutByIn() throws Exception {
        HfCheckpoint checkpoint = HfCheckpoint.load(dir);
        BertConfig c = checkpoint.config();
        assertThat(c).isEqualTo(new BertConfig("bert", 30522, 384, 6, 12, 1536, 512, 2, 1e-12, 0, 0.1, 0.1));
        assertThat(checkpoint.weights().get("encoder.layer.0.intermediate.dense.weight").shape())
                .containsExactly(1536, 384);
        assertThat(checkpoint.weights().get("encoder.layer.5.output.dense.weight").shape())
                .containsExactly(384, 1536);
        assertThat(checkpoint.weights()).hasSize(HfCheckpoint.parameterNames(c).size());
    }

    @Test
    void pooledEmbeddingsEqualOnnxRuntimeWithinOneInTenThousand() throws Exception {
        HfCheckpoint checkpoint = HfCheckpoint.load(dir);
        float[] djl;
        Batch batch;
        try (TextEncoder encoder = new TextEncoder(checkpoint.tokenizer(), 128, 0);
             BertClassifier model = BertClassifier.create(Device.cpu(), checkpoint, LoraSettings.of(8, 16), 2, null, 7);
             NDScope scope = new NDScope()) {
            batch = encoder.batch(SENTENCES);
            djl = model.pooled(batch, false).toFloatArray();
        }
        float[] ort = onnxRuntimePooled(batch);
        assertThat(batch.length()).isGreaterThan(10);
        assertThat(djl).hasSameSizeAs(ort);
        double maxDiff = 0;
        for (int i = 0; i < djl.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(djl[i] - ort[i]));
        }
        assertThat(maxDiff).isLessThan(1e-4);
        assertThat(norm(ort)).isGreaterThan(1.0); // not a trivially zero embedding
    }

    /** Mean pooling of ONNX Runtime's last_hidden_state over the same token ids and mask. */
    static float[] onnxRuntimePooled(Batch batch) throws Exception {
        byte[] model;
        try (InputStream in = MiniLm.class.getResourceAsStream(MiniLm.ONNX_RESOURCE)) {
            model = in.readAllBytes();
        }
        int n = batch.size();
        int t = batch.length();
        long[][] ids = new long[n][t];
        long[][] mask = new long[n][t];
        long[][] types = new long[n][t];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.ids(), i * t, ids[i], 0, t);
            System.arraycopy(batch.mask(), i * t, mask[i], 0, t);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor idsT = OnnxTensor.createTensor(env, ids);
             OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
             OnnxTensor typesT = OnnxTensor.createTensor(env, types);
             OrtSession.Result result = session.run(Map.of("input_ids", idsT, "attention_mask", maskT,
                     "token_type_ids", typesT))) {
            float[][][] hidden = (float[][][]) result.get(0).getValue();
            int h = hidden[0][0].length;
            float[] pooled = new float[n * h];
            for (int i = 0; i < n; i++) {
                int count = 0;
                for (int j = 0; j < t; j++) {
                    if (mask[i][j] == 1) {
                        count++;
                        for (int d = 0; d < h; d++) {
                            pooled[i * h + d] += hidden[i][j][d];
                        }
                    }
                }
                for (int d = 0; d < h; d++) {
                    pooled[i * h + d] /= count;
                }
            }
            return pooled;
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
