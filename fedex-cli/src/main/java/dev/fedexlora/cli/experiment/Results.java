package dev.fedexlora.cli.experiment;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes an experiment's results: {@code results.json} (every run and round, with the per-layer aggregation
 * reports), {@code results.md} (the tables) and the PNG plots.
 */
final class Results {

    static final List<String> FEDERATED = List.of("FEDEX", "FEDIT", "FFA");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Results() {
    }

    static void write(Path dir, Settings settings, Map<Run, JobResult> runs) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.json"), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(json(settings, runs)));
        Files.writeString(dir.resolve("results.md"), markdown(settings, runs));
        Plots.write(dir, runs);
    }

    /** What {@link #write} wrote to {@code results.json}, read back: its settings and runs. */
    record Read(Settings settings, Map<Run, JobResult> runs) {
    }

    static Read read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (tools.jackson.core.JacksonException e) {
            throw new IOException(file + ": not the results.json of an experiment: " + e.getOriginalMessage(), e);
        }
        if (!root.path("settings").isObject() || !root.path("runs").isArray()) {
            throw new IOException(file + ": not the results.json of an experiment (no settings and runs)");
        }
        Settings settings = JSON.treeToValue(root.path("settings"), Settings.class);
        Map<Run, JobResult> runs = new LinkedHashMap<>();
        for (JsonNode r : root.path("runs")) {
            List<RoundResult> rounds = new ArrayList<>();
            for (JsonNode o : r.path("rounds")) {
                ObjectNode report = JSON.createObjectNode();
                report.set("layers", o.path("layers"));
                rounds.add(new RoundResult(o.path("round").asInt(), o.path("version").asInt(),
                        o.path("testAccuracy").asDouble(), o.path("testLoss").asDouble(),
                        o.path("clientAccuracy").asDouble(Double.NaN), o.path("exactnessError").asDouble(Double.NaN),
                        o.path("deviation").asDouble(Double.NaN), o.path("residualBytes").asLong(),
                        o.path("adapterBytes").asLong(), report));
            }
            runs.put(new Run(r.path("method").asString(), r.path("alpha").asDouble(), r.path("clients").asInt(),
                    r.path("rank").asInt(), r.path("seed").asLong()), new JobResult(r.path("jobId").asString(),
                    r.path("state").asString(), r.path("failure").asString(null), r.path("seconds").asDouble(), rounds));
        }
        return new Read(settings, runs);
    }

    private static ObjectNode json(Settings settings, Map<Run, JobResult> runs) {
        ObjectNode root = JSON.createObjectNode();
        root.set("settings", JSON.valueToTree(settings));
        ArrayNode list = root.putArray("runs");
        runs.forEach((run, result) -> {
            ObjectNode r = list.addObject();
            r.put("name", run.name()).put("method", run.method()).put("alpha", run.alpha())
                    .put("clients", run.clients()).put("rank", run.rank()).put("seed", run.seed())
                    .put("jobId", result.jobId()).put("state", result.state()).put("seconds", result.seconds());
            if (result.failure() != null) {
                r.put("failure", result.failure());
            }
            ArrayNode rounds = r.putArray("rounds");
            for (RoundResult rr : result.rounds()) {
                ObjectNode o = rounds.addObject();
                o.put("round", rr.round()).put("version", rr.version()).put("testAccuracy", rr.testAccuracy())
                        .put("testLoss", rr.testLoss()).put("clientAccuracy", rr.clientAccuracy())
                        .put("exactnessError", rr.exactnessError()).put("deviation", rr.deviation())
                        .put("residualBytes", rr.residualBytes()).put("adapterBytes", rr.adapterBytes());
                ArrayNode layers = o.putArray("layers");
                rr.report().path("layers").forEach(l -> layers.addObject()
                        .put("module", l.path("module").asString())
                        .put("deviation", l.path("deviation").asDouble())
                        .put("relativeDeviation", l.path("relativeDeviation").asDouble())
                        .put("idealUpdateNorm", l.path("idealUpdateNorm").asDouble())
                        .put("exactnessError", l.path("exactnessError").asDouble())
                        .put("residualWidth", l.path("residualWidth").asInt())
                        .put("residualBytes", l.path("residualBytes").asLong())
                        .put("denseBytes", l.path("denseBytes").asLong()));
            }
        });
        return root;
    }

    private static String markdown(Settings s, Map<Run, JobResult> runs) {
        StringBuilder md = new StringBuilder();
        md.append("<!-- written by ./fedex experiment; do not edit -->\n\n");
        md.append(String.format(Locale.ROOT, "%d jobs, %d succeeded, in %s on %d cores. Data: %s, %d examples split "
                        + "among the clients, %d held back as the test set, %d labels.%n%n", runs.size(),
                runs.values().stream().filter(r -> r.state().equals("SUCCEEDED")).count(),
                ExperimentCommand.elapsed(java.time.Duration.ofSeconds(s.wallSeconds())), s.cores(), s.dataset(),
                s.poolExamples(), s.testExamples(), s.labels()));

        md.append("### Test accuracy of the final global model (mean ± std over seeds)\n\n");
        List<String> methods = FEDERATED.stream().filter(m -> runs.keySet().stream().anyMatch(r -> r.method().equals(m))).toList();
        md.append("| rank | α | clients | ").append(String.join(" | ", methods)).append(" |\n");
        md.append("|---|---|---|").append("---|".repeat(methods.size())).append('\n');
        for (Run setting : settings(runs)) {
            md.append("| ").append(setting.rank()).append(" | ").append(Run.alphaLabel(setting.alpha())).append(" | ")
                    .append(setting.clients()).append(" |");
            for (String m : methods) {
                md.append(' ').append(meanStd(finals(runs, m, setting, RoundResult::testAccuracy))).append(" |");
            }
            md.append('\n');
        }
        for (Run c : runs.keySet().stream().filter(Run::centralized).map(r -> new Run(r.method(), 0, 1, r.rank(), 0))
                .distinct().toList()) {
            md.append("\nCENTRALIZED (one client on all ").append(s.poolExamples()).append(" examples, rank ")
                    .append(c.rank()).append("): ")
                    .append(meanStd(finals(runs, "CENTRALIZED", c, RoundResult::testAccuracy))).append('\n');
        }

        md.append("\n### Every round's global model (test accuracy / test loss, mean over seeds)\n");
        for (Run setting : settings(runs)) {
            Run centralized = new Run("CENTRALIZED", 0, 1, setting.rank(), 0);
            List<String> shown = new ArrayList<>(methods);
            if (runs.keySet().stream().anyMatch(r -> r.centralized() && r.rank() == setting.rank())) {
                shown.add("CENTRALIZED");
            }
            md.append("\nrank ").append(setting.rank()).append(", α ").append(Run.alphaLabel(setting.alpha()))
                    .append(", ").append(setting.clients()).append(" clients\n\n| round | ")
                    .append(String.join(" | ", shown)).append(" | FedIT dropped |\n|---|")
                    .append("---|".repeat(shown.size() + 1)).append('\n');
            double[] dropped = curve(runs, "FEDIT", setting, StudyReport::droppedFraction);
            List<double[]> acc = new ArrayList<>();
            List<double[]> loss = new ArrayList<>();
            for (String m : shown) {
                Run key = m.equals("CENTRALIZED") ? centralized : setting;
                acc.add(curve(runs, m, key, RoundResult::testAccuracy));
                loss.add(curve(runs, m, key, RoundResult::testLoss));
            }
            int n = Math.max(dropped.length, acc.isEmpty() ? 0 : acc.getFirst().length);
            for (int i = 0; i < n; i++) {
                md.append("| ").append(i + 1).append(" |");
                for (int m = 0; m < shown.size(); m++) {
                    md.append(i < acc.get(m).length
                            ? String.format(Locale.ROOT, " %.3f / %.3f |", acc.get(m)[i], loss.get(m)[i]) : " – |");
                }
                md.append(i < dropped.length && !Double.isNaN(dropped[i])
                        ? String.format(Locale.ROOT, " %.1f %% |%n", 100 * dropped[i]) : " – |\n");
            }
        }

        md.append("\n### FedEx-LoRA against FedIT, paired by seed (same split, initialisation and batch order)\n\n");
        md.append("| rank | α | clients | accuracy: FEDEX − FEDIT | FEDEX better / equal / worse | test loss: FEDEX − FEDIT "
                + "| FEDEX lower / higher |\n|---|---|---|---|---|---|---|\n");
        for (Run setting : settings(runs)) {
            List<double[]> pairs = pairs(runs, setting);
            if (pairs.isEmpty()) {
                continue;
            }
            List<Double> acc = pairs.stream().map(p -> p[0]).toList();
            List<Double> loss = pairs.stream().map(p -> p[1]).toList();
            md.append("| ").append(setting.rank()).append(" | ").append(Run.alphaLabel(setting.alpha())).append(" | ")
                    .append(setting.clients()).append(" | ").append(signedMeanStd(acc)).append(" | ")
                    .append(acc.stream().filter(d -> d > 0).count()).append(" / ")
                    .append(acc.stream().filter(d -> d == 0).count()).append(" / ")
                    .append(acc.stream().filter(d -> d < 0).count()).append(" | ").append(signedMeanStd(loss))
                    .append(" | ").append(loss.stream().filter(d -> d < 0).count()).append(" / ")
                    .append(loss.stream().filter(d -> d > 0).count()).append(" |\n");
        }

        md.append("\n### FedIT's deviation from the ideal update (final round; mean over seeds, max over layers)\n\n");
        md.append("| rank | α | clients | s‖R‖_F | relative to ‖Σ pᵢ sᵢ Bᵢ Aᵢ‖_F | FedEx exactness error |\n|---|---|---|---|---|---|\n");
        for (Run setting : settings(runs)) {
            md.append("| ").append(setting.rank()).append(" | ").append(Run.alphaLabel(setting.alpha())).append(" | ")
                    .append(setting.clients()).append(" | ")
                    .append(meanStd(finals(runs, "FEDIT", setting, r -> maxLayer(r, "deviation")))).append(" | ")
                    .append(meanStd(finals(runs, "FEDIT", setting, r -> maxLayer(r, "relativeDeviation")))).append(" | ")
                    .append(sci(max(runs, "FEDEX", setting, RoundResult::exactnessError))).append(" |\n");
        }

        md.append("\n### Communication per client per round (bytes)\n\n");
        md.append("| method | rank | clients | up: adapter + head | down: adapter + head | down: residual as stored "
                + "| down: residual if dense |\n|---|---|---|---|---|---|---|\n");
        for (String m : methods) {
            TreeSet<String> shown = new TreeSet<>();
            for (Run setting : settings(runs)) {
                if (!shown.add(setting.rank() + "/" + setting.clients())) {
                    continue;
                }
                // Sizes do not depend on the split: every alpha of this rank and client count together.
                List<RoundResult> rounds = new ArrayList<>();
                runs.forEach((r, res) -> {
                    if (r.method().equals(m) && !r.centralized() && r.rank() == setting.rank()
                            && r.clients() == setting.clients()) {
                        rounds.addAll(res.rounds());
                    }
                });
                if (rounds.isEmpty()) {
                    continue;
                }
                md.append("| ").append(m).append(" | ").append(setting.rank()).append(" | ").append(setting.clients())
                        .append(" | ").append(Math.round(mean(rounds, RoundResult::adapterBytes))).append(" | ")
                        .append(Math.round(mean(rounds, RoundResult::adapterBytes))).append(" | ")
                        .append(Math.round(mean(rounds, RoundResult::residualBytes))).append(" | ")
                        .append(m.equals("FEDEX") ? Long.toString(Math.round(mean(rounds, r -> sumLayer(r, "denseBytes"))))
                                : "–").append(" |\n");
            }
        }

        md.append("\n### Wall time per job (s, mean over its runs)\n\n| method | clients | seconds |\n|---|---|---|\n");
        Map<String, List<Double>> times = new TreeMap<>();
        runs.forEach((r, res) -> times.computeIfAbsent(r.method() + " | " + r.clients(), k -> new ArrayList<>())
                .add(res.seconds()));
        times.forEach((k, v) -> md.append("| ").append(k).append(" | ")
                .append(String.format(Locale.ROOT, "%.0f", v.stream().mapToDouble(d -> d).average().orElse(0)))
                .append(" |\n"));

        List<String> failed = new ArrayList<>();
        runs.forEach((r, res) -> {
            if (!res.state().equals("SUCCEEDED")) {
                failed.add("- " + r.name() + ": " + res.state() + (res.failure() == null ? "" : " (" + res.failure() + ")"));
            }
        });
        if (!failed.isEmpty()) {
            md.append("\n### Jobs that did not succeed\n\n").append(String.join("\n", failed)).append('\n');
        }
        return md.toString();
    }

    /** The federated settings (rank, alpha, clients) in the grid, seed 0, in a stable order. */
    static List<Run> settings(Map<Run, JobResult> runs) {
        TreeSet<String> seen = new TreeSet<>();
        List<Run> out = new ArrayList<>();
        runs.keySet().stream().filter(r -> !r.centralized())
                .sorted(java.util.Comparator.comparingInt(Run::rank).reversed().thenComparingInt(Run::clients)
                        .thenComparingDouble(Run::alpha))
                .forEach(r -> {
                    if (seen.add(r.setting())) {
                        out.add(new Run("FEDEX", r.alpha(), r.clients(), r.rank(), 0));
                    }
                });
        return out;
    }

    static boolean sameSetting(Run a, Run b) {
        return a.centralized() == b.centralized() && a.rank() == b.rank()
                && (a.centralized() || a.clients() == b.clients() && a.alpha() == b.alpha());
    }

    /** The final round of each seed's run of {@code method} in {@code setting}. */
    static List<Double> finals(Map<Run, JobResult> runs, String method, Run setting, ToDoubleFunction<RoundResult> f) {
        List<Double> out = new ArrayList<>();
        runs.forEach((r, res) -> {
            if (r.method().equals(method) && sameSetting(r, setting) && !res.rounds().isEmpty()) {
                out.add(f.applyAsDouble(res.rounds().getLast()));
            }
        });
        return out;
    }

    /** Per round (index 0 = round 1), the mean over seeds of {@code f}. */
    static double[] curve(Map<Run, JobResult> runs, String method, Run setting, ToDoubleFunction<RoundResult> f) {
        Map<Integer, List<Double>> byRound = new TreeMap<>();
        runs.forEach((r, res) -> {
            if (r.method().equals(method) && sameSetting(r, setting)) {
                res.rounds().forEach(rr -> byRound.computeIfAbsent(rr.round(), k -> new ArrayList<>())
                        .add(f.applyAsDouble(rr)));
            }
        });
        return byRound.values().stream().mapToDouble(v -> v.stream().mapToDouble(d -> d).average().orElse(Double.NaN))
                .toArray();
    }

    private static List<RoundResult> rounds(Map<Run, JobResult> runs, String method, Run setting) {
        List<RoundResult> out = new ArrayList<>();
        runs.forEach((r, res) -> {
            if (r.method().equals(method) && sameSetting(r, setting)) {
                out.addAll(res.rounds());
            }
        });
        return out;
    }

    private static double max(Map<Run, JobResult> runs, String method, Run setting, ToDoubleFunction<RoundResult> f) {
        return rounds(runs, method, setting).stream().mapToDouble(f).max().orElse(Double.NaN);
    }

    private static double mean(List<RoundResult> rounds, ToDoubleFunction<RoundResult> f) {
        return rounds.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    static double maxLayer(RoundResult r, String field) {
        double m = Double.NaN;
        for (JsonNode l : r.report().path("layers")) {
            double v = l.path(field).asDouble(Double.NaN);
            m = Double.isNaN(m) ? v : Math.max(m, v);
        }
        return m;
    }

    /** Per layer (module name → value) of one round's report. */
    static Map<String, Double> layers(RoundResult r, String field) {
        Map<String, Double> out = new LinkedHashMap<>();
        r.report().path("layers").forEach(l -> out.put(l.path("module").asString(), l.path(field).asDouble(Double.NaN)));
        return out;
    }

    private static double sumLayer(RoundResult r, String field) {
        double s = 0;
        for (JsonNode l : r.report().path("layers")) {
            s += l.path(field).asDouble(0);
        }
        return s;
    }

    /** Per seed with both runs: {FEDEX − FEDIT final test accuracy, FEDEX − FEDIT final test loss}. */
    static List<double[]> pairs(Map<Run, JobResult> runs, Run setting) {
        List<double[]> out = new ArrayList<>();
        runs.forEach((r, res) -> {
            if (!r.method().equals("FEDEX") || !sameSetting(r, setting) || res.rounds().isEmpty()) {
                return;
            }
            JobResult other = runs.get(new Run("FEDIT", r.alpha(), r.clients(), r.rank(), r.seed()));
            if (other != null && !other.rounds().isEmpty()) {
                RoundResult a = res.rounds().getLast();
                RoundResult b = other.rounds().getLast();
                out.add(new double[] {a.testAccuracy() - b.testAccuracy(), a.testLoss() - b.testLoss()});
            }
        });
        return out;
    }

    private static String signedMeanStd(List<Double> values) {
        String s = meanStd(values, 4);
        return s.startsWith("-") || s.equals("–") ? s : "+" + s;
    }

    static String meanStd(List<Double> values) {
        return meanStd(values, 3);
    }

    /** Mean ± sample standard deviation with {@code digits} decimals. */
    static String meanStd(List<Double> values, int digits) {
        if (values.isEmpty()) {
            return "–";
        }
        double mean = values.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
        String f = "%." + digits + "f";
        if (values.size() == 1) {
            return String.format(Locale.ROOT, f, mean);
        }
        double var = values.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / (values.size() - 1);
        return String.format(Locale.ROOT, f + " ± " + f, mean, Math.sqrt(var));
    }

    private static String sci(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1e", v);
    }
}
