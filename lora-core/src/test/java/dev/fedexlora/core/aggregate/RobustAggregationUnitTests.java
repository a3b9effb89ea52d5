package dev.fedexlora.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Update-norm clipping and norm-outlier rejection: off by default, and exactly what they say when on. */
class RobustAggregationUnitTests {

    private final Random rnd = new Random(7);

    @Test
    void offLeavesTheAggregateAsItWasAndReportsNothing() {
        List<LoraAdapter> clients = List.of(TestAdapters.random(rnd, 4, 8), TestAdapters.random(rnd, 4, 8),
                TestAdapters.random(rnd, 4, 8));
        AggregationResult plain = Aggregator.aggregate(AggregationMethod.FEDEX, clients, new double[] {1, 2, 3});
        AggregationResult off = Aggregator.aggregate(AggregationMethod.FEDEX, clients, new double[] {1, 2, 3},
                List.of("a", "b", "c"), true, RobustOptions.OFF);
        for (String m : plain.global().layers().keySet()) {
            assertThat(off.global().layer(m).a()).isEqualTo(plain.global().layer(m).a());
            assertThat(off.global().layer(m).b()).isEqualTo(plain.global().layer(m).b());
        }
        assertThat(off.weights()).containsExactly(plain.weights());
        assertThat(off.robustness()).isEqualTo(RobustnessReport.OFF);
    }

    @Test
    void clippingScalesAnUpdateDownToTheBoundAroundTheReference() {
        LoraAdapter reference = TestAdapters.random(rnd, 4, 8);
        LoraAdapter small = offset(reference, 0.001f);
        LoraAdapter big = offset(reference, 1.0f);
        double bigNorm = Robustness.updateNorm(big, reference);
        double bound = bigNorm / 4;
        assertThat(Robustness.updateNorm(small, reference)).isLessThan(bound);

        AggregationResult r = Aggregator.aggregate(AggregationMethod.FEDIT, List.of(small, big), null,
                List.of("small", "big"), true, new RobustOptions(bound, 0, reference));

        assertThat(r.robustness().clients()).extracting(RobustnessReport.ClientNorm::clipFactor)
                .containsExactly(1.0, bound / bigNorm);
        assertThat(r.robustness().clipped()).isEqualTo(1);
        // Ā = ½(A_ref + 0.001) + ½(A_ref + ¼·1.0) element-wise
        String m = "enc.0.query";
        float[] ref = reference.layer(m).a().data();
        float[] got = r.global().layer(m).a().data();
        for (int j = 0; j < ref.length; j++) {
            assertThat((double) got[j]).isCloseTo(ref[j] + 0.5 * 0.001 + 0.5 * 0.25, within(1e-5));
        }
    }

    @Test
    void anOutlierIsLeftOutAndTheRestAggregateAsIfAlone() {
        LoraAdapter reference = TestAdapters.random(rnd, 4, 8);
        List<LoraAdapter> honest = List.of(offset(reference, 0.01f), offset(reference, 0.012f), offset(reference, 0.011f));
        List<LoraAdapter> all = new ArrayList<>(honest);
        all.add(offset(reference, 5f));

        AggregationResult r = Aggregator.aggregate(AggregationMethod.FEDEX, all, new double[] {1, 1, 1, 1},
                List.of("a", "b", "c", "mallory"), true, new RobustOptions(0, 3, reference));
        AggregationResult alone = Aggregator.aggregate(AggregationMethod.FEDEX, honest, new double[] {1, 1, 1});

        assertThat(r.robustness().rejected()).isEqualTo(1);
        assertThat(r.robustness().clients().get(3).rejected()).isTrue();
        assertThat(r.weights()).hasSize(3);
        for (String m : alone.global().layers().keySet()) {
            assertThat(r.global().layer(m).a()).isEqualTo(alone.global().layer(m).a());
            assertThat(r.global().layer(m).b()).isEqualTo(alone.global().layer(m).b());
        }
    }

    @Test
    void noClientIsRejectedInARoundOfTwo() {
        LoraAdapter reference = TestAdapters.random(rnd, 4, 8);
        AggregationResult r = Aggregator.aggregate(AggregationMethod.FEDEX,
                List.of(offset(reference, 0.01f), offset(reference, 9f)), null, List.of("a", "b"), true,
                new RobustOptions(0, 1.5, reference));
        assertThat(r.robustness().rejected()).isZero();
        assertThat(r.weights()).hasSize(2);
    }

    @Test
    void optionsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new RobustOptions(-1, 0, null)).hasMessageContaining("clipNorm");
        assertThatThrownBy(() -> new RobustOptions(Double.NaN, 0, null)).hasMessageContaining("clipNorm");
        assertThatThrownBy(() -> new RobustOptions(0, 0.5, null)).hasMessageContaining("outlierFactor");
    }

    /** {@code reference} with {@code delta} added to every element of every A, B and head tensor. */
    private static LoraAdapter offset(LoraAdapter reference, float delta) {
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        for (LoraLayer l : reference.layers().values()) {
            layers.put(l.module(), new LoraLayer(l.module(), plus(l.a(), delta), plus(l.b(), delta)));
        }
        return new LoraAdapter(reference.config(), layers, reference.extras());
    }

    private static Matrix plus(Matrix m, float delta) {
        float[] v = m.data().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] += delta;
        }
        return new Matrix(m.rows(), m.cols(), v);
    }
}
