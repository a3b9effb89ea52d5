package dev.fedexlora.cli.lm;

import dev.fedexlora.cli.train.Engines;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.train.decoder.CausalLm;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.DecoderConfig;
import dev.fedexlora.train.decoder.LmData;
import dev.fedexlora.train.decoder.LmTrainer;
import dev.fedexlora.train.decoder.RandomDecoder;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.training.ProgressListener;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./fedex bench lm}: LoRA training tokens/s of the decoder against PyTorch eager
 * ({@code bench/torch_causal_lm.py bench --serve}) on the same random Llama checkpoint (F32), same threads, runs
 * interleaved, medians and the median per-round ratio; then greedy generation tokens/s with the KV cache.
 */
public final class LmBenchmark {

    /** The setting: the small Llama of the issue by default. */
    public record Setting(int layers, int hidden, int heads, int kvHeads, int vocab, int batch, int seq, int rank,
                          int threads, int steps, int rounds, int warmup, String python) {
    }

    private LmBenchmark() {
    }

    public static int run(Setting s, PrintWriter out) throws Exception {
        Engines.useThreads(s.threads());
        Path dir = Files.createTempDirectory("fedex-bench-lm");
        try {
            DecoderConfig config = new DecoderConfig("llama", s.vocab(), s.hidden(), s.hidden() * 8 / 3 / 32 * 32,
                    s.layers(), s.heads(), s.kvHeads(), s.hidden() / s.heads(), 1e-5, 10000, null,
                    Math.max(4096, s.seq()), false, false, 0, 1, List.of(2), -1);
            RandomDecoder.write(dir, config, DType.F32, 1, 0.02, 1, null);
            out.printf(Locale.ROOT, "LoRA training of a random Llama (%d layers, hidden %d, %d heads, %d KV heads, "
                    + "intermediate %d, vocab %d): batch %d, seq %d, r %d on all seven projections, %d threads, "
                    + "%d warm-up steps, %d interleaved rounds of %d steps%n", s.layers(), s.hidden(), s.heads(),
                    s.kvHeads(), config.intermediateSize(), s.vocab(), s.batch(), s.seq(), s.rank(), s.threads(),
                    s.warmup(), s.rounds(), s.steps());
            out.println("load average at start: " + loadAverage());
            out.flush();
            DecoderCheckpoint checkpoint = DecoderCheckpoint.load(dir);
            LoraSettings lora = new LoraSettings(s.rank(), 2.0 * s.rank(), false, LmTrainCommand.PROJECTIONS, false);
            Random rnd = new Random(0);
            List<LmData.Sequence> data = new ArrayList<>();
            for (int i = 0; i < s.batch() * 4; i++) {
                long[] ids = rnd.longs(s.seq(), 0, s.vocab()).toArray();
                data.add(new LmData.Sequence(ids, ids.clone()));
            }
            List<Double> djl = new ArrayList<>();
            List<Double> torch = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            String torchVersion = null;
            TorchServer server = s.python() == null ? null : new TorchServer(s, dir);
            try (CausalLm lm = CausalLm.create(LmCommand.device(), checkpoint, lora, null, 1)) {
                LmTrainer.train(lm, data, List.of(), config(s, s.warmup()), 1, 0, ProgressListener.NONE);
                torchVersion = server == null ? null : server.version;
                for (int r = 0; r < s.rounds(); r++) {
                    TrainingReport rep = LmTrainer.train(lm, data, List.of(), config(s, s.steps()), 1, 0,
                            ProgressListener.NONE);
                    djl.add(rep.tokensPerSecond());
                    if (server != null) {
                        torch.add(server.run());
                        ratios.add(djl.getLast() / torch.getLast());
                    }
                    out.printf(Locale.ROOT, "round %d: DJL %.0f tokens/s%s%n", r + 1, djl.getLast(),
                            server == null ? "" : String.format(Locale.ROOT, ", PyTorch %.0f tokens/s", torch.getLast()));
                    out.flush();
                }
                out.println();
                out.println("| implementation | training tokens/s (median) | per round |");
                out.println("|---|---|---|");
                out.println(row("DJL 0.36 (PyTorch engine, libtorch 2.7.1)", djl));
                if (server != null) {
                    out.println(row("PyTorch " + torchVersion + " eager, SDPA attention", torch));
                    double[] rs = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    out.printf(Locale.ROOT, "DJL / PyTorch: %.2fx (median of the per-round ratios; range %.2f-%.2f)%n",
                            rs[rs.length / 2], rs[0], rs[rs.length - 1]);
                }
                out.println();
                List<Double> gen = new ArrayList<>();
                long[] prompt = rnd.longs(16, 0, s.vocab()).toArray();
                LmTrainer.generate(lm, prompt, 8, List.of());
                for (int r = 0; r < s.rounds(); r++) {
                    long start = System.nanoTime();
                    long[] got = LmTrainer.generate(lm, prompt, 64, List.of());
                    gen.add(got.length / ((System.nanoTime() - start) / 1e9));
                }
                out.printf(Locale.ROOT, "greedy generation with the KV cache (16-token prompt, 64 new tokens, batch 1): "
                        + "%.1f tokens/s (median of %d)%n", median(gen), gen.size());
            } finally {
                if (server != null) {
                    server.close();
                }
            }
            out.println("load average at the end: " + loadAverage());
            out.flush();
            return 0;
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static TrainingConfig config(Setting s, int steps) {
        return new TrainingConfig(1e-4, s.batch(), steps, 0, 0.0, 0.0, 1.0, s.seq(), 11);
    }

    private static String row(String name, List<Double> v) {
        return String.format(Locale.ROOT, "| %s | %.0f | %s |", name, median(v), String.join(", ",
                v.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList()));
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The PyTorch side, loaded and warmed up once; one measured run per request. */
    private static final class TorchServer implements AutoCloseable {

        final Process process;
        final BufferedReader in;
        final PrintWriter to;
        final String version;

        TorchServer(Setting s, Path dir) throws IOException {
            Path script = Path.of(System.getProperty("fedex.home", "."), "bench", "torch_causal_lm.py");
            if (!Files.exists(script)) {
                throw new IOException(script + " is missing");
            }
            List<String> cmd = List.of(s.python(), script.toString(), "bench", "--model", dir.toString(), "--threads",
                    String.valueOf(s.threads()), "--batch-size", String.valueOf(s.batch()), "--seq",
                    String.valueOf(s.seq()), "--rank", String.valueOf(s.rank()), "--warmup", String.valueOf(s.warmup()),
                    "--steps", String.valueOf(s.steps()), "--device", LmCommand.device().isGpu() ? "cuda" : "cpu",
                    "--serve");
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            to = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            version = read().path("torch").asString();
        }

        double run() throws IOException {
            to.println("run");
            return read().path("tokens_per_s").asDouble();
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
            to.close();
            process.destroy();
        }
    }
}
