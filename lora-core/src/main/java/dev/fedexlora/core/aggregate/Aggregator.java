package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Aggregates one round of client adapters with FedEx-LoRA, FedIT or FFA (design.md §1).
 *
 * <p>Per layer, with weights {@code pᵢ} (Σ pᵢ = 1): clients are brought to the largest rank by zero padding and
 * their own scale {@code sᵢ} is folded into {@code Bᵢ} relative to the output scale {@code s}, so that
 * {@code s·B'ᵢA'ᵢ = sᵢBᵢAᵢ} for every client whatever its rank or alpha. Then {@code Ā = Σ pᵢA'ᵢ},
 * {@code B̄ = Σ pᵢB'ᵢ}, and the residual is built directly in factored form through the identity
 * <pre>  R = Σᵢ pᵢ(B'ᵢ − B̄)(A'ᵢ − Ā) = Σ_{i≠j} pᵢ(B'ᵢ − B̄)(A'ᵢ − A'ⱼ)</pre>
 * (it holds for any pivot {@code j} because {@code Σ pᵢ(B'ᵢ − B̄) = 0}), which has width at most (n−1)·r with no
 * decomposition and never forms a d×k matrix unless the dense form is the smaller one. FedEx-LoRA folds
 * {@code s·R} into the base weight; FedIT drops it and reports its norm; FFA requires one shared A, for which
 * {@code R} vanishes.
 */
public final class Aggregator {

    /** Random probe vectors used to estimate the exactness error without a dense d×k matrix. */
    static final int PROBES = 8;

    private Aggregator() {
    }

    /** Aggregates with uniform weights when {@code weights} is null, naming clients "client 1..n" in errors. */
    public static AggregationResult aggregate(AggregationMethod method, List<LoraAdapter> clients, double[] weights) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= clients.size(); i++) {
            names.add("client " + i);
        }
        return aggregate(method, clients, weights, names);
    }

    /** Aggregates with exact deviations (see {@link #aggregate(AggregationMethod, List, double[], List, boolean)}). */
    public static AggregationResult aggregate(AggregationMethod method, List<LoraAdapter> clients, double[] weights,
                                              List<String> names) {
        return aggregate(method, clients, weights, names, true);
    }

    /**
     * Aggregates {@code clients} with {@code weights} (normalised to sum to 1; uniform when null). The exactness
     * check always runs (random probes, no d×k matrix).
     *
     * @param names          how each client is called in error messages (a directory, a client id)
     * @param exactDeviation compute {@code s‖R‖_F} and the ideal update's norm exactly from Gram matrices, at
     *                       O((d+k)·w²) per layer; when false they are estimated from the exactness probes, which
     *                       keeps LLM-sized rounds well under a second (see docs/benchmarks.md)
     * @throws IncompatibleAdaptersException when the clients' layers, shapes or (for FFA) A matrices disagree
     */
    public static AggregationResult aggregate(AggregationMethod method, List<LoraAdapter> clients, double[] weights,
                                              List<String> names, boolean exactDeviation) {
        return aggregate(method, clients, weights, names, exactDeviation, RobustOptions.OFF);
    }

    /**
     * Aggregates as above after applying the robust options (update-norm clipping, norm-outlier rejection; see
     * {@link RobustOptions}); the result's {@link AggregationResult#robustness()} says what they did. With
     * {@link RobustOptions#OFF} the result is the same as without options.
     */
    public static AggregationResult aggregate(AggregationMethod method, List<LoraAdapter> allClients,
                                              double[] allWeights, List<String> allNames, boolean exactDeviation,
                                              RobustOptions robust) {
        Objects.requireNonNull(method, "method");
        if (allClients.isEmpty()) {
            throw new IncompatibleAdaptersException("no client adapters to aggregate");
        }
        if (allNames.size() != allClients.size()) {
            throw new IllegalArgumentException("one name per client needed");
        }
        normalise(allWeights, allClients.size());
        validate(allClients, allNames);
        Robustness.Outcome robustness = Robustness.apply(robust, allClients, allWeights, allNames);
        List<LoraAdapter> clients = robustness.clients();
        List<String> names = robustness.names();
        double[] p = normalise(robust.enabled() ? robustness.weights() : allWeights, clients.size());

        LoraAdapter first = clients.get(0);
        List<String> modules = new ArrayList<>(first.layers().keySet());
        List<LayerOutcome> outcomes = modules.parallelStream()
                .map(m -> aggregateLayer(method, m, clients, p, names, exactDeviation))
                .toList();

        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        Map<String, Residual> residuals = new LinkedHashMap<>();
        List<LayerReport> reports = new ArrayList<>();
        for (LayerOutcome o : outcomes) {
            layers.put(o.layer().module(), o.layer());
            if (o.residual() != null && method == AggregationMethod.FEDEX) {
                residuals.put(o.layer().module(), o.residual());
            }
            reports.add(o.report());
        }
        LoraAdapter global = new LoraAdapter(outputConfig(first.config(), outcomes), layers, averageExtras(clients, p));
        return new AggregationResult(method, global, residuals, reports, p, robustness.report());
    }

    private record LayerOutcome(LoraLayer layer, double scale, Residual residual, LayerReport report) {
    }

    private static LayerOutcome aggregateLayer(AggregationMethod method, String module, List<LoraAdapter> clients,
                                               double[] p, List<String> names, boolean exactDeviation) {
        int n = clients.size();
        int rank = 0;
        for (LoraAdapter c : clients) {
            rank = Math.max(rank, c.layer(module).rank());
        }
        // The output takes the scale of the first client at the largest rank; others are folded relative to it.
        double scale = 0;
        for (LoraAdapter c : clients) {
            if (c.layer(module).rank() == rank) {
                scale = c.scale(module);
                break;
            }
        }
        LoraLayer ref = clients.get(0).layer(module);
        int d = ref.outFeatures();
        int k = ref.inFeatures();

        Matrix[] a = new Matrix[n];
        Matrix[] b = new Matrix[n];
        double[] clientScale = new double[n];
        for (int i = 0; i < n; i++) {
            LoraLayer l = clients.get(i).layer(module);
            clientScale[i] = clients.get(i).scale(module);
            a[i] = l.rank() == rank ? l.a() : l.a().withRows(rank);
            b[i] = l.rank() == rank ? l.b().copy() : l.b().withCols(rank);
            if (clientScale[i] != scale) {
                b[i].scaleInPlace((float) (clientScale[i] / scale));
            }
        }
        if (method == AggregationMethod.FFA) {
            for (int i = 1; i < n; i++) {
                if (!Arrays.equals(a[i].data(), a[0].data())) {
                    throw new IncompatibleAdaptersException("FFA needs one frozen lora_A shared by every client, but "
                            + names.get(i) + " has a different lora_A than " + names.get(0) + " at '" + module + "'");
                }
            }
        }
        Matrix aBar = weightedMean(a, p);
        Matrix bBar = weightedMean(b, p);

        Residual residual = null;
        if (method != AggregationMethod.FFA && n > 1) {
            residual = factoredResidual(a, b, aBar, bBar, p, (float) scale);
        }
        if (residual instanceof Residual.Factored f && (long) f.width() * (d + k) >= (long) d * k) {
            residual = new Residual.Dense(f.toDense());
        }

        LayerReport report = Exactness.report(method, module, clients, p, aBar, bBar, scale, residual, rank,
                exactDeviation);
        return new LayerOutcome(new LoraLayer(module, aBar, bBar), scale, residual, report);
    }

    /**
     * {@code s·R} as {@code U·V} with {@code U = [s·pᵢ(B'ᵢ − B̄)]} and {@code V = [A'ᵢ − A'ⱼ]} over {@code i ≠ j},
     * {@code j} the heaviest client; blocks that are exactly zero are left out. Null when the residual is zero.
     */
    private static Residual factoredResidual(Matrix[] a, Matrix[] b, Matrix aBar, Matrix bBar, double[] p, float scale) {
        int n = a.length;
        int r = aBar.rows();
        int d = bBar.rows();
        int k = aBar.cols();
        int pivot = 0;
        for (int i = 1; i < n; i++) {
            if (p[i] > p[pivot]) {
                pivot = i;
            }
        }
        // Blocks that would be exactly zero (a client equal to the mean or to the pivot) are left out.
        List<Integer> blocks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i != pivot && p[i] != 0 && !Arrays.equals(a[i].data(), a[pivot].data())
                    && !Arrays.equals(b[i].data(), bBar.data())) {
                blocks.add(i);
            }
        }
        if (blocks.isEmpty()) {
            return null;
        }
        int w = blocks.size() * r;
        float[] u = new float[d * w];
        float[] v = new float[w * k];
        float[] bb = bBar.data();
        float[] aj = a[pivot].data();
        for (int blk = 0; blk < blocks.size(); blk++) {
            int i = blocks.get(blk);
            float coef = (float) (scale * p[i]);
            float[] bi = b[i].data();
            for (int row = 0; row < d; row++) {
                int src = row * r;
                int dst = row * w + blk * r;
                for (int c = 0; c < r; c++) {
                    u[dst + c] = coef * (bi[src + c] - bb[src + c]);
                }
            }
            float[] ai = a[i].data();
            int off = blk * r * k;
            for (int x = 0; x < r * k; x++) {
                v[off + x] = ai[x] - aj[x];
            }
        }
        return new Residual.Factored(new Matrix(d, w, u), new Matrix(w, k, v));
    }

    /** Σ pᵢ mᵢ, accumulated in fp64. */
    static Matrix weightedMean(Matrix[] m, double[] p) {
        int len = m[0].data().length;
        double[] acc = new double[len];
        for (int i = 0; i < m.length; i++) {
            float[] x = m[i].data();
            double w = p[i];
            for (int j = 0; j < len; j++) {
                acc[j] += w * x[j];
            }
        }
        float[] out = new float[len];
        for (int j = 0; j < len; j++) {
            out[j] = (float) acc[j];
        }
        return new Matrix(m[0].rows(), m[0].cols(), out);
    }

    private static Map<String, Tensor> averageExtras(List<LoraAdapter> clients, double[] p) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : clients.get(0).extras().entrySet()) {
            Tensor t0 = e.getValue();
            double[] acc = new double[Math.toIntExact(t0.elementCount())];
            for (int i = 0; i < clients.size(); i++) {
                float[] x = clients.get(i).extras().get(e.getKey()).toFloatArray();
                for (int j = 0; j < acc.length; j++) {
                    acc[j] += p[i] * x[j];
                }
            }
            float[] f = new float[acc.length];
            for (int j = 0; j < acc.length; j++) {
                f[j] = (float) acc[j];
            }
            out.put(e.getKey(), Tensor.ofFloats(f, t0.shape()));
        }
        return out;
    }

    /** The output's rank is the largest layer rank; alpha reproduces each layer's scale (alpha_pattern where needed). */
    private static AdapterConfig outputConfig(AdapterConfig base, List<LayerOutcome> outcomes) {
        int r = outcomes.stream().mapToInt(o -> o.layer().rank()).max().orElse(base.r());
        double alpha = alphaFor(base.useRslora(), outcomes.get(0).scale(), r);
        Map<String, Double> alphaPattern = new LinkedHashMap<>();
        for (LayerOutcome o : outcomes) {
            double implied = base.useRslora() ? alpha / Math.sqrt(o.layer().rank()) : alpha / o.layer().rank();
            if (Math.abs(implied - o.scale()) > 1e-9 * Math.abs(o.scale())) {
                alphaPattern.put(o.layer().module(), alphaFor(base.useRslora(), o.scale(), o.layer().rank()));
            }
        }
        return new AdapterConfig(r, alpha, base.useRslora(), base.targetModules(), base.modulesToSave(),
                base.fanInFanOut(), alphaPattern, base.baseModel(), base.taskType());
    }

    private static double alphaFor(boolean rslora, double scale, int rank) {
        return rslora ? scale * Math.sqrt(rank) : scale * rank;
    }

    static double[] normalise(double[] weights, int n) {
        if (weights == null) {
            double[] p = new double[n];
            Arrays.fill(p, 1.0 / n);
            return p;
        }
        if (weights.length != n) {
            throw new IncompatibleAdaptersException(weights.length + " weights given for " + n + " clients");
        }
        double sum = 0;
        for (double w : weights) {
            if (!Double.isFinite(w) || w < 0) {
                throw new IncompatibleAdaptersException("client weights must be finite and non-negative, got "
                        + Arrays.toString(weights));
            }
            sum += w;
        }
        if (sum <= 0) {
            throw new IncompatibleAdaptersException("client weights sum to zero");
        }
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = weights[i] / sum;
        }
        return p;
    }

    /** Every client must adapt the same layers with the same shapes and carry the same extra tensors. */
    private static void validate(List<LoraAdapter> clients, List<String> names) {
        LoraAdapter ref = clients.get(0);
        for (int i = 0; i < clients.size(); i++) {
            LoraAdapter c = clients.get(i);
            String who = names.get(i);
            if (i > 0 && !c.layers().keySet().equals(ref.layers().keySet())) {
                List<String> missing = new ArrayList<>(ref.layers().keySet());
                missing.removeAll(c.layers().keySet());
                List<String> extra = new ArrayList<>(c.layers().keySet());
                extra.removeAll(ref.layers().keySet());
                throw new IncompatibleAdaptersException(who + " adapts other layers than " + names.get(0)
                        + ": missing " + missing + ", extra " + extra);
            }
            if (c.config().fanInFanOut() != ref.config().fanInFanOut()) {
                throw new IncompatibleAdaptersException(who + " disagrees with " + names.get(0) + " on fan_in_fan_out");
            }
            for (LoraLayer l : c.layers().values()) {
                LoraLayer r = ref.layer(l.module());
                if (l.outFeatures() != r.outFeatures() || l.inFeatures() != r.inFeatures()) {
                    throw new IncompatibleAdaptersException(who + " has layer '" + l.module() + "' of shape "
                            + l.outFeatures() + "x" + l.inFeatures() + " but " + names.get(0) + " has "
                            + r.outFeatures() + "x" + r.inFeatures());
                }
                if (!l.a().isFinite() || !l.b().isFinite()) {
                    throw new IncompatibleAdaptersException(who + " has non-finite values in layer '" + l.module() + "'");
                }
            }
            if (i > 0 && !c.extras().keySet().equals(ref.extras().keySet())) {
                throw new IncompatibleAdaptersException(who + " carries extra tensors " + c.extras().keySet()
                        + " but " + names.get(0) + " carries " + ref.extras().keySet());
            }
            for (Map.Entry<String, Tensor> e : c.extras().entrySet()) {
                Tensor t = e.getValue();
                if (!Arrays.equals(t.shape(), ref.extras().get(e.getKey()).shape())) {
                    throw new IncompatibleAdaptersException(who + " has '" + e.getKey() + "' of shape "
                            + Arrays.toString(t.shape()) + " but " + names.get(0) + " has "
                            + Arrays.toString(ref.extras().get(e.getKey()).shape()));
                }
                if (!t.dtype().isFloatingPoint()) {
                    throw new IncompatibleAdaptersException(who + " has '" + e.getKey() + "' of dtype " + t.dtype()
                            + ", which cannot be averaged");
                }
                for (float v : t.toFloatArray()) {
                    if (!Float.isFinite(v)) {
                        throw new IncompatibleAdaptersException(who + " has non-finite values in '" + e.getKey() + "'");
                    }
                }
            }
        }
    }
}
