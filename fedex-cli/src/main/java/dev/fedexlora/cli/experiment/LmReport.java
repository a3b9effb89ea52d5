package dev.fedexlora.cli.experiment;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import dev.fedexlora.train.decoder.LmTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import tools.jackson.databind.JsonNode;

/**
 * {@code causal-lm.md}, the per-round summary of the causal-LM study: per setting and round, each method's held-out
 * loss (with perplexity) and exact match (mean with 95 % interval over seeds), the FEDEX − FEDIT and FEDEX − FFA
 * differences paired by seed with 95 % intervals, the exactness error of each method, and FedIT's relative deviation
 * from the ideal update by projection type (q/k/v/o/gate/up/down).
 */
final class LmReport {

    static final List<String> PROJECTIONS = Preset.DECODER_PROJECTIONS;

    private LmReport() {
    }

    static void write(Path out, Preset preset, Map<String, Map<Preset.Point, Map<Run, JobResult>>> all,
                      DecoderPretraining.Info pretraining, LmTrainer.LmEvaluation base, double learningRate,
                      String timing) throws IOException {
        StringBuilder md = new StringBuilder("<!-- written by ./fedex experiment --task causal-lm; do not edit -->\n\n");
        DecoderPretraining.Settings s = pretraining.settings();
        md.append(String.format(Locale.ROOT, "Base model: Llama architecture, %d layers, hidden %d, MLP %d, %d heads, "
                        + "tied embeddings, Llama 2 tokenizer (32000 tokens); pretrained full-parameter for %d steps of "
                        + "%d sequences of at most %d tokens (%d tokens in all) on %d fortunes from %s in %.0f s: "
                        + "held-out loss %.3f → %.3f (perplexity %.0f → %.1f).%n%n", s.layers(), s.hidden(),
                s.intermediate(), s.heads(), s.steps(), s.batchSize(), s.maxLength(), pretraining.trainTokens(),
                pretraining.corpusTexts(), pretraining.corpus(), pretraining.seconds(), pretraining.initialLoss(),
                pretraining.finalLoss(), Math.exp(pretraining.initialLoss()), Math.exp(pretraining.finalLoss())));
        md.append(String.format(Locale.ROOT, "Fine-tuning: LoRA rank r, lora_alpha 2r, on %s of every layer; %d rounds, "
                        + "batch %d, %d tokens, learning rate %s for every method; seeds %s; %s on %d cores. "
                        + "Before fine-tuning the base model's test loss is %.3f (perplexity %.1f), exact match %.3f.%n%n",
                preset.targets(), preset.rounds(), preset.batchSize(), preset.maxLength(), learningRate, preset.seeds(),
                timing, Runtime.getRuntime().availableProcessors(), base.loss(),
                base.perplexity(), base.exactMatch()));
        for (var d : all.entrySet()) {
            for (var p : d.getValue().entrySet()) {
                setting(md, d.getKey(), p.getKey(), p.getValue(), preset.rounds());
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("causal-lm.md"), md);
    }

    private static void setting(StringBuilder md, String dataset, Preset.Point p, Map<Run, JobResult> runs, int rounds) {
        List<String> methods = Preset.MAIN.stream().filter(m -> runs.keySet().stream().anyMatch(r -> r.method().equals(m)))
                .toList();
        md.append("### ").append(dataset).append(", ").append(p.label()).append(" (Dirichlet α ")
                .append(Run.alphaLabel(p.alpha())).append(", ").append(p.clients()).append(" clients, rank ")
                .append(p.rank()).append(", ").append(p.localSteps()).append(" local steps per round)\n\n");
        List<String> failed = runs.entrySet().stream().filter(e -> !e.getValue().state().equals("SUCCEEDED"))
                .map(e -> e.getKey().name() + ": " + e.getValue().failure()).toList();
        if (!failed.isEmpty()) {
            md.append("Failed: ").append(String.join("; ", failed)).append("\n\n");
        }
        md.append("Held-out loss per response token, mean ± 95 % interval over seeds (perplexity of the mean):\n\n");
        header(md, "round", methods);
        for (int round = 1; round <= rounds; round++) {
            md.append("| ").append(round).append(" |");
            for (String m : methods) {
                Stats.Paired v = Stats.paired(values(runs, m, round, RoundResult::testLoss));
                md.append(v.n() == 0 ? " – |" : String.format(Locale.ROOT, " %.3f ± %s (%.1f) |", v.mean(),
                        half(v, 3), Math.exp(v.mean())));
            }
            md.append('\n');
        }
        md.append("\nExact match on the test pairs (greedy continuation = the category), mean ± 95 % interval:\n\n");
        header(md, "round", methods);
        for (int round = 1; round <= rounds; round++) {
            md.append("| ").append(round).append(" |");
            for (String m : methods) {
                Stats.Paired v = Stats.paired(values(runs, m, round, RoundResult::testAccuracy));
                md.append(v.n() == 0 ? " – |" : String.format(Locale.ROOT, " %.3f ± %s |", v.mean(), half(v, 3)));
            }
            md.append('\n');
        }
        md.append("\nPaired by seed, 95 % intervals (loss in nats, exact match in points; negative loss and positive "
                + "exact match favour FEDEX):\n\n");
        md.append("| round | FEDEX − FEDIT loss | FEDEX − FFA loss | FEDEX − FEDIT exact match | FEDEX − FFA exact match "
                + "|\n|---|---|---|---|---|\n");
        for (int round = 1; round <= rounds; round++) {
            md.append("| ").append(round).append(" | ")
                    .append(Stats.paired(diffs(runs, "FEDEX", "FEDIT", round, RoundResult::testLoss)).format(1, 4)).append(" | ")
                    .append(Stats.paired(diffs(runs, "FEDEX", "FFA", round, RoundResult::testLoss)).format(1, 4)).append(" | ")
                    .append(Stats.paired(diffs(runs, "FEDEX", "FEDIT", round, RoundResult::testAccuracy)).format(100, 2))
                    .append(" | ")
                    .append(Stats.paired(diffs(runs, "FEDEX", "FFA", round, RoundResult::testAccuracy)).format(100, 2))
                    .append(" |\n");
        }
        md.append("\nExactness error (largest over layers and seeds; FEDEX and FFA must stay below 1e-5, FEDIT is not "
                + "exact) and FedIT's largest relative deviation from the ideal update:\n\n");
        md.append("| round | FEDEX | FFA | FEDIT deviation |\n|---|---|---|---|\n");
        for (int round = 1; round <= rounds; round++) {
            md.append("| ").append(round).append(" | ")
                    .append(sci(max(values(runs, "FEDEX", round, RoundResult::exactnessError)))).append(" | ")
                    .append(sci(max(values(runs, "FFA", round, RoundResult::exactnessError)))).append(" | ")
                    .append(sci(max(values(runs, "FEDIT", round, r -> Results.maxLayer(r, "relativeDeviation")))))
                    .append(" |\n");
        }
        md.append("\nFedIT's relative deviation ‖ΔW_FedIT − ΔW_ideal‖ / ‖ΔW_ideal‖ by projection type (mean over "
                + "layers and seeds):\n\n");
        header(md, "round", PROJECTIONS);
        for (int round = 1; round <= rounds; round++) {
            md.append("| ").append(round).append(" |");
            Map<String, List<Double>> by = byProjection(runs, round);
            for (String proj : PROJECTIONS) {
                md.append(' ').append(String.format(Locale.ROOT, "%.4f", Stats.mean(by.getOrDefault(proj, List.of()))))
                        .append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    /** FedIT's per-layer relative deviations of one round, by projection type. */
    static Map<String, List<Double>> byProjection(Map<Run, JobResult> runs, int round) {
        Map<String, List<Double>> out = new TreeMap<>();
        runs.forEach((r, res) -> {
            if (!r.method().equals("FEDIT") || res.rounds().size() < round) {
                return;
            }
            for (JsonNode l : res.rounds().get(round - 1).report().path("layers")) {
                String module = l.path("module").asString();
                out.computeIfAbsent(module.substring(module.lastIndexOf('.') + 1), k -> new ArrayList<>())
                        .add(l.path("relativeDeviation").asDouble());
            }
        });
        return out;
    }

    /** One value per seed (seed order) of a method's round, from the jobs that reached it. */
    static List<Double> values(Map<Run, JobResult> runs, String method, int round, ToDoubleFunction<RoundResult> f) {
        return bySeed(runs, method, round, f).values().stream().toList();
    }

    /** Per seed where both ran, a − b. */
    static List<Double> diffs(Map<Run, JobResult> runs, String a, String b, int round, ToDoubleFunction<RoundResult> f) {
        Map<Long, Double> x = bySeed(runs, a, round, f);
        Map<Long, Double> y = bySeed(runs, b, round, f);
        List<Double> out = new ArrayList<>();
        x.forEach((seed, v) -> {
            if (y.containsKey(seed)) {
                out.add(v - y.get(seed));
            }
        });
        return out;
    }

    private static Map<Long, Double> bySeed(Map<Run, JobResult> runs, String method, int round,
                                            ToDoubleFunction<RoundResult> f) {
        Map<Long, Double> out = new TreeMap<>();
        runs.forEach((r, res) -> {
            if (r.method().equals(method) && res.rounds().size() >= round) {
                double v = f.applyAsDouble(res.rounds().get(round - 1));
                if (Double.isFinite(v)) {
                    out.put(r.seed(), v);
                }
            }
        });
        return new LinkedHashMap<>(out);
    }

    private static void header(StringBuilder md, String first, List<String> columns) {
        md.append("| ").append(first).append(" |");
        columns.forEach(c -> md.append(' ').append(c).append(" |"));
        md.append("\n|---|").append("---|".repeat(columns.size())).append('\n');
    }

    private static String half(Stats.Paired v, int digits) {
        return v.n() < 2 ? "–" : String.format(Locale.ROOT, "%." + digits + "f", v.halfWidth());
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(x -> x).max().orElse(Double.NaN);
    }

    private static String sci(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1e", v);
    }
}
