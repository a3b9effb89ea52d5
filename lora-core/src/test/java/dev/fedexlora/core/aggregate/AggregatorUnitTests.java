package dev.fedexlora.core.aggregate;

import static dev.fedexlora.core.aggregate.TestAdapters.LAYERS;
import static dev.fedexlora.core.aggregate.TestAdapters.idealUpdate;
import static dev.fedexlora.core.aggregate.TestAdapters.product;
import static dev.fedexlora.core.aggregate.TestAdapters.relativeError;
import static dev.fedexlora.core.aggregate.TestAdapters.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AggregatorUnitTests {

    private final Random rnd = new Random(42);

    /** The design's invariant, checked densely in fp64: ‖(W0 + R + sB̄Ā) − (W0 + Σ pᵢsᵢBᵢAᵢ)‖ / ‖Σ pᵢsᵢBᵢAᵢ‖. */
    private static double denseExactnessError(AggregationResult result, List<LoraAdapter> clients, String module) {
        LoraLayer g = result.global().layer(module);
        double s = result.global().scale(module);
        double[] got = product(g.b(), g.a());
        for (int j = 0; j < got.length; j++) {
            got[j] *= s;
        }
        Residual r = result.residuals().get(module);
        if (r != null) {
            double[] dense = toDouble(r.toDense());
            for (int j = 0; j < got.length; j++) {
                got[j] += dense[j];
            }
        }
        return relativeError(got, idealUpdate(clients, result.weights(), module));
    }

    @Test
    void fedexIsExactOnNonSquareLayersWithWeightedHeterogeneousClients() {
        List<LoraAdapter> clients = List.of(
                TestAdapters.random(rnd, 4, 8), TestAdapters.random(rnd, 2, 16), TestAdapters.random(rnd, 4, 4),
                TestAdapters.random(rnd, 3, 6));
        double[] weights = {120, 30, 50, 800};

        AggregationResult result = Aggregator.aggregate(AggregationMethod.FEDEX, clients, weights);

        assertThat(result.weights()).containsExactly(new double[] {0.12, 0.03, 0.05, 0.8}, within(1e-12));
        for (String module : LAYERS.keySet()) {
            assertThat(denseExactnessError(result, clients, module)).as(module).isLessThan(1e-5);
            assertThat(result.global().layer(module).rank()).as("largest rank wins").isEqualTo(4);
        }
        for (LayerReport layer : result.layers()) {
            assertThat(layer.exactnessError()).as("reported " + layer.module()).isLessThan(1e-5);
            assertThat(layer.deviation()).as("a real residual was folded").isGreaterThan(1e-3);
        }
    }

    @Test
    void theResidualIsNotTransposedForLinearLayers() {
        List<LoraAdapter> clients = List.of(TestAdapters.random(rnd, 4, 8), TestAdapters.random(rnd, 4, 8));
        AggregationResult result = Aggregator.aggregate(AggregationMethod.FEDEX, clients, null);
        Residual r = result.residuals().get("enc.0.ffn");
        assertThat(r.rows()).as("out features, nn.Linear layout").isEqualTo(24);
        assertThat(r.cols()).as("in features").isEqualTo(10);

        // The reference code's trap: adding Rᵀ to a square layer leaves the model worse than exact.
        LoraAdapter c = clients.get(0);
        String square = "enc.0.query";
        Matrix rDense = result.residuals().get(square).toDense();
        double[] got = product(result.global().layer(square).b(), result.global().layer(square).a());
        double[] transposedResidual = toDouble(rDense.transpose());
        double s = c.scale(square);
        for (int j = 0; j < got.length; j++) {
            got[j] = s * got[j] + transposedResidual[j];
        }
        assertThat(relativeError(got, idealUpdate(clients, result.weights(), square))).isGreaterThan(1e-2);
        assertThat(denseExactnessError(result, clients, square)).isLessThan(1e-5);
    }

    @Test
    void residualWidthIsAtMostNMinusOneTimesRank() {
        for (int n : new int[] {2, 3, 5}) {
            List<LoraAdapter> clients = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                clients.add(TestAdapters.random(rnd, 2, 4));
            }
            AggregationResult result = Aggregator.aggregate(AggregationMethod.FEDEX, clients, null);
            for (LayerReport layer : result.layers()) {
                if (!layer.dense()) {
                    assertThat(layer.residualWidth()).as("n=%d %s", n, layer.module()).isLessThanOrEqualTo((n - 1) * 2);
                }
                assertThat(denseExactnessError(result, clients, layer.module())).isLessThan(1e-5);
            }
        }
    }

    @Test
    void residualIsStoredDenseOnlyWhenThatIsSmaller() {
        List<LoraAdapter> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            clients.add(TestAdapters.random(rnd, 4, 8));
        }
        AggregationResult result = Aggregator.aggregate(AggregationMethod.FEDEX, clients, null);
        for (LayerReport layer : result.layers()) {
            // width 20 > 10·24/(10+24) and 10·10/20: dense is smaller for both layers
            assertThat(layer.dense()).as(layer.module()).isTrue();
            assertThat(layer.residualBytes()).isEqualTo(layer.denseBytes());
            assertThat(layer.exactnessError()).isLessThan(1e-5);
        }
        AggregationResult two = Aggregator.aggregate(AggregationMethod.FEDEX, clients.subList(0, 2), null);
        assertThat(two.layers()).allSatisfy(l -> {
            assertThat(l.dense()).isFalse();
            assertThat(l.residualBytes()).isLessThan(l.denseBytes());
        });
    }

    @Test
    void residualIsZeroForOneClientForIdenticalClientsAndForFfa() {
        LoraAdapter one = TestAdapters.random(rnd, 4, 8);
        assertThat(Aggregator.aggregate(AggregationMethod.FEDEX, List.of(one), null).residuals()).isEmpty();
        assertThat(Aggregator.aggregate(AggregationMethod.FEDEX, List.of(one, one, one), new double[] {1, 2, 3})
                .residuals()).isEmpty();

        Map<String, Matrix> sharedA = new LinkedHashMap<>();
        sharedA.put("enc.0.ffn", TestAdapters.gaussian(rnd, 4, 10, 0.5));
        sharedA.put("enc.0.query", TestAdapters.gaussian(rnd, 4, 10, 0.5));
        List<LoraAdapter> ffa = List.of(TestAdapters.random(rnd, 4, 8, sharedA), TestAdapters.random(rnd, 4, 8, sharedA));
        AggregationResult result = Aggregator.aggregate(AggregationMethod.FFA, ffa, new double[] {3, 1});
        assertThat(result.residuals()).isEmpty();
        for (String module : LAYERS.keySet()) {
            assertThat(denseExactnessError(result, ffa, module)).isLessThan(1e-5);
            assertThat(result.global().layer(module).a()).isEqualTo(sharedA.get(module));
        }
        assertThat(result.layers()).allSatisfy(l -> assertThat(l.deviation()).isZero());
    }

    @Test
    void fedItReportsTheDeviationItLeavesEqualToTheDenseResidualNorm() {
        List<LoraAdapter> clients = List.of(
                TestAdapters.random(rnd, 4, 8), TestAdapters.random(rnd, 4, 8), TestAdapters.random(rnd, 2, 8));
        double[] weights = {1, 2, 3};
        AggregationResult fedit = Aggregator.aggregate(AggregationMethod.FEDIT, clients, weights);
        assertThat(fedit.residuals()).as("FedIT folds nothing").isEmpty();

        for (LayerReport layer : fedit.layers()) {
            String m = layer.module();
            double[] ideal = idealUpdate(clients, fedit.weights(), m);
            LoraLayer g = fedit.global().layer(m);
            double[] avg = product(g.b(), g.a());
            double s = fedit.global().scale(m);
            double[] residual = new double[ideal.length];
            for (int j = 0; j < ideal.length; j++) {
                residual[j] = ideal[j] - s * avg[j];
            }
            double denseDeviation = TestAdapters.norm(residual);
            assertThat(layer.deviation()).as(m).isCloseTo(denseDeviation, within(1e-4 * denseDeviation));
            assertThat(layer.idealUpdateNorm()).isCloseTo(TestAdapters.norm(ideal), within(1e-4 * TestAdapters.norm(ideal)));
            assertThat(layer.relativeDeviation()).isCloseTo(denseDeviation / TestAdapters.norm(ideal), within(1e-4));
            // the probe estimate of FedIT's error tracks the true relative deviation
            assertThat(layer.exactnessError()).isGreaterThan(0.3 * layer.relativeDeviation());
            assertThat(layer.residualWidth()).isZero();
        }
    }

    @Test
    void ffaRefusesClientsWhoseADiffer() {
        List<LoraAdapter> clients = List.of(TestAdapters.random(rnd, 4, 8), TestAdapters.random(rnd, 4, 8));
        assertThatThrownBy(() -> Aggregator.aggregate(AggregationMethod.FFA, clients, null))
                .isInstanceOf(IncompatibleAdaptersException.class)
                .hasMessageContaining("FFA needs one frozen lora_A")
                .hasMessageContaining("client 2");
    }

    @Test
    void refusesClientsWhoseLayersOrShapesDisagree() {
        LoraAdapter good = TestAdapters.random(rnd, 4, 8);
        Map<String, LoraLayer> fewer = new LinkedHashMap<>(good.layers());
        fewer.remove("enc.0.query");
        LoraAdapter missing = new LoraAdapter(good.config(), fewer, good.extras());
        assertThatThrownBy(() -> Aggregator.aggregate(AggregationMethod.FEDEX, List.of(good, missing), null))
                .isInstanceOf(IncompatibleAdaptersException.class)
                .hasMessageContaining("client 2 adapts other layers")
                .hasMessageContaining("enc.0.query");

        Map<String, LoraLayer> wrongShape = new LinkedHashMap<>(good.layers());
        wrongShape.put("enc.0.ffn", new LoraLayer("enc.0.ffn", TestAdapters.gaussian(rnd, 4, 12, 1), TestAdapters.gaussian(rnd, 24, 4, 1)));
        LoraAdapter bad = new LoraAdapter(good.config(), wrongShape, good.extras());
        assertThatThrownBy(() -> Aggregator.aggregate(AggregationMethod.FEDEX, List.of(good, bad), null,
                List.of("site-a", "site-b")))
                .isInstanceOf(IncompatibleAdaptersException.class)
                .hasMessageContaining("site-b has layer 'enc.0.ffn' of shape 24x12 but site-a has 24x10");

        assertThatThrownBy(() -> Aggregator.aggregate(AggregationMethod.FEDEX, List.of(good, good), new double[] {1}))
                .hasMessageContaining("1 weights given for 2 clients");
        assertThatThrownBy(() -> Aggregator.aggregate(AggregationMethod.FEDEX, List.of(good, good), new double[] {1, -1}))
                .hasMessageContaining("non-negative");
    }

    @Test
    void headIsAveragedWithTheClientWeights() {
        LoraAdapter a = TestAdapters.random(rnd, 2, 4);
        LoraAdapter b = TestAdapters.random(rnd, 2, 4);
        AggregationResult result = Aggregator.aggregate(AggregationMethod.FEDEX, List.of(a, b), new double[] {1, 3});
        float[] bias = result.global().extras().get("classifier.bias").toFloatArray();
        float[] ba = a.extras().get("classifier.bias").toFloatArray();
        float[] bb = b.extras().get("classifier.bias").toFloatArray();
        for (int i = 0; i < bias.length; i++) {
            assertThat(bias[i]).isCloseTo(0.25f * ba[i] + 0.75f * bb[i], within(1e-6f));
        }
    }

    @Test
    void outputConfigReproducesEveryLayersScale() {
        LoraAdapter r2 = TestAdapters.random(rnd, 2, 16);
        LoraAdapter r4 = TestAdapters.random(rnd, 4, 4);
        AggregationResult result = Aggregator.aggregate(AggregationMethod.FEDEX, List.of(r2, r4), null);
        AdapterConfig c = result.global().config();
        assertThat(c.r()).isEqualTo(4);
        assertThat(result.global().scale("enc.0.ffn")).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void residualFileRoundTripsAndFoldsIntoTheBaseWeight() throws Exception {
        List<LoraAdapter> clients = List.of(TestAdapters.random(rnd, 4, 8), TestAdapters.random(rnd, 4, 8),
                TestAdapters.random(rnd, 4, 8));
        AggregationResult result = Aggregator.aggregate(AggregationMethod.FEDEX, clients, null);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("residual", ".safetensors");
        Residuals.write(file, result.residuals());
        Map<String, Residual> back = Residuals.read(file);
        assertThat(back.keySet()).isEqualTo(result.residuals().keySet());

        Matrix w0 = TestAdapters.gaussian(rnd, 24, 10, 1);
        Matrix w1 = w0.copy();
        back.get("enc.0.ffn").applyTo(w1);
        double[] folded = toDouble(w1);
        double[] expected = toDouble(w0);
        double[] r = toDouble(result.residuals().get("enc.0.ffn").toDense());
        for (int j = 0; j < expected.length; j++) {
            expected[j] += r[j];
        }
        assertThat(relativeError(folded, expected)).isLessThan(1e-6);
        java.nio.file.Files.delete(file);
    }
}
