package dev.fedexlora.cli.bench;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.aggregate.Aggregator;
import dev.fedexlora.cli.train.BundledModels;
import dev.fedexlora.cli.train.Engines;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
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
 * FedEx-LoRA path against a dense residual, then a table of time and bytes. {@code ./fedex bench train}: LoRA
 * training throughput of the platform's trainer, and with {@code --python} the same model and step in PyTorch
 * ({@code bench/torch_lora_train.py}) in the same run, with the ratio.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks. 'aggregate': FedEx-LoRA aggregation at LLaMA-7B shapes (JMH).",
                "'train': LoRA training throughput of all-MiniLM-L6-v2 (examples/s, tokens/s), and with --python the "
                        + "same model and step in PyTorch (bench/torch_lora_train.py) in the same run, with the ratio.",
                "'lm': LoRA training tokens/s of a small random Llama (4 layers, hidden 256, batch 8, seq 256, r 16 on "
                        + "all projections) against PyTorch eager with --python, and KV-cache generation tokens/s."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1", paramLabel = "aggregate|train|lm", description = "Which benchmark: aggregate, train or lm.")
    String which;

    @Option(names = "--quick", description = "One short iteration per case (a smoke run; figures are rough).")
    boolean quick;

    @Option(names = "--python", paramLabel = "EXE", description = "train: a Python with torch; runs the PyTorch side too.")
    String python;

    @Option(names = "--model", paramLabel = "DIR", description = "train: a Hugging Face BERT directory (default: the bundled MiniLM).")
    Path model;

    @Option(names = "--threads", defaultValue = "2", description = "train: libtorch threads, both sides (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--batch-size", defaultValue = "32", description = "train: examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seq", defaultValue = "64", description = "train: tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--rank", defaultValue = "8", description = "train: LoRA rank on query and value (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--steps", defaultValue = "20", description = "train: measured steps per run (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--repeats", defaultValue = "3", description = "train: measured runs; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    record Case(String shape, int rank, int clients, int layers, String benchmark) {
    }

    @Override
    public Integer call() throws Exception {
        if ("train".equals(which)) {
            return train();
        }
        if ("lm".equals(which)) {
            return lm();
        }
        if (!"aggregate".equals(which)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "unknown benchmark '" + which + "'; try: aggregate, train, lm");
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

    /**
     * DJL against PyTorch on the same machine in the same run. The machine may be shared, so the two are
     * interleaved: both are loaded and warmed up once, then each round measures one run of each in turn, and the
     * medians (and the median of the per-round ratios) are reported with the load average.
     */
    private int train() throws Exception {
        if (batchSize <= 0 || seq < 8 || rank <= 0 || steps <= 0 || repeats <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--batch-size, --rank, --steps and --repeats must be positive and --seq at least 8");
        }
        Engines.useThreads(threads);
        PrintWriter out = spec.commandLine().getOut();
        Path dir = model != null ? model : BundledModels.miniLm();
        int warmup = quick ? 3 : 10; // the first steps of either side run several times slower
        int n = quick ? Math.min(steps, 5) : steps;
        int rounds = quick ? 1 : repeats;
        String setting = String.format(Locale.ROOT, "batch %d, seq %d, r %d on query,value, %d threads, %d warm-up "
                + "steps, %d interleaved rounds of %d steps", batchSize, seq, rank, threads, warmup, rounds, n);
        out.println("LoRA training throughput of " + dir.getFileName() + ": " + setting);
        out.println("load average at start: " + loadAverage());
        out.flush();
        List<String> names = new ArrayList<>(List.of("DJL 0.36 (PyTorch engine, libtorch 2.7.1)"));
        List<List<TrainingBenchmark.Run>> runs = new ArrayList<>(List.of(new ArrayList<>()));
        List<TorchServer> servers = new ArrayList<>();
        List<String> loads = new ArrayList<>();
        try (TrainingBenchmark.Session djl = new TrainingBenchmark.Session(dir, batchSize, seq, rank, warmup)) {
            if (python != null) {
                for (String attention : List.of("eager", "sdpa")) {
                    TorchServer server = new TorchServer(dir, warmup, n, attention);
                    servers.add(server);
                    names.add("PyTorch " + server.version + " eager mode, attention " + attention);
                    runs.add(new ArrayList<>());
                }
            }
            for (int r = 0; r < rounds; r++) {
                loads.add(loadAverage().split(" ")[0]);
                runs.get(0).add(djl.run(n));
                for (int i = 0; i < servers.size(); i++) {
                    runs.get(i + 1).add(servers.get(i).run());
                }
                out.printf(Locale.ROOT, "round %d: %s examples/s%n", r + 1, String.join(" / ", runs.stream()
                        .map(l -> String.format(Locale.ROOT, "%.1f", l.getLast().examplesPerSecond())).toList()));
                out.flush();
            }
        } finally {
            for (TorchServer s : servers) {
                s.close();
            }
        }
        out.println();
        out.println("| implementation | examples/s (median) | tokens/s (median) | ms/step (median) | examples/s per round |");
        out.println("|---|---|---|---|---|");
        for (int i = 0; i < names.size(); i++) {
            TrainingBenchmark.Run m = TrainingBenchmark.median(runs.get(i));
            out.println("| " + String.join(" | ", row(names.get(i), m.examplesPerSecond(), m.tokensPerSecond(),
                    m.msPerStep(), runs.get(i))) + " |");
        }
        out.println();
        for (int i = 1; i < names.size(); i++) {
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = runs.get(0).get(r).examplesPerSecond() / runs.get(i).get(r).examplesPerSecond();
            }
            java.util.Arrays.sort(ratios);
            out.printf(Locale.ROOT, "DJL / %s: %.2fx (median of the per-round ratios; range %.2f-%.2f)%n", names.get(i),
                    ratios[rounds / 2], ratios[0], ratios[rounds - 1]);
        }
        out.println("1-minute load average at the start of each round: " + String.join(", ", loads));
        out.println("load average at the end: " + loadAverage());
        out.flush();
        return 0;
    }

    /** The decoder benchmark: the small Llama unless --batch-size, --seq or --rank say otherwise. */
    private int lm() throws Exception {
        var parsed = spec.commandLine().getParseResult();
        int b = parsed.hasMatchedOption("--batch-size") ? batchSize : 8;
        int t = parsed.hasMatchedOption("--seq") ? seq : 256;
        int r = parsed.hasMatchedOption("--rank") ? rank : 16;
        int n = parsed.hasMatchedOption("--steps") ? steps : 3;
        if (b <= 0 || t < 8 || r <= 0 || n <= 0 || repeats <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--batch-size, --rank, --steps and --repeats must be positive and --seq at least 8");
        }
        return dev.fedexlora.cli.lm.LmBenchmark.run(new dev.fedexlora.cli.lm.LmBenchmark.Setting(4, 256, 4, 2, 32000,
                b, t, r, threads, quick ? 1 : n, quick ? 1 : repeats, quick ? 1 : 2, python), spec.commandLine().getOut());
    }

    private static String[] row(String name, double eps, double tps, double ms, List<TrainingBenchmark.Run> runs) {
        return new String[] {name, String.format(Locale.ROOT, "%.1f", eps), String.format(Locale.ROOT, "%.0f", tps),
                String.format(Locale.ROOT, "%.1f", ms), runs.stream().map(r -> String.format(Locale.ROOT, "%.1f",
                        r.examplesPerSecond())).reduce((a, b) -> a + ", " + b).orElse("")};
    }

    /** {@code bench/torch_lora_train.py --serve}: loaded and warmed up once, one measured run per request. */
    private final class TorchServer implements AutoCloseable {

        final Process process;
        final java.io.BufferedReader in;
        final PrintWriter to;
        final String version;

        TorchServer(Path dir, int warmup, int n, String attention) throws IOException {
            Path script = Path.of(System.getProperty("fedex.home", "."), "bench", "torch_lora_train.py");
            if (!Files.exists(script)) {
                throw new IOException(script + " is missing");
            }
            List<String> cmd = List.of(python, script.toString(), "--model", dir.toString(), "--threads",
                    String.valueOf(threads), "--batch-size", String.valueOf(batchSize), "--seq", String.valueOf(seq),
                    "--rank", String.valueOf(rank), "--warmup", String.valueOf(warmup), "--steps", String.valueOf(n),
                    "--attention", attention, "--serve");
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            to = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            version = read().path("torch").asString();
        }

        TrainingBenchmark.Run run() throws IOException {
            to.println("run");
            JsonNode r = read();
            return new TrainingBenchmark.Run(r.path("steps").asInt(), r.path("seconds").asDouble(),
                    r.path("examples_per_second").asDouble(), r.path("tokens_per_second").asDouble());
        }

        private JsonNode read() throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the PyTorch benchmark ended early (exit " + process.onExit().join().exitValue() + ")");
            }
            return JsonMapper.builder().build().readTree(line);
        }

        @Override
        public void close() {
            to.println("quit");
            process.destroy();
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
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
