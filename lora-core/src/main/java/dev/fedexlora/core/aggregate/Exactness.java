package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The per-layer metrics of an aggregation, computed without any dense d×k matrix (unless the residual itself is
 * stored dense):
 * <ul>
 * <li>the exactness error, from random Gaussian probes {@code X} (k×{@value Aggregator#PROBES}) in fp64:
 *     {@code ‖(s·B̄ĀX + RX) − Σ pᵢsᵢBᵢ(AᵢX)‖ / ‖Σ pᵢsᵢBᵢ(AᵢX)‖}, where {@code RX} counts only when the method
 *     folds the residual (FedEx-LoRA). It compares against the clients' original, unpadded adapters, so rank
 *     padding and scale folding are checked too. For FedIT it measures the deviation FedIT leaves.</li>
 * <li>the deviation {@code s‖R‖_F} from Gram matrices: {@code ‖UV‖²_F = Σ (UᵀU) ⊙ (VVᵀ)};</li>
 * <li>the norm of the ideal update {@code ‖s·B̄Ā + s·R‖_F}, expanded into r×r and r×w traces.</li>
 * </ul>
 * The last two cost O((d+k)·w²); without {@code exact} they are estimated from the same probes instead
 * ({@code E‖MX‖² = p·‖M‖²_F} for Gaussian probes), which costs O((d+k)·w·p).
 */
final class Exactness {

    private Exactness() {
    }

    static LayerReport report(AggregationMethod method, String module, List<LoraAdapter> clients, double[] p,
                              Matrix aBar, Matrix bBar, double scale, Residual residual, int rank,
                              boolean exact) {
        int d = bBar.rows();
        int k = aBar.cols();
        int probes = Aggregator.PROBES;
        double[] x = probes(k);

        double[] ideal = new double[d * probes];
        for (int i = 0; i < clients.size(); i++) {
            LoraLayer l = clients.get(i).layer(module);
            double c = p[i] * clients.get(i).scale(module);
            double[] bax = l.b().times(l.a().times(x, probes), probes);
            for (int j = 0; j < ideal.length; j++) {
                ideal[j] += c * bax[j];
            }
        }
        double[] got = bBar.times(aBar.times(x, probes), probes);
        for (int j = 0; j < got.length; j++) {
            got[j] *= scale;
        }
        double[] rx = residual == null ? null : switch (residual) {
            case Residual.Factored f -> f.u().times(f.v().times(x, probes), probes);
            case Residual.Dense dn -> dn.delta().times(x, probes);
        };
        if (method == AggregationMethod.FEDEX && rx != null) {
            for (int j = 0; j < got.length; j++) {
                got[j] += rx[j];
            }
        }
        double diff = 0;
        double norm = 0;
        for (int j = 0; j < got.length; j++) {
            double e = got[j] - ideal[j];
            diff += e * e;
            norm += ideal[j] * ideal[j];
        }
        double exactnessError = norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff);
        boolean folded = method == AggregationMethod.FEDEX && residual != null;
        int width = residual == null ? 0 : residual.width();
        boolean dense = residual instanceof Residual.Dense;
        long bytes = residual == null ? 0 : residual.bytes();

        if (!exact) {
            double rxSq = 0;
            if (rx != null) {
                for (double v : rx) {
                    rxSq += v * v;
                }
            }
            double idealNorm = Math.sqrt(norm / probes);
            double deviation = method == AggregationMethod.FFA ? 0 : Math.sqrt(rxSq / probes);
            return new LayerReport(module, method, d, k, rank, scale, folded ? width : 0, folded && dense,
                    exactnessError, deviation, idealNorm > 0 ? deviation / idealNorm : 0, idealNorm,
                    folded ? bytes : 0, 4L * d * k, true);
        }

        // ‖s·B̄Ā‖², ⟨s·B̄Ā, R⟩ and ‖R‖² (R already carries the scale) give the ideal update's norm exactly.
        Matrix aBarT = aBar.transpose();
        double baSq = traceOfProduct(bBar.gram(), aBarT.gram());
        double cross = 0;
        double devSq = 0;
        if (residual instanceof Residual.Factored f) {
            Matrix vT = f.v().transpose();
            devSq = traceOfProduct(f.u().gram(), vT.gram());
            double[] bu = bBar.transposeTimes(f.u());   // r×w
            double[] va = vT.transposeTimes(aBarT);      // w×r
            int w = f.width();
            for (int a = 0; a < rank; a++) {
                for (int b = 0; b < w; b++) {
                    cross += bu[a * w + b] * va[b * rank + a];
                }
            }
        } else if (residual instanceof Residual.Dense dn) {
            devSq = dn.delta().frobeniusNorm() * dn.delta().frobeniusNorm();
            double[] br = bBar.transposeTimes(dn.delta()); // r×k
            float[] ad = aBar.data();
            for (int j = 0; j < br.length; j++) {
                cross += br[j] * ad[j];
            }
        }
        double idealNorm = Math.sqrt(Math.max(0, scale * scale * baSq + 2 * scale * cross + devSq));
        double deviation = method == AggregationMethod.FFA ? 0 : Math.sqrt(Math.max(0, devSq));
        return new LayerReport(module, method, d, k, rank, scale, folded ? width : 0, folded && dense,
                exactnessError, deviation, idealNorm > 0 ? deviation / idealNorm : 0, idealNorm,
                folded ? bytes : 0, 4L * d * k, false);
    }

    /** The probe block for layers with {@code k} inputs: fixed-seed Gaussians, the same for every layer and round. */
    static double[] probes(int k) {
        return PROBE_CACHE.computeIfAbsent(k, key -> {
            double[] x = new double[key * Aggregator.PROBES];
            SplittableRandom rnd = new SplittableRandom(0x5EEDL + key);
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextGaussian();
            }
            return x;
        });
    }

    private static final java.util.concurrent.ConcurrentHashMap<Integer, double[]> PROBE_CACHE =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** tr(G·H) for symmetric square matrices: Σ G ⊙ H. */
    private static double traceOfProduct(double[] g, double[] h) {
        double s = 0;
        for (int i = 0; i < g.length; i++) {
            s += g[i] * h[i];
        }
        return s;
    }
}
