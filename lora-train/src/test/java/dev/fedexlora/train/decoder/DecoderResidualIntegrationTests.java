package dev.fedexlora.train.decoder;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.tensor.DType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A FedEx-LoRA residual folds into the decoder's projections as it does into the encoder's. */
class DecoderResidualIntegrationTests {

    @TempDir
    Path dir;

    @Test
    void foldingScaleTimesBaIntoTheBaseEqualsApplyingTheAdapter() throws Exception {
        Path model = dir.resolve("model");
        RandomDecoder.write(model, TinyDecoders.config("mistral", false, false, 256), DType.BF16, 2, 0.05, 8, null);
        DecoderCheckpoint base = DecoderCheckpoint.load(model);
        LoraAdapter adapter = TinyDecoders.adapter(dir.resolve("adapter"), base.config(),
                List.of("q_proj", "k_proj", "gate_proj", "down_proj"), 4, 8, 21);
        // The residual of each layer in its factored form U·V with U = s·B (out×r) and V = A (r×in).
        Map<String, Residual> residuals = new LinkedHashMap<>();
        for (LoraLayer l : adapter.layers().values()) {
            Matrix u = l.b().copy();
            u.scaleInPlace((float) adapter.scale(l.module()));
            residuals.put(l.module(), new Residual.Factored(u, l.a()));
        }
        DecoderCheckpoint folded = base.withResidual(residuals, "test");
        assertThat(folded.weights().get("model.layers.0.self_attn.q_proj.weight").dtype()).isEqualTo(DType.F32);
        long[] tokens = {3, 14, 15, 92, 65, 35, 89, 79};
        float[] withAdapter;
        float[] withResidual;
        try (CausalLm lm = CausalLm.create(Device.cpu(), base, CausalLm.settingsOf(adapter), adapter, 0)) {
            withAdapter = logits(lm, tokens);
        }
        try (CausalLm lm = CausalLm.create(Device.cpu(), folded, null, null, 0)) {
            withResidual = logits(lm, tokens);
        }
        assertThat(TinyDecoders.relativeError(withResidual, withAdapter)).isLessThan(1e-5);
    }

    private static float[] logits(CausalLm lm, long[] tokens) {
        NDArray l = lm.logits(lm.manager().create(tokens, new Shape(1, tokens.length)), null, null);
        float[] out = l.toFloatArray();
        l.close();
        return out;
    }
}
