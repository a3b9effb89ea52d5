package dev.fedexlora.cli.bench;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.aggregate.Aggregator;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One round of aggregation at LLM layer shapes. {@code fedex} is the platform's path: averages, the factored
 * residual of width (n−1)·r, and the exactness check ({@code fedexExactNorms} adds the exact Gram-based norms). {@code denseResidual} is what a
 * straightforward exact implementation does instead: form {@code Σ pᵢBᵢAᵢ} as one stacked d×(n·r)·(n·r)×k GEMM
 * and subtract {@code B̄Ā}, a dense d×k residual per layer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AggregationBenchmark {

    /** d×k of every adapted layer, out×in. */
    @Param({"4096x4096"})
    public String shape;

    @Param({"16"})
    public int rank;

    @Param({"10"})
    public int clients;

    @Param({"1"})
    public int layers;

    List<LoraAdapter> adapters;

    @Setup(Level.Trial)
    public void setUp() {
        adapters = randomClients(shape, rank, clients, layers, 1234);
    }

    /** Aggregation and the exactness check; deviation and norms estimated from the probes. */
    @Benchmark
    public AggregationResult fedex() {
        return Aggregator.aggregate(AggregationMethod.FEDEX, adapters, null, names(), false);
    }

    /** The same with the deviation s‖R‖_F and the ideal update's norm exact, from Gram matrices. */
    @Benchmark
    public AggregationResult fedexExactNorms() {
        return Aggregator.aggregate(AggregationMethod.FEDEX, adapters, null, names(), true);
    }

    private List<String> names() {
        return java.util.Collections.nCopies(adapters.size(), "client");
    }

    @Benchmark
    public List<Matrix> denseResidual() {
        List<Matrix> out = new ArrayList<>();
        int n = adapters.size();
        for (String module : adapters.get(0).layers().keySet()) {
            LoraLayer first = adapters.get(0).layer(module);
            int d = first.outFeatures();
            int k = first.inFeatures();
            int r = first.rank();
            double s = adapters.get(0).scale(module);
            // [p₁s·B₁ … pₙs·Bₙ − s·B̄] · [A₁; …; Aₙ; Ā]: Σ pᵢsBᵢAᵢ − sB̄Ā in one product.
            Matrix left = Matrix.zeros(d, (n + 1) * r);
            Matrix right = Matrix.zeros((n + 1) * r, k);
            Matrix aBar = Matrix.zeros(r, k);
            Matrix bBar = Matrix.zeros(d, r);
            for (int i = 0; i < n; i++) {
                LoraLayer l = adapters.get(i).layer(module);
                aBar.addInPlace(l.a(), 1f / n);
                bBar.addInPlace(l.b(), 1f / n);
                place(left, l.b(), i * r, (float) (s / n));
                System.arraycopy(l.a().data(), 0, right.data(), i * r * k, r * k);
            }
            place(left, bBar, n * r, (float) -s);
            System.arraycopy(aBar.data(), 0, right.data(), n * r * k, r * k);
            out.add(left.multiply(right));
        }
        return out;
    }

    private static void place(Matrix dst, Matrix block, int col, float scale) {
        for (int row = 0; row < block.rows(); row++) {
            for (int c = 0; c < block.cols(); c++) {
                dst.data()[row * dst.cols() + col + c] = scale * block.data()[row * block.cols() + c];
            }
        }
    }

    /** {@code clients} adapters with {@code layers} layers of {@code shape} at {@code rank}, Gaussian entries. */
    static List<LoraAdapter> randomClients(String shape, int rank, int clients, int layers, long seed) {
        String[] dk = shape.split("x");
        int d = Integer.parseInt(dk[0]);
        int k = Integer.parseInt(dk[1]);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<LoraAdapter> out = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Map<String, LoraLayer> ls = new LinkedHashMap<>();
            for (int l = 0; l < layers; l++) {
                String m = "model.layers." + l + ".proj";
                ls.put(m, new LoraLayer(m, gaussian(rnd, rank, k, 0.02), gaussian(rnd, d, rank, 0.02)));
            }
            out.add(new LoraAdapter(AdapterConfig.of(rank, 2.0 * rank, List.of("proj")), ls, Map.of()));
        }
        return out;
    }

    private static Matrix gaussian(SplittableRandom rnd, int rows, int cols, double std) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return new Matrix(rows, cols, v);
    }
}
