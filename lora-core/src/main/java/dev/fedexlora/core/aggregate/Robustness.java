package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Applies {@link RobustOptions} to a round's clients before aggregation (see there for the rules). */
final class Robustness {

    /** The clients (and their weights and names) that take part, clipped, and what was done. */
    record Outcome(List<LoraAdapter> clients, double[] weights, List<String> names, RobustnessReport report) {
    }

    private Robustness() {
    }

    static Outcome apply(RobustOptions o, List<LoraAdapter> clients, double[] weights, List<String> names) {
        if (!o.enabled()) {
            return new Outcome(clients, weights, names, RobustnessReport.OFF);
        }
        int n = clients.size();
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            norms[i] = updateNorm(clients.get(i), o.reference());
        }
        double[] sorted = norms.clone();
        Arrays.sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        List<LoraAdapter> kept = new ArrayList<>();
        List<String> keptNames = new ArrayList<>();
        List<Double> keptWeights = new ArrayList<>();
        List<RobustnessReport.ClientNorm> report = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean rejected = o.outlierFactor() > 0 && n >= 3 && norms[i] > o.outlierFactor() * median;
            double c = o.clipNorm() > 0 && norms[i] > o.clipNorm() ? o.clipNorm() / norms[i] : 1;
            report.add(new RobustnessReport.ClientNorm(names.get(i), norms[i], c, rejected));
            if (!rejected) {
                kept.add(c < 1 ? clip(clients.get(i), o.reference(), c) : clients.get(i));
                keptNames.add(names.get(i));
                keptWeights.add(weights == null ? 1.0 : weights[i]);
            }
        }
        double[] w = keptWeights.stream().mapToDouble(Double::doubleValue).toArray();
        return new Outcome(kept, w, keptNames, new RobustnessReport(o.clipNorm(), o.outlierFactor(), median, report));
    }

    /** ‖adapter − reference‖_F over every LoRA matrix and head tensor, in fp64. */
    static double updateNorm(LoraAdapter c, LoraAdapter reference) {
        double sum = 0;
        for (LoraLayer l : c.layers().values()) {
            LoraLayer r = referenceLayer(reference, l);
            sum += squaredDistance(l.a().data(), r == null ? null : r.a().data());
            sum += squaredDistance(l.b().data(), r == null ? null : r.b().data());
        }
        for (Map.Entry<String, Tensor> e : c.extras().entrySet()) {
            sum += squaredDistance(e.getValue().toFloatArray(), referenceExtra(reference, e.getKey(), e.getValue()));
        }
        return Math.sqrt(sum);
    }

    private static LoraAdapter clip(LoraAdapter c, LoraAdapter reference, double factor) {
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        for (LoraLayer l : c.layers().values()) {
            LoraLayer r = referenceLayer(reference, l);
            layers.put(l.module(), new LoraLayer(l.module(),
                    shrink(l.a(), r == null ? null : r.a(), factor), shrink(l.b(), r == null ? null : r.b(), factor)));
        }
        Map<String, Tensor> extras = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : c.extras().entrySet()) {
            float[] x = e.getValue().toFloatArray();
            extras.put(e.getKey(), Tensor.ofFloats(shrink(x, referenceExtra(reference, e.getKey(), e.getValue()), factor),
                    e.getValue().shape()));
        }
        return new LoraAdapter(c.config(), layers, extras);
    }

    /** The reference's layer of the same module and shapes, or null (a zero reference). */
    private static LoraLayer referenceLayer(LoraAdapter reference, LoraLayer l) {
        LoraLayer r = reference == null ? null : reference.layers().get(l.module());
        return r != null && r.a().rows() == l.a().rows() && r.a().cols() == l.a().cols()
                && r.b().rows() == l.b().rows() ? r : null;
    }

    private static float[] referenceExtra(LoraAdapter reference, String key, Tensor t) {
        Tensor r = reference == null ? null : reference.extras().get(key);
        return r != null && Arrays.equals(r.shape(), t.shape()) ? r.toFloatArray() : null;
    }

    private static double squaredDistance(float[] x, float[] ref) {
        double s = 0;
        for (int j = 0; j < x.length; j++) {
            double d = x[j] - (ref == null ? 0 : ref[j]);
            s += d * d;
        }
        return s;
    }

    private static Matrix shrink(Matrix x, Matrix ref, double factor) {
        return new Matrix(x.rows(), x.cols(), shrink(x.data(), ref == null ? null : ref.data(), factor));
    }

    private static float[] shrink(float[] x, float[] ref, double factor) {
        float[] out = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            double r = ref == null ? 0 : ref[j];
            out[j] = (float) (r + factor * (x[j] - r));
        }
        return out;
    }
}
