package dev.fedexlora.cli.bench;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.aggregate.Aggregator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./fedex bench aggregate}: JMH measurements of aggregation at LLaMA-7B layer shapes, the factored
 * FedEx-LoRA path against a dense residual, then a table of time and bytes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks. 'aggregate': FedEx-LoRA aggregation at LLaMA-7B shapes (JMH).")
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1", paramLabel = "aggregate", description = "Which benchmark: aggregate.")
    String which;

    @Option(names = "--quick", description = "One short iteration per case (a smoke run; figures are rough).")
    boolean quick;

    record Case(String shape, int rank, int clients, int layers, String benchmark) {
    }

    @Override
    public Integer call() throws Exception {
        if (!"aggregate".equals(which)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "unknown benchmark '" + which + "'; try: aggregate");
        }
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("4096x4096", 16, 10, 64, "fedex")); // the target: 64 layers, under 1 s on 2 cores
        cases.add(new Case("4096x4096", 16, 10, 64, "fedexExactNorms"));
        for (String shape : List.of("4096x4096", "4096x11008")) {
            for (int r : List.of(8, 16)) {
                for (int n : List.of(3, 10, 100)) {
                    cases.add(new Case(shape, r, n, 1, "fedex"));
                    if (n <= 10 || r == 8) {
                        cases.add(new Case(shape, r, n, 1, "denseResidual"));
                    }
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String> rows = new ArrayList<>();
        for (Case c : cases) {
            ChainedOptionsBuilder opts = new OptionsBuilder()
                    .include(AggregationBenchmark.class.getName() + "." + c.benchmark() + "$")
                    .param("shape", c.shape()).param("rank", String.valueOf(c.rank()))
                    .param("clients", String.valueOf(c.clients())).param("layers", String.valueOf(c.layers()))
                    .forks(1)
                    .warmupIterations(quick ? 0 : 2).warmupTime(TimeValue.seconds(2))
                    .measurementIterations(quick ? 1 : 3).measurementTime(TimeValue.seconds(quick ? 1 : 3))
                    .jvmArgsAppend("-Xmx12g", "-XX:+UseParallelGC");
            Collection<RunResult> results = new Runner(opts.build()).run();
            for (RunResult r : results) {
                double ms = r.getPrimaryResult().getScore();
                double err = r.getPrimaryResult().getScoreError();
                rows.add(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %.1f ± %.1f | %s |", c.shape(), c.rank(),
                        c.clients(), c.layers(), c.benchmark(), ms, Double.isNaN(err) ? 0 : err, bytes(c)));
            }
        }
        out.println();
        out.println("| d×k | r | n | layers | path | ms/op (99.9% CI) | residual bytes per layer: stored / dense |");
        out.println("|---|---|---|---|---|---|---|");
        rows.forEach(out::println);
        out.flush();
        return 0;
    }

    /** Bytes the residual takes as the platform stores it, against a dense d×k, from one real aggregation. */
    private static String bytes(Case c) {
        if (c.benchmark().equals("denseResidual")) {
            String[] dk = c.shape().split("x");
            return "dense " + mib(4L * Long.parseLong(dk[0]) * Long.parseLong(dk[1]));
        }
        AggregationResult r = Aggregator.aggregate(AggregationMethod.FEDEX,
                AggregationBenchmark.randomClients(c.shape(), c.rank(), c.clients(), 1, 99), null);
        var layer = r.layers().get(0);
        return (layer.dense() ? "dense " : "U·V w=" + layer.residualWidth() + " ") + mib(layer.residualBytes())
                + " / " + mib(layer.denseBytes()) + "; max exactness error " + String.format(Locale.ROOT, "%.1e", r.maxExactnessError());
    }

    private static String mib(long b) {
        return String.format(Locale.ROOT, "%.2f MiB", b / (1024.0 * 1024));
    }
}
