package dev.fedexlora.cli.experiment;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The experiment's plots as PNG files (JFreeChart, headless). */
final class Plots {

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0x17becf), new Color(0x7f7f7f)};

    private Plots() {
    }

    static void write(Path dir, Map<Run, JobResult> runs) throws IOException {
        List<Run> settings = Results.settings(runs);
        TreeSet<String> groups = new TreeSet<>();
        for (Run s : settings) {
            groups.add(s.rank() + "/" + s.clients());
        }
        for (String g : groups) {
            int rank = Integer.parseInt(g.substring(0, g.indexOf('/')));
            int clients = Integer.parseInt(g.substring(g.indexOf('/') + 1));
            List<Run> group = settings.stream().filter(s -> s.rank() == rank && s.clients() == clients).toList();
            perRound(dir.resolve("accuracy-r" + rank + "-n" + clients + ".png"), runs, group, RoundResult::testAccuracy,
                    "accuracy", "Test accuracy of the global model per round, rank " + rank + ", " + clients + " clients");
            perRound(dir.resolve("loss-r" + rank + "-n" + clients + ".png"), runs, group, RoundResult::testLoss,
                    "loss", "Test loss of the global model per round, rank " + rank + ", " + clients + " clients");
        }
        fedexMinusFedit(dir.resolve("fedex-minus-fedit.png"), runs, settings);
        deviationBySetting(dir.resolve("deviation-rounds.png"), runs, settings);
        deviationByLayer(dir.resolve("deviation-layers.png"), runs, settings);
    }

    /** One panel per split, one line per method (mean over seeds), the centralised baseline dashed. */
    private static void perRound(Path file, Map<Run, JobResult> runs, List<Run> group, ToDoubleFunction<RoundResult> f,
                                 String metric, String title) throws IOException {
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(roundAxis());
        plot.setGap(12);
        for (Run setting : group) {
            XYSeriesCollection data = new XYSeriesCollection();
            for (String m : Results.FEDERATED) {
                add(data, m, Results.curve(runs, m, setting, f));
            }
            Run central = runs.keySet().stream().filter(Run::centralized).findFirst().orElse(null);
            if (central != null) {
                add(data, "CENTRALIZED", Results.curve(runs, "CENTRALIZED", central, f));
            }
            NumberAxis y = new NumberAxis(metric + ", α = " + Run.alphaLabel(setting.alpha()));
            y.setAutoRangeIncludesZero(false);
            XYLineAndShapeRenderer renderer = renderer(data);
            // One legend for all panels: the methods have the same colour in each.
            renderer.setDefaultSeriesVisibleInLegend(plot.getSubplots().isEmpty());
            plot.add(new XYPlot(data, null, y, renderer), 1);
        }
        save(file, new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true), 900, 260 * group.size() + 120);
    }

    /** Per setting, FEDEX − FEDIT in test loss per round, paired by seed and averaged over seeds. */
    private static void fedexMinusFedit(Path file, Map<Run, JobResult> runs, List<Run> settings) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Run s : settings) {
            double[] fedex = Results.curve(runs, "FEDEX", s, RoundResult::testLoss);
            double[] fedit = Results.curve(runs, "FEDIT", s, RoundResult::testLoss);
            int n = Math.min(fedex.length, fedit.length);
            double[] diff = new double[n];
            for (int i = 0; i < n; i++) {
                diff[i] = fedex[i] - fedit[i];
            }
            add(data, "α = " + Run.alphaLabel(s.alpha()) + ", " + s.clients() + " clients, rank " + s.rank(), diff);
        }
        if (data.getSeriesCount() == 0) {
            return;
        }
        NumberAxis y = new NumberAxis("test loss, FEDEX − FEDIT (below 0: FedEx-LoRA better)");
        XYPlot plot = new XYPlot(data, roundAxis(), y, renderer(data));
        plot.addRangeMarker(new org.jfree.chart.plot.ValueMarker(0, Color.BLACK, new BasicStroke(1f)));
        JFreeChart chart = new JFreeChart("Exact against inexact aggregation: test loss of the global model",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle("same splits, initialisations and batch orders; mean over seeds"));
        save(file, chart, 900, 560);
    }

    /** FedIT's deviation relative to the ideal update (max over layers, mean over seeds), one line per setting. */
    private static void deviationBySetting(Path file, Map<Run, JobResult> runs, List<Run> settings) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Run s : settings) {
            add(data, "α = " + Run.alphaLabel(s.alpha()) + ", " + s.clients() + " clients, rank " + s.rank(),
                    Results.curve(runs, "FEDIT", s, r -> Results.maxLayer(r, "relativeDeviation")));
        }
        if (data.getSeriesCount() == 0) {
            return;
        }
        XYPlot plot = new XYPlot(data, roundAxis(), logAxis("s‖R‖_F / ‖Σ pᵢ sᵢ Bᵢ Aᵢ‖_F"), renderer(data));
        JFreeChart chart = new JFreeChart("FedIT's deviation from the ideal update, per round", JFreeChart.DEFAULT_TITLE_FONT,
                plot, true);
        chart.addSubtitle(new TextTitle("largest over the adapted layers, mean over seeds"));
        save(file, chart, 900, 560);
    }

    /** Per layer: FedIT's relative deviation per round in each split of the largest client count, rank of the grid. */
    private static void deviationByLayer(Path file, Map<Run, JobResult> runs, List<Run> settings) throws IOException {
        int clients = settings.stream().mapToInt(Run::clients).max().orElse(0);
        int rank = settings.isEmpty() ? 0 : settings.getFirst().rank();
        XYSeriesCollection data = new XYSeriesCollection();
        for (Run s : settings) {
            if (s.clients() != clients || s.rank() != rank) {
                continue;
            }
            Map<String, List<double[]>> perLayer = new LinkedHashMap<>();
            runs.forEach((r, res) -> {
                if (r.method().equals("FEDIT") && Results.sameSetting(r, s)) {
                    for (RoundResult rr : res.rounds()) {
                        Results.layers(rr, "relativeDeviation").forEach((module, v) ->
                                perLayer.computeIfAbsent(module, k -> new ArrayList<>()).add(new double[] {rr.round(), v}));
                    }
                }
            });
            perLayer.forEach((module, points) -> {
                XYSeries series = new XYSeries(shortName(module) + ", α = " + Run.alphaLabel(s.alpha()));
                Map<Integer, double[]> sums = new java.util.TreeMap<>();
                for (double[] p : points) {
                    double[] acc = sums.computeIfAbsent((int) p[0], k -> new double[2]);
                    acc[0] += p[1];
                    acc[1]++;
                }
                sums.forEach((round, acc) -> series.add((double) round, acc[0] / acc[1]));
                data.addSeries(series);
            });
        }
        if (data.getSeriesCount() == 0) {
            return;
        }
        XYPlot plot = new XYPlot(data, roundAxis(), logAxis("s‖R‖_F / ‖Σ pᵢ sᵢ Bᵢ Aᵢ‖_F"), renderer(data));
        JFreeChart chart = new JFreeChart("FedIT's deviation per adapted layer, " + clients + " clients, rank " + rank,
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle("mean over seeds"));
        save(file, chart, 900, 560);
    }

    private static String shortName(String module) {
        return module.replace("encoder.layer.", "layer ").replace(".attention.self.", " ");
    }

    private static void add(XYSeriesCollection data, String name, double[] curve) {
        if (curve.length == 0) {
            return;
        }
        XYSeries s = new XYSeries(name);
        for (int i = 0; i < curve.length; i++) {
            if (Double.isFinite(curve[i])) {
                s.add(i + 1, curve[i]);
            }
        }
        data.addSeries(s);
    }

    private static XYLineAndShapeRenderer renderer(XYSeriesCollection data) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        java.awt.Shape[] shapes = org.jfree.chart.plot.DefaultDrawingSupplier.createStandardSeriesShapes();
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, COLORS[i % COLORS.length]);
            r.setSeriesShape(i, shapes[i % shapes.length]);
            boolean dashed = data.getSeriesKey(i).toString().equals("CENTRALIZED");
            r.setSeriesStroke(i, dashed ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f) : new BasicStroke(2f));
        }
        return r;
    }

    private static NumberAxis roundAxis() {
        NumberAxis x = new NumberAxis("round");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setAutoRangeIncludesZero(false);
        return x;
    }

    private static LogAxis logAxis(String label) {
        LogAxis y = new LogAxis(label);
        y.setSmallestValue(1e-9);
        y.setNumberFormatOverride(new java.text.DecimalFormat("0.0##E0"));
        return y;
    }

    private static void save(Path file, JFreeChart chart, int width, int height) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
    }
}
