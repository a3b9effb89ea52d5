package dev.fedexlora.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.checkpoint.RandomCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.model.LoraSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskTrainerIntegrationTests {

    static final String QUERY = "encoder.layer.0.attention.self.query";

    @TempDir
    Path dir;

    @Test
    void residualsAreAddedToTheirBaseWeightsInVersionOrder() throws Exception {
        Path base = dir.resolve("base");
        RandomCheckpoint.write(base, BertConfig.tiny(30522), 1);
        Random rnd = new Random(2);
        Matrix u1 = random(32, 3, rnd);
        Matrix v1 = random(3, 32, rnd);
        Matrix dense2 = random(32, 32, rnd);
        Residuals.write(dir.resolve("r1.safetensors"), Map.of(QUERY, new Residual.Factored(u1, v1)));
        Residuals.write(dir.resolve("r2.safetensors"), Map.of(QUERY, new Residual.Dense(dense2)));

        HfCheckpoint original = HfCheckpoint.load(base);
        HfCheckpoint merged = TaskTrainer.withResiduals(original,
                List.of(dir.resolve("r1.safetensors"), dir.resolve("r2.safetensors")));

        Matrix expected = Matrix.of(original.weights().get(QUERY + ".weight")).copy()
                .addProductInPlace(u1, v1, 1f).addInPlace(dense2, 1f);
        float[] actual = merged.weights().get(QUERY + ".weight").toFloatArray();
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).isCloseTo(expected.data()[i], org.assertj.core.api.Assertions.within(1e-5f));
        }
        assertThat(merged.weights().get("encoder.layer.0.attention.self.key.weight").toFloatArray())
                .isEqualTo(original.weights().get("encoder.layer.0.attention.self.key.weight").toFloatArray());

        Residuals.write(dir.resolve("bad.safetensors"), Map.of(QUERY, new Residual.Dense(random(8, 8, rnd))));
        assertThatThrownBy(() -> TaskTrainer.withResiduals(original, List.of(dir.resolve("bad.safetensors"))))
                .hasMessageContaining("bad.safetensors");
    }

    @Test
    void roundOneStartsFromTheSeedAndRoundTwoFromTheGlobalAdapter() throws Exception {
        Path base = dir.resolve("base");
        RandomCheckpoint.write(base, BertConfig.tiny(30522), 1);
        List<Example> train = LocalTrainerIntegrationTests.twoTopics(64, new Random(1));
        TaskTrainer.Spec spec = new TaskTrainer.Spec(LoraSettings.of(4, 8),
                new TrainingConfig(1e-2, 16, 4, 0, 0, 0, 1, 32, 3), 2, 99, "tiny");

        TrainingReport first = TaskTrainer.run(base, List.of(), null, train, List.of(), spec, Device.cpu(),
                ProgressListener.NONE, dir.resolve("round1"));
        LoraAdapter round1 = PeftAdapters.read(dir.resolve("round1"));
        assertThat(first.steps()).isEqualTo(4);
        assertThat(round1.config().r()).isEqualTo(4);
        assertThat(round1.config().targetModules()).containsExactly("query", "value");
        assertThat(round1.extras().get("classifier.weight").shape()).containsExactly(2, 32);

        int[] steps = new int[1];
        TaskTrainer.run(base, List.of(), dir.resolve("round1"), train, List.of(), spec, Device.cpu(),
                (step, total, loss, lr) -> steps[0] = step, dir.resolve("round2"));
        assertThat(steps[0]).isEqualTo(4);
        LoraAdapter round2 = PeftAdapters.read(dir.resolve("round2"));
        // Round 2 continued from round 1's B (which is non-zero), not from a fresh zero B.
        double moved = round2.layer(QUERY).b().copy().addInPlace(round1.layer(QUERY).b(), -1f).frobeniusNorm();
        assertThat(moved).isPositive().isLessThan(round2.layer(QUERY).b().frobeniusNorm());
    }

    static Matrix random(int rows, int cols, Random rnd) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return new Matrix(rows, cols, v);
    }
}
