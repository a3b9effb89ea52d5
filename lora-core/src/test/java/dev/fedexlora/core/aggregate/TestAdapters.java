package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random adapters and dense fp64 reference computations for the aggregation tests. */
final class TestAdapters {

    /** A non-square layer (d=24 out, k=10 in) and a square one: a transposed residual cannot fit the first. */
    static final Map<String, int[]> LAYERS = Map.of("enc.0.ffn", new int[] {24, 10}, "enc.0.query", new int[] {10, 10});

    private TestAdapters() {
    }

    static Matrix gaussian(Random rnd, int rows, int cols, double std) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return new Matrix(rows, cols, v);
    }

    static LoraAdapter random(Random rnd, int rank, double alpha) {
        return random(rnd, rank, alpha, null);
    }

    /** A client with its own A per layer, or the given shared A (FFA). */
    static LoraAdapter random(Random rnd, int rank, double alpha, Map<String, Matrix> sharedA) {
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        for (var e : new java.util.TreeMap<>(LAYERS).entrySet()) {
            int d = e.getValue()[0];
            int k = e.getValue()[1];
            Matrix a = sharedA != null ? sharedA.get(e.getKey()) : gaussian(rnd, rank, k, 0.5);
            layers.put(e.getKey(), new LoraLayer(e.getKey(), a, gaussian(rnd, d, rank, 0.5)));
        }
        Map<String, Tensor> head = Map.of("classifier.weight",
                gaussian(rnd, 3, 10, 0.1).toTensor(), "classifier.bias", Tensor.ofFloats(new float[] {0.1f, -0.2f, 0.3f}, 3));
        return new LoraAdapter(AdapterConfig.of(rank, alpha, List.of("ffn", "query")), layers, head);
    }

    /** Σ pᵢ sᵢ Bᵢ Aᵢ in fp64, d×k row-major. */
    static double[] idealUpdate(List<LoraAdapter> clients, double[] p, String module) {
        double[] out = null;
        for (int i = 0; i < clients.size(); i++) {
            LoraAdapter c = clients.get(i);
            double[] ba = product(c.layer(module).b(), c.layer(module).a());
            if (out == null) {
                out = new double[ba.length];
            }
            double w = p[i] * c.scale(module);
            for (int j = 0; j < ba.length; j++) {
                out[j] += w * ba[j];
            }
        }
        return out;
    }

    static double[] product(Matrix x, Matrix y) {
        double[] out = new double[x.rows() * y.cols()];
        for (int i = 0; i < x.rows(); i++) {
            for (int p = 0; p < x.cols(); p++) {
                double v = x.get(i, p);
                for (int j = 0; j < y.cols(); j++) {
                    out[i * y.cols() + j] += v * y.get(p, j);
                }
            }
        }
        return out;
    }

    static double norm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** ‖x − y‖ / ‖y‖. */
    static double relativeError(double[] x, double[] y) {
        double[] diff = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            diff[i] = x[i] - y[i];
        }
        return norm(diff) / norm(y);
    }

    static double[] toDouble(Matrix m) {
        double[] out = new double[m.data().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = m.data()[i];
        }
        return out;
    }
}
