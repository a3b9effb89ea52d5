package dev.fedexlora.core.aggregate;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.tensor.InvalidTensorFileException;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Residuals#check} accepts what {@link Residuals#read} accepts and refuses the rest, without loading it. */
class ResidualsUnitTests {

    @TempDir
    Path dir;

    private static Matrix random(Random rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return new Matrix(rows, cols, v);
    }

    /** Factored and dense residuals, the factored one larger than the 1 MiB streaming chunk. */
    private Path valid() throws Exception {
        Random rnd = new Random(1);
        Map<String, Residual> residuals = new LinkedHashMap<>();
        residuals.put("model.layers.0.mlp.down_proj", new Residual.Factored(random(rnd, 1024, 48), random(rnd, 48, 4096)));
        residuals.put("encoder.layer.0.attention.self.query", new Residual.Dense(random(rnd, 16, 16)));
        Path file = dir.resolve("residual.safetensors");
        Residuals.write(file, residuals);
        return file;
    }

    @Test
    void acceptsWhatReadAccepts() throws Exception {
        Path file = valid();
        Residuals.read(file);
        assertThatCode(() -> Residuals.check(file, "residual.safetensors")).doesNotThrowAnyException();
    }

    @Test
    void readsOneModuleAndEveryShapeFromTheHeader() throws Exception {
        Path file = valid();
        Map<String, Residual> all = Residuals.read(file);
        Map<String, long[]> shapes = Residuals.index(file, "r").shapes();
        org.assertj.core.api.Assertions.assertThat(shapes.keySet()).isEqualTo(all.keySet());
        for (Map.Entry<String, Residual> e : all.entrySet()) {
            org.assertj.core.api.Assertions.assertThat(shapes.get(e.getKey()))
                    .containsExactly(e.getValue().rows(), e.getValue().cols());
            Residual one = Residuals.index(file, "r").read(e.getKey());
            org.assertj.core.api.Assertions.assertThat(one).isEqualTo(e.getValue());
        }
        assertThatThrownBy(() -> Residuals.index(file, "r").read("no.such.module")).hasMessageContaining("no residual");
    }

    @Test
    void refusesANonFiniteValueFarIntoTheData() throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>(SafeTensors.read(valid()).tensors());
        float[] v = tensors.get("model.layers.0.mlp.down_proj.residual_V").toFloatArray();
        v[v.length - 3] = Float.NaN;
        tensors.put("model.layers.0.mlp.down_proj.residual_V", Tensor.ofFloats(v, 48, 4096));
        Path file = write(Map.of("format", Residuals.FORMAT), tensors);
        assertThatThrownBy(() -> Residuals.check(file, "residual.safetensors"))
                .isInstanceOf(InvalidTensorFileException.class).hasMessageContaining("NaN")
                .hasMessageContaining("element " + (v.length - 3));
    }

    @Test
    void refusesTheWrongFormatAnUnpairedFactorAndMismatchedShapes() throws Exception {
        Map<String, Tensor> tensors = SafeTensors.read(valid()).tensors();
        Path other = write(Map.of("format", "something-else"), tensors);
        assertThatThrownBy(() -> Residuals.check(other, "r")).hasMessageContaining("not a residual file");

        Map<String, Tensor> unpaired = new LinkedHashMap<>(tensors);
        unpaired.remove("model.layers.0.mlp.down_proj.residual_V");
        Path noV = write(Map.of("format", Residuals.FORMAT), unpaired);
        assertThatThrownBy(() -> Residuals.check(noV, "r")).hasMessageContaining("has no matching");

        Map<String, Tensor> mismatched = new LinkedHashMap<>(tensors);
        mismatched.put("model.layers.0.mlp.down_proj.residual_V", Tensor.ofFloats(new float[40 * 8], 40, 8));
        Path bad = write(Map.of("format", Residuals.FORMAT), mismatched);
        assertThatThrownBy(() -> Residuals.check(bad, "r")).hasMessageContaining("U is");
    }

    @Test
    void refusesATruncatedFile() throws Exception {
        Path file = valid();
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> Residuals.check(file, "r")).isInstanceOf(InvalidTensorFileException.class)
                .hasMessageContaining("truncated");
    }

    private Path write(Map<String, String> metadata, Map<String, Tensor> tensors) throws Exception {
        Path file = Files.createTempFile(dir, "residual", ".safetensors");
        SafeTensors.write(file, new TensorFile(metadata, tensors));
        return file;
    }
}
