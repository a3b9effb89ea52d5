package dev.fedexlora.cli.experiment;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import tools.jackson.databind.JsonNode;

/**
 * The summary of a {@link Study}: {@code study.md} (per data set and setting, each method's final accuracy, the paired
 * FEDEX − FEDIT difference in accuracy and loss with 95 % intervals and the difference the seeds could detect, FedIT's
 * dropped fraction of the update, accuracy per megabyte exchanged, and the two data sets side by side) and
 * {@code gap-vs-dropped.png}.
 */
final class StudyReport {

    /** The name of the pseudo-preset of {@code --summarise}. */
    static final String SUMMARY = "summary";
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c)};

    private StudyReport() {
    }

    /** How a preset's runs are made. */
    static final String IN_PROCESS = "in-process, the platform's training and aggregation code";

    /** The report of a study as it runs: {@code wall} is its elapsed time. */
    static void write(Path out, Preset preset, Map<String, Map<Preset.Point, Map<Run, JobResult>>> all,
                      Map<String, Map<String, Double>> rates, Duration wall) throws IOException {
        write(out, preset, all, rates, wall, IN_PROCESS, false);
    }

    /**
     * As above; {@code source} says how the runs were made, and {@code summed} that {@code wall} is the sum of the
     * jobs' wall times (a summary of earlier runs), not one process's elapsed time.
     */
    static void write(Path out, Preset preset, Map<String, Map<Preset.Point, Map<Run, JobResult>>> all,
                      Map<String, Map<String, Double>> rates, Duration wall, String source, boolean summed)
            throws IOException {
        Files.createDirectories(out);
        StringBuilder md = new StringBuilder("<!-- written by ./fedex experiment ")
                .append(preset.name().equals(SUMMARY) ? "--summarise" : "--preset " + preset.name()
                        + (summed ? " --summarise" : ""))
                .append("; do not edit -->\n\n");
        String time = summed ? "the jobs' wall times sum to" : "in";
        md.append(String.format(Locale.ROOT, "`%s`: LoRA on %s%s, %d rounds, batch %d, %d tokens, rank r with "
                        + "lora_alpha 2r; %s, %s %s on %d cores (%s).%n%n", preset.name(), preset.targets(),
                preset.cache() ? " (frozen layers from the cache)" : "", preset.rounds(), preset.batchSize(),
                preset.maxLength(), seedsDone(all), time, ExperimentCommand.elapsed(wall),
                Runtime.getRuntime().availableProcessors(), source));
        md.append("Learning rates: ").append(rates).append("\n\n");
        for (var d : all.entrySet()) {
            dataset(md, d.getKey(), d.getValue());
            sameRate(md, d.getValue(), rates.getOrDefault(d.getKey(), Map.of()));
        }
        if (all.size() > 1) {
            sideBySide(md, all);
        }
        Files.writeString(out.resolve("study.md"), md);
        plot(out.resolve("gap-vs-dropped.png"), all);
    }

    private static void dataset(StringBuilder md, String name, Map<Preset.Point, Map<Run, JobResult>> points) {
        md.append("## ").append(name).append("\n\n### Final test accuracy (mean ± 95 % interval over seeds)\n\n");
        md.append("| varies | setting | seeds | FEDEX | FEDIT | FFA | CENTRALIZED |\n|---|---|---|---|---|---|---|\n");
        points.forEach((p, runs) -> {
            md.append("| ").append(p.factor()).append(" | ").append(p.label()).append(" | ")
                    .append(finals(runs, "FEDEX", RoundResult::testAccuracy).size()).append(" |");
            for (String m : Preset.MAIN) {
                md.append(' ').append(meanCi(finals(runs, m, RoundResult::testAccuracy))).append(" |");
            }
            md.append('\n');
        });
        md.append("\n### FEDEX − FEDIT, paired by seed (accuracy in points, loss in nats; 95 % intervals)\n\n");
        md.append("| varies | setting | seeds | accuracy | detectable (80 % power) | seeds for 1 point | test loss | FedIT "
                + "dropped, final round | test loss change in the last round, FEDEX / FEDIT |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        points.forEach((p, runs) -> {
            List<double[]> pairs = pairs(runs);
            Stats.Paired acc = Stats.paired(pairs.stream().map(x -> x[0]).toList());
            Stats.Paired loss = Stats.paired(pairs.stream().map(x -> x[1]).toList());
            md.append("| ").append(p.factor()).append(" | ").append(p.label()).append(" | ").append(acc.n())
                    .append(" | ").append(acc.format(100, 2)).append(acc.resolved() ? " **" + (acc.mean() > 0
                            ? "FEDEX" : "FEDIT") + "**" : "").append(" | ")
                    .append(Double.isNaN(acc.detectable()) ? "–" : String.format(Locale.ROOT, "%.2f", 100 * acc.detectable()))
                    .append(" | ").append(Double.isNaN(acc.seedsFor(0.01)) ? "–" : String.format(Locale.ROOT, "%.0f",
                            acc.seedsFor(0.01)))
                    .append(" | ").append(loss.format(1, 4)).append(" | ")
                    .append(pct(Stats.mean(finals(runs, "FEDIT", StudyReport::droppedFraction)))).append(" | ")
                    .append(num(Stats.mean(lastChange(runs, "FEDEX")))).append(" / ")
                    .append(num(Stats.mean(lastChange(runs, "FEDIT")))).append(" |\n");
        });
        List<double[]> accXy = new ArrayList<>();
        List<double[]> lossXy = new ArrayList<>();
        points.values().forEach(runs -> pairs(runs).forEach(x -> {
            if (Double.isFinite(x[2])) {
                accXy.add(new double[] {x[2], x[0]});
                lossXy.add(new double[] {x[2], x[1]});
            }
        }));
        double[] ra = Stats.correlation(accXy);
        double[] rl = Stats.correlation(lossXy);
        if (Double.isNaN(ra[0])) {
            md.append(String.format(Locale.ROOT, "%nDoes FedIT's dropped fraction predict the gap? %d seed-and-setting "
                    + "pairs are too few for a correlation (4 at least).%n", accXy.size()));
        } else {
            md.append(String.format(Locale.ROOT, "%nDoes FedIT's dropped fraction predict the gap? Over %d seed-and-setting "
                        + "pairs, Pearson's r with the accuracy difference is %.2f [%.2f, %.2f] and with the loss "
                        + "difference %.2f [%.2f, %.2f] (95 %% intervals, Fisher's z).%n", accXy.size(), ra[0], ra[1], ra[2],
                rl[0], rl[1], rl[2]));
        }
        md.append("\n### Accuracy per megabyte exchanged (all clients, all rounds, up and down)\n\n");
        md.append("| setting | FEDEX MB | FEDEX accuracy/MB | FEDIT MB | FEDIT accuracy/MB | FFA MB | FFA accuracy/MB "
                + "|\n|---|---|---|---|---|---|---|\n");
        points.forEach((p, runs) -> {
            md.append("| ").append(p.label()).append(" |");
            for (String m : Preset.FEDERATED) {
                double mb = Stats.mean(mb(runs, m));
                double acc = Stats.mean(finals(runs, m, RoundResult::testAccuracy));
                md.append(Double.isNaN(mb) ? " – | – |" : String.format(Locale.ROOT, " %.2f | %.4f |", mb, acc / mb));
            }
            md.append('\n');
        });
        md.append('\n');
    }

    /**
     * Where the methods' chosen rates differ, the paired difference of each setting mixes aggregation with learning
     * rate. Settings that differ only in their rate scale can pair FEDEX at one scale with FEDIT at another where the
     * two rates agree within 15 %: the same seeds, splits and initialisations, at (nearly) the same rate.
     */
    private static void sameRate(StringBuilder md, Map<Preset.Point, Map<Run, JobResult>> points, Map<String, Double> rates) {
        Double fedex = rates.get("FEDEX");
        Double fedit = rates.get("FEDIT");
        if (fedex == null || fedit == null || Math.abs(fedex - fedit) <= 0.15 * fedit) {
            return;
        }
        List<String> rows = new ArrayList<>();
        points.forEach((pe, runsE) -> points.forEach((pi, runsI) -> {
            boolean sameOtherwise = pe.alpha() == pi.alpha() && pe.clients() == pi.clients() && pe.rank() == pi.rank()
                    && pe.localSteps() == pi.localSteps();
            double re = fedex * pe.lrScale();
            double ri = fedit * pi.lrScale();
            if (pe == pi || !sameOtherwise || Math.abs(re - ri) > 0.15 * ri) {
                return;
            }
            List<double[]> pairs = pairs(runsE, runsI);
            Stats.Paired pa = Stats.paired(pairs.stream().map(x -> x[0]).toList());
            rows.add(String.format(Locale.ROOT, "| %.1e (%s) | %.1e (%s) | %d | %s | %s |%n", re, pe.label(), ri,
                    pi.label(), pa.n(), pa.format(100, 2) + (pa.resolved() ? " **" + (pa.mean() > 0 ? "FEDEX" : "FEDIT")
                            + "**" : ""), Stats.paired(pairs.stream().map(x -> x[1]).toList()).format(1, 4)));
        }));
        if (rows.isEmpty()) {
            return;
        }
        md.append(String.format(Locale.ROOT, "### FEDEX − FEDIT at the same learning rate%n%nThe search chose %.0e for "
                + "FEDEX and %.0e for FEDIT here, so the table above compares each method at its own rate. Paired "
                + "by seed across settings that differ only in their rate scale:%n%n", fedex, fedit));
        md.append("| FEDEX rate (setting) | FEDIT rate (setting) | seeds | accuracy (points) | test loss |\n"
                + "|---|---|---|---|---|\n");
        rows.forEach(md::append);
        md.append('\n');
    }

    private static void sideBySide(StringBuilder md, Map<String, Map<Preset.Point, Map<Run, JobResult>>> all) {
        List<String> names = new ArrayList<>(all.keySet());
        md.append("## The data sets side by side: FEDEX − FEDIT accuracy (points, 95 % interval)\n\n| varies | setting |");
        names.forEach(n -> md.append(' ').append(n).append(" |"));
        md.append(" resolved on |\n|---|---|").append("---|".repeat(names.size())).append("---|\n");
        for (Preset.Point p : all.get(names.getFirst()).keySet()) {
            md.append("| ").append(p.factor()).append(" | ").append(p.label()).append(" |");
            List<String> holds = new ArrayList<>();
            for (String n : names) {
                Map<Run, JobResult> runs = all.get(n).get(p);
                Stats.Paired acc = Stats.paired(runs == null ? List.of() : pairs(runs).stream().map(x -> x[0]).toList());
                md.append(' ').append(acc.format(100, 2)).append(" |");
                if (acc.resolved()) {
                    holds.add(n + (acc.mean() > 0 ? ": FEDEX ahead" : ": FEDIT ahead"));
                }
            }
            md.append(' ').append(holds.isEmpty() ? "neither" : String.join("; ", holds)).append(" |\n");
        }
        md.append('\n');
    }

    /** Per seed, FEDEX − FEDIT final test accuracy and loss, and FedIT's final dropped fraction. */
    static List<double[]> pairs(Map<Run, JobResult> runs) {
        return pairs(runs, runs);
    }

    /** As {@link #pairs(Map)}, with FEDEX's runs from {@code fedex} and their FEDIT twins from {@code fedit}. */
    static List<double[]> pairs(Map<Run, JobResult> fedex, Map<Run, JobResult> fedit) {
        List<double[]> out = new ArrayList<>();
        fedex.forEach((r, res) -> {
            if (!r.method().equals("FEDEX") || res.rounds().isEmpty()) {
                return;
            }
            JobResult other = fedit.get(new Run("FEDIT", r.alpha(), r.clients(), r.rank(), r.seed()));
            if (other != null && !other.rounds().isEmpty()) {
                RoundResult a = res.rounds().getLast();
                RoundResult b = other.rounds().getLast();
                out.add(new double[] {a.testAccuracy() - b.testAccuracy(), a.testLoss() - b.testLoss(),
                    droppedFraction(b)});
            }
        });
        return out;
    }

    /** ‖s·R‖_F over ‖Σ pᵢ sᵢ Bᵢ Aᵢ‖_F for the whole model: the per-layer norms combined. */
    static double droppedFraction(RoundResult r) {
        double dev = 0;
        double ideal = 0;
        for (JsonNode l : r.report().path("layers")) {
            dev += Math.pow(l.path("deviation").asDouble(0), 2);
            ideal += Math.pow(l.path("idealUpdateNorm").asDouble(0), 2);
        }
        return ideal > 0 ? Math.sqrt(dev / ideal) : Double.NaN;
    }

    private static List<Double> finals(Map<Run, JobResult> runs, String method,
                                       java.util.function.ToDoubleFunction<RoundResult> f) {
        List<Double> out = new ArrayList<>();
        runs.forEach((r, res) -> {
            if (r.method().equals(method) && !res.rounds().isEmpty()) {
                out.add(f.applyAsDouble(res.rounds().getLast()));
            }
        });
        return out;
    }

    private static List<Double> lastChange(Map<Run, JobResult> runs, String method) {
        List<Double> out = new ArrayList<>();
        runs.forEach((r, res) -> {
            int n = res.rounds().size();
            if (r.method().equals(method) && n >= 2) {
                out.add(res.rounds().get(n - 1).testLoss() - res.rounds().get(n - 2).testLoss());
            }
        });
        return out;
    }

    /** Megabytes a job moved: each round, every client uploads its adapter and downloads the global one and the residual. */
    private static List<Double> mb(Map<Run, JobResult> runs, String method) {
        List<Double> out = new ArrayList<>();
        runs.forEach((r, res) -> {
            if (r.method().equals(method) && !res.rounds().isEmpty()) {
                double bytes = 0;
                for (RoundResult rr : res.rounds()) {
                    bytes += r.clients() * (2.0 * rr.adapterBytes() + rr.residualBytes());
                }
                out.add(bytes / 1e6);
            }
        });
        return out;
    }

    private static String meanCi(List<Double> values) {
        if (values.isEmpty()) {
            return "–";
        }
        Stats.Paired s = Stats.paired(values);
        return s.n() == 1 ? String.format(Locale.ROOT, "%.3f", s.mean())
                : String.format(Locale.ROOT, "%.3f ± %.3f", s.mean(), s.halfWidth());
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%+.4f", v);
    }

    /** Jobs run: a CENTRALIZED run listed under several settings counts once. */
    private static String seedsDone(Map<String, Map<Preset.Point, Map<Run, JobResult>>> all) {
        long jobs = 0;
        for (Map<Preset.Point, Map<Run, JobResult>> points : all.values()) {
            jobs += points.values().stream().flatMap(m -> m.keySet().stream()).filter(r -> !r.centralized()).count();
            jobs += points.values().stream().flatMap(m -> m.keySet().stream()).filter(Run::centralized).distinct().count();
        }
        return jobs + " jobs";
    }

    /** Per seed and setting, FedIT's dropped fraction (x) against FEDEX − FEDIT accuracy in points (y). */
    private static void plot(Path file, Map<String, Map<Preset.Point, Map<Run, JobResult>>> all) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (var d : all.entrySet()) {
            XYSeries s = new XYSeries(d.getKey());
            d.getValue().values().forEach(runs -> pairs(runs).forEach(p -> {
                if (Double.isFinite(p[2])) {
                    s.add(100 * p[2], 100 * p[0]);
                }
            }));
            data.addSeries(s);
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, COLORS[i % COLORS.length]);
        }
        NumberAxis x = new NumberAxis("FedIT's dropped share of the ideal update, final round (%)");
        NumberAxis y = new NumberAxis("FEDEX − FEDIT test accuracy (points)");
        JFreeChart chart = new JFreeChart("Does FedIT's dropped fraction predict the gap? (one point per seed and setting)",
                JFreeChart.DEFAULT_TITLE_FONT, new XYPlot(data, x, y, r), true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 560);
    }
}
