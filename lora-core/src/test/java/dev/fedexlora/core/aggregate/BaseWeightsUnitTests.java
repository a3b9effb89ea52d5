package dev.fedexlora.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one residual fold: lineage order, accumulation in fp32, the base's dtype on the way out. */
class BaseWeightsUnitTests {

    private static Matrix matrix(int rows, int cols, float start) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = start + i * 0.25f;
        }
        return new Matrix(rows, cols, d);
    }

    private static TensorFile base(DType dtype) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("encoder.layer.0.query.weight", matrix(2, 3, 1f).toTensor(dtype));
        t.put("encoder.layer.0.query.bias", matrix(1, 2, 0f).toTensor(dtype));
        return new TensorFile(Map.of("format", "pt"), t);
    }

    @Test
    void aLineageOfResidualsIsAddedInOrderAndTheWeightKeepsTheBaseDtype() {
        TensorFile base = base(DType.F16);
        Residual first = new Residual.Dense(matrix(2, 3, 0.5f));
        Residual second = new Residual.Dense(matrix(2, 3, -0.25f));
        // a PEFT prefix the base lacks is dropped until a weight matches
        TensorFile folded = BaseWeights.fold(base, List.of(Map.of("bert.encoder.layer.0.query", first),
                Map.of("encoder.layer.0.query", second)), false);

        Tensor w = folded.tensor("encoder.layer.0.query.weight");
        assertThat(w.dtype()).isEqualTo(DType.F16);
        Matrix expected = Matrix.of(base.tensor("encoder.layer.0.query.weight"));
        first.applyTo(expected);
        second.applyTo(expected);
        assertThat(w.bytes()).isEqualTo(expected.toTensor(DType.F16).bytes());
        // untouched tensors pass through byte for byte, metadata too
        assertThat(folded.tensor("encoder.layer.0.query.bias")).isSameAs(base.tensor("encoder.layer.0.query.bias"));
        assertThat(folded.metadata()).containsEntry("format", "pt");
    }

    @Test
    void aResidualWithoutAFittingWeightIsRefusedNamingModuleAndSource() {
        BaseWeights weights = new BaseWeights(base(DType.F32), false);
        assertThatThrownBy(() -> weights.add(Map.of("encoder.layer.9.value", new Residual.Dense(matrix(2, 3, 0f))),
                "version 3 residual.safetensors")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 3 residual.safetensors").hasMessageContaining("encoder.layer.9.value");
        assertThatThrownBy(() -> weights.add(Map.of("encoder.layer.0.query", new Residual.Dense(matrix(3, 2, 0f))),
                "v1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]");
        assertThat(weights.touched()).isEmpty();
    }

    @Test
    void aModelThatGoesOnTrainingKeepsTheFoldedWeightsInFp32SoAChainIsNeverRounded() {
        TensorFile base = base(DType.BF16);
        Residual r = new Residual.Dense(matrix(2, 3, 0.001f));
        TensorFile folded = BaseWeights.applyInFp32(base, Map.of("encoder.layer.0.query", r), false);

        Tensor w = folded.tensor("encoder.layer.0.query.weight");
        assertThat(w.dtype()).isEqualTo(DType.F32);
        Matrix expected = Matrix.of(base.tensor("encoder.layer.0.query.weight"));
        r.applyTo(expected);
        assertThat(w.bytes()).isEqualTo(expected.toTensor(DType.F32).bytes());
        assertThat(folded.tensor("encoder.layer.0.query.bias").dtype()).isEqualTo(DType.BF16);
    }

    @Test
    void theStreamedFoldInRowBlocksIsBitIdenticalToTheInMemoryFoldInBf16() throws java.io.IOException {
        java.util.Random rnd = new java.util.Random(3);
        float[] w = new float[37 * 29];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        dev.fedexlora.core.tensor.Tensor base = dev.fedexlora.core.tensor.Tensor.ofFloats(
                dev.fedexlora.core.tensor.DType.BF16, w, 37, 29);
        List<Residual> chain = List.of(new Residual.Factored(random(rnd, 37, 5), random(rnd, 5, 29)),
                new Residual.Dense(random(rnd, 37, 29)));
        TensorFile folded = BaseWeights.fold(new TensorFile(Map.of("m.weight", base)),
                List.of(Map.of("m", chain.get(0)), Map.of("m", chain.get(1))), false);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        // blocks of 2 rows (58 elements): 19 blocks, the last one short
        BaseWeights.foldStreaming(dev.fedexlora.core.tensor.DType.BF16, new long[] {37, 29}, chain,
                new java.io.ByteArrayInputStream(base.bytes()), out, 60);
        assertThat(out.toByteArray()).isEqualTo(folded.tensor("m.weight").bytes());
        assertThat(out.toByteArray()).isNotEqualTo(base.bytes());
    }

    private static dev.fedexlora.core.linalg.Matrix random(java.util.Random rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.1f;
        }
        return new dev.fedexlora.core.linalg.Matrix(rows, cols, v);
    }
}
